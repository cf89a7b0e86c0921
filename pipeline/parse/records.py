"""Partner tables → raw records, each with its region (from a heading, a caption or a label row
inside the table), checking that every record row has the cells its table has."""

from __future__ import annotations

from pipeline.errors import ParseError
from pipeline.parse.facts import heading_before, region_label
from pipeline.parse.layout import Layout, distinct_cells
from pipeline.parse.model import RawRecord
from pipeline.parse.scan import Cell, Line, Table

__all__ = ["build_records"]


def build_records(
    partners: list[tuple[Table, Layout]], lines: list[Line]
) -> tuple[list[RawRecord], dict[str, int]]:
    """Turn partner tables into records, with regions from headings or in-table labels."""
    records: list[RawRecord] = []
    counts: dict[str, int] = {}
    previous_end = 0
    for index, (table, layout) in enumerate(partners):
        heading = region_label(table.caption, False) if table.caption else None
        if heading is None:
            heading = heading_before(lines, previous_end, table.start)
        previous_end = max(previous_end, table.end)
        if heading is not None and heading[1] is not None:
            counts[heading[0]] = counts.get(heading[0], 0) + heading[1]
        region = heading[0] if heading is not None else None
        width = _data_width(layout)
        for r, (row, kind) in enumerate(zip(layout.grid, layout.kinds, strict=True)):
            if kind == "region":
                label = next(cell.text for cell in row if cell is not None and cell.text)
                name, count = region_label(label, False) or (label, None)
                region = name
                if count is not None:
                    counts[name] = counts.get(name, 0) + count
                continue
            if kind != "data":
                continue
            present = sum(1 for c in range(width) if c < len(row) and row[c] is not None)
            if present < width:
                shown = " | ".join(cell.text for cell in distinct_cells(row) if cell.text)[:80]
                raise ParseError(
                    f"partner table {index + 1}, row {r + 1} has {present} of {width} cells"
                    f" ({shown!r})",
                    "the page looks cut off or the row is malformed; fetch it again",
                )
            records.append(_record(row, layout, region, index, len(records)))
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


def _data_width(layout: Layout) -> int:
    """Columns the records use: trailing columns empty in every record (a stray
    ``<td></td>``, a header-only "Remarks") do not count."""
    return 1 + max(
        (
            c
            for row, kind in zip(layout.grid, layout.kinds, strict=True)
            if kind == "data"
            for c, cell in enumerate(row)
            if cell and cell.text
        ),
        default=-1,
    )
