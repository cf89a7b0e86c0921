"""The spelling fixer: unknown words corrected into a word of the name's own language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pycountry
from rapidfuzz.distance import OSA

from pipeline.names.channel import (
    DOUBLED,
    DROPPED,
    NEIGHBOUR_KEY,
    OTHER,
    TRANSPOSITION,
    TWO_EDITS,
    edit_log_likelihood,
    two_likely_slips,
)
from pipeline.names.common_words import (
    COMMON_WORDS_DIR,
    COMMON_ZIPF,
    FAINT_SWAPS_FILE,
    NEAR_COMMON_DIR,
    TRIGRAMS_FILE,
    CommonWords,
    intended_forms,
    key_slip_corrected,
    one_edit_forms,
    slip,
    swapped_forms,
)
from pipeline.names.context import PageContext, resources_of
from pipeline.names.fixers import name_languages_of, until_stable
from pipeline.names.personal_names import PERSONAL_NAMES_DIR, PersonalNames
from pipeline.names.records import Suggestion
from pipeline.names.resources import MIN_CITY_FIX, Resources, Vocabulary
from pipeline.names.text import (
    APOSTROPHES,
    TOKEN_RE,
    apply_case,
    case_pattern,
    fold,
    has_diacritics,
    is_all_caps,
    lower,
    tokens_of,
)

#: Shorter tokens are never spelling-corrected: too many names and acronyms are that short.
MIN_SPELL_LENGTH = 4
#: The best candidate must beat the next by this much (log10: about 3 times as likely),
#: else the token is only suggested.
MARGIN = 0.5
#: A misspelling used by more names of one page than this is the page's own spelling:
#: suggested, not fixed. Two or three uses are one typo repeated.
MAX_REPEATS = 3
#: A common word of the name's language within this much (log10) of the chosen vocabulary
#: word makes the token a suggestion instead of a fix.
RIVAL_MARGIN = 0.0
#: How much likelier (log10) a vocabulary word is in an institution's name than its
#: frequency in running text says (``Scince``: ``Science``, not ``Since``).
INSTITUTION_WORD = 1.0
#: Place words, counted as words of every language, are assumed this common (Zipf).
PLACE_ZIPF = 2.5
#: How much less likely a word of another language than the name's is (log10); English,
#: the common second language of institution names, less so.
OTHER_LANGUAGE = -1.5
OTHER_LANGUAGE_ENGLISH = -1.0
#: How much less likely a candidate is for each accent it does not share with the token.
ACCENT_MISMATCH = 1.5
#: A word of the name's language written without its accents, in a name that writes its
#: other words with them, takes them back when the accented word is this much (log10) more
#: frequent: ten times.
ACCENT_GAP = 1.0
#: Languages where a word with ``-s``/``-es`` added is another form of it (a plural; in
#: German the genitive, ``des Berufskollegs``): the two are never typos of each other there.
S_PLURALS = frozenset({"en", "fr", "es", "pt", "ca", "gl", "nl", "fil", "de"})
#: A misspelt common word is corrected only when the likeliest word beats the next by this
#: much (log10: ten times as likely); closer calls are left as written.
COMMON_MARGIN = 1.0
#: Personal names, as rivals of a common word, are assumed this common (Zipf): a token one
#: slip from a given name or surname as well is as likely that name's misspelling as the
#: word's, and is left as written.
NAME_ZIPF = 2.5
#: The slips that may turn a given name or surname into a vocabulary word or a place: two
#: letters swapped, a letter typed twice or a double letter typed once (``Schol``).
NAME_SLIPS = frozenset({"swap", "doubled", "undoubled"})
#: A common word is offered as a correction only in a name whose language is read as one of
#: at most this many languages.
MAX_COMMON_LANGUAGES = 10
#: log10 likelihood of each slip (:func:`pipeline.names.common_words.slip`).
SLIP_LIKELIHOOD = {
    "swap": TRANSPOSITION,
    "dropped": DROPPED,
    "doubled": DOUBLED,
    "undoubled": DOUBLED,
    "key": NEIGHBOUR_KEY,
    "edge_key": NEIGHBOUR_KEY,
    "accent": -0.3,
}
#: The slips corrected in any common word or place: letters typed twice or swapped, and an
#: accent left out. The others only compete, but in a long word (:data:`LONG_WORD_SLIPS`):
#: a real name is far more often a short common word with a letter less (``Madan``,
#: ``Sergo``, ``Bemen``) or a key away (``Tedam``, ``Takming``) than a common word with two
#: letters swapped or one typed twice.
CORRECTED_SLIPS = frozenset({"swap", "doubled", "accent"})
#: A letter dropped or a double letter typed once is corrected only into a common word or
#: place of at least :data:`DROPPED_LETTER_WORD` letters, a key next to the right one into
#: a place that long or a common word of at least :data:`LONG_WORD` letters (and long or
#: frequent: :func:`key_slip_corrected`: ``Madriud``, ``Taiwah``, not ``Takming``); into a
#: word that is no place, or a frequent one (Zipf :data:`FREQUENT_PLACE_ZIPF` in the
#: language that writes it most, its own as a rule: ``Western``, ``Rotterdam``, ``Tampere``):
#: shorter words and rarer places are a letter from too many names and romanizations
#: (``Teerth`` is no ``Teeth``, ``Xijiang`` no ``Xinjiang``, ``St Columbs`` no ``Columbus``).
LONG_WORD_SLIPS = frozenset({"dropped", "undoubled", "key"})
#: ... and all of them, at a word's edge too, into a word of :data:`MISTYPED_WORD` letters or
#: more when the token has letters in a row no language writes (:func:`_mistyped`).
MISTYPED_SLIPS = LONG_WORD_SLIPS | {"edge_key"}
MISTYPED_WORD = 5
DROPPED_LETTER_WORD = 6
LONG_WORD = 7
FREQUENT_PLACE_ZIPF = 3.5


@dataclass(frozen=True)
class SpellingDecision:
    """What the spelling fixer does with one token: ``keep``, ``fix`` or ``suggest``."""

    action: str
    replacement: str | None = None
    candidates: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class Candidate:
    """A word a token may be a misspelling of: lowercase, its languages, the channel score."""

    word: str
    languages: frozenset[str]  # empty for a place: it belongs to every language
    edit: float  # log10 likelihood of the edit (channel.edit_log_likelihood)
    place: bool = False


_KEEP = {
    reason: SpellingDecision("keep", reason=reason)
    for reason in (
        "too short to correct safely",
        "acronym or mixed-case proper noun",
        "a vocabulary word (accents aside)",
        "a real word of a covered language",
        "a real word written without its accents",
        "a place name",
        "a singular or plural of a real word",
        "not near any vocabulary word or place",
        "no candidate keeps the accents typed",
        "a given name or surname",
    )
}


#: The letters a singular ends in before an ``-es`` plural: English sibilants (``-ches``,
#: ``-xes``) and the endings of Spanish, Portuguese and Catalan singulars (``-dades``,
#: ``-nales``, ``-res``). ``colleg`` + ``es`` or ``universit`` + ``es`` is no plural.
ES_PLURAL_AFTER = frozenset("sxzhlnrdjy")


def _plural_pair(a: str, b: str) -> bool:
    """True when one folded word is the other's plural: plus ``s`` (not after an ``s``:
    ``economicss`` is a letter typed twice), or ``es`` after one of :data:`ES_PLURAL_AFTER`
    (``nacionales`` and ``nacional``; not ``sciencees``, nor ``colleges`` and ``colleg``).

    >>> _plural_pair("polytechnics", "polytechnic"), _plural_pair("sciencees", "science")
    (True, False)
    >>> _plural_pair("colleges", "colleg"), _plural_pair("business", "busines")
    (False, False)
    >>> _plural_pair("universidades", "universidad"), _plural_pair("economicss", "economics")
    (True, False)
    """
    short, long = sorted((a, b), key=len)
    if long == short + "s":
        return not short.endswith("s")
    return long == short + "es" and short[-1:] in ES_PLURAL_AFTER


class SpellingIndex:
    """The candidates of each token, found once per token (they depend on the token only).

    A token has none when it is short, all-caps or mixed-case, a vocabulary word, a real
    word of a covered language (with or without its accents), a place name, a singular or
    plural of a vocabulary word, or more than the edit budget away from every vocabulary
    word (and every place word, for a capitalized token) with the same first letter; a given
    name or surname (``Vincenty``) has only those two letters swapped or a letter doubled or
    undoubled away.
    """

    def __init__(self, resources: Resources) -> None:
        self.resources = resources
        self.vocabulary = resources.vocabulary
        self.countries = Vocabulary.from_entries((w, ()) for w in _country_words())
        self._found: dict[str, SpellingDecision | tuple[Candidate, ...]] = {}
        #: Tokens with no candidates: the fast path of every scan.
        self.kept: set[str] = set()
        #: Tokens near no vocabulary word or place that no list knows: they may be a
        #: misspelt common word of the name's language (:func:`decide_common`).
        self.maybe_common: set[str] = set()
        self.common = CommonWords(resources.data_dir / COMMON_WORDS_DIR.name,
                                  resources.data_dir / NEAR_COMMON_DIR.name,
                                  resources.data_dir / TRIGRAMS_FILE.name,
                                  resources.data_dir / FAINT_SWAPS_FILE.name)  # fmt: skip
        self.names = PersonalNames(resources.data_dir / PERSONAL_NAMES_DIR.name)

    def candidates(self, token: str) -> SpellingDecision | tuple[Candidate, ...]:
        """A "keep" decision, or the words ``token`` may be a misspelling of."""
        found = self._found.get(token)
        if found is None:
            found = self._found[token] = self._find(token)
            if found is _KEEP["not near any vocabulary word or place"] and self._may_be_common(
                token
            ):
                self.maybe_common.add(token)
            elif not isinstance(found, tuple):
                self.kept.add(token)
        return found

    def _may_be_common(self, token: str) -> bool:
        """True for a lower or title case token of letters (whether a word list knows it is
        asked only when it has a candidate: :func:`decide_common`)."""
        return case_pattern(token) in ("lower", "title") and token.isalpha()

    def _find(self, token: str) -> SpellingDecision | tuple[Candidate, ...]:
        reason = self._keep_reason(token)
        if reason:
            return _KEEP[reason]
        folded = fold(token)
        found = [
            Candidate(word, self._languages(word), edit_log_likelihood(folded, fold(word)))
            for word, _distance in self.vocabulary.near(folded)
            if not self._number_pair(folded, word)
        ]
        if len(folded) >= MIN_CITY_FIX and case_pattern(token) == "title":
            # A country's name takes any one edit (Malayia); other places only a swap of two
            # letters: other edits of a city's name are too often another real place
            # (Bourgas, Bourges) or another spelling of the same one (Kharkov, Kharkiv).
            found += [
                Candidate(word, frozenset(), edit_log_likelihood(folded, fold(word)), place=True)
                for word, distance in self.countries.near(folded)
                if distance == 1
            ]
            found += [
                Candidate(word, frozenset(), TRANSPOSITION, place=True)
                for word in self.transposed_places(folded)
            ]
        if any(c.edit > TWO_EDITS for c in found):  # a word one edit away beats any two away
            found = [c for c in found if c.edit > TWO_EDITS]
        else:  # two slips, never an unrelated letter (Humanistics is no Humanities)
            found = [c for c in found if two_likely_slips(folded, fold(c.word))]
        likeliest = [c for c in found if slip(folded, fold(c.word)) in NAME_SLIPS]
        if len(likeliest) < len(found) and folded in self.names:
            # A person's name is a word too: only the likeliest slips undo it.
            if not likeliest:
                return _KEEP["a given name or surname"]
            found = likeliest
        return tuple(found) or _KEEP["not near any vocabulary word or place"]

    def transposed_places(self, folded: str) -> list[str]:
        """The long place words that are not vocabulary words and are ``folded`` with two
        neighbouring letters swapped, the first letter kept. The place list is folded
        already: looking up the few swaps costs less than indexing every place."""
        places = self.resources.places
        vocabulary = self.vocabulary.by_folded
        return [w for w in swapped_forms(folded) if w in places and w not in vocabulary]

    def _keep_reason(self, token: str) -> str | None:
        resources = self.resources
        if len(token) < MIN_SPELL_LENGTH:
            return "too short to correct safely"
        if case_pattern(token) in ("upper", "mixed"):
            return "acronym or mixed-case proper noun"
        low, folded = lower(token), fold(token)
        if low in self.vocabulary.words or folded in self.vocabulary.by_folded:
            return "a vocabulary word (accents aside)"
        if resources.is_known_word(low):
            return "a real word of a covered language"
        if resources.is_place(low):
            return "a place name"
        if self._inflection_of_a_word(folded):
            return "a singular or plural of a real word"
        return None

    def _inflection_of_a_word(self, folded: str) -> bool:
        """``polytechnics`` (``polytechnic``), ``agronomiques``: in a language with ``-s``
        plurals, the other number of a vocabulary word is no typo."""
        forms = [f for f in (folded + "s", folded + "es") if _plural_pair(folded, f)]
        if folded.endswith("es"):
            forms.append(folded[:-2])
        if folded.endswith("s"):
            forms.append(folded[:-1])
        for form in forms:
            if not _plural_pair(form, folded):
                continue
            for word in self.vocabulary.by_folded.get(form, ()):
                if self.vocabulary.words[word] & S_PLURALS:
                    return True
        return False

    def _number_pair(self, folded: str, word: str) -> bool:
        """True when ``word`` is the singular or plural of the token in an ``-s`` language."""
        return _plural_pair(folded, fold(word)) and bool(self.vocabulary.words[word] & S_PLURALS)

    def _languages(self, word: str) -> frozenset[str]:
        # The vocabulary's own languages: frequency lists also count loanwords.
        return self.vocabulary.words.get(word) or self.resources.word_languages(word)


def _country_words() -> set[str]:
    """The long words of countries' names (``malaysia``, ``philippines``)."""
    names = [getattr(c, a, "") for c in pycountry.countries for a in ("name", "common_name")]
    return {lower(t) for name in names for t in TOKEN_RE.findall(name) if len(t) >= MIN_CITY_FIX}


def spelling_index(resources: Resources) -> SpellingIndex:
    """The spelling index of these resources (built on first use, kept with them)."""
    return resources.derived("spelling", SpellingIndex)


def decide(
    token: str,
    candidates: tuple[Candidate, ...],
    languages: frozenset[str],
    resources: Resources,
    context: tuple[str, str],
    pairs: frozenset[tuple[str, str]] = frozenset(),
) -> SpellingDecision:
    """Rank the candidates of an unknown token in a name written in ``languages``.

    Candidates of the name's languages (and places) are preferred: a word of another
    language is much less likely (:data:`OTHER_LANGUAGE`). Score: edit likelihood + the
    word's frequency in the language (Zipf) + the language penalty, plus a point for a
    candidate the page writes next to the same neighbour (``context``: the previous and next
    words, folded; ``pairs``: the page's word pairs). A clear winner is a fix; a tie a
    suggestion.
    """
    pattern = case_pattern(token)
    unaccented = resources.unaccented_languages(token)
    if unaccented and (not languages or unaccented & languages):
        return _KEEP["a real word written without its accents"]
    scored: dict[str, float] = {}
    typed_accents = {c for c in lower(token[1:]) if fold(c) != c}
    for candidate in candidates:
        if not typed_accents <= set(candidate.word):
            continue  # an accent typed is kept (Csollège is Collège, not College)
        written = candidate.word if has_diacritics(token) else _put_back(token, candidate.word)
        prior = PLACE_ZIPF if candidate.place else resources.zipf(candidate.word, languages)
        score = candidate.edit + prior + _context_bonus(written, context, pairs)
        score += _language_penalty(candidate, languages)
        if has_diacritics(token):  # accents typed are evidence too (Universität, not -tat)
            mismatched = OSA.distance(lower(token), candidate.word) - OSA.distance(
                fold(token), fold(candidate.word)
            )
            score -= ACCENT_MISMATCH * mismatched
        scored[written] = max(scored.get(written, score), score)
    if not scored:
        return _KEEP["no candidate keeps the accents typed"]
    ranked = sorted(scored, key=lambda w: (-scored[w], w))
    shown = tuple(apply_case(w, pattern) for w in ranked[:4])
    if len(ranked) > 1 and scored[ranked[0]] - scored[ranked[1]] < MARGIN:
        return SpellingDecision(
            "suggest", candidates=shown, reason="equally close to several words"
        )
    return SpellingDecision(
        "fix",
        replacement=_first_letter_as_typed(token, apply_case(ranked[0], pattern)),
        candidates=shown,
        reason="unknown word; the likeliest word of the name's language",
    )


def _put_back(token: str, word: str) -> str:
    """``word`` as a token typed without accents stands for it: unaccented, but for a letter
    the token left out, which is put back as ``word`` spells it (``Politcnica`` ->
    ``politécnica``: the ``é`` was never typed, so it was not typed without its accent).

    >>> _put_back("Politcnica", "politécnica"), _put_back("Politecnica", "politécnica")
    ('politécnica', 'politecnica')
    """
    folded = fold(word)
    if len(folded) == len(word) == len(token) + 1:
        typed = fold(token)
        for i, letter in enumerate(word):
            if folded[:i] + folded[i + 1 :] == typed:
                return folded[:i] + letter + folded[i + 1 :]
    return folded


def _first_letter_as_typed(token: str, word: str) -> str:
    """``word`` with the token's own first letter, which a slip never touches
    (``İstanubl`` -> ``İstanbul``, ``éducdation`` -> ``éducation``).

    >>> _first_letter_as_typed("İstanubl", "Istanbul")
    'İstanbul'
    """
    if token[:1] and fold(token[:1]) == fold(word[:1]):
        return token[0] + word[1:]
    return word


def decide_common(
    token: str,
    languages: frozenset[str],
    common: CommonWords,
    context: tuple[str, str] = ("", ""),
    pairs: frozenset[tuple[str, str]] = frozenset(),
    written_with_accents: bool = False,
    places: frozenset[str] = frozenset(),
    names: PersonalNames | None = None,
    institution_pairs: frozenset[tuple[str, str]] = frozenset(),
) -> SpellingDecision | None:
    """A misspelt common word or place: the likeliest common word of the name's language,
    or place word of any language (``places``, folded), one slip away
    (:func:`pipeline.names.common_words.slip`); ``None`` when there is no clear one.

    Score: the slip's likelihood + the word's Zipf frequency in the language (a place counts
    as :data:`PLACE_ZIPF`) + a point when the page, or many institution names
    (``institution_pairs``), write it next to the same neighbour.
    Only some slips are corrected (:func:`_corrected`): in a short word or a rare place, two
    letters swapped or one typed twice; but any slip, not at the word's edge, into a word
    that many institution names write next to the token's neighbour (``institution_pairs``:
    ``Hjgh School``), and any slip, at the edge too, into a common word of the name's
    language when the token has letters in a row no language writes (:func:`_mistyped`:
    ``Swtate``). A token wordfreq knows is a real word, left alone, unless it is two letters
    swapped from the best word and known far less often (``Christain``: a misspelling web
    text repeats). Accents are restored only in a name that writes its
    other words with accents (a name written without any is left so), and to a plain form
    that is a real word only when the accented one is ten times as frequent
    (:func:`_accents_left_out`); a token typed with accents keeps them. A singular and its
    plural are never slips of each other. A given name or surname of ``names`` is never
    corrected, and a name one slip from the token competes (and, winning, leaves it alone);
    a name read as more than :data:`MAX_COMMON_LANGUAGES` languages gets places only.

    >>> common = CommonWords()
    >>> decide_common("Presian", frozenset({"en"}), common) is not None  # Persian
    True
    >>> decide_common("Presian", frozenset({"en"}), common, names=PersonalNames()) is None
    True
    >>> decide_common("Mounatin", frozenset({"en"}), common).replacement
    'Mountain'
    >>> decide_common("Nuestar", frozenset({"es"}), common).replacement
    'Nuestra'
    >>> decide_common("Tedam", frozenset({"en"}), common) is None  # a key slip of a short word
    True
    >>> decide_common("Pontifcia", frozenset({"it"}), common).replacement  # a long word
    'Pontificia'
    >>> decide_common("Ardabbil", frozenset(), common, places=frozenset({"ardabil"})).replacement
    'Ardabil'
    >>> high_school = frozenset({("high", "school")})
    >>> decide_common("Hjgh", frozenset({"en"}), common, ("westport", "school")) is None
    True
    >>> decide_common("Hjgh", frozenset({"en"}), common, ("westport", "school"),
    ...               institution_pairs=high_school).replacement
    'High'
    """
    if len(token) < MIN_SPELL_LENGTH:
        return None
    folded, low = fold(token), lower(token)
    if names is not None and folded in names:
        return None  # a given name or surname (Presian is no misspelt Persian)
    scored: dict[str, float] = {}
    kinds: dict[str, str] = {}
    places_won: set[str] = set()  # words scored best as a place
    zipfs: dict[str, float] = {}  # a word's frequency, for a word scored as a common word
    forms = set(intended_forms(folded))
    # Common words of a dozen languages together are one slip from almost any token: a name
    # whose words do not narrow its language down is corrected into places only.
    for language in sorted(languages) if len(languages) <= MAX_COMMON_LANGUAGES else ():
        for form in common.listed(language, forms):
            if form in places and _other_romanization(folded, form, common):
                continue  # another romanization of a rare place (Songkla, Songkhla)
            for word, zipf in common.entries(language, form):
                scored_slip = _slip_score(token, folded, low, word, zipf, written_with_accents)
                if scored_slip is not None:
                    score = scored_slip[0] + _context_bonus(word, context, pairs, institution_pairs)
                    if score > scored.get(word, -99.0):
                        scored[word], kinds[word], zipfs[word] = score, scored_slip[1], zipf
    for place in forms.intersection(places):
        if _other_romanization(folded, place, common):
            continue
        scored_slip = _slip_score(token, folded, low, place, PLACE_ZIPF, written_with_accents)
        if scored_slip is not None and not has_diacritics(token):
            score = scored_slip[0] + _context_bonus(place, context, pairs, institution_pairs)
            if score > scored.get(place, -99.0):
                scored[place], kinds[place] = score, scored_slip[1]
                places_won.add(place)
    if not scored:
        return None
    first = min(scored, key=lambda w: (-scored[w], w))
    left_out = _accents_left_out(low, first, kinds, zipfs, languages, common)
    if common.is_known(folded) and not left_out and fold(first) not in common.faint_swap_of(folded):
        return None  # a real word, however rare: no slip (but a misspelling wordfreq read)
    names_won = _rival_names(folded, forms, scored, names, context, pairs)
    ranked = sorted(scored, key=lambda w: (-scored[w], w))
    if len(ranked) > 1 and scored[ranked[0]] - scored[ranked[1]] < COMMON_MARGIN:
        return None
    best = ranked[0]
    # a common word of the name's language only: a place the token is a slip from is as
    # often another place no list holds (Shibpur is no Shivpur)
    mistyped = best in zipfs and best not in places_won and _mistyped(
        folded, best, kinds[best], common
    )
    if best in names_won or (kinds[best] == "edge_key" and not mistyped):
        return None  # an edge slip is left alone unless no language writes the token so
    if not (mistyped or _context_bonus(best, context, institution_pairs)) and not _likely_slip(
        best, kinds[best], folded, best in places_won, places, common, zipfs.get(best)
    ):
        return None
    pattern = case_pattern(token)
    return SpellingDecision(
        "fix",
        replacement=_first_letter_as_typed(token, apply_case(best, pattern)),
        candidates=tuple(apply_case(w, pattern) for w in ranked[:4]),
        reason="unknown word; the likeliest common word or place of the name's language",
    )


def _mistyped(folded: str, best: str, kind: str, common: CommonWords) -> bool:
    """True when a slip of ``kind`` that is corrected only in a long word or in context
    (a letter dropped or added, a neighbouring key, at the edge too) is corrected anyway,
    because the token has three letters in a row no covered language writes
    (:meth:`~pipeline.names.common_words.CommonWords.unheard_of`) and the word, of at least
    :data:`MISTYPED_WORD` letters, has none: ``Audxit``, ``Swtate``. A real name one such slip
    from a word reads like a word (``Madan``, ``Tedam``, ``Grambling``).

    >>> common = CommonWords()
    >>> _mistyped("swtate", "state", "edge_key", common)
    True
    >>> _mistyped("tedam", "team", "key", common)
    False
    >>> _mistyped("grambling", "gambling", "edge_key", common)
    False
    """
    return (
        kind in MISTYPED_SLIPS
        and len(fold(best)) >= MISTYPED_WORD
        and common.unheard_of(folded)
    )


def _accents_left_out(
    low: str,
    word: str,
    kinds: dict[str, str],
    zipfs: dict[str, float],
    languages: frozenset[str],
    common: CommonWords,
) -> bool:
    """True when the likeliest ``word`` is ``low`` with its accents and more frequent in the
    name's languages by :data:`ACCENT_GAP` than ``low`` itself, a real word however rare
    (``tecnica``: Zipf 3.3, ``técnica`` 4.8; unlisted, it is taken as just below the lists'
    floor): written so in a name that writes its other words with accents, the accents
    were left out.

    >>> common = CommonWords()
    >>> kinds, zipfs = {"técnica": "accent"}, {"técnica": 4.8}
    >>> _accents_left_out("tecnica", "técnica", kinds, zipfs, frozenset({"es"}), common)
    True
    >>> kinds, zipfs = {"nicolás": "accent"}, {"nicolás": 4.5}
    >>> _accents_left_out("nicolas", "nicolás", kinds, zipfs, frozenset({"es"}), common)
    False
    """
    if kinds[word] != "accent" or word not in zipfs:
        return False
    written = [z for lang in languages for w, z in common.entries(lang, fold(low)) if w == low]
    return zipfs[word] - max(written, default=COMMON_ZIPF) >= ACCENT_GAP


def _likely_slip(
    best: str,
    kind: str,
    folded: str,
    won_as_place: bool,
    places: frozenset[str],
    common: CommonWords,
    zipf: float | None,
) -> bool:
    """True when the slip of ``folded`` into ``best`` is one that is corrected without
    context (:func:`_corrected`); ``zipf``: ``best``'s frequency in the name's language."""
    if won_as_place:
        zipf = None
    if fold(best) in places:  # a place is as frequent as the language writing it most says
        zipf = common.top_zipf(fold(best))
    if not _corrected(best, kind, zipf, places):
        return False
    # a short rare place is too often another's other spelling (Assosa)
    return not (won_as_place and len(folded) < MIN_CITY_FIX and (zipf or 0) < FREQUENT_PLACE_ZIPF)


def _corrected(word: str, kind: str, zipf: float | None, places: frozenset[str]) -> bool:
    """True when a slip of ``kind`` into ``word`` is corrected (``zipf``: its frequency as a
    common word of the name's language, for a place in the language that writes it most;
    ``None`` when no language lists it).

    >>> _corrected("pontificia", "dropped", 3.4, frozenset())
    True
    >>> none = frozenset()
    >>> _corrected("estado", "dropped", 5.1, none), _corrected("madam", "dropped", 4.2, none)
    (True, False)
    >>> _corrected("teeth", "key", 4.6, frozenset()), _corrected("taking", "key", 5.3, frozenset())
    (False, False)
    >>> _corrected("madrid", "key", 5.0, frozenset({"madrid"}))
    True
    >>> _corrected("taiwan", "key", 4.4, frozenset({"taiwan"}))  # a frequent place
    True
    >>> _corrected("xinjiang", "dropped", 3.1, frozenset({"xinjiang"}))
    False
    >>> _corrected("western", "dropped", 5.0, frozenset({"western"}))
    True
    >>> _corrected("tampere", "dropped", 5.2, frozenset({"tampere"}))  # in Finnish
    True
    """
    if kind in CORRECTED_SLIPS:
        return True
    folded = fold(word)
    if kind not in LONG_WORD_SLIPS or zipf is None:
        return False
    if folded in places:  # a frequent place, six letters or more, takes any of these slips
        return len(folded) >= DROPPED_LETTER_WORD and zipf >= FREQUENT_PLACE_ZIPF
    if len(folded) < (LONG_WORD if kind == "key" else DROPPED_LETTER_WORD):
        return False
    return kind != "key" or key_slip_corrected(folded, zipf)


def _rival_names(
    folded: str,
    forms: set[str],
    scored: dict[str, float],
    names: PersonalNames | None,
    context: tuple[str, str],
    pairs: frozenset[tuple[str, str]],
) -> set[str]:
    """Add to ``scored`` the personal names one slip (any kind, a key too) from the token,
    and return them: a name is never a correction, but one as likely as the best word makes
    the token a name's misspelling as much as the word's (a token two letters swapped from
    a common word and one letter short of a surname)."""
    if names is None:
        return set()
    found = set()
    for name in forms.intersection(names.of_letter(folded[:1])):
        if name in scored or name == folded or _plural_pair(folded, name):
            continue
        kind = slip(folded, name)
        if kind is None:
            continue
        scored[name] = SLIP_LIKELIHOOD[kind] + NAME_ZIPF + _context_bonus(name, context, pairs)
        found.add(name)
    return found


def _other_romanization(typed: str, place: str, common: CommonWords) -> bool:
    """True when ``typed`` may be another romanization of ``place`` rather than a slip: an
    ``h`` more or less (:func:`_h_romanization`) than a place no language writes often (Zipf
    below :data:`FREQUENT_PLACE_ZIPF` in the language writing it most). A frequent place has
    one usual spelling, so an ``h`` typed in or left out there is a slip (``Barcelonha``,
    ``Nortwest``); a rare one is spelled many ways (``Songkla``, ``Meiktila``).

    >>> common = CommonWords()
    >>> _other_romanization("songkla", "songkhla", common)
    True
    >>> _other_romanization("barcelonha", "barcelona", common)
    False
    """
    if not _h_romanization(typed, place):
        return False
    zipf = common.top_zipf(place)
    return zipf is None or zipf < FREQUENT_PLACE_ZIPF


def _h_romanization(typed: str, place: str) -> bool:
    """True when ``typed`` is ``place`` with an ``h`` more or less: romanizations of a
    place's name differ just so (``Songkla``, ``Songkhla``; ``Meikhtila``, ``Meiktila``).

    >>> _h_romanization("songkla", "songkhla"), _h_romanization("ardabbil", "ardabil")
    (True, False)
    >>> _h_romanization("chhina", "china")  # an h typed twice
    False
    """
    longer, shorter = (typed, place) if len(typed) > len(place) else (place, typed)
    return len(longer) == len(shorter) + 1 and any(
        longer[i] == "h"
        and "h" not in longer[i - 1 : i] + longer[i + 1 : i + 2]
        and longer[:i] + longer[i + 1 :] == shorter
        for i in range(len(longer))
    )


def _slip_score(
    token: str, folded: str, low: str, word: str, zipf: float, written_with_accents: bool
) -> tuple[float, str] | None:
    """The slip's likelihood + the word's frequency, and the slip's kind; ``None`` when
    ``word`` may not be what ``token`` meant."""
    kind = slip(folded, fold(word))
    if kind is None or word == low or _plural_pair(folded, fold(word)):
        return None
    if kind == "accent":
        if has_diacritics(token) or not written_with_accents:
            return None
    elif OSA.distance(low, word, score_cutoff=1) != 1:  # accents typed must match too
        return None
    return SLIP_LIKELIHOOD[kind] + zipf, kind


def _language_penalty(candidate: Candidate, languages: frozenset[str]) -> float:
    if candidate.place or not languages or candidate.languages & languages:
        return 0.0
    return OTHER_LANGUAGE_ENGLISH if "en" in candidate.languages else OTHER_LANGUAGE


def _context_bonus(
    word: str, context: tuple[str, str], *pair_sets: frozenset[tuple[str, str]]
) -> float:
    """1 when one of ``pair_sets`` (the page's word pairs, those many institution names
    write) holds ``word`` next to the same neighbour (``statistical science``).

    >>> _context_bonus("high", ("ort", "school"), frozenset(), frozenset({("high", "school")}))
    1.0
    """
    before, after = context
    folded = fold(word)
    found = any((before, folded) in pairs or (folded, after) in pairs for pairs in pair_sets)
    return 1.0 if found else 0.0


def _spelling_decisions(
    text: str, ctx: PageContext | None
) -> list[tuple[re.Match[str], SpellingDecision]]:
    """The decision on each token of ``text`` worth one, computed once for the last text
    and context asked: the fixer's last round and the suggestions read the same text."""
    memo = ctx.memo if ctx is not None else None
    if memo is None:
        return list(_decide_tokens(text, ctx))
    last = memo.table("spelling_last")
    if last.get("ctx") is ctx and last.get("text") == text:
        return last["decisions"]
    decisions = list(_decide_tokens(text, ctx))
    last.update(ctx=ctx, text=text, decisions=decisions)
    return decisions


def _decide_tokens(
    text: str, ctx: PageContext | None
) -> Iterator[tuple[re.Match[str], SpellingDecision]]:
    resources = resources_of(ctx)
    index = spelling_index(resources)
    kept = index.kept
    tokens = tokens_of(text)
    if kept.issuperset(tokens) or is_all_caps(text):
        return
    maybe_common = index.maybe_common
    if not any(isinstance(index.candidates(t), tuple) or t in maybe_common for t in tokens):
        return
    protected = ctx.protected if ctx else frozenset()
    matches = list(TOKEN_RE.finditer(text))
    for i, match in enumerate(matches):
        token = match.group()
        found = index.candidates(token)
        if token in protected or not (token in maybe_common or isinstance(found, tuple)):
            continue
        if _before_apostrophe(match) or _after_apostrophe_in_word(match) or _glued_to_digit(
            match
        ):
            continue
        others = [m.group() for j, m in enumerate(matches) if j != i]
        languages = name_languages_of(others, resources, ctx)
        context = (
            fold(matches[i - 1].group()) if i else "",
            fold(matches[i + 1].group()) if i + 1 < len(matches) else "",
        )
        settled = _settled_by_curated_words(others, languages, resources)
        question = (token, languages, context, any(map(has_diacritics, others)), settled)
        decision = _token_decision(question, ctx, index)
        if decision is not None:
            yield match, decision


def _token_decision(
    question: tuple[str, frozenset[str], tuple[str, str], bool, bool],
    ctx: PageContext | None,
    index: SpellingIndex,
) -> SpellingDecision | None:
    """:func:`_decide_token` of ``question`` (its first five arguments), remembered for the
    page (``ctx.memo``): a page repeats the same unknown word beside the same neighbours,
    and the answer depends on nothing else but what is constant for the page (its
    evidence, the resources)."""
    memo = ctx.memo if ctx is not None else None
    if memo is None:
        return _decide_token(*question, ctx, index)
    return memo.recall("spelling_token", question, lambda: _decide_token(*question, ctx, index))


def _decide_token(
    token: str,
    languages: frozenset[str],
    context: tuple[str, str],
    accented_others: bool,
    settled: bool,
    ctx: PageContext | None,
    index: SpellingIndex,
) -> SpellingDecision | None:
    """The decision on one unknown token in a name of ``languages`` between the folded
    words ``context``; ``accented_others``: another word of the name has accents;
    ``settled``: the name's vocabulary or function words say ``languages`` too.
    ``None``: nothing to say (a common word left as written)."""
    resources = index.resources
    found = index.candidates(token)
    pairs = ctx.page_pairs if ctx else frozenset()
    as_common = (token, languages, index.common, context, pairs, accented_others,
                 resources.places, index.names, resources.institution_pairs)  # fmt: skip
    if token in index.maybe_common:
        if ctx and _page_spelling(token, ctx):
            return None
        return decide_common(*as_common)
    decision = decide(token, found, languages, resources, context, pairs)
    if decision.action == "fix" and _two_edits_but_one_from_a_word(token, found, index):
        decision = decide_common(*as_common) or SpellingDecision(
            "suggest", candidates=decision.candidates,
            reason="two edits from a vocabulary word but one from another real word",
        )  # fmt: skip
    elif decision.action == "fix":
        decision = _doubted(token, found, decision, languages, settled, index, ctx)
    if decision.action == "fix" and ctx and _page_spelling(token, ctx):
        decision = SpellingDecision(
            "suggest",
            candidates=decision.candidates,
            reason="close to a vocabulary word but the page's own spelling",
        )
    return decision


def _doubted(
    token: str,
    found: tuple[Candidate, ...],
    decision: SpellingDecision,
    languages: frozenset[str],
    settled: bool,
    index: SpellingIndex,
    ctx: PageContext | None,
) -> SpellingDecision:
    """The fix ``decision``, or a suggestion when one of these doubts holds (the first, in
    this order, names the reason; a rival word found is listed with the candidates)."""
    chosen = [c for c in found if fold(c.word) == fold(decision.replacement or "")]
    doubts = (
        (lambda: _slip_rival(token, decision, languages, index),
         "an unrelated letter from a vocabulary word, one slip from a real word"),
        (lambda: _place_by_unrelated_letter(chosen),
         "a place reached only by an unrelated letter or two edits"),
        (lambda: settled and _unlikely_foreign(chosen, languages),
         "an unlikely edit from a word of another language than the name's"),
        (lambda: not languages and _two_edits(token, decision),
         "two edits from a vocabulary word in a name of no known language"),
        (lambda: _rival_common_word(token, decision, languages, index, ctx),
         "as close to a common word of the name's language"),
    )  # fmt: skip
    for doubt, reason in doubts:
        held = doubt()
        if held:
            rival = (held,) if isinstance(held, str) else ()
            candidates = (*decision.candidates[:3], *rival) if rival else decision.candidates
            return SpellingDecision("suggest", candidates=candidates, reason=reason)
    return decision


def _place_by_unrelated_letter(chosen: list[Candidate]) -> bool:
    """True when the chosen word (``chosen``: its candidates) is a place (a country's name)
    reached only by an unrelated letter or two edits: a proper noun is as often another
    proper noun a letter away (``Malotte``, a surname, is no misspelt ``Mayotte``), where
    ``Germeny`` (a vowel) or ``Indonesai`` (two letters swapped) are misspelt places."""
    return bool(chosen) and all(c.place and c.edit <= OTHER for c in chosen)


def _settled_by_curated_words(
    others: list[str], languages: frozenset[str], resources: Resources
) -> bool:
    """True when a vocabulary or function word of the name is of one of its ``languages``
    (``University of Puebla``): the language is then known, not guessed from proper nouns
    (``Gadjah Mada``)."""
    return any(languages & resources.curated_languages(w) for w in others)


def _unlikely_foreign(chosen: list[Candidate], languages: frozenset[str]) -> bool:
    """True when the chosen word (``chosen``: its candidates) is only a word of other
    languages than the name's (English, written in names everywhere, aside: ``Ateneo de
    Manila Uniwersity``) and reached by an unlikely edit: an unrelated letter or two edits
    (``Technologic University``: French ``Technologie``; ``Informika``: ``Informatika``)."""
    return any(
        c.edit <= OTHER and _language_penalty(c, languages) == OTHER_LANGUAGE for c in chosen
    ) and all(_language_penalty(c, languages) for c in chosen)


def _two_edits_but_one_from_a_word(
    token: str, candidates: tuple[Candidate, ...], index: SpellingIndex
) -> bool:
    """True when every vocabulary candidate is two edits away but a common word of some
    covered language or a place is one edit away (``Insttiuut``: ``Institut`` is two,
    Dutch ``Instituut`` one; ``Supeeriore``: Italian ``Superiore``): one slip of a word the
    vocabulary lacks is likelier than two slips of a vocabulary word. A plural one edit
    away counts too (``Polytechngics``: ``Polytechnics``, not ``Polytechnic``)."""
    if any(c.edit > TWO_EDITS for c in candidates):
        return False
    folded = fold(token)
    if index.common.near_any_word(folded):
        return True
    near = one_edit_forms(folded) - {folded}
    plurals = {fold(c.word) + ending for c in candidates for ending in ("s", "es")}
    return not (near.isdisjoint(index.resources.places) and near.isdisjoint(plurals))


def _slip_rival(
    token: str, decision: SpellingDecision, languages: frozenset[str], index: SpellingIndex
) -> str | None:
    """A common word one likely slip from ``token`` and likelier than the chosen vocabulary
    word or place when that one needs an unrelated letter or two edits (``Univerzitt``: Czech
    ``Univerzita`` for the last letter, Serbian ``Univerzitet`` with a letter dropped;
    ``Estoniam``: ``Estonia`` with a letter added, ``Estonian`` a key away).
    Words of the name's languages, or of every covered language for a name of none."""
    folded = fold(token)
    chosen = fold(decision.replacement or "")
    edit = edit_log_likelihood(folded, chosen)
    if edit > OTHER:
        return None
    if chosen in index.vocabulary.by_folded:
        best = edit + index.resources.zipf(chosen, languages) + INSTITUTION_WORD
    else:  # a place, scored as decide() scores it
        best = edit + PLACE_ZIPF
    forms = set(intended_forms(folded)) - {folded, chosen}
    common = index.common
    rival = None
    for language in sorted(languages) or common.languages():
        # sorted: of equally likely rivals, the one listed is the same in every run
        for form in sorted(common.listed(language, forms)):
            kind = slip(folded, form)
            if kind is None or _plural_pair(form, chosen):
                continue
            word, zipf = common.likeliest(language, form)
            if SLIP_LIKELIHOOD[kind] + zipf > best:
                best, rival = SLIP_LIKELIHOOD[kind] + zipf, word
    return apply_case(rival, case_pattern(token)) if rival else None


def _two_edits(token: str, decision: SpellingDecision) -> bool:
    return edit_log_likelihood(fold(token), fold(decision.replacement or "")) <= TWO_EDITS


def _rival_common_word(
    token: str,
    decision: SpellingDecision,
    languages: frozenset[str],
    index: SpellingIndex,
    ctx: PageContext | None = None,
) -> str | None:
    """A common word of the name's language, other than the chosen vocabulary word, that
    is as likely (edit likelihood + frequency, within :data:`RIVAL_MARGIN`) what ``token``
    meant (``Instituyt`` in a Dutch name: ``Instituut`` more than ``Institut``):
    the vocabulary does not know every language's institution words."""
    folded = fold(token)
    chosen = fold(decision.replacement or "")
    best = edit_log_likelihood(folded, chosen) + index.resources.zipf(chosen, languages)
    best += INSTITUTION_WORD  # in a name, not in running text
    near = _one_edit_forms(folded, ctx)
    rivals: list[tuple[float, str]] = []
    for language in languages:
        for form in index.common.listed(language, near):
            if form in (folded, chosen) or _plural_pair(form, chosen):
                continue
            word, zipf = index.common.likeliest(language, form)
            score = edit_log_likelihood(folded, form) + zipf
            if score > best - RIVAL_MARGIN:
                rivals.append((-score, word))
    if not rivals:
        return None
    # the likeliest rival, then the first in alphabetical order: the same in every run
    return apply_case(min(rivals)[1], case_pattern(token))


def _one_edit_forms(folded: str, ctx: PageContext | None) -> set[str]:
    """:func:`one_edit_forms`, remembered for the page (``ctx.memo``): the same misspelling
    is weighed again in each name and beside each neighbour it appears with."""
    memo = ctx.memo if ctx is not None else None
    if memo is None:
        return one_edit_forms(folded)
    return memo.recall("one_edit_forms", folded, lambda: one_edit_forms(folded))


def _before_apostrophe(match: re.Match[str]) -> bool:
    """True for the first part of an apostrophe form (``Natsional'nom``, ``Mongkut's``):
    transliterations and elisions are left as written."""
    after = match.string[match.end() : match.end() + 2]
    return len(after) == 2 and after[0] in APOSTROPHES and after[1].isalpha()


#: A word this long before an apostrophe is no elided article or preposition (``dell'``,
#: ``L'``): the apostrophe is inside a word, a transliterated soft sign.
SOFT_SIGN_STEM = 6
_WORD_BEFORE = re.compile(r"[^\W\d_]+$")  # the letters that end the text searched


def _after_apostrophe_in_word(match: re.Match[str]) -> bool:
    """True for the end of a word with an apostrophe inside (``gradostroitel'stva``,
    ``Natsional'nom``: a transliterated soft sign): no word of its own, left as written;
    after an elision (``dell'``, ``L'``) a word is one (``L'Ecole``).

    >>> text = "kolledzh gradostroitel'stva, dell'Arte"
    >>> [_after_apostrophe_in_word(m) for m in TOKEN_RE.finditer(text)]
    [False, False, True, False, False]
    """
    start, text = match.start(), match.string
    if start < 2 or text[start - 1] not in APOSTROPHES:
        return False
    stem = _WORD_BEFORE.search(text, 0, start - 1)
    return stem is not None and len(stem.group()) >= SOFT_SIGN_STEM


def _glued_to_digit(match: re.Match[str]) -> bool:
    """True for letters written against a digit: part of a code or a brand
    (``m2iformation``, ``B2Bschool``), not a word.

    >>> [_glued_to_digit(m) for m in TOKEN_RE.finditer("m2iformation Lyon")]
    [True, True, False]
    """
    text, start, end = match.string, match.start(), match.end()
    return (start > 0 and text[start - 1].isdigit()) or (end < len(text) and text[end].isdigit())


def _page_spelling(token: str, ctx: PageContext) -> bool:
    """True when more than :data:`MAX_REPEATS` names of the page use ``token``."""
    return ctx.page_words.get(lower(token), 0) > MAX_REPEATS


def fix_spelling(text: str, ctx: PageContext | None = None) -> str:
    """Correct unknown words into the likeliest word of the name's own language.

    Changes: ``Univetsitas`` -> ``Universitas``, ``Agricultual`` -> ``Agricultural``,
    ``Statisticl Science`` -> ``Statistical Science``, ``Regensbrug`` -> ``Regensburg``;
    the same typo in two or three names of a page as well.
    Leaves alone: real words of any covered language, with or without accents
    (``Sains``, ``Univerzitet``, ``Medicas``), places (``Medenine``), a singular or plural of a
    vocabulary word (``Polytechnics``), words far from every vocabulary word (``Kyungpook``),
    acronyms, mixed-case words and all-caps names, short tokens, a word whose candidates are
    all of another language than the name's, ties (suggested instead), a spelling used by
    more than three names of the page (suggested), and every token's first letter and
    typed accent; a token two edits from a vocabulary word but one from a word of another
    list is corrected into that word or left (``Insttiuut`` -> ``Instituut``); a given name
    or surname, or a token as near one as to a common word (``Presian``); a vocabulary word
    needing an unrelated letter when a likelier common word is one slip away, or two edits
    away in a name of no known language (both suggested). A letter left out is put back
    with its accent (``Politcnica`` -> ``Politécnica``).

    >>> fix_spelling("Univetsitas Hasanuddin")
    'Universitas Hasanuddin'
    >>> fix_spelling("Department of Statisticl Science")
    'Department of Statistical Science'
    >>> fix_spelling("Univerzitet Mediteran")
    'Univerzitet Mediteran'
    """
    # A fix can settle the language of the name and so decide another token; each round
    # turns at least one unknown token into a vocabulary word or a place.
    return until_stable(_fix_spelling_once, text, ctx)


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

    >>> spelling_suggestions("Universitis")[0].candidates
    ('Universitas', 'Universities', 'Universites', 'Universiti')
    """
    found: dict[str, Suggestion] = {}
    for match, decision in _spelling_decisions(text, ctx):
        if decision.action == "suggest":
            token = match.group()
            found.setdefault(token, Suggestion(token, decision.candidates, decision.reason))
    return tuple(found.values())
