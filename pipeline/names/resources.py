"""The data the name cleaner consults, loaded once into one :class:`Resources` object.

Curated files (``pipeline/data/``): the institution vocabulary, function words, overrides.
Generated files (``python -m pipeline.names.wordlist``): real words near the vocabulary or a
place (with their languages and frequencies), each language's frequent words, common English
words, and a gazetteer of places. A :class:`Resources` is built once per run and handed to
the cleaner; :func:`default_resources` is the one the public API uses, created on first use.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz.distance import OSA

from pipeline.config import DATA_DIR
from pipeline.names.records import Override
from pipeline.names.text import TOKEN_RE, fold, has_diacritics, lower
from pipeline.reference import read_table

VOCABULARY_FILE = DATA_DIR / "institution_vocabulary.txt"
FUNCTION_WORDS_FILE = DATA_DIR / "function_words.csv"
OVERRIDES_FILE = DATA_DIR / "name_overrides.csv"
KNOWN_WORDS_FILE = DATA_DIR / "known_words.txt"
COMMON_ENGLISH_FILE = DATA_DIR / "common_english.txt"
LANGUAGE_WORDS_FILE = DATA_DIR / "language_words.txt"
CURATED_WORDS_FILE = DATA_DIR / "curated_words.csv"
PLACES_FILE = DATA_DIR / "places.txt"
UNACCENTED_FILE = DATA_DIR / "unaccented.txt"
INSTITUTION_PAIRS_FILE = DATA_DIR / "institution_pairs.txt"
#: Words of a context pair have at least this many letters and are no function words:
#: those (``of``, ``de``, ``St``, ``für``) stand next to anything.
MIN_PAIR_WORD = 3
#: Place-name tokens shorter than this are not protected nor offered as corrections.
MIN_PLACE_TOKEN = 3
#: Only place words this long are offered as corrections of a misspelt place.
MIN_CITY_FIX = 7

#: Tokens this long may be corrected at edit distance 2; shorter ones only at distance 1.
LONG_WORD = 9


def data_lines(path: Path) -> Iterable[str]:
    """The non-empty lines of a data file, ``#`` comments left out."""
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
    accentable: frozenset[str]
    _languages: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_entries(cls, entries: Iterable[tuple[str, Iterable[str]]]) -> Vocabulary:
        words: dict[str, frozenset[str]] = {}
        for word, languages in entries:
            word = unicodedata.normalize("NFC", lower(word))
            words[word] = words.get(word, frozenset()) | frozenset(languages)
        by_folded: dict[str, list[str]] = {}
        buckets: dict[tuple[str, int], list[tuple[str, str]]] = {}
        for word in words:
            folded = fold(word)
            by_folded.setdefault(folded, []).append(word)
            buckets.setdefault((folded[:1], len(folded)), []).append((folded, word))
        accentable = frozenset(
            folded for folded, group in by_folded.items() if any(map(has_diacritics, group))
        )
        return cls(
            words=words,
            by_folded={k: tuple(v) for k, v in by_folded.items()},
            buckets={k: tuple(v) for k, v in buckets.items()},
            accentable=accentable,
        )

    @classmethod
    def index(cls, words: Iterable[str]) -> Vocabulary:
        """A bare index of lowercase words (no languages, no accent forms): for places."""
        buckets: dict[tuple[str, int], list[tuple[str, str]]] = {}
        for word in words:
            folded = fold(word)
            buckets.setdefault((folded[:1], len(folded)), []).append((folded, word))
        return cls(
            words={},
            by_folded={},
            buckets={k: tuple(v) for k, v in buckets.items()},
            accentable=frozenset(),
        )

    @classmethod
    def read(cls, path: Path = VOCABULARY_FILE) -> Vocabulary:
        """Read ``institution_vocabulary.txt``: ``word lang[,lang...]`` per line."""
        entries = []
        for line in data_lines(path):
            word, _, langs = line.partition(" ")
            entries.append((word, [lang.strip() for lang in langs.split(",") if lang.strip()]))
        return cls.from_entries(entries)

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
        langs = self._languages.get(token)
        if langs is None:
            langs = self._languages[token] = self._find_languages(token)
        return langs

    def _find_languages(self, token: str) -> frozenset[str]:
        exact = self.words.get(lower(token))
        if exact is not None and has_diacritics(token):
            return exact  # "Universität" is German even though "Universitat" is Catalan
        langs: frozenset[str] = frozenset()
        for word in self.by_folded.get(fold(token), ()):
            langs |= self.words[word]
        return langs


def place_tokens(places: Iterable[str]) -> set[str]:
    """The lowercase words of place names, long enough to matter (``são``, ``paulo``...)."""
    return {
        lower(token)
        for place in places
        for token in TOKEN_RE.findall(place)
        if len(token) >= MIN_PLACE_TOKEN
    }


def _lines(path: Path) -> list[str]:
    """The lines of a generated file, its ``#`` header left out (fast: read in one go)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def read_known_words(path: Path = KNOWN_WORDS_FILE) -> dict[str, str]:
    """Read ``known_words.txt``: word -> its ``lang=zipf ...`` (parsed when asked)."""
    return dict(line.split(" ", 1) for line in _lines(path))


def read_pairs(path: Path = INSTITUTION_PAIRS_FILE) -> frozenset[tuple[str, str]]:
    """Read ``institution_pairs.txt`` (``word word`` per line)."""
    return frozenset(tuple(line.split(" ", 1)) for line in _lines(path))  # type: ignore[misc]


def read_word_languages(path: Path) -> dict[str, frozenset[str]]:
    """Read ``word lang lang ...`` lines (``unaccented.txt``): word -> languages."""
    found = {}
    for line in _lines(path):
        word, *langs = line.split(" ")
        found[word] = frozenset(langs)
    return found


def read_language_words(path: Path) -> dict[str, frozenset[str]]:
    """Read ``language_words.txt`` (``lang word word ...`` per line): language -> words."""
    found = {}
    for line in _lines(path):
        lang, *words = line.split(" ")
        found[lang] = frozenset(words)
    return found


def read_curated_words(path: Path = CURATED_WORDS_FILE) -> dict[str, frozenset[str]]:
    """Read ``curated_words.csv`` (word, language)."""
    found: dict[str, set[str]] = {}
    for row in read_table(path):
        found.setdefault(unicodedata.normalize("NFC", row["word"]), set()).add(row["language"])
    return {word: frozenset(langs) for word, langs in found.items()}


def read_function_words(path: Path = FUNCTION_WORDS_FILE) -> Mapping[str, frozenset[str]]:
    """Read ``function_words.csv``: language -> lowercase function words (``d'`` elided)."""
    by_language: dict[str, set[str]] = {}
    for row in read_table(path):
        by_language.setdefault(row["language"], set()).add(row["word"])
    return {lang: frozenset(words) for lang, words in by_language.items()}


def read_overrides(path: Path = OVERRIDES_FILE) -> tuple[Override, ...]:
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


@dataclass(eq=False)
class Resources:
    """Everything the fixers look up, read once; per-token answers are remembered here.

    ``known``: real word -> ``lang=zipf ...`` (words near the vocabulary or a place).
    ``language_words``: language -> its frequent words. ``curated``: words of languages
    wordfreq lacks -> languages. ``places``: unaccented lowercase words of place names.
    ``unaccented``: unaccented form of a known word with accents -> its languages.
    ``institution_pairs``: folded neighbouring words many institution names write
    (``high school``).
    """

    vocabulary: Vocabulary
    function_words: Mapping[str, frozenset[str]]
    overrides: tuple[Override, ...]
    known: Mapping[str, str]
    language_words: Mapping[str, frozenset[str]]
    curated: Mapping[str, frozenset[str]]
    common_english: frozenset[str]
    places: frozenset[str]
    unaccented: Mapping[str, frozenset[str]]
    institution_pairs: frozenset[tuple[str, str]] = frozenset()
    data_dir: Path = DATA_DIR
    _accent_forms: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _languages: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _derived: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, data_dir: Path = DATA_DIR) -> Resources:
        """Read every file from ``data_dir`` (default ``pipeline/data/``)."""
        return cls(
            vocabulary=Vocabulary.read(data_dir / VOCABULARY_FILE.name),
            function_words=read_function_words(data_dir / FUNCTION_WORDS_FILE.name),
            overrides=read_overrides(data_dir / OVERRIDES_FILE.name),
            known=read_known_words(data_dir / KNOWN_WORDS_FILE.name),
            language_words=read_language_words(data_dir / LANGUAGE_WORDS_FILE.name),
            curated=read_curated_words(data_dir / CURATED_WORDS_FILE.name),
            common_english=frozenset(data_lines(data_dir / COMMON_ENGLISH_FILE.name)),
            places=frozenset(_lines(data_dir / PLACES_FILE.name)),
            unaccented=read_word_languages(data_dir / UNACCENTED_FILE.name),
            institution_pairs=read_pairs(data_dir / INSTITUTION_PAIRS_FILE.name),
            data_dir=data_dir,
        )

    def derived(self, key: str, build: Callable[[Resources], Any]) -> Any:
        """An index a fixer builds from these resources (``build(self)``), built once and
        kept with them."""
        if key not in self._derived:
            self._derived[key] = build(self)
        return self._derived[key]

    def is_known_word(self, word: str) -> bool:
        """True for a real word of one of the covered languages, as written.

        >>> resources = default_resources()
        >>> resources.is_known_word("Sains"), resources.is_known_word("Univeristy")
        (True, False)
        """
        low = unicodedata.normalize("NFC", lower(word))
        return low in self.known or low in self.curated or bool(self.word_languages(low))

    def unaccented_languages(self, word: str) -> frozenset[str]:
        """Languages in which ``word`` is a real word written without its accents
        (``Medicas``: Spanish ``médicas``)."""
        folded = fold(word)
        return self.unaccented.get(folded, frozenset()) | self.derived(
            "curated_folded", _curated_folded
        ).get(folded, frozenset())

    def is_place(self, word: str) -> bool:
        """True for a word of a place name (``Medenine``, ``Regensburg``), accents aside."""
        return fold(word) in self.places

    def word_languages(self, word: str) -> frozenset[str]:
        """The languages ``word`` (as written, any case) is a word of."""
        low = lower(word)
        langs = self._languages.get(low)
        if langs is None:
            langs = self._languages[low] = self._find_languages(low)
        return langs

    def _find_languages(self, low: str) -> frozenset[str]:
        langs = {lang for lang, words in self.language_words.items() if low in words}
        langs |= self.curated.get(low, frozenset())
        langs |= self.frequencies(low).keys()
        langs |= self.vocabulary.words.get(low, frozenset())
        function_words = self.derived("function_word_languages", _function_word_languages)
        langs |= function_words.get(low, frozenset())
        return frozenset(langs)

    def curated_languages(self, word: str) -> frozenset[str]:
        """The languages the curated lists (institution vocabulary, function words) give
        ``word``: surer than the frequency lists, which also count loanwords and names."""
        return self.vocabulary.languages_of(word) | self.function_word_languages(word)

    def function_word_languages(self, word: str) -> frozenset[str]:
        """The languages ``word`` is a function word of (``of``: English)."""
        table = self.derived("function_word_languages", _function_word_languages)
        return table.get(lower(word), frozenset())

    def frequencies(self, low: str) -> dict[str, float]:
        """Zipf frequency by language of a known lowercase word (empty when unknown)."""
        entry = self.known.get(low)
        if not entry:
            return {}
        return {lang: float(z) for lang, _, z in (p.partition("=") for p in entry.split(" "))}

    def zipf(self, word: str, languages: frozenset[str]) -> float:
        """How common ``word`` is (Zipf) in the most favourable of ``languages`` (any when
        empty); 3.0 for a vocabulary word no list counts."""
        low = lower(word)
        found = self.frequencies(low)
        scores = [z for lang, z in found.items() if not languages or lang in languages]
        if not scores and any(low in self.language_words.get(lang, ()) for lang in languages):
            return 4.5  # a frequent word (language_words.txt) near no vocabulary word
        return max(scores, default=3.0)

    def is_common_english(self, word: str) -> bool:
        """True for a frequent English word (never given accents from page evidence alone)."""
        return lower(word) in self.common_english

    def accent_forms(self, low: str) -> tuple[str, ...]:
        """Accented vocabulary words an unaccented lowercase token may stand for.

        Words whose unaccented form is common English are left out (``College``).
        """
        forms = self._accent_forms.get(low)
        if forms is None:
            forms = self._accent_forms[low] = self._find_accent_forms(low)
        return forms

    def _find_accent_forms(self, low: str) -> tuple[str, ...]:
        vocabulary = self.vocabulary
        if low in vocabulary.words:
            return ()
        forms = tuple(w for w in vocabulary.by_folded.get(low, ()) if w != low)
        if forms and self.is_common_english(low):
            return ()
        return forms


def _curated_folded(resources: Resources) -> dict[str, frozenset[str]]:
    return {fold(w): langs for w, langs in resources.curated.items() if fold(w) != w}


def _function_word_languages(resources: Resources) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for lang, words in resources.function_words.items():
        for word in words:
            found.setdefault(word.rstrip("'’"), set()).add(lang)
    return {word: frozenset(langs) for word, langs in found.items()}


_DEFAULT: list[Resources] = []


def default_resources() -> Resources:
    """The resources read from ``pipeline/data/``, created on first use and then shared."""
    if not _DEFAULT:
        _DEFAULT.append(Resources.read())
    return _DEFAULT[0]
