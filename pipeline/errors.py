"""Expected failures: each carries one short message for people and a hint on what to do.

The CLI prints ``str(error)`` on stderr and exits with ``error.exit_code``;
no traceback is shown for these.
"""

from __future__ import annotations

MAX_LINE = 300  # an error line longer than this is elided in the middle


def elide(text: str, limit: int = 80) -> str:
    """``text`` on one line, at most ``limit`` characters, the middle replaced by "…".

    >>> elide("a" * 10, 7)
    'aaa…aaa'
    >>> elide("two\\nlines")
    'two lines'
    """
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]


class PipelineError(Exception):
    """A failure the user can act on (bad input, unreachable page, broken contract)."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        """One line of at most MAX_LINE characters, whatever the message holds."""
        line = f"{self.message} ({self.hint})" if self.hint else self.message
        return elide(line, MAX_LINE)


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
