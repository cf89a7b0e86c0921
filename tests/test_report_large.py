"""A report of a very large page stays a page a browser renders: tables and the timeline are
capped, the page says how many there are and where all of them are; below the caps nothing
changes (the 2024 page's report is compared whole elsewhere)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from pipeline import analyst, renewals
from pipeline.report import MAX_TABLE_ROWS, MAX_TIMELINE, draw_charts, needing_attention_first

ON = dt.date(2024, 4, 1)
NS = "{http://www.w3.org/2000/svg}"


def partner(i: int) -> dict:
    expires = ON + dt.timedelta(days=i % 900 - 300)  # expired, expiring and active ones
    return {"partner_id": f"ZZ-{i:08x}", "name": f"University {i}", "region": "Asia",
            "country": "Japan", "country_code": "JP", "agreement_type": "I",
            "agreement_level": "institute", "agreement_field": None,
            "initial_date": dt.date(2000 + i % 20, 1, 1), "expiration_date": expires,
            "under_renewal": i % 97 == 0, "notes": None}


@pytest.fixture(scope="module")
def large():
    rows = [partner(i) for i in range(3 * MAX_TABLE_ROWS)]
    corrections = [{"partner_id": r["partner_id"], "field": "name", "before": "a",
                    "after": "b", "fixer": "typo"} for r in rows[: MAX_TABLE_ROWS + 5]]
    inputs = analyst.Inputs(rows=rows, corrections=corrections)
    table = renewals.renewal_rows(rows, ON)
    html = analyst.analyst_outputs(inputs, analyst.options(ON))["report.html"].decode()
    return inputs, table, html


def test_tables_show_the_first_rows_and_say_where_all_are(large):
    _, table, html = large
    expiring = len(renewals.select(table, renewals.EXPIRING))
    attention = len(renewals.select(table, renewals.EXPIRED, renewals.UNDER_RENEWAL))
    assert expiring > MAX_TABLE_ROWS and attention > MAX_TABLE_ROWS
    for key, total in (("expiring", expiring), ("attention", attention)):
        body = html.split(f'id="{key}-table"', 1)[1].split("</table>", 1)[0]
        assert body.count("<tr data-partner-id") == MAX_TABLE_ROWS
        assert f"({total})</caption>" in body
    assert (f"Showing the first {MAX_TABLE_ROWS} of {expiring}: every one is in renewals.csv "
            "and partners.xlsx.") in html
    assert f"Automatic corrections ({MAX_TABLE_ROWS + 5})" in html
    assert f"Showing the first {MAX_TABLE_ROWS} of {MAX_TABLE_ROWS + 5}: every one is in " \
           "corrections.csv." in html


def test_the_timeline_draws_those_needing_attention_first_and_says_how_many(large):
    inputs, table, _ = large
    timeline = next(c for c in draw_charts(inputs, table, analyst.options(ON))
                    if c.key == "timeline")
    root = ET.fromstring(timeline.svg)
    bars = [r for r in root.iter(NS + "rect") if r.find(NS + "title") is not None]
    assert len(bars) == MAX_TIMELINE
    assert f"{MAX_TIMELINE} of {len(table)} agreements" in timeline.alt
    assert f"of {len(table)}; all in renewals.csv" in timeline.title
    drawn = {re.sub(r" \(.*", "", b.find(NS + "title").text) for b in bars}
    assert drawn == {r["name"] for r in needing_attention_first(table, MAX_TIMELINE)}


def test_attention_first_means_status_order_then_the_tables_order():
    table = renewals.renewal_rows([partner(i * 5) for i in range(200)], ON)
    picked = needing_attention_first(table, 50)
    rank = [renewals.STATUSES.index(r["status"]) for r in picked]
    assert rank == sorted(rank) and picked[0]["status"] == renewals.EXPIRING
    expiring = [r for r in table if r["status"] == renewals.EXPIRING]
    assert picked[: len(expiring)] == expiring[:50]


def test_below_the_caps_every_row_is_shown_without_a_note():
    rows = [partner(i) for i in range(MAX_TIMELINE)]
    inputs = analyst.Inputs(rows=rows)
    table = renewals.renewal_rows(rows, ON)
    html = analyst.analyst_outputs(inputs, analyst.options(ON))["report.html"].decode()
    assert "Showing the first" not in html
    timeline = next(c for c in draw_charts(inputs, table, analyst.options(ON))
                    if c.key == "timeline")
    assert timeline.title.startswith("Every agreement")
    assert f": {MAX_TIMELINE} agreements from" in timeline.alt
