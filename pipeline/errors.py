"""Expected failures: each carries one short message for people and a hint on what to do.

The CLI prints ``str(error)`` on stderr and exits with ``error.exit_code``;
no traceback is shown for these.
"""

from __future__ import annotations

import re

MESSAGE_LIMIT = 160  # characters of the problem, and of the hint, that an error line shows
HINT_LIMIT = 130  # (a path to a report must stay readable); with "error: " about 300 in all
_WORD_LIMIT = 80  # a path or an identifier usually fits
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def elide(value: object, limit: int = 60) -> str:
    """``str(value)`` on one line and at most ``limit`` characters, so a page's 5 MB cell gives
    a short message: a long word (a value without spaces) loses its middle, then a text still
    too long loses its end.

    >>> elide("Hanbat National University")
    'Hanbat National University'
    >>> elide("x" * 5_000_000, 30)
    'xxxxx…(4,999,990 more)…xxxxx'
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
    keep = max(limit - 20, 2) // 2
    return f"{word[:keep]}…({len(word) - 2 * keep:,} more)…{word[-keep:]}"


class PipelineError(Exception):
    """A failure the user can act on (bad input, unreachable page, broken contract)."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        # Always one short line, whatever values the message carries.
        message = elide(self.message, MESSAGE_LIMIT)
        return f"{message} ({elide(self.hint, HINT_LIMIT)})" if self.hint else message


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


class LockHeld(PipelineError):
    """Another refresh or build holds the lock on raw/ and out/."""


class OutputError(PipelineError):
    """The output directory cannot be written (full disk, read-only, permissions, a file)."""


class StoreError(PipelineError):
    """raw/ cannot be written or read (full disk, read-only, permissions)."""


class UsageError(PipelineError):
    """The options contradict each other (e.g. --raw-dir and --out name one directory)."""
