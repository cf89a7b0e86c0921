"""Displayed text of a cell or line: whitespace collapsed."""

from __future__ import annotations

__all__ = ["collapse_spaces"]


def collapse_spaces(text: str) -> str:
    """Collapse every run of whitespace (NBSP, en spaces, newlines) into one space.

    >>> collapse_spaces("  College of IT Engineering,\\u00a0\\u2002Kyungpook  ")
    'College of IT Engineering, Kyungpook'
    """
    return " ".join(text.split())
