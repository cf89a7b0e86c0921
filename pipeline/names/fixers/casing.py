"""The casing fixer: function words inside a name (``Of`` -> ``of``) in its language."""

from __future__ import annotations

import re
from collections.abc import Mapping

from pipeline.names.context import PageContext, resources_of
from pipeline.names.language import name_languages
from pipeline.names.text import APOSTROPHES, segment_start, tokens_of


def _titled_function_words(table: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """Every function word of every language, capitalized (``Of``, ``De``, ``D``)."""
    return frozenset(
        w.rstrip(APOSTROPHES)[:1].upper() + w.rstrip(APOSTROPHES)[1:]
        for words in table.values()
        for w in words
    )


class _Patterns:
    """Capitalized function words by set of languages, built once per function-word table."""

    def __init__(self, table: Mapping[str, frozenset[str]]) -> None:
        self.table = table
        self.titled = _titled_function_words(table)
        self.by_languages: dict[frozenset[str], re.Pattern[str] | None] = {}

    def pattern(self, languages: frozenset[str]) -> re.Pattern[str] | None:
        if languages not in self.by_languages:
            self.by_languages[languages] = _function_word_pattern(self.table, languages)
        return self.by_languages[languages]


def _function_word_pattern(
    table: Mapping[str, frozenset[str]], languages: frozenset[str]
) -> re.Pattern[str] | None:
    """Capitalized function words of these languages, as whole tokens (elided ones before
    an apostrophe)."""
    words: set[str] = set()
    for lang in languages:
        words |= table.get(lang, frozenset())
    plain = sorted(w for w in words if w[-1:] not in APOSTROPHES and len(w) > 1)
    elided = sorted(w[:-1] for w in words if w[-1:] in APOSTROPHES)
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
    resources = resources_of(ctx)
    patterns = resources.derived("casing", lambda r: _Patterns(r.function_words))
    if patterns.titled.isdisjoint(tokens_of(text)):
        return text
    pattern = patterns.pattern(name_languages(text, resources.vocabulary))
    if pattern is None:
        return text
    protected = ctx.protected if ctx else frozenset()

    def repl(match: re.Match[str]) -> str:
        token = match.group()
        if token in protected or segment_start(match.string, match.start()):
            return token
        return token.lower()

    return pattern.sub(repl, text)
