"""The report's charts (pipeline/report/charts.py): plain values in, SVG markup out. Each SVG
is parsed back as XML and its shapes measured: bar lengths, escaping, accessibility, empty
data, ticks, determinism."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET

import pytest

from pipeline.report import charts

NS = "{http://www.w3.org/2000/svg}"
ON = dt.date(2024, 4, 1)


def parse(chart: charts.Chart) -> ET.Element:
    return ET.fromstring(chart.svg)


def shapes(root: ET.Element, tag: str) -> list[ET.Element]:
    return list(root.iter(NS + tag))


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in shapes(root, "text")]


def tip_rects(root: ET.Element) -> dict[str, ET.Element]:
    """The data rectangles (those with a tooltip), by tooltip."""
    return {r.find(NS + "title").text: r for r in shapes(root, "rect")
            if r.find(NS + "title") is not None}


def agreement(name, initial, expiration, status, country="Japan"):
    return {"name": name, "country": country, "initial_date": initial,
            "expiration_date": expiration, "status": status}


AGREEMENTS = [
    agreement("Old University", dt.date(2001, 5, 1), dt.date(2026, 4, 30), "active"),
    agreement("Soon Institute", dt.date(2019, 4, 1), dt.date(2024, 9, 30), "expiring"),
    agreement("Late College", dt.date(2018, 1, 1), dt.date(2024, 1, 31), "expired"),
    agreement("MOU Academy", dt.date(2010, 6, 1), None, "open-ended"),
]


def test_bar_lengths_are_proportional_to_the_values():
    root = parse(charts.bars("k", "Partners by country", {"France": 13, "Spain": 1, "Peru": 4}))
    rects = tip_rects(root)
    assert list(rects) == ["France: 13", "Peru: 4", "Spain: 1"]  # largest first
    widths = {k: float(r.get("width")) for k, r in rects.items()}
    assert widths["France: 13"] / widths["Spain: 1"] == pytest.approx(13, rel=0.02)
    assert widths["Peru: 4"] / widths["Spain: 1"] == pytest.approx(4, rel=0.02)
    left = {float(r.get("x")) for r in rects.values()}
    assert len(left) == 1  # every bar starts on the axis
    assert {"France", "Peru", "Spain", "13", "4", "1", "partners"} <= set(texts(root))


def test_ties_are_ordered_by_label_and_the_alternative_lists_every_value():
    chart = charts.bars("k", "By region", {"Europe": 2, "Asia": 2, "Africa": 5})
    assert chart.alt == "By region: Africa 5, Asia 2, Europe 2."


def test_text_from_the_data_is_escaped():
    label = 'Arts & "Sciences" <script>alert(1)</script>'
    chart = charts.bars("k", "Partners & <friends>", {label: 3})
    assert "<script>" not in chart.svg and 'Arts & "' not in chart.svg
    root = parse(chart)  # well-formed XML
    assert label in texts(root)
    assert root.find(NS + "title").text == "Partners & <friends>"
    timeline = charts.timeline("t", "Timeline", [agreement(label, dt.date(2020, 1, 1),
                                                           dt.date(2025, 1, 1), "active",
                                                           country="Côte d'Ivoire")], ON)
    assert "<script>" not in timeline.svg
    assert f"{label} (Côte d'Ivoire): 2020-01-01 to 2025-01-01, active" in tip_rects(
        parse(timeline))


def test_every_chart_names_itself_for_screen_readers():
    for chart in (charts.bars("by-x", "Title", {"a": 1}),
                  charts.timeline("tl", "Timeline", AGREEMENTS, ON),
                  charts.quarters("q", "Quarters", {"2024 Q2": {"expiring": 2}}),
                  charts.line("lt", "Over time", [(dt.date(2024, 1, 1), 3),
                                                  (dt.date(2025, 1, 1), 4)]),
                  charts.no_data("nd", "Empty", "No data to show.")):
        root = parse(chart)
        assert root.get("role") == "img"
        assert root.get("aria-labelledby") == f"{chart.key}-title {chart.key}-desc"
        assert root.find(NS + "title").get("id") == f"{chart.key}-title"
        assert root.find(NS + "title").text == chart.title
        assert root.find(NS + "desc").text == chart.alt
        assert root.get("viewBox") and root.get("width") is None  # scales with the page


@pytest.mark.parametrize("chart", [
    charts.bars("k", "Partners by country", {}),
    charts.timeline("k", "Timeline", [], ON),
    charts.quarters("k", "Quarters", {}),
    charts.quarters("k", "Quarters", {"2024 Q2": {}, "2024 Q3": {"active": 0}}),
    charts.line("k", "Over time", []),
], ids=["bars", "timeline", "quarters", "quarters-all-zero", "line"])
def test_empty_data_gives_a_chart_that_says_so(chart):
    root = parse(chart)
    message = " ".join(texts(root))
    assert message.startswith("No ") and message.endswith(".")
    assert message in chart.alt and chart.alt.startswith(chart.title)
    assert root.get("role") == "img"


def test_timeline_draws_every_agreement_in_its_status_colour_with_the_reference_date():
    root = parse(charts.timeline("tl", "Timeline", AGREEMENTS, ON))
    rects = tip_rects(root)
    assert len(rects) == 4
    assert [k.split(" (")[0] for k in rects] == ["Old University", "MOU Academy",
                                                 "Late College", "Soon Institute"]  # oldest first
    for tip, rect in rects.items():
        status = tip.rsplit(", ", 1)[1]
        assert rect.get("fill") == charts.STATUS_COLOURS[status]
    legend = set(texts(root))
    assert set(charts.STATUS_COLOURS) <= legend and "2024-04-01" in legend
    assert "4 agreements, oldest at the top" in legend
    # The marker is the one line in ink; it sits where a bar ending on the reference date would.
    (marker,) = [ln for ln in shapes(root, "line") if ln.get("stroke") == charts.INK]
    old = rects["Old University (Japan): 2001-05-01 to 2026-04-30, active"]
    start, end = float(old.get("x")), float(old.get("x")) + float(old.get("width"))
    days = (dt.date(2026, 4, 30) - dt.date(2001, 5, 1)).days
    expected = start + (end - start) * (ON - dt.date(2001, 5, 1)).days / days
    assert float(marker.get("x1")) == pytest.approx(expected, abs=0.2)
    # Open-ended runs to the right edge, past every expiration date.
    mou = next(r for k, r in rects.items() if k.startswith("MOU Academy"))
    assert float(mou.get("x")) + float(mou.get("width")) >= end
    assert "no expiration date" in next(k for k in rects if k.startswith("MOU Academy"))
    axis_labels = {t for t in texts(root) if t.isdigit()}
    assert {"2005", "2010", "2015", "2020", "2025"} <= axis_labels


def test_quarters_stack_by_status_with_heights_proportional_to_counts():
    counts = {"2024 Q2": {"expiring": 3, "active": 1}, "2024 Q3": {}, "2024 Q4": {"active": 6}}
    chart = charts.quarters("q", "Expirations per quarter", counts)
    assert chart.alt == "Expirations per quarter: 2024 Q2 4, 2024 Q4 6."
    root = parse(chart)
    rects = tip_rects(root)
    heights = {k: float(r.get("height")) for k, r in rects.items()}
    one = heights["2024 Q2: 1 active"]
    assert heights["2024 Q2: 3 expiring"] / one == pytest.approx(3, rel=0.01)
    assert heights["2024 Q4: 6 active"] / one == pytest.approx(6, rel=0.01)
    expiring, active = rects["2024 Q2: 3 expiring"], rects["2024 Q2: 1 active"]
    assert float(active.get("y")) + float(active.get("height")) == pytest.approx(
        float(expiring.get("y")), abs=0.2)  # stacked: active sits on top of expiring
    labels = texts(root)
    assert {"2024 Q2", "2024 Q3", "2024 Q4", "expiring", "active"} <= set(labels)
    assert "under renewal" not in labels  # the legend lists the statuses shown
    assert [t for t in labels if t.isdigit()][:7] == ["0", "1", "2", "3", "4", "5", "6"]  # y ticks


def test_line_steps_through_every_version():
    points = [(dt.date(2024, 4, 1), 96), (dt.date(2025, 1, 15), 98), (dt.date(2025, 6, 1), 97)]
    root = parse(charts.line("over-time", "Partners listed over time", points))
    dots = shapes(root, "circle")
    assert [d.find(NS + "title").text for d in dots] == ["2024-04-01: 96", "2025-01-15: 98",
                                                         "2025-06-01: 97"]
    (path,) = shapes(root, "path")
    assert re.fullmatch(r"M[\d.]+ [\d.]+(H[\d.]+V[\d.]+){2}", path.get("d"))
    ys = [float(d.get("cy")) for d in dots]
    assert ys[1] < ys[2] < ys[0]  # more partners, higher up


@pytest.mark.parametrize(("low", "high"), [(0, 0), (0, 1), (0, 7), (0, 13), (0, 48), (0, 66),
                                           (0, 99), (0, 1234), (94, 98), (3, 250)])
def test_ticks_are_round_and_cover_the_values(low, high):
    ticks = charts.nice_ticks(low, high)
    step = ticks[1] - ticks[0]
    assert ticks[0] <= low and ticks[-1] >= high and 2 <= len(ticks) <= 7
    assert all(b - a == step for a, b in itertools.pairwise(ticks))
    assert str(step).rstrip("0") in ("1", "2", "5") and ticks[0] % step == 0


def test_date_ticks_fall_back_to_months_and_then_to_the_ends():
    assert [lbl for _, lbl in charts.date_ticks(dt.date(2023, 11, 5), dt.date(2024, 2, 20))] == [
        "2023-12", "2024-01", "2024-02"]
    assert [lbl for _, lbl in charts.date_ticks(dt.date(2024, 3, 2), dt.date(2024, 3, 20))] == [
        "2024-03-02", "2024-03-20"]


def test_same_values_give_the_same_bytes():
    def draw():
        return [charts.bars("k", "t", {"b": 2, "a": 2}).svg,
                charts.timeline("t", "t", list(reversed(AGREEMENTS)), ON).svg,
                charts.quarters("q", "q", {"2024 Q2": {"active": 1, "expiring": 2}}).svg]
    assert draw() == draw()


def test_every_chart_of_a_real_report_is_well_formed_svg(built_2024):
    html = (built_2024 / "report.html").read_text(encoding="utf-8")
    found = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    assert len(found) == 5
    for svg in found:
        root = ET.fromstring(svg)
        drawn = sum(len(shapes(root, tag)) for tag in ("rect", "line", "path", "circle"))
        assert drawn >= 10 and tip_rects(root) and root.get("role") == "img"
    assert "matplotlib" not in html
