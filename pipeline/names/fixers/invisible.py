"""The invisible fixer: zero-width, bidirectional and control characters, removed first."""

from __future__ import annotations

import re

from pipeline.names.context import PageContext

# Zero-width and joiner characters, the soft hyphen, bidirectional marks, embeddings,
# overrides and isolates, the byte-order mark, and every C0/C1 control except the
# whitespace ones (tab, line feed, carriage return: the unicode fixer makes them spaces).
INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
)


def remove_invisible(text: str, ctx: PageContext | None = None) -> str:
    """Remove invisible and control characters: they never reach out/.

    Changes: zero-width spaces and joiners, soft hyphens, bidirectional marks and
    overrides (U+202A-U+202E, U+2066-U+2069), the byte-order mark, C0 and C1 control
    characters. Leaves alone: every visible character, tabs and line breaks (whitespace).

    >>> remove_invisible("Univer\\u200bsity of\\u202e Tokyo\\x07")
    'University of Tokyo'
    >>> remove_invisible("Universität Wien")
    'Universität Wien'
    """
    if text.isprintable():  # every character INVISIBLE matches is unprintable
        return text
    return INVISIBLE.sub("", text)
