"""Expected failures: each carries one short message for people and a hint on what to do.

The CLI prints ``str(error)`` on stderr and exits with ``error.exit_code``;
no traceback is shown for these.
"""

from __future__ import annotations


class PipelineError(Exception):
    """A failure the user can act on (bad input, unreachable page, broken contract)."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


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
