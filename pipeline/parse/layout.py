"""Which tables are partner tables, and which of their rows and columns hold what.

Partner tables are recognised by what they contain (a column of agreement-type codes next to
columns of dates), never by position or CSS class, so layout and navigation tables are ignored.
A header row, when there is one, says which column is which.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from pipeline.parse.facts import region_label
from pipeline.parse.model import MAX_COLSPAN, too_many_cells
from pipeline.parse.scan import Cell, Row, Table

__all__ = ["DATE", "Layout", "distinct_cells", "expand_spans", "infer_layout"]

DATE = re.compile(r"(?<!\d)\d{4}\s*[./\-]\s*\d{1,2}\s*[./\-]\s*\d{1,2}(?!\d)")
# Agreement-type codes: "I", "IS", "BS", "MS"; tolerate "I/IS" and a footnote star.
_CODE = re.compile(r"^[A-Z]{1,5}(?:\s*[/,&・]\s*[A-Z]{1,5})*\*?$")
_HEADER_WORDS = re.compile(
    r"country|region|agreement|type|institution|partner|date|initial|expir", re.IGNORECASE
)


# --- tables ----------------------------------------------------------------------------------
def expand_spans(rows: Sequence[Row], budget: int) -> list[list[Cell | None]]:
    """Expand rowspan/colspan into a full grid; a spanning cell fills every slot it covers.

    Spans are clamped: rowspan to the rows that remain (0 means all of them), colspan to
    ``MAX_COLSPAN``. Slots no cell covers are None. ``budget`` is how many slots the page's
    tables may still take (the limit is per page, so many tables cannot add up to hours of
    work); going over it is a ``ParseError`` raised before the work is done.
    """
    grid: list[list[Cell | None]] = []
    pending: dict[int, tuple[int, Cell]] = {}  # column -> (rows below still covered, cell)
    total = 0
    for r, row in enumerate(rows):
        slots: dict[int, Cell]
        if pending:
            slots = {c: cell for c, (_, cell) in pending.items()}
            pending = {c: (n - 1, cell) for c, (n, cell) in pending.items() if n > 1}
        else:
            slots = {}
        remaining = len(rows) - r
        spans = [1 if cell.colspan == 1 else min(max(cell.colspan, 1), MAX_COLSPAN)
                 for cell in row.cells]
        total += len(slots) + sum(spans)
        if total > budget:
            raise too_many_cells()
        col = 0
        for cell, colspan in zip(row.cells, spans, strict=True):
            while col in slots:
                col += 1
            rowspan = cell.rowspan
            if rowspan != 1:
                rowspan = remaining if rowspan == 0 else min(max(rowspan, 1), remaining)
            cell.row0, cell.col0 = r, col
            for c in range(col, col + colspan):
                slots[c] = cell
                if rowspan > 1:
                    pending[c] = (rowspan - 1, cell)
            col += colspan
        width = max(slots) + 1 if slots else 0
        total += width - len(slots)  # slots no cell covers are cells of the grid too
        if total > budget:
            raise too_many_cells()
        grid.append([slots.get(c) for c in range(width)])
    return grid


@dataclass(frozen=True)
class Layout:
    """What each row and column of a partner table means."""

    grid: list[list[Cell | None]]
    kinds: list[str]  # per row: "data", "header", "region", "skip"
    country: int | None
    agreement_type: int
    name: int
    initial: int
    expiration: int | None
    region: int | None  # a column of region names, if the table has one


class _Column(NamedTuple):
    """What the record cells of one column look like."""

    filled: int  # non-empty values
    codes: float  # share that are agreement-type codes
    dates: float  # share that hold a date
    in_legend: int  # values that are codes named in the page's legend
    mean_length: float


def _column(values: list[str], legend_codes: frozenset[str]) -> _Column:
    n = len(values) or 1
    return _Column(
        filled=len(values),
        codes=sum(1 for v in values if _CODE.match(v) or v in legend_codes) / n,
        dates=sum(1 for v in values if DATE.search(v)) / n,
        in_legend=sum(1 for v in values if v in legend_codes),
        mean_length=sum(len(v) for v in values) / n,
    )


def infer_layout(
    table: Table, grid: list[list[Cell | None]], legend_codes: frozenset[str]
) -> Layout | None:
    """Decide whether a table is a partners table and which column holds what; else None.

    Content decides whether it is one (a column mostly of codes, columns mostly of dates);
    the header, when there is one, decides which column is which.
    """
    kinds = [_row_kind(grid, r, table.rows[r].in_thead) for r in range(len(grid))]
    data_rows = [grid[r] for r, kind in enumerate(kinds) if kind == "data"]
    if not data_rows:
        return None
    width = max(len(row) for row in grid)
    columns = [
        _column(
            [t for row in data_rows if c < len(row) and row[c] and (t := row[c].text)],
            legend_codes,
        )
        for c in range(width)
    ]
    codes = [c for c, col in enumerate(columns) if col.filled and col.codes >= 0.6]
    dates = [
        c for c, col in enumerate(columns) if col.filled and col.dates >= 0.5 and c not in codes
    ]
    roles = _header_roles(grid, kinds, width)
    # Agreements have a start and an end: two date columns, unless the header vouches for
    # the table. One date column next to a code is also what a news list looks like.
    vouched = "type" in roles and "institution" in roles
    if not codes or not dates or (len(dates) < 2 and not vouched):
        return None

    type_col = roles.get("type")
    if type_col not in codes:
        # Legend codes first, then the shortest values ("I" beats a country "USA"), leftmost.
        type_col = min(codes, key=lambda c: (-columns[c].in_legend, columns[c].mean_length, c))
    initial = roles.get("initial")
    if initial is None or initial == type_col:
        initial = dates[0]
    expiration = roles.get("expiration")
    if expiration is None or expiration in (type_col, initial):
        later = [c for c in dates if c > initial]
        expiration = later[0] if later else None
    taken = {type_col, initial, expiration}
    free = [c for c in range(width) if c not in taken and columns[c].filled]
    name = roles.get("institution")
    if name is None or name in taken:
        if not free:
            return None
        name = max(free, key=lambda c: (columns[c].mean_length, -c))  # names are the longest
    taken.add(name)
    country = roles.get("country")
    if country is None or country in taken:
        left = [c for c in free if c not in taken and c < name]
        country = left[0] if left else None
    region = roles.get("region")
    if region in taken or region == country:
        region = None
    return Layout(grid, kinds, country, type_col, name, initial, expiration, region)


def _row_kind(grid: list[list[Cell | None]], r: int, in_thead: bool) -> str:
    """Classify a grid row: a record, a header, a region label inside the table, or neither."""
    row = grid[r]
    own = [cell for c, cell in enumerate(row) if cell and cell.row0 == r and cell.col0 == c]
    filled = [cell for cell in own if cell.text]
    if not filled:
        return "skip"  # an empty row, or one made only of cells spanning down from above
    if len(filled) == 1:
        cell = filled[0]
        others_blank = all(o is cell or o is None or not o.text for o in row)
        if others_blank and (cell.colspan > 1 or len(own) == 1):
            if region_label(cell.text, strict=cell.colspan <= 1) is not None:
                return "region"
            if cell.colspan > 1:
                return "skip"  # a note or title spanning the table, not a record
    if any(cell.text and DATE.search(cell.text) for cell in distinct_cells(row)):
        return "data"  # headers hold no dates (cells spanning from above count too)
    if in_thead or all(cell.header for cell in filled):
        return "header"
    if all(cell.bold and not cell.plain for cell in filled):
        return "header"
    if sum(1 for cell in filled if _HEADER_WORDS.search(cell.text)) >= 2:
        return "header"
    return "data"


def _header_roles(grid: list[list[Cell | None]], kinds: list[str], width: int) -> dict[str, int]:
    """Map roles (country, type, institution, initial, expiration, region) to columns by
    the text of the header rows above the first record."""
    labels = [""] * width
    for r, kind in enumerate(kinds):
        if kind == "data":
            break
        if kind != "header":
            continue
        for c, cell in enumerate(grid[r]):
            if cell is not None and cell.text and cell.text not in labels[c]:
                labels[c] = f"{labels[c]} {cell.text}".strip()
    roles: dict[str, int] = {}
    for c, label in enumerate(labels):
        role = _header_role(label)
        if role == "date":
            role = "initial" if "initial" not in roles else "expiration"
        if role is not None and role not in roles:
            roles[role] = c
    return roles


def _header_role(label: str) -> str | None:
    """What a header cell's text says its column holds.

    >>> [_header_role(x) for x in ("Country / region", "Agreement type", "Institution",
    ...  "Initial agreement date", "agreement expiration date", "Region", "Remarks")]
    ['country', 'type', 'institution', 'initial', 'expiration', 'region', None]
    """
    text = label.casefold()
    if not text:
        return None
    if "expir" in text or "until" in text or "end date" in text or "valid" in text:
        return "expiration"
    if "initial" in text or "conclu" in text or "signed" in text or "start" in text:
        return "initial"
    if "date" in text:
        return "date"
    if "country" in text or "nation" in text:
        return "country"
    if "type" in text or "level" in text:
        return "type"
    if "institution" in text or "partner" in text or "university" in text or "name" in text:
        return "institution"
    if text in ("region", "regions", "area", "continent"):
        return "region"
    if "region" in text:
        return "country"  # "Country or region" written without the word country is rare
    if "agreement" in text:
        return "type"
    return None


def distinct_cells(row: list[Cell | None]) -> list[Cell]:
    """The cells of a grid row, each once (a spanning cell fills several slots)."""
    return list({id(cell): cell for cell in row if cell is not None}.values())
