"""Partner tables → raw records, each with its region, checked against the page's structure.

A region comes from the heading above a table, its caption, or a label row inside it. What
the page's structure promises is checked rather than assumed: every counted region heading has
a table under it; every record row has exactly the cells of its table; no row is repeated;
no cell holds text lost in decoding (U+FFFD) or mojibake. Each failure names the row.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

from pipeline.errors import ParseError, elide
from pipeline.parse.facts import Heading, region_headings, region_label
from pipeline.parse.layout import Layout, distinct_cells
from pipeline.parse.model import RawRecord
from pipeline.parse.scan import Cell, Line, Table

__all__ = ["build_records"]

# UTF-8 read as windows-1252/Latin-1: a lead byte (Â…ô) then a continuation byte (U+0080–U+00BF
# or the windows-1252 characters at 0x80–0x9F). Only text with such a pair is looked at again.
_MOJIBAKE_PAIR = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
    "\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122]"
)


class _Label(NamedTuple):
    """A table's region label from its caption."""

    name: str
    count: int | None


class _Place(NamedTuple):
    """Where a record's row is, for messages: 1-based partner table and row of its grid."""

    table: int
    row: int

    def __str__(self) -> str:
        return f"partner table {self.table}, row {self.row}"


def build_records(
    partners: list[tuple[Table, Layout]], lines: list[Line]
) -> tuple[list[RawRecord], dict[str, int]]:
    """Turn partner tables into records, with regions from headings or in-table labels, and
    the count each region heading states."""
    records: list[RawRecord] = []
    places: list[_Place] = []
    counts: dict[str, int] = {}
    unused: list[Heading] = []  # counted headings that label no table (yet)
    previous_end = 0
    for index, (table, layout) in enumerate(partners):
        # The nearest heading labels the table; counted ones before it label nothing (before
        # the first table, only known region names count: a contents list may come first).
        headings = region_headings(lines, previous_end, table.start)
        caption = region_label(table.caption, False) if table.caption else None
        heading = _Label(*caption) if caption else (headings.pop() if headings else None)
        unused += [h for h in headings if h.count is not None and (index or h.known)]
        previous_end = max(previous_end, table.end)
        if heading is not None and heading.count is not None:
            counts[heading.name] = counts.get(heading.name, 0) + heading.count
        region = heading.name if heading is not None else None
        width = _row_width(layout)
        for r, (row, kind) in enumerate(zip(layout.grid, layout.kinds, strict=True)):
            if kind == "region":
                label = next(cell.text for cell in row if cell is not None and cell.text)
                name, count = region_label(label, False) or (label, None)
                region = name
                if count is not None:
                    counts[name] = counts.get(name, 0) + count
            elif kind == "data":
                place = _Place(index + 1, r + 1)
                _check_cells(row, width, place)
                records.append(_record(row, layout, region, index, len(records)))
                places.append(place)
    unused += [h for h in region_headings(lines, previous_end, len(lines))
               if h.count is not None and h.known]
    _check_headings(unused, records)
    _check_repeats(records, places)
    _check_decoded(records, places)
    return records, counts


def _record(row: list[Cell | None], layout: Layout, region: str | None, table: int,
            number: int) -> RawRecord:
    """The record of one grid row; cells cleaned of invisible characters say so."""
    cells = {
        column: row[col] if col is not None and col < len(row) else None
        for column, col in (
            ("region", layout.region), ("country", layout.country),
            ("agreement_type", layout.agreement_type), ("name_raw", layout.name),
            ("initial_date", layout.initial), ("expiration_date", layout.expiration),
        )
    }  # fmt: skip
    text = {column: cell.text if cell is not None else "" for column, cell in cells.items()}
    return RawRecord(
        region=text["region"] or region,
        country=text["country"],
        agreement_type=text["agreement_type"],
        name=text["name_raw"],
        initial_date=text["initial_date"],
        expiration=text["expiration_date"],
        table=table,
        row=number,
        cleaned=tuple(
            (column, cell.removed, cell.text)
            for column, cell in cells.items()
            if cell is not None and cell.removed
        ),
    )


# --- the table's own structure ---------------------------------------------------------------
def _row_width(layout: Layout) -> int:
    """How many cells a record row of this table has: at least every column the layout reads,
    and as many as most record rows have beyond that (ties go to the narrower: a stray cell is
    the exception). Trailing empty cells (a stray ``<td></td>``, a column only the header
    names) do not count."""
    columns = (layout.country, layout.agreement_type, layout.name, layout.initial,
               layout.expiration, layout.region)
    needed = 1 + max(c for c in columns if c is not None)
    widths = Counter(
        max(_used_width(row), needed)
        for row, kind in zip(layout.grid, layout.kinds, strict=True)
        if kind == "data"
    )
    return max(widths.items(), key=lambda item: (item[1], -item[0]))[0] if widths else needed


def _used_width(row: list[Cell | None]) -> int:
    """Grid slots up to the last one holding text."""
    for c in range(len(row) - 1, -1, -1):
        if row[c] is not None and row[c].text:
            return c + 1
    return 0


def _check_cells(row: list[Cell | None], width: int, place: _Place) -> None:
    """A row with fewer cells than its table (cut off, or a cell lost) or more (a stray cell
    that shifts the others) fails, naming that row."""
    present = sum(1 for c in range(min(width, len(row))) if row[c] is not None)
    used = _used_width(row)
    if present == width and used <= width:
        return
    shown = elide(" | ".join(cell.text for cell in distinct_cells(row) if cell.text), 80)
    if used > width:
        raise ParseError(
            f"{place} has {used} cells, more than the {width} of its table ({shown!r})",
            "a stray cell shifts the row's values; the row is malformed",
        )
    raise ParseError(
        f"{place} has {present} of {width} cells ({shown!r})",
        "the page looks cut off or the row is malformed; fetch it again",
    )


def _check_headings(unused: list[Heading], records: list[RawRecord]) -> None:
    """A region heading that states a count must have a table of partners under it (the
    page's totals may have been restated without it)."""
    listed = {record.region for record in records}
    for heading in unused:
        if heading.name not in listed:
            raise ParseError(
                f"region heading {elide(heading.text, 60)!r} has no partner table under it",
                "a table is missing from the page; fetch it again or check the page",
            )


def _check_repeats(records: list[RawRecord], places: list[_Place]) -> None:
    """An exact repeat of a row (every cell the same) is a copy, never a second partner."""
    first: dict[tuple, _Place] = {}
    for record, place in zip(records, places, strict=True):
        key = (record.region, record.country, record.agreement_type, record.name,
               record.initial_date, record.expiration)
        if key in first:
            raise ParseError(
                f"{place} repeats {first[key]} exactly ({elide(record.name, 80)!r})",
                "a row was duplicated on the page; it is listed once in the data",
            )
        first[key] = place


def _check_decoded(records: list[RawRecord], places: list[_Place]) -> None:
    """No cell holds U+FFFD (a character lost in decoding) or mojibake (UTF-8 read in another
    charset, as "Ã‰cole"): such text would be wrong in every output."""
    every_cell = "\n".join(  # one look at all of them first: nearly every page is clean
        text for record in records
        for text in (record.country, record.name, record.agreement_type, record.initial_date,
                     record.expiration, record.region or ""))
    if "\ufffd" not in every_cell and not _MOJIBAKE_PAIR.search(every_cell):
        return
    for record, place in zip(records, places, strict=True):
        for column, text in (("country", record.country), ("name", record.name),
                             ("agreement type", record.agreement_type),
                             ("initial date", record.initial_date),
                             ("expiration", record.expiration), ("region", record.region or "")):
            if "\ufffd" in text:
                problem = "a character lost in decoding (U+FFFD)"
            elif _MOJIBAKE_PAIR.search(text) and _is_mojibake(text):
                problem = "mojibake (UTF-8 read in another charset)"
            else:
                continue
            raise ParseError(
                f"{place}: the {column} {elide(text, 80)!r} holds {problem}",
                "the page's bytes do not match its charset; check the page's encoding",
            )


def _is_mojibake(text: str) -> bool:
    from ftfy.badness import is_bad  # only for the rare text with a suspicious pair

    return is_bad(text)
