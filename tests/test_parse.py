"""Tests for pipeline.parse: one small hand-written page per quirk, the failure modes, and the
whole reconstructed snapshot against a golden file."""

from __future__ import annotations

import csv
import dataclasses
import gc
import hashlib
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import RAW_DIR
from pipeline.errors import ParseError
from pipeline.parse import ParsedPage, RawRecord, decode_page, parse_page

FIXTURES = Path(__file__).parent / "fixtures" / "parse"
GOLDEN = Path(__file__).parent / "golden" / "raw_records.csv"

HEADER = (
    "<tr><th>Country / region</th><th>Agreement type</th><th>Institution</th>"
    "<th>Initial<br>agreement date</th><th>agreement expiration date</th></tr>"
)


def fixture(name: str) -> ParsedPage:
    return parse_page((FIXTURES / name).read_bytes())


def names(page: ParsedPage) -> list[str]:
    return [r.name for r in page.records]


def page_with(body: str, *, head: str = '<meta charset="utf-8">') -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


ONE_TABLE = (
    "<table>" + HEADER + "<tr><td>Senegal</td><td>I</td><td>Cheikh Anta Diop University</td>"
    "<td>2017.09.22</td><td>2027.09.21</td></tr></table>"
)


# --- quirks, one fixture each ----------------------------------------------------------------
def test_rowspan_repeats_the_cell_down_the_rows_it_spans() -> None:
    page = fixture("rowspan.html")
    brasil = [r for r in page.records if r.country == "Brasil"]
    assert [r.name for r in brasil] == [
        "Universidade Federal de São Paulo",
        "The University of San Paulo Center of Nuclear Energy in Agriculture",
        'The University of San Paulo Higher School of Agriculture "Luiz de Queiroz"',
        "The University of San Paulo Institute of Mathematics and Statistics",
    ]
    # One agreement, three units: type and both dates come from rowspan=3 cells.
    assert {(r.agreement_type, r.initial_date, r.expiration) for r in brasil[1:]} == {
        ("IS", "2019.10.22", "2024.10.21")
    }


def test_invalid_rowspans_are_clamped() -> None:
    # rowspan="abc" → 1, rowspan="0" → to the end, rowspan="999999" → stops at the last row.
    page = fixture("rowspan.html")
    assert page.records[-1] == RawRecord(
        "South America", "Chile", "I", "Universidad de Chile", "2020.01.01", "2025.01.01", 0, 4
    )
    assert len(page.records) == 5


def test_colspan_two_row_header_and_spanning_cells() -> None:
    page = fixture("colspan.html")
    assert [(r.country, r.name, r.initial_date, r.expiration) for r in page.records] == [
        ("France", "École Polytechnique", "2008.07.16", "2028.08.05"),
        ("Germany", "RWTH Aachen University", "2011.11.11", "2026.11.10"),
        # One date cell spanning both date columns fills both, as it is displayed.
        ("Italy", "University of Trento", "2017.07.03", "2017.07.03"),
    ]  # the note row spanning the whole table is not a record


def test_br_becomes_a_space_and_whitespace_collapses_but_text_is_not_cleaned() -> None:
    page = fixture("br_in_cells.html")
    assert names(page) == [
        "College of IT Engineering, Kyungpook National University",
        "College of Life Sciences, Nanjing Agricultual University",  # typo kept
        "Indian Institute of Science Education and Research,",  # trailing comma kept
    ]
    assert [r.expiration for r in page.records] == [
        "2028.04.13",
        "2023.12.05 (Under renewal)",
        "[MOU] [MOSE* with CBS]",
    ]


def test_omitted_end_tags_are_closed_like_a_browser_does() -> None:
    page = fixture("omitted_end_tags.html")
    assert [(r.country, r.name, r.expiration) for r in page.records] == [
        ("Thailand", "Mahidol University", "2025.03.31"),
        ("Thailand", "Chulalongkorn University", "2028.02.27"),
        ("Malaysia", "University of Malaya", "2029.03.15"),
    ]


def test_table_without_heading_has_no_region() -> None:
    page = fixture("no_heading.html")
    assert {r.region for r in page.records} == {None}
    assert page.region_counts == {}
    assert (page.stated_institutions, page.stated_countries) == (96, 25)


def test_navigation_tables_scripts_comments_and_hidden_tables_are_ignored() -> None:
    page = fixture("navigation_and_script.html")
    assert names(page) == ["Cheikh Anta Diop University"]
    # The in-page links "Oceania(2)" sit closer to the table than the heading but are links.
    assert page.records[0].region == "Africa"
    assert page.region_counts == {"Africa": 1}
    assert page.legend == {}  # "TEL: 0743-…" in the footer is not a legend


def test_header_row_of_bold_td_cells_maps_columns_in_any_order() -> None:
    page = fixture("td_bold_header.html")
    assert [dataclasses.astuple(r)[1:6] for r in page.records] == [
        ("Canada", "BS", "Faculty of Science, University of British Columbia",
         "2012.05.02", "2027.05.02"),
        ("U.S.A.", "I", "University of California, San Diego", "2013.04.29", "2029.1.2"),
    ]  # fmt: skip
    assert page.region_counts == {"North America": 2}  # a <p><strong> heading


def test_single_table_with_region_rows() -> None:
    page = fixture("region_rows.html")
    assert [(r.region, r.country) for r in page.records] == [
        ("Asia", "Korea"),
        ("Europe", "Austria"),
        ("Europe", "Austria"),
        ("Africa", "Senegal"),
    ]
    assert page.region_counts == {"Europe": 2}
    # The legend written on one line, after a label.
    assert page.legend == {
        "I": "Institute-wide level",
        "MS": "Materials science (Graduate school-level)",
    }


CP932_PAGE = """<!DOCTYPE html>
<html lang="ja"><head>
<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">
<title>国際交流協定校一覧</title></head>
<body>
<p>協定校一覧：96 institutions from 25 countries/regions (As of 1 April 2024)</p>
<h3>ヨーロッパ（2）</h3>
<table>
<tr><th>国・地域 Country / region</th><th>協定種別 Agreement type</th><th>機関名 Institution</th>
<th>締結日 Initial agreement date</th><th>有効期限 agreement expiration date</th></tr>
<tr><td rowspan="2">フランス</td><td>I</td><td>Univesit&eacute; Toulouse Ⅲ- Paul Sabatier</td>
<td>2007.11.13</td><td>2027.10.10</td></tr>
<tr><td>IS</td>
<td>&Eacute;cole nationale sup&eacute;rieure d'ing&eacute;nieurs de Caen（カーン）</td>
<td>2017.07.04</td><td>2027.07.03</td></tr>
</table>
</body></html>
"""


def test_cp932_page_with_meta_shift_jis_and_entities() -> None:
    data = CP932_PAGE.encode("cp932")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the fixture really is not UTF-8
    page = parse_page(data)
    assert page.encoding == "cp932"
    assert [(r.region, r.country, r.name) for r in page.records] == [
        ("ヨーロッパ", "フランス", "Univesité Toulouse Ⅲ- Paul Sabatier"),
        ("ヨーロッパ", "フランス", "École nationale supérieure d'ingénieurs de Caen（カーン）"),
    ]
    assert page.region_counts == {"ヨーロッパ": 2}
    assert page.as_of == date(2024, 4, 1)


# --- decoding --------------------------------------------------------------------------------
def test_declared_charset_wins_over_meta() -> None:
    data = CP932_PAGE.replace("charset=Shift_JIS", "charset=utf-8").encode("cp932")
    assert parse_page(data, declared_charset="shift_jis").encoding == "cp932"


def test_cp932_without_any_label_is_detected() -> None:
    data = CP932_PAGE.replace("; charset=Shift_JIS", "").encode("cp932")
    page = parse_page(data)
    assert page.encoding == "cp932"
    assert page.records[0].country == "フランス"


@pytest.mark.parametrize(
    ("data", "declared", "expected"),
    [
        ("\ufeffÉcole".encode(), None, ("École", "utf-8")),  # BOM
        ("École".encode("utf-16"), None, ("École", "utf-16")),
        # HTTP clients report ISO-8859-1 when the server names no charset.
        ("École".encode(), "ISO-8859-1", ("École", "utf-8")),
        ("École".encode("cp1252"), "ISO-8859-1", ("École", "cp1252")),
        ("École".encode(), "text/html; charset=UTF-8", ("École", "utf-8")),
        ("École".encode(), "no-such-charset", ("École", "utf-8")),
    ],
)
def test_decode_page(data: bytes, declared: str | None, expected: tuple[str, str]) -> None:
    assert decode_page(data, declared) == expected


@pytest.mark.parametrize(
    ("head", "declared", "encoding", "warning"),
    [
        ('<meta charset="iso-8859-1">', None, "utf-8", "says iso-8859-1 but the bytes are UTF-8"),
        ('<meta charset="Shift_JIS">', None, "utf-8", "says Shift_JIS but the bytes are UTF-8"),
        ('<meta charset="utf-8">', "Shift_JIS", "utf-8", "HTTP charset says Shift_JIS"),
        ('<meta charset="base64">', None, "utf-8", "unknown charset 'base64'"),
        ('<meta charset="utf-7">', None, "utf-8", "unknown charset 'utf-7'"),
        ('<meta charset="utf-8">', "rot13", "utf-8", "unknown charset 'rot13' in the HTTP charset"),
        ('<meta charset="utf-8">', {"not": "a label"}, "utf-8", "unknown charset"),
    ],
)  # fmt: skip
def test_labels_the_bytes_contradict_are_overruled_with_a_warning(
    head: str, declared: object, encoding: str, warning: str
) -> None:
    page = parse_page(page_with(ONE_TABLE.replace("Cheikh", "École"), head=head), declared)
    assert (page.encoding, page.records[0].name) == (encoding, "École Anta Diop University")
    assert any(warning in w.message for w in page.warnings), page.warnings


def test_cp1252_body_labelled_utf8_is_read_as_cp1252_with_a_warning() -> None:
    data = page_with(ONE_TABLE.replace("Cheikh", "École"), head='<meta charset="utf-8">')
    page = parse_page(data.decode("utf-8").encode("cp1252"))
    assert (page.encoding, page.records[0].name) == ("cp1252", "École Anta Diop University")
    assert [w.message for w in page.warnings] == [
        "the page's <meta> says utf-8 but the bytes are cp1252 (detected); decoded as such"
    ]


def test_a_label_that_fits_is_followed_without_a_warning() -> None:
    assert parse_page(CP932_PAGE.encode("cp932")).warnings == ()
    assert parse_page(page_with(ONE_TABLE), "utf-8").warnings == ()


# --- invisible and control characters ----------------------------------------------------------
def test_invisible_and_control_characters_are_removed_from_cells_and_recorded() -> None:
    row = (
        "<tr><td>Sene\u200bgal</td><td>I\u200e</td><td>\u202eCheikh Anta\x1b[31m Diop\x1b[0m"
        " Univer\u00adsity\x07</td><td>2017.09.22\ufeff</td><td>2027.09.21</td></tr>"
    )
    page = parse_page(page_with("<table>" + HEADER + row + "</table>"))
    record = page.records[0]
    assert (record.country, record.agreement_type, record.name, record.initial_date) == (
        "Senegal", "I", "Cheikh Anta Diop University", "2017.09.22")
    assert record.cleaned == (
        ("country", "Sene<U+200B>gal", "Senegal"),
        ("agreement_type", "I<U+200E>", "I"),
        ("name_raw", "<U+202E>Cheikh Anta<U+001B>[31m Diop<U+001B>[0m Univer<U+00AD>sity<U+0007>",
         "Cheikh Anta Diop University"),
        ("initial_date", "2017.09.22<U+FEFF>", "2017.09.22"),
    )  # fmt: skip


def test_invisible_characters_do_not_hide_headings_or_counts() -> None:
    page = parse_page(page_with(
        "<p>1 institu\u200btions from 1 country</p><h3>Af\u2060rica(1)</h3>" + ONE_TABLE))
    assert (page.stated_institutions, page.region_counts) == (1, {"Africa": 1})


# --- facts the page states about itself ------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(As of April 1, 2024)", date(2024, 4, 1)),
        ("As of 1 April 2024", date(2024, 4, 1)),
        ("as of 2024.4.1", date(2024, 4, 1)),
        ("As of Apr. 1st, 2024", date(2024, 4, 1)),
        ("As of: 2024-04-01", date(2024, 4, 1)),
        ("As of April 2024", None),  # no day: not guessed
        ("Updated yearly", None),
    ],
)
def test_as_of_date(text: str, expected: date | None) -> None:
    assert parse_page(page_with(f"<p>{text}</p>{ONE_TABLE}")).as_of == expected


def test_counts_of_any_size_are_read_whole() -> None:
    text = "<p>100,032 institutions from 1,024 countries/regions</p><h3>Africa (100,032)</h3>"
    page = parse_page(page_with(text + ONE_TABLE))
    assert (page.stated_institutions, page.stated_countries) == (100_032, 1_024)
    assert page.region_counts == {"Africa": 100_032}


def test_missing_statements_are_none_or_empty() -> None:
    page = parse_page(page_with(ONE_TABLE))
    assert page.stated_institutions is None
    assert page.stated_countries is None
    assert page.as_of is None
    assert page.legend == {}
    assert page.region_counts == {}
    assert len(page.records) == 1


# --- failures --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b" \r\n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG"),
        (bytes(range(256)) * 40, "binary"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 64, "gzip"),
        (b'{"partners": [{"name": "Hanbat National University"}]}', "JSON"),
        (b"  [1, 2, 3]\n", "JSON"),
        (b"Hanbat National University 2011.07.22 2026.07.21", "no HTML markup"),
        (page_with("<p>Nothing here.</p>"), "no partner table"),
        (
            page_with(
                '<table class="nav"><tr><td><a href="/en/">Home</a></td>'
                '<td><a href="/en/about/">About</a></td></tr></table>'
            ),
            "no partner table",
        ),
    ],
)
def test_not_a_partners_page(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        parse_page(data)
    assert caught.value.hint  # every failure says what to do or look at


def test_page_cut_off_mid_table_names_the_row(snapshot_bytes: bytes) -> None:
    cut = snapshot_bytes[: snapshot_bytes.index(b"University of Adelaide") + 10]
    with pytest.raises(ParseError, match=r"partner table 6, row 3 has 3 of 5 cells"):
        parse_page(cut)


def test_row_with_missing_cells_in_a_complete_page() -> None:
    good = "<tr><td>Senegal</td><td>I</td><td>Dakar</td><td>2017.09.22</td><td>2027.09.21</td></tr>"
    short = "<tr><td>I</td><td>Lost Country University</td><td>2019.04.08</td></tr>"
    table = "<table>" + HEADER + good * 3 + short + good + "</table>"
    with pytest.raises(ParseError, match=r"row 5 has 3 of 5 cells \('I \| Lost Country"):
        parse_page(page_with(table))


GOOD_ROW = (
    "<tr><td>Senegal</td><td>I</td><td>Dakar {}</td><td>2017.09.22</td><td>2027.09.21</td></tr>"
)


def test_an_extra_cell_is_blamed_on_its_own_row() -> None:
    extra = "<tr><td>Mali</td><td>I</td><td>Bamako</td><td>x</td><td>2019.1.1</td><td>2024.1.1"
    rows = "".join(GOOD_ROW.format(i) for i in range(3)) + extra + GOOD_ROW.format(9)
    with pytest.raises(ParseError, match=r"row 5 has 6 cells, more than the 5 .*'Mali \| I \| Bam"):
        parse_page(page_with("<table>" + HEADER + rows + "</table>"))


def test_empty_trailing_cells_and_header_only_columns_are_not_extra() -> None:
    header = HEADER.replace("</tr>", "<th>Remarks</th></tr>")
    rows = GOOD_ROW.format(1).replace("</tr>", "<td></td></tr>") + GOOD_ROW.format(2)
    assert len(parse_page(page_with("<table>" + header + rows + "</table>")).records) == 2


def test_an_exact_repeat_of_a_row_fails_naming_both() -> None:
    rows = GOOD_ROW.format(1) + GOOD_ROW.format(2) + GOOD_ROW.format(1)
    with pytest.raises(ParseError, match=r"table 1, row 4 repeats partner table 1, row 2 exactly"):
        parse_page(page_with("<table>" + HEADER + rows + "</table>"))


def test_a_counted_heading_without_its_table_fails() -> None:
    body = "<h3>Africa(1)</h3>" + ONE_TABLE + "<h3>Europe(3)</h3><h3>Oceania(1)</h3>" + ONE_TABLE
    with pytest.raises(ParseError, match=r"region heading 'Europe\(3\)' has no partner table"):
        parse_page(page_with(body))
    with pytest.raises(ParseError, match=r"'Asia\(2\)' has no partner table"):
        parse_page(page_with("<h3>Africa(1)</h3>" + ONE_TABLE + "<h3>Asia(2)</h3><p>End</p>"))


def test_a_contents_list_before_the_tables_is_not_a_missing_table() -> None:
    contents = "<ul><li>Africa(1)</li><li>Oceania(1)</li></ul><p>Photos(3)</p>"
    body = contents + "<h3>Africa(1)</h3>" + ONE_TABLE + "<h3>Oceania(1)</h3>" + ONE_TABLE.replace(
        "Senegal", "Fiji")
    page = parse_page(page_with(body))
    assert page.region_counts == {"Africa": 1, "Oceania": 1}


@pytest.mark.parametrize(
    ("name", "problem"),
    [("Ã‰cole Polytechnique", "mojibake"), ("UniversitÃ© de Lyon", "mojibake"),
     ("Universit\ufffd de Lyon", "U\\+FFFD"), ("Universit&#xFFFD; de Lyon", "U\\+FFFD")],
)  # fmt: skip
def test_mojibake_and_lost_characters_fail_naming_the_row(name: str, problem: str) -> None:
    with pytest.raises(ParseError, match=rf"table 1, row 2: the name .* holds .*{problem}"):
        parse_page(page_with(ONE_TABLE.replace("Cheikh Anta Diop University", name)))


@pytest.mark.parametrize(
    "name", ["Universität Stuttgart", "Łódź University", "Université Côte d'Azur", "São Paulo",
             "İstanbul Teknik Üniversitesi", "Đại học Quốc gia Hà Nội", "奈良先端科学技術大学"],
)  # fmt: skip
def test_accented_names_are_not_mojibake(name: str) -> None:
    assert names(parse_page(page_with(ONE_TABLE.replace("Cheikh Anta Diop University", name)))) == [
        name]


def test_50000_deep_nesting_fails_cleanly() -> None:
    deep = b"<html><body>" + b"<div>" * 50_000 + ONE_TABLE.encode() + b"</div>" * 50_000
    with pytest.raises(ParseError, match="nested"):
        parse_page(deep)


def test_moderately_deep_nesting_still_parses() -> None:
    deep = b"<html><body>" + b"<div>" * 900 + ONE_TABLE.encode() + b"</div>" * 900
    assert names(parse_page(deep)) == ["Cheikh Anta Diop University"]


def test_absurd_spans_are_refused_not_expanded() -> None:
    row = '<tr><td colspan="1000">x</td><td>I</td><td>U</td><td>2020.1.1</td><td>2025.1.1</td></tr>'
    with pytest.raises(ParseError, match="more than 1,000,000 cells"):
        parse_page(page_with("<table>" + row * 1100 + "</table>"))




def test_the_cell_limit_is_a_million_as_documented() -> None:
    """The tests below use a smaller limit; the real one is the README's, in the message too
    (tests/test_broken_pages.py meets it with a real span bomb in a real process)."""
    from pipeline.parse.model import MAX_PAGE_CELLS, too_many_cells

    assert MAX_PAGE_CELLS == 1_000_000
    assert "more than 1,000,000 cells" in str(too_many_cells())
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert "at most 1,000,000 table cells" in " ".join(readme.split())


def test_the_cell_limit_is_per_page_not_per_table(small_cell_limit: int) -> None:
    """Tables each well under the limit add up: 40 tables of 30 rows whose first cell spans
    10 columns and every remaining row (rowspan=0), 4,740 cells each (the same shape as 1000
    columns, 465,090 cells each, against the real limit of 1,000,000)."""
    row = '<tr><td colspan="10" rowspan="0">x</td><td>I</td><td>U</td><td>2020.1.1</td></tr>'
    table = "<table>" + row * 30 + "</table>"
    with pytest.raises(ParseError, match=f"tables hold more than {small_cell_limit:,} cells"):
        parse_page(page_with(ONE_TABLE + table * 40))
    with pytest.raises(ParseError) as one_table:  # malformed rows, but within the limit
        parse_page(page_with(ONE_TABLE + table))
    assert "more than" not in str(one_table.value)


def test_a_page_of_a_million_empty_cells_is_refused_while_it_is_read(
    small_cell_limit: int,
) -> None:
    """A page of only cells (no spans) passes the limit while it is read: ``small_cell_limit``
    plus one empty cells stand for a million and one."""
    with pytest.raises(ParseError, match=f"more than {small_cell_limit:,} cells"):
        parse_page(page_with(ONE_TABLE + "<table><tr>" + "<td>" * (small_cell_limit + 1)
                             + "</table>"))


SPAN = st.one_of(
    st.none(), st.sampled_from(["0", "-1", "abc", "", "2", "3px", "99999999"]), st.integers(1, 4)
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.tuples(SPAN, SPAN), min_size=0, max_size=6), max_size=6))
def test_any_spans_give_records_or_a_parse_error(shape: list[list[tuple]]) -> None:
    values = ["Korea", "I", "Hanbat National University", "2011.07.22", "2026.07.21", "x"]
    rows = []
    for cells in shape:
        tds = []
        for i, (rowspan, colspan) in enumerate(cells):
            attrs = "".join(
                f' {name}="{value}"' for name, value in (("rowspan", rowspan), ("colspan", colspan))
                if value is not None
            )  # fmt: skip
            tds.append(f"<td{attrs}>{values[i]}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    try:
        page = parse_page(page_with("<table>" + HEADER + "".join(rows) + "</table>"))
    except ParseError:
        return
    assert all(isinstance(r, RawRecord) for r in page.records)


# --- memory ----------------------------------------------------------------------------------
def test_parsing_leaves_no_garbage_cycles_and_keeps_the_collector_as_it_was(
    snapshot_bytes: bytes,
) -> None:
    """Collector tuning belongs to the entry point; what lxml's parser/target cycle keeps
    alive until a collection is an emptied target, not the page's cells and lines."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        parse_page(snapshot_bytes)
        assert not gc.isenabled()  # parse_page did not switch it on (or off and on)
        assert gc.collect() < 100  # the page has ~500 cells and ~100 lines
    finally:
        if was_enabled:
            gc.enable()


def test_parse_page_does_not_touch_the_collector(snapshot_bytes: bytes, monkeypatch) -> None:
    def refuse() -> None:
        raise AssertionError("parse_page must not change garbage collection")

    monkeypatch.setattr(gc, "disable", refuse)
    monkeypatch.setattr(gc, "enable", refuse)
    assert len(parse_page(snapshot_bytes).records) == 96


# --- the reconstructed snapshot --------------------------------------------------------------
@pytest.fixture(scope="module")
def snapshot_path() -> Path:
    found = sorted(RAW_DIR.glob("20240401T000000Z_*.html"))
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def snapshot_bytes(snapshot_path: Path) -> bytes:
    return snapshot_path.read_bytes()


@pytest.fixture(scope="module")
def snapshot(snapshot_bytes: bytes) -> ParsedPage:
    return parse_page(snapshot_bytes, declared_charset="utf-8")


def test_snapshot_file_matches_its_name_and_sidecar(
    snapshot_path: Path, snapshot_bytes: bytes
) -> None:
    digest = hashlib.sha256(snapshot_bytes).hexdigest()
    assert snapshot_path.stem.endswith("_" + digest[:12])
    sidecar = json.loads(snapshot_path.with_suffix(".json").read_text(encoding="utf-8"))
    assert sidecar["sha256"] == digest
    assert sidecar["size"] == len(snapshot_bytes)
    assert sidecar["obtained"] == "reconstructed"


def test_snapshot_totals(snapshot: ParsedPage) -> None:
    assert len(snapshot.records) == 96
    assert [r.row for r in snapshot.records] == list(range(96))
    assert (snapshot.stated_institutions, snapshot.stated_countries) == (96, 25)
    assert len({r.country for r in snapshot.records}) == 25
    assert snapshot.as_of == date(2024, 4, 1)
    assert snapshot.encoding == "utf-8"


def test_snapshot_region_counts_match_the_headings(snapshot: ParsedPage) -> None:
    assert snapshot.region_counts == {
        "Asia": 48, "Europe": 34, "North America": 6, "South America": 4, "Africa": 1,
        "Oceania": 3,
    }  # fmt: skip
    assert Counter(r.region for r in snapshot.records) == snapshot.region_counts
    assert sorted({r.table for r in snapshot.records}) == list(range(6))


def test_snapshot_legend(snapshot: ParsedPage) -> None:
    assert snapshot.legend == {
        "I": "Institute-wide level",
        "IS": "Information Science (Graduate school-level)",
        "BS": "Biological Science (Graduate school-level)",
        "MS": "Materials science (Graduate school-level)",
    }


def test_snapshot_matches_golden_records(snapshot: ParsedPage) -> None:
    with GOLDEN.open(encoding="utf-8", newline="") as fh:
        golden = list(csv.DictReader(fh))
    parsed = [
        {k: "" if v is None else str(v) for k, v in dataclasses.asdict(r).items() if k in golden[0]}
        for r in snapshot.records
    ]
    assert parsed == golden
    assert all(r.cleaned == () for r in snapshot.records)  # nothing invisible on the page
