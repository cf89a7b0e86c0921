"""parse_page's memo: a page whose markup reads the same as an earlier one's, or that scans the
same, gets that page's result, and the result is always what a parse without the memo gives."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import pipeline.parse
from pipeline.errors import ParseError
from pipeline.parse import parse_page
from pipeline.parse.scan import Cell, Row, Table, markup_key, scan_html, scan_key

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted([*FIXTURES.glob("parse/*.html"), *FIXTURES.glob("hostile/*.html")])


def served(html: str, stamp: str) -> bytes:
    """The page with its asset URLs and a comment as a server stamps them on one day."""
    return html.replace("</head>", f'<link rel="stylesheet" href="/base.css?v={stamp}">'
                        f'<script src="/app.js?v={stamp}"></script></head>', 1).replace(
        "</body>", f"<!-- served {stamp} --></body>", 1).encode("utf-8")


@pytest.fixture
def scanned(monkeypatch) -> list[str]:
    """The text of every page parse_page scans."""
    texts: list[str] = []

    def counting(text):
        texts.append(text)
        return scan_html(text)

    monkeypatch.setattr(pipeline.parse, "scan_html", counting)
    return texts


def scan_entries(memo: dict) -> int:
    """The memo's entries by scan (its entries by markup have four parts)."""
    return sum(len(key) == 3 for key in memo)


def test_pages_that_scan_the_same_share_one_result(snapshot_2024, scanned):
    html = snapshot_2024.read_text(encoding="utf-8")
    memo: dict = {}
    first = parse_page(served(html, "20240401"), "utf-8", memo=memo)
    second = parse_page(served(html, "20240402"), "utf-8", memo=memo)
    assert second is first and scan_entries(memo) == 1
    assert len(scanned) == 1  # the second page's markup reads as the first's: not scanned
    assert first == parse_page(served(html, "20240402"), "utf-8")


def daily(html: str, day: int) -> bytes:
    """The page as a server renders it on ``day``: what changes daily is only markup the scan
    never reads (asset URLs, inline script and style, meta content, a form's hidden token,
    image URLs, nonces, comments, the title)."""
    head = (f'<meta name="generated" content="2024-04-{day:02d}T06:00:00Z">'
            f'<link rel="stylesheet" href="/base.css?v={day}">'
            f'<script nonce="n{day}">var served = "{day}"; if (a < b) {{ go(); }}</script>'
            f'<style nonce="n{day}">.x{day} {{ color: red }}</style></head>')
    body = (f'<form action="/search"><input type="hidden" name="token" value="t{day}">'
            f'<input name="q"></form><img src="/logo.png?v={day}" alt="NAIST">'
            f'<noscript>Day {day}: enable scripts</noscript>'
            f'<script>track({day});</script><!-- served {day} --></body>')
    return (html.replace("</head>", head, 1).replace("</body>", body, 1)
            .replace("<title>", f"<title>{day} ", 1)).encode("utf-8")


def test_daily_variants_are_known_by_their_markup_without_a_scan(snapshot_2024, scanned):
    html = snapshot_2024.read_text(encoding="utf-8")
    memo: dict = {}
    first = parse_page(daily(html, 1), "utf-8", memo=memo)
    for day in range(2, 6):
        assert parse_page(daily(html, day), "utf-8", memo=memo) is first
        assert parse_page(daily(html, day), "utf-8") == first  # and without the memo
    assert len(scanned) == 1 + 4  # the first page, and each parse without the memo
    assert markup_key(daily(html, 1).decode()) == markup_key(daily(html, 2).decode())


def test_a_changed_cell_is_never_known_by_the_markup_of_another(snapshot_2024, scanned):
    html = snapshot_2024.read_text(encoding="utf-8")
    memo: dict = {}
    first = parse_page(daily(html, 1), "utf-8", memo=memo)
    for old, new in (("Mahidol University", "Mahidol Universty"),  # text
                     ("<td>", '<td rowspan="1">', ),  # an attribute the scan reads, same value
                     ("<td>", '<td style="color: red">'),  # one it reads, with no effect
                     ("</td>", "<img src=x></td>")):  # an element, though it shows nothing
        edited = daily(html.replace(old, new, 1), 2)
        assert markup_key(edited.decode()) != markup_key(daily(html, 1).decode()), new
        count = len(scanned)
        page = parse_page(edited, "utf-8", memo=memo)
        assert len(scanned) == count + 1, new  # scanned: then known by its scan, if equal
        assert page == parse_page(edited, "utf-8")
    assert parse_page(daily(html.replace("Mahidol University", "Mahidol Universty", 1), 3),
                      "utf-8", memo=memo) is not first


def test_a_page_that_fails_fails_again_with_the_memo(snapshot_2024):
    """Only pages that parsed are kept: a failing page is parsed, and fails, every time,
    whatever pages the memo holds (its markup key is never stored)."""
    html = snapshot_2024.read_text(encoding="utf-8")
    memo: dict = {}
    parse_page(daily(html, 1), "utf-8", memo=memo)
    failing = [
        daily("<html><head></head><body><p>Under maintenance</p></body></html>", 1),
        b'{"partners": []}',
        b"",
        daily("<html><head></head><body>" + "<div>" * 1200 + "</body></html>", 1),
    ]
    for data in failing:
        with pytest.raises(ParseError) as without:
            parse_page(data, "utf-8")
        for _ in range(2):
            with pytest.raises(ParseError) as within:
                parse_page(data, "utf-8", memo=memo)
            assert within.value.message == without.value.message
    assert scan_entries(memo) == 1 and len(memo) == 2


def test_a_changed_cell_or_charset_is_parsed_again(snapshot_2024):
    html = snapshot_2024.read_text(encoding="utf-8")
    memo: dict = {}
    first = parse_page(served(html, "1"), "utf-8", memo=memo)
    edited = html.replace("Mahidol University", "Mahidol Universty", 1)
    assert edited != html
    second = parse_page(served(edited, "1"), "utf-8", memo=memo)
    assert second is not first and second == parse_page(served(edited, "1"), "utf-8")
    assert {r.name for r in first.records} != {r.name for r in second.records}
    spanned = html.replace("<td>", '<td colspan="2">', 1)  # an attribute the scan reads
    assert scan_key(scan_html(spanned)) != scan_key(scan_html(html))


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_the_memo_never_changes_a_result(path, small_cell_limit):
    """Every fixture, parsed twice through one memo, parses as without it (or fails alike).
    With the cell limit lowered: a page over it fails the same way at any limit, sooner."""
    data = path.read_bytes()
    try:
        expected = parse_page(data)
    except ParseError as error:
        with pytest.raises(ParseError, match=re.escape(error.message)):
            parse_page(data, memo={})
        return
    memo: dict = {}
    assert parse_page(data, memo=memo) == expected
    assert parse_page(data, memo=memo) == expected and scan_entries(memo) == 1


def test_the_key_holds_every_field_of_the_scan():
    """scan_key lists the fields by hand (for speed): a field added to the scan's classes
    must be added to the key too, or two pages differing in it would share a result."""
    assert [f.name for f in dataclasses.fields(Cell)] == [
        "header", "rowspan", "colspan", "parts", "text", "removed", "bold", "plain", "row0",
        "col0"]
    assert [f.name for f in dataclasses.fields(Row)] == ["cells", "in_thead"]
    assert [f.name for f in dataclasses.fields(Table)] == ["start", "end", "rows", "caption"]
    table = scan_html("<table><tr><td>a<td><b>b</b></table>")
    for field, value in (("header", True), ("rowspan", 2), ("colspan", 2), ("parts", ["x"]),
                         ("text", "z"), ("removed", "r"), ("bold", True), ("plain", False),
                         ("row0", 3), ("col0", 3)):
        changed = scan_html("<table><tr><td>a<td><b>b</b></table>")
        setattr(changed.tables[0].rows[0].cells[0], field, value)
        assert scan_key(changed) != scan_key(table), field


def test_history_is_the_same_without_any_memo(snapshot_2024, tmp_path, monkeypatch, scanned):
    """History over daily variants of two page versions: built as usual (pages known by their
    markup, then by their scan, then by what they parse to), and built with the cache off and
    every snapshot parsed, normalized and validated on its own: the same bytes."""
    import datetime as dt

    from pagegen import Page, edit_2025

    from pipeline import build as build_module
    from pipeline import history_cache
    from pipeline.history import build_history
    from pipeline.snapshots import store_snapshot

    html_2024 = snapshot_2024.read_text(encoding="utf-8")
    html_2025 = edit_2025(Page(html_2024)).html()
    raw = tmp_path / "raw"
    start = dt.datetime(2024, 4, 1, 6, tzinfo=dt.UTC)
    for day, html in enumerate([html_2024] * 2 + [html_2025] * 2 + [html_2024]):
        store_snapshot(raw, daily(html, day + 1), {"charset": "utf-8"},
                       now=start + dt.timedelta(days=60 * day))
    build_history(raw, tmp_path / "usual")
    assert len(scanned) == 2  # one scan per version of the page

    real = build_module.prepare
    monkeypatch.setattr(build_module, "prepare",
                        lambda path, data, **options: real(path, data,
                                                           **{**options, "memo": None}))
    monkeypatch.setenv(history_cache.DISABLE_VARIABLE, "off")
    build_history(raw, tmp_path / "alone")
    assert len(scanned) == 2 + 5

    def published(out):
        return {p.name: p.read_bytes() for p in out.iterdir()
                if p.is_file() and not p.name.startswith(".")}

    assert published(tmp_path / "usual") == published(tmp_path / "alone")
    assert set(published(tmp_path / "usual")) == {"history.parquet", "history.csv",
                                                  "events.csv"}
