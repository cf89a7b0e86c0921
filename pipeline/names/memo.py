"""Answers remembered while one page's names are cleaned, dropped with its cleaner.

The names of a page share most of their words, so the fixers ask the same questions again
and again: the languages of the same other words, the fate of the same unknown token beside
the same neighbours. A :class:`PageMemo` remembers each answer for one
:class:`~pipeline.names.cleaner.NameCleaner`. It holds one entry per distinct question, never
evicts (an evicting cache thrashes once a large page has more distinct names than it holds),
and is freed with the cleaner, so it grows with the page and no further.

Only answers that depend on nothing but their key and what is constant for the cleaner (its
resources, its overrides, the page's evidence) are remembered, so a remembered answer is
always the one a fresh computation would give.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any


class PageMemo:
    """Tables of remembered answers, one per kind of question.

    >>> memo = PageMemo()
    >>> memo.recall("square", 3, lambda: 3 * 3), memo.recall("square", 3, lambda: 0)
    (9, 9)
    """

    __slots__ = ("tables",)

    def __init__(self) -> None:
        self.tables: dict[str, dict[Hashable, Any]] = {}

    def table(self, kind: str) -> dict[Hashable, Any]:
        """The table of one kind of question (created empty on first use)."""
        found = self.tables.get(kind)
        if found is None:
            found = self.tables[kind] = {}
        return found

    def recall(self, kind: str, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The answer remembered for ``key``, else ``compute()``, remembered."""
        table = self.table(kind)
        try:
            return table[key]
        except KeyError:
            answer = table[key] = compute()
            return answer

    def share(self, other: PageMemo, kinds: tuple[str, ...]) -> None:
        """Use ``other``'s tables for ``kinds``: questions whose answers do not depend on the
        page (a name's languages), asked by two cleaners of the same resources."""
        for kind in kinds:
            self.tables[kind] = other.table(kind)
