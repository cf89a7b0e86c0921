"""out/partners.xlsx: the data for people who work in Excel.

Sheets: Partners (an Excel table with filters), Renewals, By country, Changes (when there is
a previous build), Corrections, About. Dates are real date cells, booleans real booleans;
no text is ever written as a formula (XlsxWriter's ``strings_to_formulas`` off: a name
starting with "=" stays text). The file is deterministic: XlsxWriter writes fixed zip
timestamps, and the document's created date is the reference date, not the clock.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Mapping, Sequence

MAX_WIDTH = 60
DATE_FORMAT = "yyyy-mm-dd"


def workbook_bytes(inputs, table: Sequence[Mapping], opts) -> bytes:
    """The workbook of one build (``table``: renewals.renewal_rows for ``opts``)."""
    import xlsxwriter

    from pipeline import renewals

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "default_date_format": DATE_FORMAT})
    stamp = dt.datetime.combine(opts.on, dt.time(), tzinfo=dt.UTC)
    book.set_properties({"title": "NAIST international partners", "created": stamp,
                         "comments": f"Renewal status on {opts.on.isoformat()}"})
    formats = {"date": book.add_format({"num_format": DATE_FORMAT}),
               "bold": book.add_format({"bold": True}),
               "wrap": book.add_format({"text_wrap": True, "valign": "top"})}

    _table_sheet(book, formats, "Partners", _partner_columns(), inputs.rows)
    window = renewals.select(table, renewals.EXPIRING, renewals.UNDER_RENEWAL, renewals.EXPIRED)
    _table_sheet(book, formats, "Renewals", renewals.RENEWAL_COLUMNS, window)
    _table_sheet(book, formats, "By country", BY_COUNTRY_COLUMNS, by_country(table))
    if inputs.changes is not None and inputs.changes.previous:
        from pipeline.changes import columns

        _table_sheet(book, formats, "Changes", columns(), inputs.changes.rows)
    from pipeline.build import CORRECTION_COLUMNS

    _table_sheet(book, formats, "Corrections", CORRECTION_COLUMNS, inputs.corrections)
    _about_sheet(book, formats, inputs, opts)
    book.close()
    return buffer.getvalue()


BY_COUNTRY_COLUMNS = ("country", "country_code", "region", "partners", "I", "IS", "BS", "MS",
                      "expiring", "under renewal", "expired")


def by_country(table: Sequence[Mapping]) -> list[dict]:
    """Partners per country with their agreement types and statuses, most partners first."""
    groups: dict[str, list[Mapping]] = {}
    for row in table:
        groups.setdefault(row["country"], []).append(row)
    result = []
    for country, members in groups.items():
        types = Counter(r["agreement_type"] for r in members)
        statuses = Counter(r["status"] for r in members)
        result.append({"country": country, "country_code": members[0]["country_code"],
                       "region": members[0]["region"], "partners": len(members),
                       **{t: types.get(t, 0) for t in ("I", "IS", "BS", "MS")},
                       **{s: statuses.get(s, 0) for s in BY_COUNTRY_COLUMNS[-3:]}})
    result.sort(key=lambda r: (-r["partners"], r["country"]))
    return result


def _partner_columns() -> tuple[str, ...]:
    from schemas.describe import columns
    from schemas.partners import PartnersModel

    return tuple(c["name"] for c in columns(PartnersModel))


def _table_sheet(book, formats, title: str, columns: Sequence[str],
                 rows: Sequence[Mapping]) -> None:
    """One sheet holding one Excel table (filters on every column), header frozen."""
    sheet = book.add_worksheet(title)
    longest = _write_rows(sheet, formats, columns, rows)
    for c, name in enumerate(columns):
        sheet.set_column(c, c, min(max(len(name), longest[c]) + 2, MAX_WIDTH))
    headers = [{"header": name} for name in columns]
    if rows:
        sheet.add_table(0, 0, len(rows), len(columns) - 1,
                        {"columns": headers, "name": title.replace(" ", ""),
                         "style": "Table Style Light 9"})
        # XlsxWriter keeps one entry per table cell to refuse a second, overlapping table;
        # a sheet here holds one table, and on a large page the entries weigh hundreds of MB.
        # A private attribute: a version without it simply keeps its entries.
        cells = getattr(sheet, "table_cells", None)
        if isinstance(cells, dict):
            cells.clear()
    else:  # an Excel table needs a data row: a plain header then
        sheet.write_row(0, 0, list(columns), formats["bold"])
    sheet.freeze_panes(1, 0)


def _write_rows(sheet, formats, columns: Sequence[str], rows: Sequence[Mapping]) -> list[int]:
    """Write ``rows`` below the header row; returns the longest text of each column (a date
    counts 10). One pass over the cells, each distinct date converted once. Column by
    column: the order strings are first written in numbers Excel's shared strings."""
    writers = _writers(sheet, formats)
    other = writers[object]
    longest = [0] * len(columns)
    for c, name in enumerate(columns):
        most = 0
        for r, row in enumerate(rows, start=1):
            value = row.get(name)
            if value is not None:
                size = writers.get(type(value), other)(r, c, value)
                if size > most:
                    most = size
        longest[c] = most
    return longest


def _writers(sheet, formats) -> dict:
    """Cell writers by value type, each returning the text length the column width counts.
    Strings are written as strings, never as formulas, whatever they start with; ``object``
    holds the writer of any other type."""
    date_format = formats["date"]
    moments: dict[dt.date, dt.datetime] = {}

    def string(r: int, c: int, value: str) -> int:
        if value:
            sheet.write_string(r, c, value)
        return len(value)

    def boolean(r: int, c: int, value: bool) -> int:
        sheet.write_boolean(r, c, value)
        return len(str(value))

    def number(r: int, c: int, value) -> int:
        sheet.write_number(r, c, value)
        return len(str(value))

    def date(r: int, c: int, value: dt.date) -> int:
        moment = moments.get(value)
        if moment is None:
            moment = moments[value] = dt.datetime.combine(value, dt.time())
        sheet.write_datetime(r, c, moment, date_format)
        return 10

    def other(r: int, c: int, value) -> int:
        _write(sheet, r, c, value, formats)
        return 10 if isinstance(value, dt.date) else len(str(value))

    return {str: string, bool: boolean, int: number, float: number, dt.date: date,
            object: other}


def _write(sheet, r: int, c: int, value, formats) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, dt.date):
        sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), formats["date"])
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value)
    else:
        sheet.write_string(r, c, str(value))  # never a formula, whatever it starts with


def _about_sheet(book, formats, inputs, opts) -> None:
    from pipeline import __version__, renewals
    from schemas.describe import columns
    from schemas.partners import PartnersModel

    sheet = book.add_worksheet("About")
    facts = [
        ("Source", inputs.source_url or "(not recorded)"),
        ("Snapshot", inputs.snapshot),
        ("As of (the page's date)", inputs.as_of),
        ("Reference date of the renewal status (--on)", opts.on),
        ("Expiring means within (months)", opts.within),
        ("Built by", f"naist-partners pipeline {__version__}, for the reference date above"),
        ("Partners", len(inputs.rows)),
        ("Corrections / suggestions", f"{len(inputs.corrections)} / "
                                      f"{len(inputs.suggestions)} (see corrections.csv, "
                                      "suggestions.csv)"),
        ("Licence", "Unknown: the page states none; ask NAIST before republishing."),
    ]
    row = 0
    for label, value in facts:
        sheet.write_string(row, 0, label, formats["bold"])
        _write(sheet, row, 1, value, formats)
        row += 1
    row += 1
    sheet.write_row(row, 0, ["column", "type", "meaning"], formats["bold"])
    described = [(c["name"], c["type"], c["description"]) for c in columns(PartnersModel)]
    described += [("status", "string", "Renewal status (Renewals sheet): "
                   + ", ".join(renewals.STATUSES)),
                  ("days_left", "integer", "Days from the reference date to the expiration.")]
    for name, kind, meaning in described:
        row += 1
        sheet.write_string(row, 0, name)
        sheet.write_string(row, 1, kind)
        sheet.write_string(row, 2, meaning, formats["wrap"])
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 2, 90)
