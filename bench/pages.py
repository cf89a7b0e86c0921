"""Synthetic versions of the 2024 page for the benchmark.

* :func:`scaled_page`: the page with every partner table repeated ``factor`` times. Copy 0 is
  the real page; copy ``k`` appends `` Campus k`` to every institution name, so every row is a
  distinct partner (its own partner_id) while the cleaner and the contract see the same kinds
  of names. Countries stay the 25 of the page; the stated counts ("96 institutions from 25
  countries/regions") and the region headings ("Asia(48)") are recomputed from the rows by
  ``tests/pagegen.py``, so the page validates at any size. Optional edits (renewals,
  removals, additions spread evenly over the rows) give the second page of a diff. The
  copies repeat the page's typos: seeing a word used that often, the page-aware spelling
  fixer lists them as suggestions instead of correcting them, so the cleaner's work per name
  is of the same kind as on the real page, not identical.
* :func:`history_versions`: successive versions of the real page, each one edit (a renewal,
  an addition or a removal) after the one before, with the "As of" date moved forward.
* :func:`daily_variant`: a version as served on one day. Real pages change a few bytes every
  day (here a cache-busting query on the style sheets and script), so every daily snapshot is
  a new file even when the partners did not change.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.pagegen import Cell, Page, tac  # noqa: E402

SNAPSHOT_2024 = next((ROOT / "raw").glob("20240401T000000Z_*.html"))
START = dt.date(2024, 4, 1)

# Units prefixed to an existing institution's name for an added department-level agreement.
_UNITS = (
    "Graduate School of Engineering", "Faculty of Medicine", "School of Computing",
    "Department of Physics", "Faculty of Agriculture", "School of Pharmacy",
    "Graduate School of Information Science", "Faculty of Environmental Studies",
)  # fmt: skip


def html_2024() -> str:
    return SNAPSHOT_2024.read_text(encoding="utf-8")


def _dotted(date: dt.date) -> str:
    return f"{date.year}.{date.month:02d}.{date.day:02d}"


def _parse_dotted(text: str) -> dt.date | None:
    try:
        y, m, d = (int(part) for part in text.strip().split(".")[:3])
        return dt.date(y, m, d)
    except ValueError:
        return None


def _plus_years(date: dt.date, years: int) -> dt.date:
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


def _unit_for(name: str, seed: int) -> str:
    words = set(name.casefold().replace(",", " ").split())
    for i in range(len(_UNITS)):
        unit = _UNITS[(seed + i) % len(_UNITS)]
        if not set(unit.casefold().split()) & (words - {"of"}):
            return unit
    return _UNITS[seed % len(_UNITS)]


def _renewed(cell: Cell) -> Cell | None:
    """The expiration cell moved five years later (None when it holds no date)."""
    date = _parse_dotted(cell.text.split()[0]) if cell.text else None
    if date is None:
        return None
    return tac(_dotted(_plus_years(date, 5)))


def scaled_page(html: str, factor: int, *, renew_every: int = 0, remove_every: int = 0,
                add_every: int = 0, as_of: dt.date | None = None) -> str:
    """The page with its partner rows repeated ``factor`` times (see the module docstring).

    With ``renew_every=n`` every n-th row (counted over the whole page) is renewed,
    ``remove_every`` removes rows, ``add_every`` adds a department-level agreement after rows.
    """
    page = Page(html)
    g = 0  # row index over the whole scaled page
    for table in page.tables:
        rows: list[list[Cell]] = []
        for copy in range(factor):
            fresh: dict[int, Cell] = {}  # one new cell per original cell and copy (keeps spans)
            for row in table.rows:
                new_row = []
                for column, cell in enumerate(row):
                    if id(cell) not in fresh:
                        inner = cell.inner
                        if column == 2 and copy:
                            inner = f"{inner.rstrip()} Campus {copy}"
                        fresh[id(cell)] = Cell(inner, cell.attrs)
                    new_row.append(fresh[id(cell)])
                g += 1
                if remove_every and g % remove_every == remove_every // 2:
                    continue
                if renew_every and g % renew_every == 0:
                    renewed = _renewed(new_row[4])
                    if renewed is not None:
                        new_row[4] = renewed
                rows.append(new_row)
                if add_every and g % add_every == add_every // 3:
                    name = new_row[2].text
                    start = START + dt.timedelta(days=200 + g % 300)
                    rows.append([new_row[0], tac("I"), Cell(f"{_unit_for(name, g)}, {name}"),
                                 tac(_dotted(start)),
                                 tac(_dotted(_plus_years(start, 5) - dt.timedelta(days=1)))])
        table.rows = rows
    if as_of is not None:
        page.set_as_of(as_of)
    return page.html()


def history_versions(html: str, count: int, every_days: int) -> Iterator[str]:
    """``count`` versions of the page, version v dated ``START + v * every_days``.

    Version 0 is the page itself; each later one makes one more edit, in turn a renewal,
    an addition (a department-level agreement of a listed institution) and a removal (of a
    row whose country keeps other rows, so the page keeps its 25 countries).
    """
    page = Page(html)
    yield html
    added: list[str] = []
    for v in range(1, count):
        day = START + dt.timedelta(days=v * every_days)
        names = page.names()
        kind = v % 3
        if kind == 1:  # renewal
            for offset in range(len(names)):
                table, i = page.find(names[(v * 37 + offset) % len(names)])
                renewed = _renewed(table.rows[i][4])
                if renewed is not None:
                    table.rows[i][4] = renewed
                    break
        elif kind == 2:  # addition
            after = names[(v * 53) % len(names)]
            unit = _unit_for(after, v)
            name = f"{unit}, {after}"
            while name in names:
                name = f"{_unit_for(name, v + 1)}, {after}"
            page.add(after, "I", name, _dotted(day),
                     _dotted(_plus_years(day, 5) - dt.timedelta(days=1)))
            added.append(name)
        else:  # removal
            for offset in range(len(names)):
                name = names[(v * 29 + offset) % len(names)]
                if name in added:
                    continue
                table, i = page.find(name)
                country = table.rows[i][0]
                if sum(1 for row in table.rows if row[0] is country) >= 2:
                    page.remove(name)
                    break
        page.set_as_of(day)
        yield page.html()


def daily_variant(html: str, day: dt.date) -> str:
    """The page as served on ``day``: asset URLs carry a cache-busting date."""
    stamp = day.strftime("%Y%m%d")
    for asset in ("base.css", "layout.css", "jquery.min.js"):
        html = html.replace(f"/{asset}\"", f"/{asset}?v={stamp}\"", 1)
    return html
