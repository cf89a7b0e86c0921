"""Displayed text of a cell or line: invisible and control characters out, whitespace collapsed.

Zero-width characters, bidirectional overrides, C0/C1 controls and terminal escape sequences
change what a name is (for sorting, joining, searching) without changing what it looks like,
and escapes reach a terminal that prints the CSV. They are removed here, before anything else
reads the text; the parser records every removal as a correction of its record.
"""

from __future__ import annotations

import re

__all__ = ["collapse_spaces", "mark_invisible", "strip_invisible"]

FIXER = "strip_invisible"  # the name removals are recorded under in corrections.csv

_INVISIBLE = re.compile(
    # Terminal escapes as a whole (the bytes after ESC would otherwise be left as text):
    # CSI "ESC [ … final", OSC "ESC ] … BEL|ST", 8-bit CSI, two-character escapes.
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]?"
    # C0 controls but tab and line ends, DEL, C1 controls.
    r"|[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]"
    # Format characters: soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width
    # space/joiners, LRM/RLM, bidi embeddings, overrides and isolates, word joiner and invisible
    # operators, deprecated format controls, BOM/ZWNBSP, interlinear annotation, tag characters.
    r"|[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    r"\ufff9-\ufffb\U000e0000-\U000e007f]"
)


def strip_invisible(text: str) -> str:
    """Remove invisible and control characters and terminal escape sequences.

    Changes: zero-width characters, bidi marks and overrides, C0/C1 controls (not tab or line
    ends, which are whitespace), soft hyphens, BOMs, tag characters, ``ESC [ … m`` sequences.
    Leaves alone: every visible character, spaces of every kind, accents and combining marks,
    emoji variation selectors.

    >>> strip_invisible("Mahidol\\u200b University\\u202e")
    'Mahidol University'
    >>> strip_invisible("\\x1b[31mRed\\x1b[0m Univ\\u00adersity")
    'Red University'
    >>> strip_invisible("Université\\u00a0de Lyon")
    'Université\\xa0de Lyon'
    """
    if text.isprintable():  # the common case: nothing to look for
        return text
    return _INVISIBLE.sub("", text)


def mark_invisible(text: str) -> str:
    """The text with every removed character written as ``<U+XXXX>``, for the audit trail
    (which must not carry the characters themselves into out/).

    >>> mark_invisible("Mahidol\\u200bUniversity")
    'Mahidol<U+200B>University'
    >>> mark_invisible("\\x1b[1mBold")
    '<U+001B>[1mBold'
    """
    return _INVISIBLE.sub(
        lambda m: "".join(
            f"<U+{ord(ch):04X}>" if not ch.isprintable() else ch for ch in m.group(0)
        ),
        text,
    )


def collapse_spaces(text: str) -> str:
    """Collapse every run of whitespace (NBSP, en spaces, newlines) into one space.

    >>> collapse_spaces("  College of IT Engineering,\\u00a0\\u2002Kyungpook  ")
    'College of IT Engineering, Kyungpook'
    """
    return " ".join(text.split())
