"""The parser's results (records and what the page states) and the limits it works within.

Limits are per page, not per table or per element, so a page of any shape under the fetch
cap (10 MB) is parsed, or refused, in bounded time and memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pipeline.errors import ParseError


@dataclass(frozen=True)
class RawRecord:
    """One institution row of a partners table, text as displayed (``<br>`` → space)."""

    region: str | None
    country: str
    agreement_type: str
    name: str
    initial_date: str
    expiration: str
    table: int  # index among the page's partner tables, in page order
    row: int  # 0-based position among all records of the page
    # Invisible or control characters removed from this record's cells, as (column, before,
    # after); ``before`` shows each removed character as <U+XXXX>.
    cleaned: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Notice:
    """Something about the page worth a person's look that does not stop the build."""

    check: str
    message: str
    value: str = ""


@dataclass(frozen=True)
class ParsedPage:
    """Everything the page states about itself, plus its records."""

    records: tuple[RawRecord, ...]
    stated_institutions: int | None
    stated_countries: int | None
    as_of: date | None
    legend: dict[str, str]
    region_counts: dict[str, int]
    encoding: str

    warnings: tuple[Notice, ...] = ()


# --- limits (per page) -----------------------------------------------------------------------
MAX_PAGE_BYTES = 64 * 1024 * 1024  # the real page is ~25 kB; anything this big is not it
MAX_COLSPAN = 1000  # the HTML standard's own clamp
MAX_PAGE_CELLS = 1_000_000  # cells of all tables together, after span expansion
MAX_DEPTH = 1000  # element nesting; the real page is ~15 deep
SNIFF_BYTES = 16 * 1024  # where <meta charset> and binary signatures are looked for


def too_many_cells() -> ParseError:
    """The failure for a page whose tables pass ``MAX_PAGE_CELLS``."""
    return ParseError(
        f"the page's tables hold more than {MAX_PAGE_CELLS:,} cells once spans are expanded",
        "absurd rowspan/colspan values or a huge page; it is not the partners list",
    )
