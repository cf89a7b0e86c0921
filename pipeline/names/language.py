"""Which language(s) a name is written in, read from its own words."""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.names.resources import Resources, Vocabulary
from pipeline.names.text import tokens_of


def name_languages(text: str, vocabulary: Vocabulary) -> frozenset[str]:
    """Languages a name is written in, from vocabulary words that belong to one language.

    >>> from pipeline.names.resources import default_resources
    >>> vocabulary = default_resources().vocabulary
    >>> sorted(name_languages("Ecole Normale Supérieure De Lyon", vocabulary))
    ['fr']
    >>> sorted(name_languages("Ho Chi Minh City University Of Science", vocabulary))
    ['en']
    """
    found: set[str] = set()
    for token in tokens_of(text):
        langs = vocabulary.languages_of(token)
        if len(langs) == 1:
            found |= langs
    return frozenset(found)


def detect_languages(tokens: Iterable[str], resources: Resources) -> frozenset[str]:
    """The language(s) a name's words are most likely written in (empty: no evidence).

    Each word votes for every language it is a word of: two votes from the curated data
    (institution vocabulary, function words: ``of``, ``Technology``), one from the frequency
    lists (which also count loanwords and names). The languages with the most votes win
    (``Koninklijke Academie van Beeldende Kunsten`` is Dutch, though ``van`` is a word of
    many languages).

    >>> from pipeline.names.resources import default_resources
    >>> sorted(detect_languages(["Univerzitet", "Mediteran"], default_resources()))
    ['sh']
    >>> sorted(detect_languages(["Karlsruhe", "of", "Technology"], default_resources()))
    ['en']
    """
    scores: dict[str, float] = {}
    for token in tokens:
        if len(token) < 2:
            continue
        curated = resources.vocabulary.languages_of(token) | resources.function_word_languages(
            token
        )
        for lang in resources.word_languages(token):
            scores[lang] = scores.get(lang, 0.0) + (2.0 if lang in curated else 1.0)
    if not scores:
        return frozenset()
    best = max(scores.values())
    return frozenset(lang for lang, score in scores.items() if score == best)
