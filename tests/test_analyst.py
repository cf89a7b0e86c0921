"""Analyst outputs of a real build: renewals.csv, changes.md/.csv, partners.xlsx,
expirations.ics, the `report` command, datapackage.json's new entries, reproducibility."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pyarrow.parquet as pq
import pytest
from pagegen import page_2025

from pipeline import analyst, renewals
from pipeline.build import build
from pipeline.cli import main
from tests.conftest import SNAPSHOT_2024

ON = dt.date(2024, 4, 1)
ANALYST_FILES = ("renewals.csv", "changes.csv", "changes.md", "report.html", "partners.xlsx",
                 "expirations.ics")


@pytest.fixture(scope="module")
def out_2024(tmp_path_factory):
    out = tmp_path_factory.mktemp("analyst")
    build(SNAPSHOT_2024, out_dir=out, on=ON)
    return out


@pytest.fixture(scope="module")
def partner_rows(out_2024):
    return pq.read_table(out_2024 / "partners.parquet").to_pylist()


def test_a_build_writes_every_analyst_file(out_2024):
    for name in ANALYST_FILES:
        assert (out_2024 / name).stat().st_size > 0, name
    metadata = json.loads((out_2024 / "metadata.json").read_text(encoding="utf-8"))
    assert set(ANALYST_FILES) <= set(metadata["files"])


def test_same_inputs_and_reference_date_give_identical_files(out_2024, tmp_path):
    build(SNAPSHOT_2024, out_dir=tmp_path, on=ON, force=True)
    for name in (*ANALYST_FILES, "datapackage.json"):
        assert (tmp_path / name).read_bytes() == (out_2024 / name).read_bytes(), name


def test_first_build_says_there_is_nothing_to_compare(out_2024):
    text = (out_2024 / "changes.md").read_text(encoding="utf-8")
    assert "no previous version" in text
    assert (out_2024 / "changes.csv").read_text().strip() == "change,partner_id,name,field,old,new"


def test_a_changed_page_gets_a_change_summary(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", "--snapshot", str(SNAPSHOT_2024), "--out", str(out),
                 "--on", "2025-01-15"]) == 0
    assert "changes:" not in capsys.readouterr().out  # a first build has nothing to report
    newer = tmp_path / "2025.html"
    newer.write_text(page_2025(SNAPSHOT_2024.read_text(encoding="utf-8")), encoding="utf-8")
    assert main(["build", "--snapshot", str(newer), "--out", str(out), "--on", "2025-01-15"]) == 0
    printed = capsys.readouterr().out
    summary = "2 added, 2 removed, 5 changed: 3 renewals, 1 rename, 1 type change"
    assert f"changes: {summary}" in printed
    assert "Kasetsart University" in printed
    markdown = (out / "changes.md").read_text(encoding="utf-8")
    assert f"**{summary}; 1 page correction**" in markdown
    assert "as of 2024-04-01 → as of 2025-01-15" in markdown
    assert "expiration_date: 2025-04-01 → 2030-03-31" in markdown
    changes = (out / "changes.csv").read_text(encoding="utf-8")
    assert ("changed,TH-befdf67f,Kasetsart University,expiration_date,2025-04-01,2030-03-31"
            in changes)
    from openpyxl import load_workbook

    book = load_workbook(out / "partners.xlsx")
    assert "Changes" in book.sheetnames
    assert book["Changes"].max_row == len(changes.splitlines())


def test_renewals_csv_is_the_status_rule(out_2024, partner_rows):
    import csv

    with (out_2024 / "renewals.csv").open(encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    expected = renewals.renewal_rows(partner_rows, ON, 12)
    assert [(r["partner_id"], r["status"]) for r in written] == [
        (r["partner_id"], r["status"]) for r in expected]
    assert {r["days_left"] for r in written if r["status"] == "expired"} <= {
        str(r["days_left"]) for r in expected}
    assert all(not r["days_left"].startswith("'") for r in written)


def test_workbook_reads_back_with_real_dates_tables_and_no_formulas(out_2024, partner_rows):
    from openpyxl import load_workbook

    book = load_workbook(out_2024 / "partners.xlsx")
    assert book.sheetnames == ["Partners", "Renewals", "By country", "Corrections", "About"]
    sheet = book["Partners"]
    header = [c.value for c in sheet[1]]
    assert header[0] == "partner_id" and "expiration_date" in header
    assert sheet.freeze_panes == "A2"
    table = sheet.tables["Partners"]
    assert table.ref == f"A1:{sheet.cell(1, len(header)).column_letter}{len(partner_rows) + 1}"
    assert table.autoFilter is not None
    initial = sheet.cell(2, header.index("initial_date") + 1)
    assert initial.is_date and isinstance(initial.value, dt.datetime)
    assert initial.value.date() == partner_rows[0]["initial_date"]
    assert sheet.cell(2, header.index("under_renewal") + 1).value is False
    assert sheet.column_dimensions["H"].width > 20  # names are wide
    for ws in book.worksheets:
        assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    renewal_rows = list(book["Renewals"].iter_rows(min_row=2, values_only=True))
    assert {r[9] for r in renewal_rows} == {"expiring", "under renewal", "expired"}
    assert book.properties.created == book.properties.modified == dt.datetime(2024, 4, 1)
    import zipfile

    with zipfile.ZipFile(out_2024 / "partners.xlsx") as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True) if r[0]}
    assert about["Reference date of the renewal status (--on)"] == dt.datetime(2024, 4, 1)


def test_text_that_looks_like_a_formula_stays_text(partner_rows):
    from openpyxl import load_workbook

    rows = [dict(partner_rows[0], name="=HYPERLINK(\"http://x\",\"y\")", notes="+1")]
    inputs = analyst.Inputs(rows=rows)
    blob = analyst.analyst_outputs(inputs, analyst.options(ON))["partners.xlsx"]
    import io

    sheet = load_workbook(io.BytesIO(blob))["Partners"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(2, header.index("name") + 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_calendar_has_one_event_per_dated_agreement(out_2024, partner_rows):
    import icalendar

    cal = icalendar.Calendar.from_ical((out_2024 / "expirations.ics").read_bytes())
    events = cal.walk("VEVENT")
    dated = [r for r in partner_rows if r["expiration_date"]]
    assert len(events) == len(dated) == len(partner_rows) - 1
    by_uid = {str(e["UID"]): e for e in events}
    assert set(by_uid) == {f"{r['partner_id']}@naist-partners.expirations" for r in dated}
    for row in dated:
        event = by_uid[f"{row['partner_id']}@naist-partners.expirations"]
        assert event.decoded("DTSTART") == row["expiration_date"]
        assert event.decoded("DTSTAMP") == dt.datetime(2024, 4, 1, tzinfo=dt.UTC)
        alarm = event.walk("VALARM")[0]
        before = row["expiration_date"] + alarm.decoded("TRIGGER")
        assert before == renewals.add_months(row["expiration_date"], -3)
    assert b"\r\n" in (out_2024 / "expirations.ics").read_bytes()


def test_reminder_months_and_uids_stay_stable_across_reference_dates(partner_rows):
    import icalendar

    a = analyst.analyst_outputs(analyst.Inputs(rows=partner_rows),
                                analyst.options(ON, remind=1))["expirations.ics"]
    b = analyst.analyst_outputs(analyst.Inputs(rows=partner_rows),
                                analyst.options(dt.date(2025, 6, 1), remind=1))["expirations.ics"]
    uids = [[str(e["UID"]) for e in icalendar.Calendar.from_ical(x).walk("VEVENT")]
            for x in (a, b)]
    assert uids[0] == uids[1]
    assert b"TRIGGER:-P" in a


def copy_of(out_2024, tmp_path):
    """A private copy of the module's build (the same as building again with on=ON)."""
    out = tmp_path / "out"
    shutil.copytree(out_2024, out, symlinks=True)
    return out


def test_report_command_rewrites_for_a_new_date_and_keeps_the_build_current(out_2024, tmp_path,
                                                                            capsys):
    out = copy_of(out_2024, tmp_path)
    before = (out / "report.html").read_bytes()
    assert main(["report", "--out", str(out), "--on", "2025-01-01", "--within", "6"]) == 0
    assert "for 2025-01-01" in capsys.readouterr().out
    after = (out / "report.html").read_text(encoding="utf-8")
    assert after.encode() != before and "within 6 months of 2025-01-01" in after
    assert main(["build", "--snapshot", str(SNAPSHOT_2024), "--out", str(out),
                 "--on", "2024-04-01"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_report_command_on_an_empty_directory_is_one_line(tmp_path, capsys):
    assert main(["report", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "make build" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("args", [["--on", "2024-02-30"], ["--within", "-1"],
                                  ["--remind", "x"]])
def test_bad_report_options_are_usage_errors(args, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--out", str(tmp_path), *args])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.splitlines()) == 1


def test_datapackage_names_its_source_licence_and_new_tables(out_2024):
    package = json.loads((out_2024 / "datapackage.json").read_text(encoding="utf-8"))
    assert package["sources"][0]["path"].startswith("https://www.naist.jp/")
    assert package["licenses"][0]["name"] == "unknown"
    names = [r["name"] for r in package["resources"]]
    assert names[-2:] == ["renewals", "changes"]


def test_pandas_reads_real_timestamps_with_one_line(out_2024):
    import pandas as pd

    # The one-liner of the README.
    frame = pd.read_parquet(out_2024 / "partners.parquet").astype(
        {"initial_date": "datetime64[s]", "expiration_date": "datetime64[s]",
         "snapshot_date": "datetime64[s]"})
    assert str(frame["expiration_date"].dtype) == "datetime64[s]"
    soon = frame[frame["expiration_date"] < pd.Timestamp("2025-04-01")]
    assert len(soon) > 0 and frame["expiration_date"].isna().sum() == 1


def test_partners_over_time_and_latest_events_from_history(partner_rows):
    from pipeline.report import draw_charts, latest_events, partners_over_time

    versions = [
        {"partner_id": "A", "valid_from": "2024-04-01", "valid_to": ""},
        {"partner_id": "B", "valid_from": "2024-04-01", "valid_to": "2025-01-15"},
        {"partner_id": "C", "valid_from": "2025-01-15", "valid_to": ""},
        {"partner_id": "D", "valid_from": "2025-01-15", "valid_to": ""},
    ]
    assert partners_over_time(versions) == [(dt.date(2024, 4, 1), 2), (dt.date(2025, 1, 15), 3)]
    blank = {"field": "", "old": "", "new": ""}
    events = [{"date": "2024-04-01", "name": "x", "event": "added", **blank},
              {"date": "2025-01-15", "name": "y", "event": "removed", **blank}]
    assert [e["name"] for e in latest_events(events)] == ["y", "x"]
    inputs = analyst.Inputs(rows=partner_rows, versions=versions, events=events)
    table = renewals.renewal_rows(partner_rows, ON)
    charts = draw_charts(inputs, table, analyst.options(ON))
    assert charts[-1].key == "over-time" and "2025-01-15 3" in charts[-1].alt
    html = analyst.analyst_outputs(inputs, analyst.options(ON))["report.html"].decode()
    assert 'id="chart-over-time"' in html and 'id="events-table"' in html


def test_report_escapes_what_the_page_says(partner_rows):
    rows = [dict(partner_rows[0], name="<script>alert(1)</script> University",
                 under_renewal=True)]  # listed in the report's table
    html = analyst.analyst_outputs(analyst.Inputs(rows=rows),
                                   analyst.options(ON))["report.html"].decode()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_report_command_keeps_the_change_summary_of_the_last_build(out_2024, tmp_path):
    from openpyxl import load_workbook

    out = copy_of(out_2024, tmp_path)
    newer = tmp_path / "2025.html"
    newer.write_text(page_2025(SNAPSHOT_2024.read_text(encoding="utf-8")), encoding="utf-8")
    build(newer, out_dir=out, on=ON)
    markdown = (out / "changes.md").read_bytes()
    assert main(["report", "--out", str(out), "--on", "2025-06-01"]) == 0
    assert (out / "changes.md").read_bytes() == markdown
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Since the previous build: 2 added, 2 removed" in html
    assert "Changes" in load_workbook(out / "partners.xlsx").sheetnames
