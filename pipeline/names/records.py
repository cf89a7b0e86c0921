"""Change records: what a fixer changed (before, after, which rule), and how to replay them."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    """One difference a fixer made: ``before`` became ``after`` (first occurrence)."""

    fixer: str
    before: str
    after: str
    confidence: float


@dataclass(frozen=True)
class Suggestion:
    """A token left alone that a person may want to look at."""

    token: str
    candidates: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Override:
    """A curated replacement: a whole name (``scope="name"``) or a phrase inside names."""

    match: str
    replacement: str
    scope: str
    reason: str


_DIFF_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")


def describe_changes(
    fixer: str, before: str, after: str, rate: Callable[[str, str], float] | None = None
) -> tuple[Change, ...]:
    """The changes turning ``before`` into ``after``, as small whole-word fragments.

    Each change replaces the first occurrence of its ``before`` in the text as it stands
    after the previous changes; fragments grow to the left until that holds. If the
    fragments would not rebuild ``after`` exactly, one change of the whole text is given.

    >>> describe_changes("punctuation", "Caen(ENSICAEN)", "Caen (ENSICAEN)")
    (Change(fixer='punctuation', before='Caen(', after='Caen (', confidence=1.0),)
    """
    # Longer than most functions: one pass over the differing fragments, each placed where
    # the previous one left the text; split up, the shared positions would have to be threaded.
    if before == after:
        return ()
    rate = rate or (lambda _b, _a: 1.0)
    a = _DIFF_TOKENS.findall(before)
    b = _DIFF_TOKENS.findall(after)
    # Compare only the middle that differs: fixers usually touch one or two tokens.
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    if len(a) - tail - head <= 3 and len(b) - tail - head <= 3:
        opcodes = [("replace", head, len(a) - tail, head, len(b) - tail)]
    else:
        matcher = difflib.SequenceMatcher(
            None, a[head : len(a) - tail], b[head : len(b) - tail], autojunk=False
        )
        opcodes = [
            (tag, i1 + head, i2 + head, j1 + head, j2 + head)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes()
            if tag != "equal"
        ]
    changes = []
    current = before
    for _tag, i1, i2, j1, j2 in opcodes:
        # Grow a fragment made of spaces or punctuation only to the neighbouring words.
        left = j1
        right_a, right_b = i2, j2
        if not any(t[0].isalnum() or t[0] == "_" for t in a[i1:i2] + b[j1:j2]):
            if left > 0:
                left -= 1
            if right_a < len(a) and right_b < len(b) and a[right_a] == b[right_b]:
                right_a, right_b = right_a + 1, right_b + 1
        elif (
            i2 - i1 == 1
            and len(a[i1]) <= 3
            and right_a + 1 < len(a)
            and a[right_a].isspace()
            and a[right_a : right_a + 2] == b[right_b : right_b + 2]
        ):
            # A short word alone says little to a reviewer: show the next word too
            # ("San Paulo" -> "São Paulo" rather than "San" -> "São").
            right_a, right_b = right_a + 2, right_b + 2
        start = len("".join(b[:left]))
        while True:
            frag_before = "".join(b[left:j1]) + "".join(a[i1:right_a])
            if current.find(frag_before) == start or left == 0:
                break
            left -= 1
            start = len("".join(b[:left]))
        frag_after = "".join(b[left:right_b])
        changes.append(Change(fixer, frag_before, frag_after, rate(frag_before, frag_after)))
        current = current[:start] + frag_after + current[start + len(frag_before) :]
    if current != after or replay_changes(before, changes) != after:
        return (Change(fixer, before, after, rate(before, after)),)
    return tuple(changes)


def replay_changes(text: str, changes: Iterable[Change]) -> str:
    """Apply recorded changes in order: each replaces the first occurrence of its ``before``.

    >>> change = Change("spelling", "Univetsitas", "Universitas", 0.9)
    >>> replay_changes("Univetsitas Hasanuddin", [change])
    'Universitas Hasanuddin'
    """
    for change in changes:
        text = text.replace(change.before, change.after, 1)
    return text
