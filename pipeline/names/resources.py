"""The data the name cleaner consults, loaded once into one :class:`Resources` object.

Curated files (``pipeline/data/``): the institution vocabulary, function words, overrides.
Generated files (``python -m pipeline.names.wordlist``): real words near the vocabulary and
common English words. A :class:`Resources` is built once per run and handed to the cleaner;
:func:`default_resources` is the one the public API uses, created on first use.
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
from pipeline.names.text import fold, has_diacritics, lower
from pipeline.reference import read_table

VOCABULARY_FILE = DATA_DIR / "institution_vocabulary.txt"
FUNCTION_WORDS_FILE = DATA_DIR / "function_words.csv"
OVERRIDES_FILE = DATA_DIR / "name_overrides.csv"
KNOWN_WORDS_FILE = DATA_DIR / "known_words.txt"
COMMON_ENGLISH_FILE = DATA_DIR / "common_english.txt"

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
    """Everything the fixers look up, read once; per-token answers are remembered here."""

    vocabulary: Vocabulary
    function_words: Mapping[str, frozenset[str]]
    overrides: tuple[Override, ...]
    known_words: frozenset[str]
    common_english: frozenset[str]
    _accent_forms: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _derived: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, data_dir: Path = DATA_DIR) -> Resources:
        """Read every file from ``data_dir`` (default ``pipeline/data/``)."""
        return cls(
            vocabulary=Vocabulary.read(data_dir / VOCABULARY_FILE.name),
            function_words=read_function_words(data_dir / FUNCTION_WORDS_FILE.name),
            overrides=read_overrides(data_dir / OVERRIDES_FILE.name),
            known_words=frozenset(data_lines(data_dir / KNOWN_WORDS_FILE.name)),
            common_english=frozenset(data_lines(data_dir / COMMON_ENGLISH_FILE.name)),
        )

    def derived(self, key: str, build: Callable[[Resources], Any]) -> Any:
        """An index a fixer builds from these resources (``build(self)``), built once and
        kept with them."""
        if key not in self._derived:
            self._derived[key] = build(self)
        return self._derived[key]

    def is_known_word(self, word: str) -> bool:
        """True for a real word of one of the checked languages (from the generated list).

        The list holds only the real words near the vocabulary: the spelling fixer asks
        only about such tokens (a word far from every vocabulary word is never corrected).
        """
        return unicodedata.normalize("NFC", lower(word)) in self.known_words

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


_DEFAULT: list[Resources] = []


def default_resources() -> Resources:
    """The resources read from ``pipeline/data/``, created on first use and then shared."""
    if not _DEFAULT:
        _DEFAULT.append(Resources.read())
    return _DEFAULT[0]
