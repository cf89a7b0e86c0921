"""The fixers, one family per module: each a pure ``fixer(text, ctx=None) -> str``.

The same text and context always give the same result, and a fixer applied twice changes
nothing the second time. ``ctx`` is an optional :class:`~pipeline.names.context.PageContext`;
without it a fixer uses only the curated data. The order they run in is stated once, in
:mod:`pipeline.names.registry`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pipeline.names.language import detect_languages

if TYPE_CHECKING:
    from pipeline.names.context import PageContext
    from pipeline.names.resources import Resources


#: Rounds of one fixer at most: a round settles what the one before made clear, and real
#: names need two or three; the bound only keeps a fixer from running on forever.
MAX_ROUNDS = 20


def until_stable(fix_once: Callable[[str, Any], str], text: str, ctx: Any = None) -> str:
    """Apply ``fix_once`` until it changes nothing, so a second call of the fixer has
    nothing left to do (a change can settle the language of a name and so decide another
    word).

    Two words that each argue for the other's change could turn a text back into one it
    was before (``Tanítási`` -> ``Tanításai`` -> ``Tanítási``): then the text where the
    cycle began is kept, so the fixer still ends, and applied to its own result changes
    nothing. :data:`MAX_ROUNDS` bounds the rounds in any case.

    >>> until_stable(lambda t, _ctx: t.replace("aa", "a"), "baaaad")
    'bad'
    >>> flip = {"ab": "ba", "ba": "ab"}
    >>> until_stable(lambda t, _ctx: flip.get(t, t), "ab")
    'ab'
    >>> until_stable(lambda t, _ctx: t + "a", "b") == "b" + "a" * MAX_ROUNDS
    True
    """
    fixed = fix_once(text, ctx)
    if fixed == text:  # most names: nothing to fix
        return text
    seen = {text}
    for _ in range(MAX_ROUNDS - 1):
        if fixed in seen:
            return fixed
        seen.add(fixed)
        text, fixed = fixed, fix_once(fixed, ctx)
        if fixed == text:
            return text
    return fixed


def name_languages_of(
    words: Sequence[str], resources: Resources, ctx: PageContext | None = None
) -> frozenset[str]:
    """:func:`~pipeline.names.language.detect_languages` of ``words``, remembered for the
    page (``ctx.memo``): the names of a page repeat the same words around each token.

    >>> from pipeline.names.resources import default_resources
    >>> sorted(name_languages_of(["Univerzitet", "Mediteran"], default_resources()))
    ['sh']
    """
    memo = ctx.memo if ctx is not None else None
    if memo is None:
        return detect_languages(words, resources)
    key = tuple(words)
    votes = memo.table("language_votes")
    return memo.recall("languages", key, lambda: detect_languages(key, resources, votes))
