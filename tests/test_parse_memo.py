"""parse_page's memo: a page that scans the same as an earlier one gets that page's result, and
the result is always what a parse without the memo gives."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from pipeline.errors import ParseError
from pipeline.parse import parse_page
from pipeline.parse.scan import Cell, Row, Table, scan_html, scan_key

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted([*FIXTURES.glob("parse/*.html"), *FIXTURES.glob("hostile/*.html")])


def served(html: str, stamp: str) -> bytes:
    """The page with its asset URLs and a comment as a server stamps them on one day."""
    return html.replace("</head>", f'<link rel="stylesheet" href="/base.css?v={stamp}">'
                        f'<script src="/app.js?v={stamp}"></script></head>', 1).replace(
        "</body>", f"<!-- served {stamp} --></body>", 1).encode("utf-8")


def test_pages_that_scan_the_same_share_one_result(snapshot_2024):
    html = snapshot_2024.read_text(encoding="utf-8")
    memo: dict = {}
    first = parse_page(served(html, "20240401"), "utf-8", memo=memo)
    second = parse_page(served(html, "20240402"), "utf-8", memo=memo)
    assert second is first and len(memo) == 1
    assert first == parse_page(served(html, "20240402"), "utf-8")


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
def test_the_memo_never_changes_a_result(path):
    """Every fixture, parsed twice through one memo, parses as without it (or fails alike)."""
    data = path.read_bytes()
    try:
        expected = parse_page(data)
    except ParseError as error:
        with pytest.raises(ParseError, match=re.escape(error.message)):
            parse_page(data, memo={})
        return
    memo: dict = {}
    assert parse_page(data, memo=memo) == expected
    assert parse_page(data, memo=memo) == expected and len(memo) == 1


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
