"""Derive later versions of the partners page from a stored snapshot by editing its HTML.

The partner tables are read into a grid of logical rows (country, type, name, initial date,
expiration); a cell spanning several rows (``rowspan``) is one object shared by those rows.
Edits change the grid; :meth:`Page.html` writes the tables back (recomputing every rowspan)
and updates what the page states about itself: the region heading counts, "N institutions
from M countries/regions" and, when set, the "As of" date. Everything outside the partner
tables is left byte for byte, and an unedited page round-trips exactly.

    page = Page(snapshot.read_text("utf-8"))
    page.set_cell("Mahidol University", "expiration", "2030.03.31")
    page.remove("Hue University of Sciences")
    page.set_as_of(dt.date(2025, 1, 15))
    html = page.html()

Rows are found by their name as displayed (``<br>`` and entities as spaces, whitespace
collapsed), which is the parser's ``name_raw``.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from dataclasses import dataclass

COLUMNS = ("country", "type", "name", "initial", "expiration")
_TABLE = re.compile(r'<table class="tbl-partner">.*?</table>', re.S)
_HEADING = re.compile(r'(<h3[^>]*>)(?P<region>[^<(]+?)\((?P<count>\d+)\)(</h3>)')
_ROW = re.compile(r"<tr>.*?</tr>", re.S)
_CELL = re.compile(r"<td(?P<attrs>[^>]*)>(?P<inner>.*?)</td>", re.S)
_ROWSPAN = re.compile(r'\s*rowspan="(\d+)"')
_STATED = re.compile(r"(\d+)( institutions from )(\d+)( countries/regions)")
_AS_OF = re.compile(r"(As of )([A-Z][a-z]+ \d{1,2}, \d{4})")


class Cell:
    """One <td>; shared by the logical rows it spans."""

    def __init__(self, inner: str, attrs: str = "") -> None:
        match = _ROWSPAN.search(attrs)
        self.span = int(match.group(1)) if match else 1
        self.attrs, self.inner = attrs, inner

    def render(self, span: int) -> str:
        attrs = self.attrs
        if span != self.span:
            attrs = _ROWSPAN.sub("", attrs)
            if span > 1:
                attrs += f' rowspan="{span}"'
        return f"<td{attrs}>{self.inner}</td>"

    @property
    def text(self) -> str:
        return displayed(self.inner)


def displayed(inner: str) -> str:
    """A cell's text as the page shows it (the parser's view)."""
    text = re.sub(r"<br\s*/?>", " ", inner, flags=re.I)
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(text.split())


def tac(text: str) -> Cell:
    """A centred cell, as the page writes type and date cells."""
    return Cell(text, ' class="tac"')


@dataclass
class Table:
    region: str
    heading: re.Match | None
    head: str  # from <table ...> up to the first partner row (the header row included)
    tail: str  # after the last partner row
    rows: list[list[Cell]]


class Page:
    def __init__(self, html: str) -> None:
        self._parts: list[str | Table] = []
        position = 0
        for match in _TABLE.finditer(html):
            before = html[position:match.start()]
            heading = list(_HEADING.finditer(before))
            self._parts.append(before)
            self._parts.append(_read_table(match.group(0), heading[-1] if heading else None))
            position = match.end()
        self._parts.append(html[position:])
        self.as_of: dt.date | None = None

    # --- looking things up ---------------------------------------------------------------

    @property
    def tables(self) -> list[Table]:
        return [p for p in self._parts if isinstance(p, Table)]

    def table(self, region: str) -> Table:
        return next(t for t in self.tables if t.region == region)

    def find(self, name: str) -> tuple[Table, int]:
        for table in self.tables:
            for i, row in enumerate(table.rows):
                if row[2].text == name:
                    return table, i
        raise KeyError(f"no row named {name!r}")

    def names(self) -> list[str]:
        return [row[2].text for table in self.tables for row in table.rows]

    # --- edits ---------------------------------------------------------------------------

    def set_cell(self, name: str, column: str, inner: str) -> None:
        """Replace one cell of a row (a spanned cell is split off for this row only)."""
        table, i = self.find(name)
        table.rows[i][COLUMNS.index(column)] = (
            Cell(inner) if column in ("country", "name") else tac(inner))

    def rename(self, name: str, inner: str) -> None:
        table, i = self.find(name)
        old = table.rows[i][2]
        table.rows[i][2] = Cell(inner, old.attrs)

    def remove(self, name: str) -> None:
        table, i = self.find(name)
        del table.rows[i]

    def add(self, after: str, agreement_type: str, name: str, initial: str,
            expiration: str) -> None:
        """A new row right after ``after``, in the same country group."""
        table, i = self.find(after)
        row = [table.rows[i][0], tac(agreement_type), Cell(name), tac(initial), tac(expiration)]
        table.rows.insert(i + 1, row)

    def add_country(self, region: str, country: str,
                    rows: list[tuple[str, str, str, str]]) -> None:
        """A new country group at the end of a region's table."""
        table = self.table(region)
        cell = Cell(country)
        for agreement_type, name, initial, expiration in rows:
            table.rows.append([cell, tac(agreement_type), Cell(name), tac(initial),
                               tac(expiration)])

    def groups(self, region: str) -> list[list[list[Cell]]]:
        """The country groups of a region's table, in page order."""
        groups: list[list[list[Cell]]] = []
        for row in self.table(region).rows:
            if groups and groups[-1][-1][0] is row[0]:
                groups[-1].append(row)
            else:
                groups.append([row])
        return groups

    def reorder_groups(self, region: str, order: list[str]) -> None:
        """Put a region's country groups in this order (by country cell text)."""
        groups = {g[0][0].text: g for g in self.groups(region)}
        assert sorted(groups) == sorted(order), (sorted(groups), sorted(order))
        self.table(region).rows = [row for country in order for row in groups[country]]

    def swap(self, name_a: str, name_b: str) -> None:
        """Swap two rows of one country group (everything but the country cell)."""
        table, i = self.find(name_a)
        other, j = self.find(name_b)
        assert table is other and table.rows[i][0] is table.rows[j][0], "same country group"
        a, b = table.rows[i], table.rows[j]
        table.rows[i], table.rows[j] = [a[0], *b[1:]], [b[0], *a[1:]]

    def set_as_of(self, date: dt.date) -> None:
        self.as_of = date

    # --- writing -------------------------------------------------------------------------

    def counts(self) -> tuple[int, int, dict[str, int]]:
        """Institutions, countries/regions and rows per region heading, as listed."""
        rows = [row for table in self.tables for row in table.rows]
        countries = {row[0].text for row in rows}
        return len(rows), len(countries), {t.region: len(t.rows) for t in self.tables}

    def html(self) -> str:
        institutions, countries, _ = self.counts()
        out = []
        for index, part in enumerate(self._parts):
            if isinstance(part, Table):
                out.append(_write_table(part))
                continue
            text = part
            following = self._parts[index + 1] if index + 1 < len(self._parts) else None
            if isinstance(following, Table) and following.heading is not None:
                h = following.heading
                text = (text[:h.start()] + f"{h.group(1)}{h.group('region')}({len(following.rows)})"
                        f"{h.group(4)}" + text[h.end():])
            text = _STATED.sub(lambda m: f"{institutions}{m.group(2)}{countries}{m.group(4)}",
                               text)
            if self.as_of is not None:
                text = _AS_OF.sub(rf"\g<1>{self.as_of:%B} {self.as_of.day}, {self.as_of.year}",
                                  text)
            out.append(text)
        return "".join(out)


def _read_table(text: str, heading: re.Match | None) -> Table:
    rows = list(_ROW.finditer(text))
    partner_rows = [r for r in rows if "<th" not in r.group(0)]
    first, last = partner_rows[0], partner_rows[-1]
    grid: list[list[Cell]] = []
    pending: dict[int, tuple[Cell, int]] = {}
    for match in partner_rows:
        cells = iter(Cell(c.group("inner"), c.group("attrs"))
                     for c in _CELL.finditer(match.group(0)))
        row = []
        for col in range(len(COLUMNS)):
            if col in pending and pending[col][1] > 0:
                cell, left = pending[col]
                pending[col] = (cell, left - 1)
            else:
                cell = next(cells)
                pending[col] = (cell, cell.span - 1)
            row.append(cell)
        assert next(cells, None) is None, f"unexpected cells in {match.group(0)!r}"
        grid.append(row)
    region = heading.group("region").strip() if heading else ""
    return Table(region, heading, text[:first.start()], text[last.end():], grid)


def _write_table(table: Table) -> str:
    lines = []
    for r, row in enumerate(table.rows):
        cells = []
        for c, cell in enumerate(row):
            if r > 0 and table.rows[r - 1][c] is cell:
                continue  # covered by the cell above
            span = 1
            while r + span < len(table.rows) and table.rows[r + span][c] is cell:
                span += 1
            cells.append(cell.render(span))
        lines.append("<tr>\n" + "\n".join(cells) + "\n</tr>")
    return table.head + "\n".join(lines) + table.tail


# --- the standard later version used by the diff and history tests --------------------------

AS_OF_2025 = dt.date(2025, 1, 15)


def edit_2025(page: Page) -> Page:
    """The known edits between the 2024 page and the "2025" page (see tests/test_diff.py)."""
    # three renewals: the expiration date moves later
    page.set_cell("Mahidol University", "expiration", "2030.03.31")
    page.set_cell("Northeast Normal University", "expiration", "2030.04.15")
    page.set_cell("Kasetsart University", "expiration", "2030.03.31")
    # a rename (the id changes; same country and initial date, similar name)
    page.rename("Hanoi University of Science, Vietnam National University",
                "VNU University of Science, Vietnam National University, Hanoi")
    # a type change
    page.set_cell("Liaoning University", "type", "IS")
    # a typo fixed on the page (the cleaner already fixed it: no partner change)
    page.rename("Univetsitas Hasanuddin", "Universitas Hasanuddin")
    # an addition and a removal (the removed row carries the Malaysia rowspan cell)
    page.add("Chiang Mai University", "I", "Prince of Songkla University", "2024.11.20",
             "2029.11.19")
    page.remove("Universiti Sains Malaysia")
    page.remove("Hue University of Sciences")
    # a new country in Africa
    page.add_country("Africa", "Kenya", [("I", "University of Nairobi", "2024.10.01",
                                          "2029.09.30")])
    # rows reordered: Europe's countries in reverse order, two rows of China swapped
    europe = [g[0][0].text for g in page.groups("Europe")]
    page.reorder_groups("Europe", europe[::-1])
    page.swap("Tianjin University of Technology", "Liaoning University")
    page.set_as_of(AS_OF_2025)
    return page


def page_2025(html_2024: str) -> str:
    return edit_2025(Page(html_2024)).html()
