"""The fixers, one family per module: each a pure ``fixer(text, ctx=None) -> str``.

The same text and context always give the same result, and a fixer applied twice changes
nothing the second time. ``ctx`` is an optional :class:`~pipeline.names.context.PageContext`;
without it a fixer uses only the curated data. The order they run in is stated once, in
:mod:`pipeline.names.registry`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def until_stable(fix_once: Callable[[str, Any], str], text: str, ctx: Any = None) -> str:
    """Apply ``fix_once`` until it changes nothing, so a second call of the fixer has
    nothing left to do (a change can settle the language of a name and so decide another
    word). Each round must change at least one word for good, so this ends.

    >>> until_stable(lambda t, _ctx: t.replace("aa", "a"), "baaaad")
    'bad'
    """
    while True:
        fixed = fix_once(text, ctx)
        if fixed == text:
            return text
        text = fixed
