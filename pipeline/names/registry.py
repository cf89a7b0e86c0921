"""The fixer registry: the one place that states which fixers run, in which order.

:data:`REGISTRY` lists them; :meth:`FixerRegistry.apply` runs them and records a
:class:`~pipeline.names.records.Change` for every difference a fixer makes, so replaying the
changes (:func:`~pipeline.names.records.replay_changes`) rebuilds the clean text from the raw
one. :func:`fixer_list` renders the list for the README.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from pipeline.names.context import PageContext
from pipeline.names.fixers.accents import restore_accents
from pipeline.names.fixers.casing import fix_function_word_case
from pipeline.names.fixers.invisible import remove_invisible
from pipeline.names.fixers.overrides import apply_overrides
from pipeline.names.fixers.punctuation import fix_punctuation
from pipeline.names.fixers.spelling import fix_spelling
from pipeline.names.fixers.system_comma import fix_system_comma
from pipeline.names.fixers.unicode import fix_unicode
from pipeline.names.records import Change, describe_changes
from pipeline.names.text import fold

FixerFunc = Callable[[str, "PageContext | None"], str]


def spelling_confidence(before: str, after: str) -> float:
    """0.9 for one edit, 0.8 for two (accents ignored), never below 0.5."""
    return max(0.5, 1.0 - 0.1 * OSA.distance(fold(before), fold(after)))


@dataclass(frozen=True)
class Fixer:
    """A named fixer; ``confidence(before, after)`` rates each change (default 1.0).

    ``page_aware``: it uses the page's other names as evidence when it is given them.
    """

    name: str
    func: FixerFunc
    confidence: Callable[[str, str], float] | None = None
    page_aware: bool = False

    @property
    def summary(self) -> str:
        """The first line of the fixer's docstring: what it changes."""
        return (self.func.__doc__ or "").strip().splitlines()[0]


#: Passes of the whole chain at most: a second pass settles what the first made clear; a
#: third finds nothing left in practice and bounds the work.
MAX_PASSES = 3


class FixerRegistry:
    """Fixers in a fixed order; :meth:`apply` runs them and records what each changed."""

    def __init__(self, fixers: Iterable[Fixer]) -> None:
        self.fixers = tuple(fixers)
        names = [f.name for f in self.fixers]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate fixer names in {names}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fixers)

    def only(self, names: Iterable[str]) -> FixerRegistry:
        """The same order, keeping only the fixers called ``names``."""
        wanted = set(names)
        return FixerRegistry(f for f in self.fixers if f.name in wanted)

    def apply(
        self,
        text: str,
        ctx: PageContext | None = None,
        known: Mapping[str, tuple[str, str]] | None = None,
    ) -> tuple[str, tuple[Change, ...]]:
        """Run every fixer in order, again while a pass still changes something (a later
        fixer can settle what an earlier one reads: an accent given back makes a name
        French, and so decides a spelling), at most :data:`MAX_PASSES` times; return the
        result and the changes, in order.

        ``known``: fixer name -> (a text, what that fixer makes of it), already computed by
        the caller; used when the fixer is handed that very text.

        >>> REGISTRY.apply("Univesité Toulouse Ⅲ- Paul Sabatier")[0]
        'Université Toulouse III - Paul Sabatier'
        """
        changes: list[Change] = []
        # What each fixer was last given and gave back: a fixer is a pure function of the
        # text (and the context), so a later pass that hands it the same text reuses it.
        last = dict(known or ())
        for _ in range(MAX_PASSES):
            before = text
            for fixer in self.fixers:
                seen = last.get(fixer.name)
                if seen is not None and seen[0] == text:
                    fixed = seen[1]
                else:
                    fixed = fixer.func(text, ctx)
                    last[fixer.name] = (text, fixed)
                if fixed != text:
                    changes.extend(describe_changes(fixer.name, text, fixed, fixer.confidence))
                    text = fixed
            if text == before:
                break
        return text, tuple(changes)


#: Every fixer, in the order they run. Why this order: spelling runs before accents and
#: casing because the language of a name is read from its vocabulary words
#: (``Univrsity Of X`` is English only once ``University`` is spelled right); overrides run
#: last, and the words they match are protected from spelling, accents and casing, so an
#: override always wins.
REGISTRY = FixerRegistry(
    (
        Fixer("invisible", remove_invisible),
        Fixer("unicode", fix_unicode),
        Fixer("punctuation", fix_punctuation),
        Fixer("spelling", fix_spelling, spelling_confidence, page_aware=True),
        Fixer("accents", restore_accents, page_aware=True),
        Fixer("casing", fix_function_word_case),
        Fixer("system_comma", fix_system_comma, page_aware=True),
        Fixer("override", apply_overrides),
    )
)


def fixer_list(registry: FixerRegistry = REGISTRY) -> str:
    """The fixers as a numbered Markdown list, for the README.

    >>> print(fixer_list().splitlines()[0])
    1. `invisible`: Remove invisible and control characters: they never reach out/.
    """
    lines = []
    for number, fixer in enumerate(registry.fixers, 1):
        page = " (uses the page's other names)" if fixer.page_aware else ""
        lines.append(f"{number}. `{fixer.name}`{page}: {fixer.summary}")
    return "\n".join(lines)
