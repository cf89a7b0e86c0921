"""diff: the exact changes between the 2024 page and a version derived from it with known edits
(tests/pagegen.py), from HTML and from built partners.parquet, through the command line too."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pagegen import AS_OF_2025, Page, edit_2025

from pipeline import config
from pipeline.cli import main
from pipeline.diff import (
    DIFF_CSV,
    DIFF_JSON,
    Version,
    compare,
    compare_paths,
    diff_rows,
    render,
    summary_line,
    write_outputs,
)
from pipeline.errors import ParseError, PipelineError, SnapshotError

# The complete diff.csv between the 2024 page and edit_2025(). Not in it: the typo fixed on the
# page (Univetsitas → Universitas Hasanuddin, a page correction), the reordered rows (Europe's
# countries reversed, two rows of China swapped) and the headline (as-of date, counts).
EXPECTED_CSV = """\
change,partner_id,name,field,old,new
added,TH-3b97519c,Prince of Songkla University,,,
added,KE-d03cd0bf,University of Nairobi,,,
removed,VN-b2833bd4,Hue University of Sciences,,,
removed,MY-8db8da54,Universiti Sains Malaysia,,,
renamed,VN-5f7e8160,"VNU University of Science, Vietnam National University, Hanoi",partner_id,VN-ba28e3b1,VN-5f7e8160
renamed,VN-5f7e8160,"VNU University of Science, Vietnam National University, Hanoi",name,"Hanoi University of Science, Vietnam National University","VNU University of Science, Vietnam National University, Hanoi"
renamed,VN-5f7e8160,"VNU University of Science, Vietnam National University, Hanoi",institution,Vietnam National University,"Vietnam National University, Hanoi"
renamed,VN-5f7e8160,"VNU University of Science, Vietnam National University, Hanoi",unit,Hanoi University of Science,VNU University of Science
renamed,VN-5f7e8160,"VNU University of Science, Vietnam National University, Hanoi",name_raw,"Hanoi University of Science, Vietnam National University","VNU University of Science, Vietnam National University, Hanoi"
changed,TH-befdf67f,Kasetsart University,expiration_date,2025-04-01,2030-03-31
changed,CN-dfbd0ed0,Liaoning University,agreement_type,I,IS
changed,CN-dfbd0ed0,Liaoning University,agreement_level,institute,graduate school
changed,CN-dfbd0ed0,Liaoning University,agreement_field,,Information Science
changed,TH-1702dbbe,Mahidol University,expiration_date,2025-03-31,2030-03-31
changed,CN-9db5f1ba,Northeast Normal University,expiration_date,2025-04-15,2030-04-15
"""  # noqa: E501
SUMMARY = ("2 added, 2 removed, 5 changed: 3 renewals, 1 rename, 1 type change; "
           "1 page correction")
HEADER = "change,partner_id,name,field,old,new\n"


@pytest.fixture(scope="module")
def html_2024(snapshot_2024) -> str:
    return snapshot_2024.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pages(tmp_path_factory, html_2024):
    """The 2024 page and the derived 2025 page as plain HTML files (no sidecar)."""
    folder = tmp_path_factory.mktemp("pages")
    old, new = folder / "2024.html", folder / "2025.html"
    old.write_text(html_2024, encoding="utf-8")
    new.write_text(edit_2025(Page(html_2024)).html(), encoding="utf-8")
    return old, new


@pytest.fixture(scope="module")
def built(tmp_path_factory, pages):
    """partners.parquet built from each page (with metadata.json next to it)."""
    from pipeline.build import build

    outs = []
    for page in pages:
        out = tmp_path_factory.mktemp("out")
        build(page, out_dir=out)
        outs.append(out / config.PARTNERS_PARQUET)
    return tuple(outs)


@pytest.fixture(scope="module")
def result(pages):
    return compare_paths(*pages)


def csv_text(result) -> str:
    """diff.csv's content with \\n line ends (whatever line ends pipeline.write uses)."""
    return unix(render(result, "csv"))


def unix(text: str) -> str:
    return text.replace("\r\n", "\n")


# --- the page generator ---------------------------------------------------------------------


def test_an_unedited_page_round_trips_byte_for_byte(html_2024):
    assert Page(html_2024).html() == html_2024


def test_the_generated_page_states_its_new_counts(pages):
    text = pages[1].read_text(encoding="utf-8")
    assert "96 institutions from 26 countries/regions" in text
    assert "(As of January 15, 2025)" in text
    assert ">Asia(47)</h3>" in text and ">Africa(2)</h3>" in text
    assert "Univetsitas" not in text


# --- the exact diff -------------------------------------------------------------------------


def test_diff_csv_is_exactly_the_known_edits(result, tmp_path):
    written = write_outputs(result, tmp_path)
    assert written == {DIFF_CSV: tmp_path / DIFF_CSV, DIFF_JSON: tmp_path / DIFF_JSON}
    assert (tmp_path / DIFF_CSV).read_text(encoding="utf-8") == EXPECTED_CSV
    assert (tmp_path / DIFF_CSV).read_bytes().decode("utf-8") == render(result, "csv")
    assert csv_text(result) == EXPECTED_CSV
    assert result.differs and summary_line(result) == SUMMARY


def test_the_typo_fixed_on_the_page_is_a_page_correction_not_a_change(result):
    assert [(c.partner_id, c.name, c.field, c.old, c.new) for c in result.corrections] == [
        ("ID-c3826699", "Universitas Hasanuddin", "name_raw", "Univetsitas Hasanuddin",
         "Universitas Hasanuddin")]
    assert "ID-c3826699" not in {c.partner_id for c in result.changed}


def test_renewals_renames_and_type_changes_are_classified(result):
    kinds = {c.name: c.kinds for c in result.changed}
    assert kinds == {
        "Kasetsart University": ("renewal",),
        "Mahidol University": ("renewal",),
        "Northeast Normal University": ("renewal",),
        "VNU University of Science, Vietnam National University, Hanoi": ("rename",),
        "Liaoning University": ("type_change",),
    }
    rename = next(c for c in result.changed if c.change == "renamed")
    assert (rename.old_partner_id, rename.partner_id) == ("VN-ba28e3b1", "VN-5f7e8160")
    assert rename.old_name == "Hanoi University of Science, Vietnam National University"
    assert rename.match == "similar name" and rename.score == 100.0


def test_headline_changes_are_reported_apart_from_partner_changes(result):
    assert [(h.item, h.old, h.new) for h in result.headline] == [
        ("as_of", dt.date(2024, 4, 1), AS_OF_2025),
        ("countries", 25, 26),
        ("region:Asia", 48, 47),
        ("region:Africa", 1, 2),
    ]


def test_only_the_typo_fix_and_reordering_make_no_partner_change(html_2024, tmp_path):
    page = Page(html_2024)
    page.rename("Univetsitas Hasanuddin", "Universitas Hasanuddin")
    europe = [g[0][0].text for g in page.groups("Europe")]
    page.reorder_groups("Europe", europe[::-1])
    page.swap("Tianjin University of Technology", "Liaoning University")
    old, new = tmp_path / "old.html", tmp_path / "new.html"
    old.write_text(html_2024, encoding="utf-8")
    new.write_text(page.html(), encoding="utf-8")
    result = compare_paths(old, new)
    assert not result.differs and not result.headline
    assert csv_text(result) == HEADER
    assert len(result.corrections) == 1
    assert main(["diff", str(old), str(new), "--out", str(tmp_path), "--exit-code"]) == 0


def test_spacing_and_case_edits_on_the_page_keep_every_partner(html_2024, tmp_path):
    page = Page(html_2024)
    page.rename("Mahidol University", "MAHIDOL&ensp; UNIVERSITY ")
    page.rename("Chulalongkorn University", "Chulalongkorn<br>university")
    old, new = tmp_path / "old.html", tmp_path / "new.html"
    old.write_text(html_2024, encoding="utf-8")
    new.write_text(page.html(), encoding="utf-8")
    result = compare_paths(old, new)
    assert not result.differs and csv_text(result) == HEADER
    assert sorted({(c.partner_id, c.name) for c in result.corrections}) == [
        ("TH-1702dbbe", "MAHIDOL UNIVERSITY"), ("TH-75bdb75e", "Chulalongkorn university")]


def test_the_diff_json_holds_the_whole_result(result, tmp_path):
    write_outputs(result, tmp_path)
    document = json.loads((tmp_path / DIFF_JSON).read_text(encoding="utf-8"))
    assert document["summary"] == {
        "added": 2, "removed": 2, "changed": 5, "renewals": 3, "renames": 1,
        "type_changes": 1, "other_changes": 0, "page_corrections": 1, "headline_changes": 4}
    assert document["differs"] is True and document["identical_snapshots"] is False
    assert document["old"]["as_of"] == "2024-04-01" and document["new"]["as_of"] == "2025-01-15"
    assert document["headline"][0] == {"item": "as_of", "old": "2024-04-01", "new": "2025-01-15"}
    assert [r["name"] for r in document["partners"]["added"]] == [
        "Prince of Songkla University", "University of Nairobi"]
    assert document["partners"]["added"][1]["country_code"] == "KE"
    assert document["page_corrections"][0]["old"] == "Univetsitas Hasanuddin"
    mahidol = next(c for c in document["partners"]["changed"] if c["name"] == "Mahidol University")
    assert mahidol["fields"] == [
        {"field": "expiration_date", "old": "2025-03-31", "new": "2030-03-31"}]


# --- inputs: HTML with sidecars, parquet, a mix ----------------------------------------------


def test_stored_snapshots_with_sidecars_compare_the_same(raw_dir, snapshot_2024, pages):
    from pipeline.snapshots import store_snapshot

    stored, wrote = store_snapshot(raw_dir, pages[1].read_bytes(), {"charset": "utf-8"},
                                   now=dt.datetime(2025, 1, 16, 6, tzinfo=dt.UTC))
    assert wrote
    result = compare_paths(raw_dir / snapshot_2024.name, stored.path)
    assert csv_text(result) == EXPECTED_CSV
    assert result.old.taken_at == "2024-04-01T00:00:00Z"
    assert result.new.taken_at == "2025-01-16T06:00:00Z"


def test_parquet_inputs_give_the_same_diff(built, pages):
    result = compare_paths(*built)
    assert csv_text(result) == EXPECTED_CSV
    assert result.old.kind == result.new.kind == "parquet"
    assert [(h.item, h.old, h.new) for h in result.headline] == [
        ("as_of", dt.date(2024, 4, 1), AS_OF_2025), ("countries", 25, 26),
        ("region:Asia", 48, 47), ("region:Africa", 1, 2)]
    assert len(result.corrections) == 1


def test_html_against_parquet(built, pages):
    assert csv_text(compare_paths(pages[0], built[1])) == EXPECTED_CSV
    same = compare_paths(pages[0], built[0])
    assert not same.differs and not same.headline and not same.corrections


def test_parquet_read_without_its_metadata_still_has_a_headline(built, tmp_path):
    lone = tmp_path / "partners.parquet"
    lone.write_bytes(built[1].read_bytes())
    result = compare_paths(built[0], lone)
    assert result.new.institutions == 96 and result.new.as_of == AS_OF_2025
    assert result.new.legend == {}


def test_partners_csv_inputs_give_the_same_diff(built, pages):
    """partners.csv, the file analysts receive, is read through the contract."""
    old_csv, new_csv = (path.with_name(config.PARTNERS_CSV) for path in built)
    result = compare_paths(old_csv, new_csv)
    assert csv_text(result) == EXPECTED_CSV
    assert result.old.kind == result.new.kind == "csv"
    assert result.new.as_of == AS_OF_2025 and result.new.legend  # from metadata.json
    same = compare_paths(pages[0], old_csv)
    assert not same.differs and not same.headline and not same.corrections
    assert csv_text(compare_paths(built[0], new_csv)) == EXPECTED_CSV


def rewritten_parquet(source, target, change):
    """A copy of a partners.parquet whose Arrow table went through ``change``."""
    import pyarrow.parquet as pq

    pq.write_table(change(pq.read_table(source)), target)
    return target


def string_dates(table):
    import pyarrow as pa

    index = table.schema.get_field_index("initial_date")
    return table.set_column(index, "initial_date", table["initial_date"].cast(pa.string()))


def null_name(table):
    import pyarrow as pa

    names = table["name"].to_pylist()
    names[3] = None
    index = table.schema.get_field_index("name")
    return table.set_column(index, "name", pa.array(names, pa.string()))


@pytest.mark.parametrize(("change", "message"), [
    (string_dates, "column initial_date holds string, the partners contract says date"),
    (null_name, "breaks the partners contract: 1 problem(s), first: not-nullable in name"),
])
def test_a_parquet_file_that_breaks_the_contract_is_refused_in_one_line(
        built, tmp_path, capsys, change, message):
    bad = rewritten_parquet(built[0], tmp_path / "partners.parquet", change)
    assert main(["diff", str(bad), str(built[1])]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert err.startswith("error: ") and len(err.splitlines()) == 1


@pytest.mark.parametrize(("edit", "message"), [
    (lambda text: text.replace("2019-10-22", "2019.10.22", 1), "is not an ISO date"),
    (lambda text: text.replace(",false,", ",no,", 1), "is not true or false"),
    (lambda text: text.replace("Mahidol University", "'=Mahidol University", 1),
     "first: no-formula-cells"),
    (lambda text: text.replace("partner_id,", "id,", 1), "no column partner_id"),
])
def test_a_csv_file_that_breaks_the_contract_is_refused_in_one_line(built, tmp_path, capsys,
                                                                    edit, message):
    text = built[0].with_name(config.PARTNERS_CSV).read_text(encoding="utf-8")
    bad = tmp_path / "partners.csv"
    bad.write_text(edit(text), encoding="utf-8", newline="")
    assert main(["diff", str(bad), str(built[1])]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert err.startswith("error: ") and len(err.splitlines()) == 1


# --- the command line -----------------------------------------------------------------------


def test_cli_csv_format_with_exit_code(pages, tmp_path, capsys):
    code = main(["diff", str(pages[0]), str(pages[1]), "--out", str(tmp_path),
                 "--format", "csv", "--exit-code"])
    assert code == 1
    printed = capsys.readouterr().out
    assert printed == (tmp_path / DIFF_CSV).read_bytes().decode("utf-8")  # byte for byte
    assert unix(printed) == EXPECTED_CSV


def test_cli_json_format(pages, tmp_path, capsys):
    assert main(["diff", str(pages[0]), str(pages[1]), "--out", str(tmp_path),
                 "--format", "json"]) == 0  # without --exit-code
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads((tmp_path / DIFF_JSON).read_text(encoding="utf-8"))
    assert printed["summary"]["changed"] == 5


def test_cli_text_format_calls_out_renewals_and_the_headline(pages, tmp_path, capsys):
    assert main(["diff", str(pages[0]), str(pages[1]), "--out", str(tmp_path),
                 "--exit-code"]) == 1
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert lines[2] == SUMMARY
    for expected in (
        "  as of: 2024-04-01 → 2025-01-15",
        "  countries/regions: 25 → 26",
        "  Africa heading count: 1 → 2",
        "Renewals:",
        "  Mahidol University [TH-1702dbbe]",
        "      expiration_date: 2025-03-31 → 2030-03-31",
        "Renames:",
        "  Hanoi University of Science, Vietnam National University → VNU University of "
        "Science, Vietnam National University, Hanoi [VN-ba28e3b1 → VN-5f7e8160]",
        "Type changes:",
        "      agreement_type: I → IS",
        "  + University of Nairobi [KE-d03cd0bf] (Kenya, type I, 2024-10-01 to 2029-09-30)",
        "  - Hue University of Sciences [VN-b2833bd4] (Vietnam, type I, 2015-12-24 to "
        "2025-12-23)",
        "  Universitas Hasanuddin [ID-c3826699] name_raw: Univetsitas Hasanuddin → "
        "Universitas Hasanuddin",
    ):
        assert expected in lines, expected


def out_dir_state() -> dict:
    out = config.OUT_DIR
    return {p.name: p.stat().st_mtime_ns for p in out.iterdir()} if out.is_dir() else {}


def test_cli_writes_files_only_where_out_says(pages, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = out_dir_state()
    assert main(["diff", str(pages[0]), str(pages[1]), "--format", "csv"]) == 0
    assert unix(capsys.readouterr().out) == EXPECTED_CSV
    assert out_dir_state() == before and list(tmp_path.iterdir()) == []
    assert main(["diff", str(pages[0]), str(pages[1]), "--out", "here"]) == 0
    assert sorted(p.name for p in (tmp_path / "here").iterdir()
                  if not p.name.startswith(".")) == [DIFF_CSV, DIFF_JSON]


def test_cli_same_file_twice_is_identical(pages, tmp_path, capsys):
    assert main(["diff", str(pages[0]), str(pages[0]), "--out", str(tmp_path),
                 "--exit-code"]) == 0
    assert "the two files are identical" in capsys.readouterr().out
    assert (tmp_path / DIFF_CSV).read_text(encoding="utf-8") == HEADER


@pytest.mark.parametrize(("content", "message"), [
    (None, "error: no such file"),
    (b"just some text\n", "neither an HTML page, a Parquet file nor a CSV file"),
    (b"PAR1 not really parquet", "not a readable Parquet file"),
    (b"<html><body><p>Under maintenance</p></body></html>", "error: "),
])
def test_cli_reports_unusable_inputs_without_traceback(pages, tmp_path, capsys, content,
                                                       message):
    bad = tmp_path / "bad.html"
    if content is not None:
        bad.write_bytes(content)
    assert main(["diff", str(bad), str(pages[1]), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert err.startswith("error: ") and len(err.splitlines()) == 1
    assert not (tmp_path / "out" / DIFF_CSV).exists()


def test_a_page_cut_short_is_a_parse_error(html_2024, tmp_path):
    cut = tmp_path / "cut.html"
    cut.write_text(html_2024[:3000], encoding="utf-8")
    with pytest.raises(ParseError):
        compare_paths(cut, cut)


def test_a_tampered_snapshot_is_refused(raw_dir, snapshot_2024):
    path = raw_dir / snapshot_2024.name
    path.write_bytes(path.read_bytes().replace(b"Mahidol", b"Mahid0l"))
    with pytest.raises(SnapshotError, match="damaged"):
        compare_paths(path, path)


def test_a_page_that_fails_validation_is_refused(html_2024, tmp_path):
    page = tmp_path / "wrong_count.html"
    page.write_text(html_2024.replace("96 institutions", "97 institutions"), encoding="utf-8")
    with pytest.raises(PipelineError, match="fails validation"):
        compare_paths(page, page)


# --- compare() on hand-made rows ------------------------------------------------------------


def row(pid: str, name: str, **fields) -> dict:
    base = {
        "partner_id": pid, "region": "Asia", "country": "Thailand", "country_code": "TH",
        "agreement_type": "I", "agreement_level": "institute", "agreement_field": None,
        "name": name, "institution": name, "unit": None, "abbreviation": None,
        "name_raw": name, "initial_date": dt.date(2010, 1, 1),
        "expiration_date": dt.date(2025, 1, 1), "under_renewal": False, "notes": None,
        "snapshot_date": dt.date(2024, 4, 1),
    }
    base.update(fields)
    return base


MAHIDOL = row("TH-00000001", "Mahidol University")
KASETSART = row("TH-00000002", "Kasetsart University", initial_date=dt.date(2012, 5, 5))


def test_a_renamed_partner_is_matched_by_similar_name_and_date():
    new = row("TH-0000000a", "Mahidol University International College")
    result = compare([MAHIDOL, KASETSART], [new, KASETSART])
    assert not result.added and not result.removed
    (change,) = result.changed
    assert (change.change, change.old_partner_id, change.partner_id) == (
        "renamed", "TH-00000001", "TH-0000000a")
    assert change.kinds == ("rename",)


def test_a_rename_needs_the_same_initial_date_and_country():
    later = row("TH-0000000a", "Mahidol University International College",
                initial_date=dt.date(2011, 1, 1))
    result = compare([MAHIDOL], [later])
    assert len(result.added) == len(result.removed) == 1 and not result.changed
    elsewhere = row("LA-0000000a", "Mahidol University International College",
                    country_code="LA", country="Laos")
    assert compare([MAHIDOL], [elsewhere]).removed


def test_an_unlike_name_is_a_rename_only_as_the_single_pair_with_same_type_and_unit():
    old = row("FR-00000001", "Telecom Paris (Telecom ParisTech)", country_code="FR")
    new = row("FR-00000002", "Institut Polytechnique de Paris", country_code="FR")
    (change,) = compare([old], [new]).changed
    assert change.match == "same date, type and unit"
    # a second candidate on the same day makes it ambiguous: no rename is guessed
    other = row("FR-00000003", "Sorbonne Université", country_code="FR")
    result = compare([old], [new, other])
    assert not result.changed and len(result.added) == 2 and len(result.removed) == 1
    # a different agreement type is no evidence either
    retyped = dict(new, agreement_type="IS")
    assert not compare([old], [retyped]).changed


def test_generic_words_do_not_make_names_similar():
    old = row("TH-00000001", "Faculty of Science, Leiden University", unit="Faculty of Science")
    new = row("TH-00000002", "Faculty of Science, Delft University", unit="Faculty of Science",
              agreement_type="IS")
    assert not compare([old], [new]).changed


def test_an_id_that_gains_a_suffix_is_the_same_partner():
    new = dict(MAHIDOL, partner_id="TH-0000000b")  # same name and type, new id
    (change,) = compare([MAHIDOL], [new]).changed
    assert (change.change, change.match, change.kinds) == ("changed", "same name", ("other",))
    assert [f.field for f in change.fields] == ["partner_id"]


def test_a_second_agreement_with_the_same_institution_keeps_the_first_ones_id(html_2024,
                                                                              tmp_path):
    """The oldest agreement keeps the plain id; the new one gets its type appended."""
    page = Page(html_2024)
    page.add("Mahidol University", "IS", "Mahidol University", "2024.06.01", "2029.05.31")
    old, new = tmp_path / "old.html", tmp_path / "new.html"
    old.write_text(html_2024, encoding="utf-8")
    new.write_text(page.html(), encoding="utf-8")
    result = compare_paths(old, new)
    assert [(r["partner_id"], r["name"], r["agreement_type"]) for r in result.added] == [
        ("TH-1702dbbe-IS", "Mahidol University", "IS")]
    assert not result.changed and not result.removed


def test_legend_changes_are_headline_changes():
    legend = {"I": "Institute-wide level", "IS": "Information Science (Graduate school-level)"}
    old = Version(as_of=dt.date(2024, 4, 1), legend=legend)
    new = Version(as_of=dt.date(2024, 4, 1), legend={**legend, "MS": "Materials science"})
    result = compare([MAHIDOL], [MAHIDOL], old, new)
    assert [(h.item, h.old, h.new) for h in result.headline] == [
        ("legend:MS", None, "Materials science")]
    assert "  legend MS: (none) → Materials science" in render(result).splitlines()


def test_expiration_moved_earlier_is_not_a_renewal():
    earlier = dict(MAHIDOL, expiration_date=dt.date(2024, 12, 31))
    (change,) = compare([MAHIDOL], [earlier]).changed
    assert change.kinds == ("other",)
    renewed = dict(MAHIDOL, expiration_date=dt.date(2030, 1, 1), under_renewal=False)
    (change,) = compare([dict(MAHIDOL, under_renewal=True)], [renewed]).changed
    assert change.kinds == ("renewal",)
    assert [f.field for f in change.fields] == ["expiration_date", "under_renewal"]


def test_a_name_respelled_under_the_same_id_is_a_page_correction():
    respelled = dict(MAHIDOL, name="MAHIDOL University", name_raw="MAHIDOL University")
    result = compare([MAHIDOL], [respelled])
    assert not result.differs
    assert [(c.field, c.old, c.new) for c in result.corrections] == [
        ("name", "Mahidol University", "MAHIDOL University"),
        ("name_raw", "Mahidol University", "MAHIDOL University")]
    assert result.summary()["page_corrections"] == 1
    # together with a real change, the spelling stays a correction
    renewed = dict(respelled, expiration_date=dt.date(2030, 1, 1))
    (change,) = compare([MAHIDOL], [renewed]).changed
    assert change.change == "changed" and [f.field for f in change.fields] == ["expiration_date"]


def test_snapshot_fields_are_headline_only():
    later = dict(MAHIDOL, snapshot_date=dt.date(2025, 1, 1))
    result = compare([MAHIDOL], [later])
    assert not result.differs and not result.corrections
    assert [(h.item, h.new) for h in result.headline] == [("as_of", dt.date(2025, 1, 1))]


def test_a_page_correction_together_with_a_renewal():
    new = dict(MAHIDOL, name_raw="Mahidol  Univeristy", expiration_date=dt.date(2030, 1, 1))
    result = compare([MAHIDOL], [new])
    assert [f.field for f in result.changed[0].fields] == ["expiration_date"]
    assert [c.new for c in result.corrections] == ["Mahidol  Univeristy"]


def test_dataframes_and_meta_mappings_are_accepted():
    import pandas as pd

    frame = pd.DataFrame([MAHIDOL, KASETSART])
    frame["expiration_date"] = pd.to_datetime(frame["expiration_date"])
    other = frame.copy()
    other.loc[1, "expiration_date"] = pd.NaT
    result = compare(frame, other, {"as_of": dt.date(2024, 4, 1)}, None)
    (change,) = result.changed
    assert change.fields[0].old == dt.date(2025, 1, 1) and change.fields[0].new is None
    assert isinstance(result.old, Version) and result.old.institutions == 2


def test_duplicate_ids_are_refused():
    with pytest.raises(ParseError, match="listed twice"):
        compare([MAHIDOL, MAHIDOL], [])


def test_render_rejects_unknown_formats():
    with pytest.raises(ValueError, match="unknown format"):
        render(compare([], []), "xml")


def test_diff_rows_are_sorted_by_change_then_name():
    old = [MAHIDOL, KASETSART]
    new = [dict(KASETSART, notes="MOU"),
           row("TH-00000003", "Burapha University", initial_date=dt.date(2024, 2, 2))]
    assert [(r["change"], r["name"]) for r in diff_rows(compare(old, new))] == [
        ("added", "Burapha University"), ("removed", "Mahidol University"),
        ("changed", "Kasetsart University")]


# --- properties -----------------------------------------------------------------------------


NAMES = ["Mahidol University", "Chulalongkorn University", "Kasetsart University",
         "Chiang Mai University", "Burapha University", "Silpakorn University",
         "Khon Kaen University", "Naresuan University"]


@st.composite
def tables(draw):
    """Partner rows whose id follows the name; few dates, so renames can be guessed."""
    names = draw(st.lists(st.sampled_from(NAMES), max_size=len(NAMES), unique=True))
    return [row(f"TH-{NAMES.index(name):08x}", name,
                initial_date=dt.date(2010 + draw(st.integers(0, 2)), 1, 1),
                agreement_type=draw(st.sampled_from(["I", "IS"])),
                expiration_date=draw(st.sampled_from([None, dt.date(2026, 1, 1)])))
            for name in names]


@given(tables(), st.randoms(use_true_random=False))
@settings(max_examples=60, deadline=None)
def test_a_table_compared_with_any_permutation_of_itself_is_empty(rows, rnd):
    shuffled = [dict(r) for r in rows]
    rnd.shuffle(shuffled)
    result = compare(rows, shuffled)
    assert not result.differs and not result.corrections and not result.headline
    assert diff_rows(result) == []


@given(tables(), tables())
@settings(max_examples=60, deadline=None)
def test_comparing_the_other_way_swaps_added_and_removed(a, b):
    forward, backward = compare(a, b), compare(b, a)
    assert [r["partner_id"] for r in forward.added] == [r["partner_id"] for r in backward.removed]
    assert [r["partner_id"] for r in forward.removed] == [r["partner_id"] for r in backward.added]
    assert len(forward.changed) == len(backward.changed)
    assert forward.differs == backward.differs == bool(
        forward.added or forward.removed or forward.changed)


def test_reordered_generated_pages_never_differ(html_2024, tmp_path):
    rnd = random.Random(7)
    page = Page(html_2024)
    for region in ("Asia", "Europe", "Oceania"):
        order = [g[0][0].text for g in page.groups(region)]
        rnd.shuffle(order)
        page.reorder_groups(region, order)
    old, new = tmp_path / "a.html", tmp_path / "b.html"
    old.write_text(html_2024, encoding="utf-8")
    new.write_text(page.html(), encoding="utf-8")
    result = compare_paths(old, new)
    assert not result.differs and not result.corrections and not result.headline


# --- start-up cost --------------------------------------------------------------------------


def test_importing_diff_and_history_stays_light():
    code = ("import sys, pipeline.diff, pipeline.history, pipeline.cli; "
            "heavy = {'pandas', 'pyarrow', 'pandera', 'rapidfuzz', 'bs4'} & set(sys.modules); "
            "print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=config.PROJECT_ROOT, check=True).stdout
    assert out.strip() == "[]"
