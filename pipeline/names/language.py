"""Which language(s) a name is written in, read from its own words."""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.names.resources import Resources, Vocabulary
from pipeline.names.text import tokens_of

#: What one word says of a name's language: (language, vote) pairs.
Votes = tuple[tuple[str, float], ...]


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


def detect_languages(
    tokens: Iterable[str], resources: Resources, votes: dict[str, Votes] | None = None
) -> frozenset[str]:
    """The language(s) a name's words are most likely written in (empty: no evidence).

    Each word votes for every language it is a word of: two votes from the curated data
    (institution vocabulary, function words: ``of``, ``Technology``), one from the frequency
    lists (which also count loanwords and names). The languages with the most votes win
    (``Koninklijke Academie van Beeldende Kunsten`` is Dutch, though ``van`` is a word of
    many languages). ``votes``: :func:`token_votes` remembered per token, filled in as
    tokens are met (the names of a page repeat the same words).

    >>> from pipeline.names.resources import default_resources
    >>> sorted(detect_languages(["Univerzitet", "Mediteran"], default_resources()))
    ['sh']
    >>> sorted(detect_languages(["Karlsruhe", "of", "Technology"], default_resources()))
    ['en']
    """
    scores: dict[str, float] = {}
    for token in tokens:
        found = None if votes is None else votes.get(token)
        if found is None:
            found = token_votes(token, resources)
            if votes is not None:
                votes[token] = found
        for lang, vote in found:
            scores[lang] = scores.get(lang, 0.0) + vote
    if not scores:
        return frozenset()
    best = max(scores.values())
    return frozenset(lang for lang, score in scores.items() if score == best)


def token_votes(token: str, resources: Resources) -> Votes:
    """The (language, vote) pairs one word gives :func:`detect_languages`.

    >>> from pipeline.names.resources import default_resources
    >>> dict(token_votes("Technology", default_resources()))["en"]
    2.0
    """
    if len(token) < 2:
        return ()
    curated = resources.curated_languages(token)
    languages = resources.word_languages(token)
    return tuple((lang, 2.0 if lang in curated else 1.0) for lang in languages)
