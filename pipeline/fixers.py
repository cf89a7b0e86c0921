"""Named fixers for institution names, and the registry that applies them in a fixed order.

Every fixer is a pure function ``fixer(text, ctx=None) -> str``: the same text and context
always give the same result, and a fixer applied twice changes nothing the second time.
``ctx`` is an optional :class:`PageContext` (what the rest of the page says: its words, its
accented spellings, its system names, the override phrases to protect); without it a fixer
uses only the curated data in ``pipeline/data/``.

The order (see :data:`REGISTRY`) is part of the contract:

1. ``unicode``      NFKC, invisible characters, whitespace.
2. ``punctuation``  spaces around parentheses, dashes and commas; trailing commas.
3. ``spelling``     unknown tokens next to exactly one word of the domain vocabulary.
4. ``accents``      accents of vocabulary words and of words the page spells with accents.
5. ``casing``       function words inside a name (``Of`` -> ``of``) in the name's language.
                    It runs after spelling because the language of a name is read from its
                    vocabulary words: ``Univrsity Of X`` is English only once ``University``
                    is spelled right, and a second pass must find nothing left to do.
6. ``override``     curated replacements from ``name_overrides.csv``; applied last, and the
                    words they match are protected from fixers 3-5, so an override always wins.

``pipeline.names`` adds a page-aware ``system_comma`` fixer between 5 and 6.

:meth:`FixerRegistry.apply` records a :class:`Change` for every difference a fixer makes;
replaying the changes' ``before -> after`` in order (:func:`replay_changes`) rebuilds the clean
text from the raw one.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from rapidfuzz.distance import OSA

from pipeline.config import DATA_DIR
from pipeline.reference import read_table

VOCABULARY_FILE = DATA_DIR / "institution_vocabulary.txt"
FUNCTION_WORDS_FILE = DATA_DIR / "function_words.csv"
OVERRIDES_FILE = DATA_DIR / "name_overrides.csv"

#: Languages a token is looked up in: a word of any of them is "known" and never corrected.
#: The page's languages plus the other Latin-script languages partner names are written in.
#: Finnish is left out (its list is the slowest to load and its institution words are far
#: from the vocabulary); the lists load on the first token that needs them (~2 s once).
KNOWN_WORD_LANGUAGES = (
    "en", "fr", "de", "es", "pt", "it", "id", "ms", "vi",
    "ca", "nl", "sv", "da", "nb", "pl", "cs", "sk", "ro", "tr", "fil", "hu",
)  # fmt: skip
#: A token at or above this Zipf frequency (log10 of uses per billion words) in any of
#: those languages is a real word. Typos of institution words sit below it: over every
#: single edit of the vocabulary's common words about 98 % score 0 and most of the rest
#: below 2.5 (``univeristy`` 1.9; ``institue`` 2.97 in French is the edge), while real name
#: words next to the vocabulary score above it (``Sains`` 4.9, ``Mada`` 4.0).
KNOWN_WORD_ZIPF = 3.0
#: An unaccented word this frequent in English is never given accents from page evidence
#: alone (``College`` next to a page's ``Collège``).
COMMON_ENGLISH_ZIPF = 3.0
#: Shorter tokens are never spelling-corrected: too many names and acronyms are that short.
MIN_SPELL_LENGTH = 4
#: Tokens this long may be corrected at edit distance 2; shorter ones only at distance 1.
LONG_WORD = 9

TOKEN_RE = re.compile(r"[^\W\d_]+")
_APOSTROPHES = "'’"
_SEGMENT_OPENERS = set("([{,;:-–—/\"“”‘’'«»&")


# --------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class Change:
    """One difference a fixer made: ``before`` became ``after`` (first occurrence)."""

    fixer: str
    before: str
    after: str
    confidence: float


@dataclass(frozen=True)
class Suggestion:
    """A token left alone that a person may want to look at."""

    token: str
    candidates: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Override:
    """A curated replacement: a whole name (``scope="name"``) or a phrase inside names."""

    match: str
    replacement: str
    scope: str
    reason: str


@dataclass(frozen=True)
class PageContext:
    """What the rest of the page tells the fixers about one name.

    ``page_words``: lowercase token -> number of page names using it.
    ``own_words``: lowercase tokens of the name being cleaned when it is itself on the page
    (a word counts as "used elsewhere on the page" only if some *other* name uses it).
    ``accented_words``: folded lowercase form -> lowercase accented spellings on the page.
    ``accented_bigrams``: (folded word, folded next word) -> their spellings on the page,
    for pairs where one of them has accents (``São Paulo``).
    ``system_names``: institution names the page follows with ``, <campus>``.
    ``protected``: tokens covered by an override phrase; fixers 3-5 leave them alone.
    ``overrides``: the curated overrides (``None``: read ``name_overrides.csv``).
    """

    page_words: Mapping[str, int] = field(default_factory=dict)
    own_words: frozenset[str] = frozenset()
    accented_words: Mapping[str, frozenset[str]] = field(default_factory=dict)
    accented_bigrams: Mapping[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    system_names: tuple[str, ...] = ()
    protected: frozenset[str] = frozenset()
    overrides: tuple[Override, ...] | None = None

    def page_accent_keys(self) -> frozenset[str]:
        """Folded words the page or the vocabulary offers an accented spelling for."""
        return _page_accent_keys(self.accented_words, self.accented_bigrams)

    def used_elsewhere(self, token: str) -> bool:
        """True when another name on the page uses ``token`` (case-insensitive)."""
        low = token.lower()
        return self.page_words.get(low, 0) - (low in self.own_words) > 0


_ACCENT_KEYS: dict[tuple[int, int], tuple[object, object, frozenset[str]]] = {}


def _page_accent_keys(
    words: Mapping[str, frozenset[str]], bigrams: Mapping[tuple[str, str], tuple[str, str]]
) -> frozenset[str]:
    # The per-name contexts of one page share these mappings: compute once per page.
    key = (id(words), id(bigrams))
    entry = _ACCENT_KEYS.get(key)
    if entry is not None and entry[0] is words and entry[1] is bigrams:
        return entry[2]
    found = set(words) | load_vocabulary().accentable
    for (first, second), (spelled_first, spelled_second) in bigrams.items():
        if has_diacritics(spelled_first):
            found.add(first)
        if has_diacritics(spelled_second):
            found.add(second)
    if len(_ACCENT_KEYS) > 64:
        _ACCENT_KEYS.clear()
    keys = frozenset(found)
    _ACCENT_KEYS[key] = (words, bigrams, keys)
    return keys


# --------------------------------------------------------------------------------------------
# Text helpers


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lowercase and drop diacritics: ``fold("École") == "ecole"``.

    >>> fold("Université Düsseldorf São")
    'universite dusseldorf sao'
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text.lower())
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def has_diacritics(text: str) -> bool:
    """True when ``text`` carries accents or other combining marks."""
    return not text.isascii() and fold(text) != text.lower()


def case_pattern(token: str) -> str:
    """``"lower"``, ``"upper"``, ``"title"`` or ``"mixed"`` (``SudParis``, ``iPhone``).

    >>> [case_pattern(t) for t in ("of", "KIIT", "Science", "RheinMain")]
    ['lower', 'upper', 'title', 'mixed']
    """
    if token.islower():
        return "lower"
    if token.isupper():
        return "title" if len(token) == 1 else "upper"
    if token[:1].isupper() and (len(token) == 1 or token[1:].islower()):
        return "title"
    return "mixed"


def apply_case(word: str, pattern: str) -> str:
    """Write ``word`` (lowercase) in a token's case pattern."""
    if pattern == "upper":
        return word.upper()
    if pattern == "title":
        return word[:1].upper() + word[1:]
    return word


@lru_cache(maxsize=8192)
def tokens_of(text: str) -> tuple[str, ...]:
    """The word tokens of a text (letters only; ``d'Ingénieurs`` -> ``d``, ``Ingénieurs``).

    >>> tokens_of("King Mongkut's University")
    ('King', 'Mongkut', 's', 'University')
    """
    return tuple(TOKEN_RE.findall(text))


def _segment_start(text: str, start: int) -> bool:
    """True when the token at ``start`` opens the name or a part of it (after ``,`` ``(`` ``-``)."""
    before = text[:start].rstrip()
    return not before or before[-1] in _SEGMENT_OPENERS


# --------------------------------------------------------------------------------------------
# Curated data


def _data_lines(path: Path) -> Iterable[str]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line and not line.startswith("#"):
                yield line


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """The domain vocabulary, indexed for the spelling and accents fixers.

    ``words``: lowercase word -> its languages. ``by_folded``: folded form -> the words with
    that form. ``buckets``: (first folded letter, length) -> (folded, word) pairs, so a token
    is compared only with words of its first letter and a length within the edit budget.
    """

    words: Mapping[str, frozenset[str]]
    by_folded: Mapping[str, tuple[str, ...]]
    buckets: Mapping[tuple[str, int], tuple[tuple[str, str], ...]]

    @classmethod
    def from_entries(cls, entries: Iterable[tuple[str, Iterable[str]]]) -> Vocabulary:
        words: dict[str, frozenset[str]] = {}
        for word, languages in entries:
            word = unicodedata.normalize("NFC", word.lower())
            words[word] = words.get(word, frozenset()) | frozenset(languages)
        by_folded: dict[str, list[str]] = {}
        buckets: dict[tuple[str, int], list[tuple[str, str]]] = {}
        for word in words:
            folded = fold(word)
            by_folded.setdefault(folded, []).append(word)
            buckets.setdefault((folded[:1], len(folded)), []).append((folded, word))
        return cls(
            words=words,
            by_folded={k: tuple(v) for k, v in by_folded.items()},
            buckets={k: tuple(v) for k, v in buckets.items()},
        )

    @property
    def accentable(self) -> frozenset[str]:
        """Unaccented lowercase forms that have an accented vocabulary word."""
        return _accentable(self)

    def near(self, folded: str) -> list[tuple[str, int]]:
        """Vocabulary words within the edit budget of a folded token, same first letter.

        Distance is optimal string alignment (insertions, deletions, substitutions and
        adjacent transpositions) between folded forms: 1 for tokens shorter than
        :data:`LONG_WORD`, 2 for longer ones.
        """
        budget = 2 if len(folded) >= LONG_WORD else 1
        found = []
        for length in range(len(folded) - budget, len(folded) + budget + 1):
            for candidate, word in self.buckets.get((folded[:1], length), ()):
                distance = OSA.distance(folded, candidate, score_cutoff=budget)
                if distance <= budget:
                    found.append((word, distance))
        return found

    def languages_of(self, token: str) -> frozenset[str]:
        """Languages of the vocabulary words a token spells (accents ignored)."""
        return _languages_of(self, token)

    def accent_forms(self, low: str) -> tuple[str, ...]:
        """Accented vocabulary words an unaccented lowercase token may stand for.

        Words whose unaccented form is common English are left out (see the data file).
        """
        return _accent_forms(self, low)


@cache
def _accentable(vocabulary: Vocabulary) -> frozenset[str]:
    return frozenset(
        folded
        for folded, words in vocabulary.by_folded.items()
        if any(has_diacritics(w) for w in words)
    )


@lru_cache(maxsize=65536)
def _languages_of(vocabulary: Vocabulary, token: str) -> frozenset[str]:
    exact = vocabulary.words.get(token.lower())
    if exact is not None and has_diacritics(token):
        return exact  # "Universität" is German even though "Universitat" is Catalan
    langs: frozenset[str] = frozenset()
    for word in vocabulary.by_folded.get(fold(token), ()):
        langs |= vocabulary.words[word]
    return langs


@lru_cache(maxsize=65536)
def _accent_forms(vocabulary: Vocabulary, low: str) -> tuple[str, ...]:
    if low in vocabulary.words:
        return ()
    forms = tuple(w for w in vocabulary.by_folded.get(low, ()) if w != low)
    if forms and is_common_english(low):
        return ()
    return forms


@cache
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """Read ``institution_vocabulary.txt``: ``word lang[,lang...]`` per line."""
    entries = []
    for line in _data_lines(path):
        word, _, langs = line.partition(" ")
        entries.append((word, [lang.strip() for lang in langs.split(",") if lang.strip()]))
    return Vocabulary.from_entries(entries)


@cache
def load_function_words(path: Path = FUNCTION_WORDS_FILE) -> Mapping[str, frozenset[str]]:
    """Read ``function_words.csv``: language -> lowercase function words (``d'`` elided)."""
    by_language: dict[str, set[str]] = {}
    for row in read_table(path):
        by_language.setdefault(row["language"], set()).add(row["word"])
    return {lang: frozenset(words) for lang, words in by_language.items()}


@cache
def load_overrides(path: Path = OVERRIDES_FILE) -> tuple[Override, ...]:
    """Read ``name_overrides.csv`` (match, replacement, scope, reason)."""
    overrides = []
    for row in read_table(path):
        scope = row.get("scope") or "phrase"
        if scope not in ("phrase", "name"):
            raise ValueError(f"{path.name}: unknown scope {scope!r} for {row['match']!r}")
        overrides.append(
            Override(
                match=unicodedata.normalize("NFC", row["match"]),
                replacement=unicodedata.normalize("NFC", row["replacement"]),
                scope=scope,
                reason=row.get("reason", ""),
            )
        )
    return tuple(overrides)


# --------------------------------------------------------------------------------------------
# Word frequencies


@cache
def _known_words_near_vocabulary() -> frozenset[str]:
    """The real words within the edit budget of a vocabulary word (pipeline/wordlist.py)."""
    from pipeline.wordlist import KNOWN_WORDS_FILE

    return frozenset(_data_lines(KNOWN_WORDS_FILE))


def is_known_word(word: str) -> bool:
    """True for a real word of one of the checked languages (Zipf >= :data:`KNOWN_WORD_ZIPF`).

    Answered from a list generated from wordfreq that holds only the real words near the
    vocabulary: the spelling fixer asks only about such tokens (a word far from every
    vocabulary word is never corrected), and the full lists take seconds to load.

    >>> is_known_word("Sains"), is_known_word("Agricultual")
    (True, False)
    """
    return unicodedata.normalize("NFC", word.lower()) in _known_words_near_vocabulary()


@cache
def _common_english() -> frozenset[str]:
    from pipeline.wordlist import COMMON_ENGLISH_FILE

    return frozenset(_data_lines(COMMON_ENGLISH_FILE))


def is_common_english(word: str) -> bool:
    """True for a frequent English word (Zipf >= :data:`COMMON_ENGLISH_ZIPF`), from a list
    generated from wordfreq (pipeline/wordlist.py).

    >>> is_common_english("College"), is_common_english("Ecole")
    (True, False)
    """
    return word.lower() in _common_english()


def name_languages(text: str, vocabulary: Vocabulary | None = None) -> frozenset[str]:
    """Languages a name is written in, from vocabulary words that belong to one language.

    >>> sorted(name_languages("Ecole Normale Supérieure De Lyon"))
    ['fr']
    >>> sorted(name_languages("Ho Chi Minh City University Of Science"))
    ['en']
    """
    vocabulary = vocabulary or load_vocabulary()
    found: set[str] = set()
    for token in tokens_of(text):
        langs = vocabulary.languages_of(token)
        if len(langs) == 1:
            found |= langs
    return frozenset(found)


# --------------------------------------------------------------------------------------------
# 1. unicode

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"), None)


def fix_unicode(text: str, ctx: PageContext | None = None) -> str:
    """Normalize to NFKC, drop invisible characters, collapse whitespace, strip the ends.

    Changes: compatibility characters (``Ⅲ`` -> ``III``, full-width letters, ligatures,
    no-break spaces), decomposed accents (composed), zero-width spaces, soft hyphens, runs
    of whitespace (one space). Leaves alone: accents, apostrophes and quotes, dashes, case.

    >>> fix_unicode("Univesité Toulouse Ⅲ-  Paul Sabatier ")
    'Univesité Toulouse III- Paul Sabatier'
    >>> fix_unicode("Universidade Federal de São Paulo")
    'Universidade Federal de São Paulo'
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text.translate(_INVISIBLE))
    return " ".join(text.split())  # str.split() splits on the same whitespace as \s


# --------------------------------------------------------------------------------------------
# 2. punctuation

_OPEN_INNER_SPACE = re.compile(r"\(\s+")
_CLOSE_INNER_SPACE = re.compile(r"\s+\)")
_GLUED_OPEN = re.compile(r"(?<=[^\W_])\((?=[^\W\d_])")
_GLUED_CLOSE = re.compile(r"\)(?=[^\W\d_])")
_DASH_GLUED_LEFT = re.compile(r"(?<=[^\W_])([-–—])\s+(?=[^\W_])")
_DASH_GLUED_RIGHT = re.compile(r"(?<=[^\W_])\s+([-–—])(?=[^\W_])")
_SPACE_BEFORE_COMMA = re.compile(r"\s+(?=[,;])")
_REPEATED_COMMA = re.compile(r",[\s,]*,")
_COMMA_GLUED = re.compile(r"(?<=[^\W\d_]),(?=[^\W\d_])")
_DOUBLE_SPACE = re.compile(r"\s{2,}")
# One search each, to skip the substitutions above for the usual, well-spaced name.
_PAREN_TROUBLE = re.compile(r"\(\s|\s\)|[^\W_]\(|\)[^\W\d_]")
_DASH_TROUBLE = re.compile(r"[^\W_][-–—]\s|[^\W_]\s+[-–—][^\W_]")
_COMMA_TROUBLE = re.compile(r"\s[,;]|,[\s,]*,|[^\W\d_],[^\W\d_]")
_EDGES = re.compile(r"^[\s,;:]+|[\s,;:]+$")
_EDGE_CHARS = frozenset(",;:") | {c for c in map(chr, range(0x3000 + 1)) if c.isspace()}


def _space_before_if_upper(match: re.Match[str]) -> str:
    following = match.string[match.end() : match.end() + 1]
    return " (" if following.isupper() else "("


def _space_after_if_upper(match: re.Match[str]) -> str:
    following = match.string[match.end() : match.end() + 1]
    return ") " if following.isupper() else ")"


def fix_punctuation(text: str, ctx: PageContext | None = None) -> str:
    """Space punctuation the way the rest of the page does.

    Changes: a ``(`` glued to the word before it when a capital follows (``Women(IGDTUW)``
    -> ``Women (IGDTUW)``) and a ``)`` glued to a capitalized word after it; spaces just
    inside parentheses; a dash spaced on one side only between two words (``III- Paul`` ->
    ``III - Paul``); spaces before a comma, a missing space after a comma between words,
    repeated commas; commas, semicolons, colons and spaces at either end (``Research,``).
    Leaves alone: hyphenated words (``Paris-Saclay``, ``Franche-Comté``), lowercase
    parentheticals (``Student(s)``), periods (``St. Petersburg``), ``&``, apostrophes.

    >>> fix_punctuation("Indira Gandhi Delhi Technical University for Women(IGDTUW)")
    'Indira Gandhi Delhi Technical University for Women (IGDTUW)'
    >>> fix_punctuation("Université Toulouse III- Paul Sabatier")
    'Université Toulouse III - Paul Sabatier'
    >>> fix_punctuation("Indian Institute of Science Education and Research,")
    'Indian Institute of Science Education and Research'
    >>> fix_punctuation("Université Bourgogne Franche-Comté (UBFC)")
    'Université Bourgogne Franche-Comté (UBFC)'
    """
    if ("(" in text or ")" in text) and _PAREN_TROUBLE.search(text):
        text = _OPEN_INNER_SPACE.sub("(", text)
        text = _CLOSE_INNER_SPACE.sub(")", text)
        text = _GLUED_OPEN.sub(_space_before_if_upper, text)
        text = _GLUED_CLOSE.sub(_space_after_if_upper, text)
    if ("-" in text or "–" in text or "—" in text) and _DASH_TROUBLE.search(text):
        text = _DASH_GLUED_LEFT.sub(r" \1 ", text)
        text = _DASH_GLUED_RIGHT.sub(r" \1 ", text)
    if ("," in text or ";" in text) and _COMMA_TROUBLE.search(text):
        text = _SPACE_BEFORE_COMMA.sub("", text)
        text = _REPEATED_COMMA.sub(",", text)
        text = _COMMA_GLUED.sub(", ", text)
    if "  " in text:
        text = _DOUBLE_SPACE.sub(" ", text)
    if text[:1] in _EDGE_CHARS or text[-1:] in _EDGE_CHARS:
        text = _EDGES.sub("", text)
    return text


# --------------------------------------------------------------------------------------------
# 3. casing of function words


@cache
def _titled_function_words() -> frozenset[str]:
    """Every function word of every language, capitalized (``Of``, ``De``, ``D``)."""
    return frozenset(
        w.rstrip(_APOSTROPHES)[:1].upper() + w.rstrip(_APOSTROPHES)[1:]
        for words in load_function_words().values()
        for w in words
    )


@lru_cache(maxsize=256)
def _function_word_pattern(languages: frozenset[str]) -> re.Pattern[str] | None:
    """Capitalized function words of these languages, as whole tokens (elided ones before
    an apostrophe)."""
    table = load_function_words()
    words: set[str] = set()
    for lang in languages:
        words |= table.get(lang, frozenset())
    plain = sorted(w for w in words if w[-1:] not in _APOSTROPHES and len(w) > 1)
    elided = sorted(w[:-1] for w in words if w[-1:] in _APOSTROPHES)
    alternatives = [re.escape(w[:1].upper() + w[1:]) + r"(?![^\W\d_])" for w in plain]
    alternatives += [re.escape(w.upper()) + r"(?=['’])" for w in elided]
    if not alternatives:
        return None
    return re.compile(r"(?<![^\W\d_])(?:" + "|".join(alternatives) + ")")


def fix_function_word_case(text: str, ctx: PageContext | None = None) -> str:
    """Lowercase capitalized function words inside a name, in the name's own language.

    The language comes from vocabulary words of one language (``University`` -> English,
    ``Université``/``École`` -> French); only that language's function words
    (``function_words.csv``) are touched, and only when Title-case.
    Changes: ``Of``/``And``/``For``/``The`` in English names, ``De``/``Du``/``Et``/``D'`` in
    French ones, etc. Leaves alone: the first word of the name or of a part after ``,``
    ``(`` ``-`` (``The University of Danang``, ``DFKI (The German ...)``), words in a
    language the name is not in (``De La Salle University`` keeps ``La``), all-caps words
    and acronyms (``KIIT``, ``IT``), names with no language marker, protected tokens.

    >>> fix_function_word_case("Ho Chi Minh City University Of Science")
    'Ho Chi Minh City University of Science'
    >>> fix_function_word_case("Ecole Normale Supérieure De Lyon")
    'Ecole Normale Supérieure de Lyon'
    >>> fix_function_word_case("De La Salle University")
    'De La Salle University'
    """
    titled = _titled_function_words()
    if not any(token in titled for token in tokens_of(text)):
        return text
    pattern = _function_word_pattern(name_languages(text))
    if pattern is None:
        return text
    protected = ctx.protected if ctx else frozenset()

    def repl(match: re.Match[str]) -> str:
        token = match.group()
        if token in protected or _segment_start(match.string, match.start()):
            return token
        return token.lower()

    return pattern.sub(repl, text)


# --------------------------------------------------------------------------------------------
# 4. spelling


@dataclass(frozen=True)
class SpellingDecision:
    """What the spelling fixer does with one token: ``keep``, ``fix`` or ``suggest``."""

    action: str
    replacement: str | None = None
    candidates: tuple[str, ...] = ()
    reason: str = ""
    ambiguous: bool = False  # a suggestion because several words are equally near


_KEEP_SHORT = SpellingDecision("keep", reason="too short to correct safely")
_KEEP_CASE = SpellingDecision("keep", reason="acronym or mixed-case proper noun")
_KEEP_VOCAB = SpellingDecision("keep", reason="a vocabulary word (accents aside)")
_KEEP_FAR = SpellingDecision("keep", reason="not near any vocabulary word")
_KEEP_KNOWN = SpellingDecision("keep", reason="a known word")


class SpellingIndex:
    """Decides, once per token, whether it is a typo of a vocabulary word.

    A token is left alone when it is short, all-caps or mixed-case, a vocabulary word,
    not within the edit budget of any vocabulary word with the same first letter (a proper
    noun such as ``Kyungpook``), or a known word (:func:`is_known_word`). Otherwise it is
    corrected to the single nearest vocabulary word, keeping its case pattern and leaving
    accents to the accents fixer when it had none. Two equally near words give a
    suggestion (which :func:`fix_spelling` may still settle with the language of the rest
    of the name); so does a token used elsewhere on the same page.
    """

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self._cache: dict[tuple[str, bool], SpellingDecision] = {}
        #: Tokens decided "keep" whatever the page says: the fast path of every scan.
        self.kept: set[str] = set()

    def decide(self, token: str, used_elsewhere: bool = False) -> SpellingDecision:
        key = (token, used_elsewhere)
        decision = self._cache.get(key)
        if decision is None:
            decision = self._cache[key] = self._decide(token, used_elsewhere)
            if decision.action == "keep" and not used_elsewhere:
                self.kept.add(token)
        return decision

    def _decide(self, token: str, used_elsewhere: bool) -> SpellingDecision:
        if len(token) < MIN_SPELL_LENGTH:
            return _KEEP_SHORT
        pattern = case_pattern(token)
        if pattern in ("upper", "mixed"):
            return _KEEP_CASE
        low = token.lower()
        folded = fold(low)
        if low in self.vocabulary.words or folded in self.vocabulary.by_folded:
            return _KEEP_VOCAB
        near = self.vocabulary.near(folded)
        if not near:
            return _KEEP_FAR
        if is_known_word(low):
            return _KEEP_KNOWN
        accented = has_diacritics(low)
        # Candidates as they would be written: without accents when the token has none.
        scored: dict[str, tuple[int, int]] = {}
        for word, distance in near:
            written = word if accented else fold(word)
            score = (distance, OSA.distance(low, written))
            scored[written] = min(scored.get(written, score), score)
        ranked = sorted(scored, key=lambda w: (scored[w], w))
        best = [w for w in ranked if scored[w] == scored[ranked[0]]]
        candidates = tuple(apply_case(w, pattern) for w in best)  # the nearest ones
        if len(best) > 1:
            return SpellingDecision(
                "suggest",
                candidates=candidates,
                reason="equally close to several words",
                ambiguous=True,
            )
        if used_elsewhere:
            return SpellingDecision(
                "suggest",
                candidates=candidates,
                reason="close to a vocabulary word but used elsewhere on the page",
            )
        return SpellingDecision(
            "fix",
            replacement=apply_case(best[0], pattern),
            candidates=candidates,
            reason=f"unknown word, edit distance {scored[best[0]][0]}",
        )


@cache
def default_spelling_index() -> SpellingIndex:
    """The index over ``institution_vocabulary.txt``, shared by every caller."""
    return SpellingIndex(load_vocabulary())


def _spelling_decisions(text: str, ctx: PageContext | None):
    index = default_spelling_index()
    kept = index.kept
    if all(token in kept for token in tokens_of(text)):
        return
    protected = ctx.protected if ctx else frozenset()
    for match in TOKEN_RE.finditer(text):
        token = match.group()
        if token in protected:
            continue
        decision = index.decide(token)
        if decision.action != "keep" and ctx and ctx.used_elsewhere(token):
            decision = index.decide(token, used_elsewhere=True)
        elif decision.ambiguous:
            decision = _in_name_language(decision, text, index.vocabulary)
        yield match, decision


def _in_name_language(
    decision: SpellingDecision, text: str, vocabulary: Vocabulary
) -> SpellingDecision:
    """Break a tie between the nearest words with the language of the rest of the name.

    Each candidate scores one point per vocabulary word of the name sharing a language with
    it; a single best score wins. ``Institue`` is as close to ``Institut`` as to
    ``Institute``, but ``Karlsruhe Institue of Technology`` is English and ``Institue
    Teknologi Bandung`` Indonesian or Malay; ``Sciencs`` (``Science``/``Sciences``) stays a
    suggestion.
    """
    voters = [vocabulary.languages_of(t) for t in tokens_of(text)]
    voters = [langs for langs in voters if langs]
    if not voters:
        return decision
    scores = {
        c: sum(1 for langs in voters if langs & vocabulary.languages_of(c))
        for c in decision.candidates
    }
    best = max(scores.values())
    winners = [c for c, score in scores.items() if score == best]
    if best == 0 or len(winners) != 1:
        return decision
    return SpellingDecision(
        "fix",
        replacement=winners[0],
        candidates=decision.candidates,
        reason="nearest word in the language of the name",
    )


def fix_spelling(text: str, ctx: PageContext | None = None) -> str:
    """Correct unknown tokens that are one or two edits from exactly one vocabulary word.

    Changes: ``Univetsitas`` -> ``Universitas``, ``Agricultual`` -> ``Agricultural``,
    ``Univesité`` -> ``Université`` (the rules are in :class:`SpellingIndex`).
    Leaves alone: real words of any checked language (``Sains``, ``Giessen``), words used
    elsewhere on the page, proper nouns far from the vocabulary (``Kyungpook``, ``Hanbat``),
    acronyms and mixed-case words (``KIIT``, ``SudParis``), short tokens, a token equally
    close to two vocabulary words (unless only one of them is in the language of the rest
    of the name: ``Karlsruhe Institue of Technology``), and every token's first letter.

    >>> fix_spelling("Univetsitas Hasanuddin")
    'Universitas Hasanuddin'
    >>> fix_spelling("College of Life Sciences, Nanjing Agricultual University")
    'College of Life Sciences, Nanjing Agricultural University'
    >>> fix_spelling("Universiti Tunku Abdul Rahman")
    'Universiti Tunku Abdul Rahman'
    """
    # A fix can settle the language of the name and so break a tie elsewhere in it
    # (``Univetsitas Universitis``): repeat until nothing changes, so a second call has
    # nothing left to do. Each round turns at least one unknown token into a vocabulary
    # word, so this ends.
    while True:
        fixed = _fix_spelling_once(text, ctx)
        if fixed == text:
            return text
        text = fixed


def _fix_spelling_once(text: str, ctx: PageContext | None) -> str:
    pieces = []
    last = 0
    for match, decision in _spelling_decisions(text, ctx):
        if decision.action == "fix":
            pieces.append(text[last : match.start()])
            pieces.append(decision.replacement or match.group())
            last = match.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def spelling_suggestions(text: str, ctx: PageContext | None = None) -> tuple[Suggestion, ...]:
    """Tokens the spelling fixer would not correct but a person may want to review.

    >>> spelling_suggestions("Universitis Gadjah Mada")
    (Suggestion(token='Universitis', candidates=('Universitas', 'Universites', 'Universiti', \
'Universities'), reason='equally close to several words'),)
    """
    found: dict[str, Suggestion] = {}
    for match, decision in _spelling_decisions(text, ctx):
        if decision.action == "suggest":
            token = match.group()
            found.setdefault(token, Suggestion(token, decision.candidates, decision.reason))
    return tuple(found.values())


# --------------------------------------------------------------------------------------------
# 5. accents


def restore_accents(text: str, ctx: PageContext | None = None) -> str:
    """Give back the accents of a word written without them, when the accented form is known.

    Known: a vocabulary word (``Universite`` -> ``Université``, ``Ecole`` -> ``École``) in
    the language of the rest of the name, or a spelling the page uses next to the same
    neighbouring word (``Sao Paulo`` when the page writes ``São Paulo``), or an accented word
    the page uses for a token that is neither a vocabulary word nor common English.
    Changes only when exactly one accented form is known. Leaves alone: words with accents
    already, words that are themselves in the vocabulary (Catalan ``Universitat``), names
    in another language than the accented word's, words no accented form is known for
    (``Telecom``: the page never writes ``Télécom``), common English words (``College``).

    >>> restore_accents("Universite de Picardie Jules Verne")
    'Université de Picardie Jules Verne'
    >>> restore_accents("Telecom SudParis")
    'Telecom SudParis'
    """
    vocabulary = load_vocabulary()
    keys = ctx.page_accent_keys() if ctx is not None else vocabulary.accentable
    if not any(token.lower() in keys for token in tokens_of(text)):
        return text
    matches = list(TOKEN_RE.finditer(text))
    markers: list[frozenset[str]] | None = None
    protected = ctx.protected if ctx else frozenset()
    pieces = []
    last = 0
    for i, match in enumerate(matches):
        token = match.group()
        low = token.lower()
        if low not in keys or not token.isascii() or token in protected:
            continue  # nothing known, accents already (or another script), or protected
        pattern = case_pattern(token)
        if pattern == "mixed":
            continue
        forms: set[str] = set()
        vocab_forms = vocabulary.accent_forms(low)
        if vocab_forms:
            if markers is None:
                markers = [vocabulary.languages_of(m.group()) for m in matches]
            # The language of the rest of the name (the token itself would vote for the form).
            languages = frozenset().union(
                *(langs for j, langs in enumerate(markers) if j != i and len(langs) == 1)
            )
            forms.update(w for w in vocab_forms if not languages or languages & vocabulary.words[w])
        if ctx is not None:
            forms.update(_page_accent_forms(ctx, matches, i, low, vocabulary))
        if len(forms) != 1:
            continue
        pieces.append(text[last : match.start()])
        pieces.append(apply_case(forms.pop(), pattern))
        last = match.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def _page_accent_forms(
    ctx: PageContext, matches: list[re.Match[str]], i: int, low: str, vocabulary: Vocabulary
) -> set[str]:
    """Accented spellings the page uses for ``low``: next to the same neighbouring word, or
    anywhere when ``low`` is neither a vocabulary word nor common English."""
    forms: set[str] = set()
    if i + 1 < len(matches):
        pair = ctx.accented_bigrams.get((low, fold(matches[i + 1].group())))
        if pair and has_diacritics(pair[0]):
            forms.add(pair[0])
    if i > 0:
        pair = ctx.accented_bigrams.get((fold(matches[i - 1].group()), low))
        if pair and has_diacritics(pair[1]):
            forms.add(pair[1])
    if not forms and low not in vocabulary.words and not is_common_english(low):
        forms.update(ctx.accented_words.get(low, ()))
    return forms


# --------------------------------------------------------------------------------------------
# 6. overrides


@lru_cache(maxsize=1024)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)")


def override_tokens(text: str, overrides: Iterable[Override]) -> frozenset[str]:
    """Tokens of override phrases (as matched or as replaced) found in ``text``.

    Fixers 3-5 must not touch them: an override always wins, and a name it produced is
    left as it is when cleaned again.
    """
    tokens: set[str] = set()
    for override in overrides:
        for phrase in (override.match, override.replacement):
            if phrase not in text:
                continue
            if override.scope == "name":
                if text == phrase:
                    tokens.update(TOKEN_RE.findall(text))
            elif _phrase_pattern(phrase).search(text):
                tokens.update(TOKEN_RE.findall(phrase))
    return frozenset(tokens)


def apply_overrides(text: str, ctx: PageContext | None = None) -> str:
    """Apply the curated overrides of ``name_overrides.csv``.

    Changes: a whole name equal to a ``name`` row's match; every whole-word occurrence of
    a ``phrase`` row's match (``San Paulo`` -> ``São Paulo``). Leaves alone: partial-word
    matches (``San Paulonia``), everything not listed.

    >>> apply_overrides("The University of San Paulo Institute of Mathematics and Statistics")
    'The University of São Paulo Institute of Mathematics and Statistics'
    >>> apply_overrides("Universidade Federal de São Paulo")
    'Universidade Federal de São Paulo'
    """
    overrides = ctx.overrides if ctx and ctx.overrides is not None else load_overrides()
    for override in overrides:
        if override.match not in text:
            continue
        if override.scope == "name":
            if text == override.match:
                text = override.replacement
        else:
            text = _phrase_pattern(override.match).sub(lambda _m, r=override.replacement: r, text)
    return text


# --------------------------------------------------------------------------------------------
# Registry

FixerFunc = Callable[[str, "PageContext | None"], str]


def spelling_confidence(before: str, after: str) -> float:
    """0.9 for one edit, 0.8 for two (accents ignored), never below 0.5."""
    return max(0.5, 1.0 - 0.1 * OSA.distance(fold(before), fold(after)))


@dataclass(frozen=True)
class Fixer:
    """A named fixer; ``confidence(before, after)`` rates each change (default 1.0)."""

    name: str
    func: FixerFunc
    confidence: Callable[[str, str], float] | None = None


_DIFF_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")


def describe_changes(fixer: Fixer, before: str, after: str) -> tuple[Change, ...]:
    """The changes turning ``before`` into ``after``, as small whole-word fragments.

    Each change replaces the first occurrence of its ``before`` in the text as it stands
    after the previous changes; fragments grow to the left until that holds. If the
    fragments would not rebuild ``after`` exactly, one change of the whole text is given.

    >>> describe_changes(Fixer("punctuation", fix_punctuation), "Caen(ENSICAEN)", "Caen (ENSICAEN)")
    (Change(fixer='punctuation', before='Caen(', after='Caen (', confidence=1.0),)
    """
    if before == after:
        return ()
    rate = fixer.confidence or (lambda _b, _a: 1.0)
    a = _DIFF_TOKENS.findall(before)
    b = _DIFF_TOKENS.findall(after)
    # Compare only the middle that differs: fixers usually touch one or two tokens.
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    if len(a) - tail - head <= 3 and len(b) - tail - head <= 3:
        opcodes = [("replace", head, len(a) - tail, head, len(b) - tail)]
    else:
        matcher = difflib.SequenceMatcher(
            None, a[head : len(a) - tail], b[head : len(b) - tail], autojunk=False
        )
        opcodes = [
            (tag, i1 + head, i2 + head, j1 + head, j2 + head)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes()
            if tag != "equal"
        ]
    changes = []
    current = before
    for _tag, i1, i2, j1, j2 in opcodes:
        # Grow a fragment made of spaces or punctuation only to the neighbouring words.
        left = j1
        right_a, right_b = i2, j2
        if not any(t[0].isalnum() or t[0] == "_" for t in a[i1:i2] + b[j1:j2]):
            if left > 0:
                left -= 1
            if right_a < len(a) and right_b < len(b) and a[right_a] == b[right_b]:
                right_a, right_b = right_a + 1, right_b + 1
        elif (
            i2 - i1 == 1
            and len(a[i1]) <= 3
            and right_a + 1 < len(a)
            and a[right_a].isspace()
            and a[right_a : right_a + 2] == b[right_b : right_b + 2]
        ):
            # A short word alone says little to a reviewer: show the next word too
            # ("San Paulo" -> "São Paulo" rather than "San" -> "São").
            right_a, right_b = right_a + 2, right_b + 2
        start = len("".join(b[:left]))
        while True:
            frag_before = "".join(b[left:j1]) + "".join(a[i1:right_a])
            if current.find(frag_before) == start or left == 0:
                break
            left -= 1
            start = len("".join(b[:left]))
        frag_after = "".join(b[left:right_b])
        changes.append(Change(fixer.name, frag_before, frag_after, rate(frag_before, frag_after)))
        current = current[:start] + frag_after + current[start + len(frag_before) :]
    if current != after or replay_changes(before, changes) != after:
        return (Change(fixer.name, before, after, rate(before, after)),)
    return tuple(changes)


def replay_changes(text: str, changes: Iterable[Change]) -> str:
    """Apply recorded changes in order: each replaces the first occurrence of its ``before``.

    >>> change = Change("spelling", "Univetsitas", "Universitas", 0.9)
    >>> replay_changes("Univetsitas Hasanuddin", [change])
    'Universitas Hasanuddin'
    """
    for change in changes:
        text = text.replace(change.before, change.after, 1)
    return text


class FixerRegistry:
    """Fixers in a fixed order; :meth:`apply` runs them and records what each changed."""

    def __init__(self, fixers: Iterable[Fixer]) -> None:
        self.fixers = tuple(fixers)
        names = [f.name for f in self.fixers]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate fixer names in {names}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fixers)

    def inserted_before(self, name: str, fixer: Fixer) -> FixerRegistry:
        """A new registry with ``fixer`` placed just before the fixer called ``name``."""
        at = self.names.index(name)
        return FixerRegistry((*self.fixers[:at], fixer, *self.fixers[at:]))

    def apply(self, text: str, ctx: PageContext | None = None) -> tuple[str, tuple[Change, ...]]:
        """Run every fixer in order; return the result and the changes, in order.

        >>> REGISTRY.apply("Univesité Toulouse Ⅲ- Paul Sabatier")[0]
        'Université Toulouse III - Paul Sabatier'
        """
        changes: list[Change] = []
        for fixer in self.fixers:
            fixed = fixer.func(text, ctx)
            if fixed != text:
                changes.extend(describe_changes(fixer, text, fixed))
                text = fixed
        return text, tuple(changes)


#: The context-free fixers, in their fixed order.
REGISTRY = FixerRegistry(
    (
        Fixer("unicode", fix_unicode),
        Fixer("punctuation", fix_punctuation),
        Fixer("spelling", fix_spelling, spelling_confidence),
        Fixer("accents", restore_accents),
        Fixer("casing", fix_function_word_case),
        Fixer("override", apply_overrides),
    )
)
