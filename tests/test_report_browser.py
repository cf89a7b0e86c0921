"""report.html in a real headless chromium (Debian's, driven by playwright), loaded from disk
with the network off: no console error, no request, every chart drawn, and the expiring table
is exactly what the status rule gives. The screenshot is kept in the test's temp dir."""

from __future__ import annotations

import datetime as dt
import sys

import pyarrow.parquet as pq
import pytest

from pipeline import renewals
from pipeline.build import build
from tests.conftest import REPO, SNAPSHOT_2024

sys.path.insert(0, str(REPO / "docs"))
import screenshot  # docs/screenshot.py: the same code makes docs/report.png

ON = dt.date(2024, 4, 1)


@pytest.fixture(scope="module")
def inspected(tmp_path_factory):
    if screenshot.chromium_path() is None:
        pytest.skip("chromium is not installed (.ci/run installs it: apt-get install chromium)")
    pytest.importorskip("playwright", reason="playwright is in requirements-dev.lock")
    out = tmp_path_factory.mktemp("report")
    build(SNAPSHOT_2024, out_dir=out, on=ON)
    png = out / "report.png"
    found = screenshot.inspect_report(out / "report.html", png)
    return out, found, png


def test_no_console_error_and_no_request(inspected):
    _, found, _ = inspected
    assert found.console_errors == []
    assert found.requests == []
    assert "renewals on 2024-04-01" in found.title


def test_every_chart_is_drawn_and_labelled(inspected):
    _, found, _ = inspected
    ids = [c["id"] for c in found.charts]
    assert ids == ["chart-by-country", "chart-by-region", "chart-by-type", "chart-timeline",
                   "chart-quarters"]
    for chart in found.charts:
        assert chart["shapes"] >= 10, chart
        assert chart["width"] > 200 and chart["height"] > 100, chart
        assert chart["label"], chart


def test_expiring_table_is_exactly_the_status_rule(inspected):
    out, found, _ = inspected
    rows = pq.read_table(out / "partners.parquet").to_pylist()
    table = renewals.renewal_rows(rows, ON, 12)
    assert found.expiring == [r["partner_id"] for r in renewals.select(table, "expiring")]
    assert found.attention == [r["partner_id"] for r in
                               renewals.select(table, "expired", "under renewal")]
    assert len(found.expiring) == 28  # tests/golden/renewals_2024-04-01.csv


def test_screenshot_is_saved(inspected):
    _, _, png = inspected
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000
