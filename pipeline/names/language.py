"""Which language(s) a name is written in, read from its own words."""

from __future__ import annotations

from pipeline.names.resources import Vocabulary
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
