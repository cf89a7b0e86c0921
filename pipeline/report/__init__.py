"""out/report.html: one self-contained page an international office can open from a file,
a shared drive or an e-mail: headline, renewal tables, charts (inline SVG drawn by
:mod:`pipeline.report.charts`), data quality.

:func:`report_context` gathers plain values (pure); :func:`render_report` fills the Jinja2
template ``report.html.j2`` next to this file. Nothing is fetched when the page is opened:
no script, no font, no image outside the file.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

TEMPLATE = "report.html.j2"
LATEST_EVENTS = 20
QUARTERS_AHEAD = 12  # three years
# A large page (a history, a merged list) would make a page no browser renders: the report
# shows at most this many rows per table and bars in the timeline, and says where the rest
# are. The real page, about a hundred agreements, is far below both.
MAX_TABLE_ROWS = 1000
MAX_TIMELINE = 500


def render_report(inputs, table: Sequence[Mapping], opts) -> str:
    """The report's HTML for one build (``table``: renewals.renewal_rows for ``opts``)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    context = report_context(inputs, table, opts)
    context["charts"] = draw_charts(inputs, table, opts)
    return env.get_template(TEMPLATE).render(**context)


def report_context(inputs, table: Sequence[Mapping], opts) -> dict:
    """Every value the template shows, except the charts."""
    from pipeline import renewals

    rows = inputs.rows
    counts = renewals.status_counts(table)
    return {
        "on": opts.on, "within": opts.within, "as_of": inputs.as_of,
        "source_url": inputs.source_url, "snapshot": inputs.snapshot,
        "institutions": len(rows),
        "countries": len({r["country_code"] for r in rows}),
        "regions": len({r["region"] for r in rows}),
        "status_counts": counts,
        **shown("expiring", renewals.select(table, renewals.EXPIRING)),
        **shown("attention", renewals.select(table, renewals.EXPIRED, renewals.UNDER_RENEWAL)),
        **shown("corrections", inputs.corrections), **shown("suggestions", inputs.suggestions),
        "warnings": inputs.warnings,
        "changes": inputs.changes,
        "change_lines": list(inputs.changes.lines[:MAX_TABLE_ROWS]) if inputs.changes else [],
        "events": latest_events(inputs.events),
        "status_colours": _colours(),
    }


def shown(key: str, rows: Sequence, limit: int = MAX_TABLE_ROWS) -> dict:
    """The first ``limit`` of ``rows`` under ``key`` and how many there are under
    ``key + "_total"``.

    >>> shown("x", [1, 2, 3], limit=2)
    {'x': [1, 2], 'x_total': 3}
    """
    return {key: list(rows[:limit]), f"{key}_total": len(rows)}


def needing_attention_first(table: Sequence[Mapping], limit: int) -> list[Mapping]:
    """The ``limit`` agreements to draw when there are more: by status in the order people
    act on them (renewals.STATUSES), then soonest expiration (the renewals table's order)."""
    from pipeline import renewals

    rank = {status: i for i, status in enumerate(renewals.STATUSES)}
    order = sorted(range(len(table)), key=lambda i: (rank[table[i]["status"]], i))
    return [table[i] for i in order[:limit]]


def draw_charts(inputs, table: Sequence[Mapping], opts) -> list:
    """The charts, in the order the report shows them (each SVG labelled for screen readers
    by charts.svg_root)."""
    from pipeline.report import charts as draw

    rows = inputs.rows
    found = [
        draw.bars("by-country", "Partners by country", Counter(r["country"] for r in rows)),
        draw.bars("by-region", "Partners by region", Counter(r["region"] for r in rows)),
        draw.bars("by-type", "Agreements by type",
                  Counter(f"{r['agreement_type']} ({r['agreement_level']}"
                          + (f", {r['agreement_field']}" if r.get("agreement_field") else "")
                          + ")" for r in rows)),
        _timeline(table, opts.on),
        draw.quarters("quarters", "Expirations per quarter, next three years",
                      per_quarter(table, opts.on)),
    ]
    points = partners_over_time(inputs.versions)
    if len(points) > 1:
        found.append(draw.line("over-time", "Partners listed over time", points))
    return found


def _timeline(table: Sequence[Mapping], on: dt.date):
    from pipeline.report import charts as draw

    if len(table) <= MAX_TIMELINE:
        return draw.timeline("timeline", f"Every agreement from initial to expiration date, "
                             f"status on {on.isoformat()}", table, on)
    return draw.timeline("timeline", f"The {MAX_TIMELINE} agreements needing attention first "
                         f"(of {len(table)}; all in renewals.csv) from initial to expiration "
                         f"date, status on {on.isoformat()}",
                         needing_attention_first(table, MAX_TIMELINE), on, total=len(table))


def quarter(day: dt.date) -> tuple[int, int]:
    """(year, quarter) of a date.

    >>> quarter(dt.date(2024, 3, 31)), quarter(dt.date(2024, 4, 1))
    ((2024, 1), (2024, 2))
    """
    return day.year, (day.month - 1) // 3 + 1


def per_quarter(table: Sequence[Mapping], on: dt.date) -> dict[str, dict[str, int]]:
    """Expirations per quarter from the reference date's quarter on, twelve quarters, by
    status (every quarter listed, also when none expires)."""
    year, q = quarter(on)
    keys = []
    for _ in range(QUARTERS_AHEAD):
        keys.append((year, q))
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    counts = {key: Counter() for key in keys}
    for row in table:
        expiration = row["expiration_date"]
        if expiration and expiration >= on and quarter(expiration) in counts:
            counts[quarter(expiration)][row["status"]] += 1
    return {f"{y} Q{n}": dict(c) for (y, n), c in counts.items()}


def partners_over_time(versions: Sequence[Mapping]) -> list[tuple[dt.date, int]]:
    """Partners listed at every date a version of the page began (out/history.csv rows)."""
    starts = sorted({row["valid_from"] for row in versions if row.get("valid_from")})
    points = []
    for start in starts:
        listed = sum(1 for row in versions if row["valid_from"] <= start
                     and (not row.get("valid_to") or start < row["valid_to"]))
        points.append((dt.date.fromisoformat(start), listed))
    return points


def latest_events(events: Sequence[Mapping], limit: int = LATEST_EVENTS) -> list[dict]:
    """The newest events of out/events.csv, newest first."""
    ordered = sorted(events, key=lambda e: (e.get("date") or "", e.get("name") or ""),
                     reverse=True)
    return [dict(e) for e in ordered[:limit]]


def _colours() -> dict[str, str]:
    from pipeline.report.charts import STATUS_COLOURS

    return dict(STATUS_COLOURS)
