"""Expected failures: each carries one short message for people and a hint on what to do.

The CLI prints ``str(error)`` on stderr and exits with ``error.exit_code``;
no traceback is shown for these.
"""

from __future__ import annotations

import re

LINE_LIMIT = 290  # characters of problem and hint together: with "error: ", about 300
HINT_LIMIT = 110
_WORD_LIMIT = 90  # a sha256 fits; a longer path keeps its end (the file name)
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def elide(value: object, limit: int = 60) -> str:
    """``str(value)`` on one line and at most ``limit`` characters, so a page's 5 MB cell gives
    a short message: a long word (a value without spaces) loses its middle, then a text still
    too long loses its end.

    >>> elide("Hanbat National University")
    'Hanbat National University'
    >>> elide("x" * 5_000_000, 30)
    'xxx…(4,999,991 more)…xxxxxx'
    >>> elide("the page says 96 institutions but lists 97", 30)
    'the page says 96 institutions…'
    """
    text = _UNPRINTABLE.sub(" ", str(value))
    if len(text) <= limit:
        return text
    word_limit = min(limit, _WORD_LIMIT)
    text = " ".join(_elide_middle(word, word_limit) for word in text.split(" "))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _elide_middle(word: str, limit: int) -> str:
    if len(word) <= limit:
        return word
    head = max(limit - 20, 3) // 3
    tail = 2 * head
    return f"{word[:head]}…({len(word) - head - tail:,} more)…{word[-tail:]}"


class PipelineError(Exception):
    """A failure the user can act on (bad input, unreachable page, broken contract)."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        # Always one short line, whatever values the message carries.
        hint = elide(self.hint, HINT_LIMIT) if self.hint else ""
        message = elide(self.message, LINE_LIMIT - len(hint) - 3)
        return f"{message} — {hint}" if hint else message


class SnapshotError(PipelineError):
    """A snapshot in raw/ is missing, unreadable or does not match its recorded hash."""


class ParseError(PipelineError):
    """The page does not look like the partners list (no tables, cut off, not HTML)."""


class ValidationFailed(PipelineError):
    """The built table breaks the contract in schemas/; details are in validation_errors.csv."""


class FetchError(PipelineError):
    """The page could not be downloaded (network, HTTP status, size, content type)."""


class Unreachable(FetchError):
    """The site could not be reached at all; a refresh may fall back to the stored snapshot."""


class OutputError(PipelineError):
    """The output directory cannot be written (full disk, read-only, permissions, a file)."""


class StoreError(PipelineError):
    """raw/ cannot be written or read (full disk, read-only, permissions)."""


class UsageError(PipelineError):
    """The options contradict each other (e.g. --raw-dir and --out name one directory)."""


class LockHeld(PipelineError):
    """Another refresh or build holds the lock on raw/ and out/."""
