"""The override fixer: curated replacements from ``name_overrides.csv``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from pipeline.names.context import PageContext, resources_of
from pipeline.names.records import Override
from pipeline.names.text import TOKEN_RE


@lru_cache(maxsize=1024)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)")


def override_tokens(text: str, overrides: Iterable[Override]) -> frozenset[str]:
    """Tokens of override phrases (as matched or as replaced) found in ``text``.

    Spelling, accents and casing must not touch them: an override always wins, and a name
    it produced is left as it is when cleaned again.
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
    overrides = ctx.overrides if ctx and ctx.overrides is not None else resources_of(ctx).overrides
    for override in overrides:
        if override.match not in text:
            continue
        if override.scope == "name":
            if text == override.match:
                text = override.replacement
        else:
            text = _phrase_pattern(override.match).sub(lambda _m, r=override.replacement: r, text)
    return text
