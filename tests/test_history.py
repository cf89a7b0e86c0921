"""history: periods and events over a generated sequence of snapshots in a private raw/."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pagegen import AS_OF_2025, Page, edit_2025

from pipeline import build as build_module
from pipeline.cli import main
from pipeline.diff import Version
from pipeline.errors import SnapshotError
from pipeline.history import (
    EVENTS_CSV,
    HISTORY_CSV,
    HISTORY_PARQUET,
    Kept,
    PageState,
    _version_date,
    build_history,
    replay,
    summary_text,
)
from pipeline.snapshots import SIDECAR_FIELDS, snapshot_name, store_snapshot

MAINTENANCE = b"<html><body><p>The page is under maintenance.</p></body></html>"


def at(day: dt.date, hour: int = 6) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def store(raw: Path, body: bytes, day: dt.date, hour: int = 6) -> str:
    snapshot, wrote = store_snapshot(raw, body, {"charset": "utf-8"}, now=at(day, hour))
    assert wrote
    return snapshot.path.name


def store_again(raw: Path, body: bytes, day: dt.date) -> str:
    """A snapshot equal to the newest one. store_snapshot never writes those, but raw/ may hold
    them (e.g. written by a fetcher without that check), so they are written here by hand."""
    sha = hashlib.sha256(body).hexdigest()
    path = raw / snapshot_name(at(day), sha)
    sidecar = dict.fromkeys(SIDECAR_FIELDS)
    sidecar.update(fetched_at=at(day).strftime("%Y-%m-%dT%H:%M:%SZ"), charset="utf-8",
                   sha256=sha, size=len(body), obtained="fetched")
    path.with_suffix(".json").write_text(json.dumps(sidecar), encoding="utf-8")
    path.write_bytes(body)
    return path.name


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def html_2024(snapshot_2024) -> str:
    return snapshot_2024.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sequence(tmp_path_factory, html_2024):
    """raw/ with: 2024 page, two identical re-fetches, a broken page, the 2024 page again,
    the 2025 page (as of 2025-01-15), a version without Mahidol (as of 2025-03-01) and one
    with Mahidol back whose "As of" was not updated (fetched 2025-05-02)."""
    raw = tmp_path_factory.mktemp("raw")
    v2024 = html_2024.encode("utf-8")
    v2025 = edit_2025(Page(html_2024)).html().encode("utf-8")
    without = Page(v2025.decode("utf-8"))
    without.remove("Mahidol University")
    without.set_as_of(dt.date(2025, 3, 1))
    back = Page(v2025.decode("utf-8"))
    back.set_as_of(dt.date(2025, 3, 1))
    names = {
        "2024": store(raw, v2024, dt.date(2024, 4, 1)),
        "again1": store_again(raw, v2024, dt.date(2024, 4, 2)),
        "again2": store_again(raw, v2024, dt.date(2024, 4, 3)),
        "broken": store(raw, MAINTENANCE, dt.date(2024, 6, 1)),
        "2024b": store(raw, v2024, dt.date(2024, 6, 2)),
        "2025": store(raw, v2025, dt.date(2025, 1, 16)),
        "without": store(raw, without.html().encode("utf-8"), dt.date(2025, 3, 2)),
        "back": store(raw, back.html().encode("utf-8"), dt.date(2025, 5, 2)),
    }
    out = tmp_path_factory.mktemp("out")
    result = build_history(raw, out)
    return raw, out, names, result


EXPECTED_EVENTS = [
    # date, partner_id, name, event, field, old, new, snapshot key
    ("2025-01-15", "VN-b2833bd4", "Hue University of Sciences", "removed", "", "", "", "2025"),
    ("2025-01-15", "TH-befdf67f", "Kasetsart University", "renewed", "expiration_date",
     "2025-04-01", "2030-03-31", "2025"),
    ("2025-01-15", "CN-dfbd0ed0", "Liaoning University", "type_changed", "agreement_type",
     "I", "IS", "2025"),
    ("2025-01-15", "TH-1702dbbe", "Mahidol University", "renewed", "expiration_date",
     "2025-03-31", "2030-03-31", "2025"),
    ("2025-01-15", "CN-9db5f1ba", "Northeast Normal University", "renewed", "expiration_date",
     "2025-04-15", "2030-04-15", "2025"),
    ("2025-01-15", "TH-3b97519c", "Prince of Songkla University", "added", "", "", "", "2025"),
    ("2025-01-15", "ID-c3826699", "Universitas Hasanuddin", "changed", "name_raw",
     "Univetsitas Hasanuddin", "Universitas Hasanuddin", "2025"),
    ("2025-01-15", "MY-8db8da54", "Universiti Sains Malaysia", "removed", "", "", "", "2025"),
    ("2025-01-15", "KE-d03cd0bf", "University of Nairobi", "added", "", "", "", "2025"),
    ("2025-01-15", "VN-ba28e3b1",
     "VNU University of Science, Vietnam National University, Hanoi", "renamed", "name",
     "Hanoi University of Science, Vietnam National University",
     "VNU University of Science, Vietnam National University, Hanoi", "2025"),
    ("2025-03-01", "TH-1702dbbe", "Mahidol University", "removed", "", "", "", "without"),
    ("2025-05-02", "TH-1702dbbe", "Mahidol University", "added", "", "", "", "back"),
]


def test_events_after_the_first_version_are_exactly_the_known_edits(sequence):
    _, out, names, _ = sequence
    events = read_csv(out / EVENTS_CSV)
    later = [tuple(e.values()) for e in events if e["date"] != "2024-04-01"]
    assert later == [(*e[:7], names[e[7]]) for e in EXPECTED_EVENTS]


def test_the_first_version_adds_every_partner(sequence):
    _, out, names, _ = sequence
    first = [e for e in read_csv(out / EVENTS_CSV) if e["date"] == "2024-04-01"]
    assert len(first) == 96
    assert {e["event"] for e in first} == {"added"}
    assert {e["snapshot"] for e in first} == {names["2024"]}


def test_identical_and_broken_snapshots_add_no_version(sequence):
    _, _, names, result = sequence
    assert result.snapshots == 8
    assert result.parsed == 5  # 2024, broken, 2025, without, back; repeats are never re-read
    assert result.versions == 4
    assert (result.first, result.last) == (dt.date(2024, 4, 1), dt.date(2025, 5, 2))
    assert [name for name, _ in result.skipped] == [names["broken"]]
    text = summary_text(result)
    assert text.splitlines()[0] == ("8 snapshots, 5 distinct pages read, 4 versions from "
                                    "2024-04-01 to 2025-05-02")
    assert f"warning: skipped {names['broken']}: " in text
    assert "98 partners, 105 periods, 108 events (99 added, 3 removed, 3 renewed, 1 renamed, "\
        "1 type_changed, 1 changed)" in text


def test_periods_of_a_removed_and_re_added_partner(sequence):
    _, out, names, _ = sequence
    periods = [(p["valid_from"], p["valid_to"], p["expiration_date"], p["snapshot"])
               for p in read_csv(out / HISTORY_CSV) if p["partner_id"] == "TH-1702dbbe"]
    assert periods == [
        ("2024-04-01", "2025-01-15", "2025-03-31", names["2024"]),
        ("2025-01-15", "2025-03-01", "2030-03-31", names["2025"]),
        ("2025-05-02", "", "2030-03-31", names["back"]),  # dated when seen: "As of" not moved
    ]


def test_a_renamed_partner_keeps_its_old_id_as_lineage(sequence):
    _, out, _, _ = sequence
    periods = [(p["partner_id"], p["listed_id"], p["name"], p["valid_from"], p["valid_to"])
               for p in read_csv(out / HISTORY_CSV) if p["partner_id"] == "VN-ba28e3b1"]
    assert periods == [
        ("VN-ba28e3b1", "VN-ba28e3b1", "Hanoi University of Science, Vietnam National University",
         "2024-04-01", "2025-01-15"),
        ("VN-ba28e3b1", "VN-5f7e8160",
         "VNU University of Science, Vietnam National University, Hanoi", "2025-01-15", ""),
    ]


def test_removed_partners_have_closed_periods(sequence):
    _, out, _, _ = sequence
    history = read_csv(out / HISTORY_CSV)
    hue = [p for p in history if p["partner_id"] == "VN-b2833bd4"]
    assert [(p["valid_from"], p["valid_to"]) for p in hue] == [("2024-04-01", "2025-01-15")]
    unchanged = [p for p in history if p["name"] == "Chulalongkorn University"]
    assert [(p["valid_from"], p["valid_to"]) for p in unchanged] == [("2024-04-01", "")]
    open_ids = [p["partner_id"] for p in history if not p["valid_to"]]
    assert len(open_ids) == len(set(open_ids)) == 96  # the last version lists 96


def test_history_parquet_has_real_types_and_matches_the_csv(sequence):
    _, out, _, _ = sequence
    table = pq.read_table(out / HISTORY_PARQUET)
    assert table.schema.field("valid_from").type == pa.date32()
    assert table.schema.field("valid_to").type == pa.date32()
    assert table.schema.field("under_renewal").type == pa.bool_()
    rows = table.to_pylist()
    assert len(rows) == len(read_csv(out / HISTORY_CSV)) == 105
    assert sum(r["valid_to"] is None for r in rows) == 96
    assert table.column_names[:4] == ["partner_id", "listed_id", "valid_from", "valid_to"]


def test_the_cli_prints_the_summary(sequence, tmp_path, capsys):
    raw, _, _, _ = sequence
    assert main(["history", "--raw-dir", str(raw), "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("8 snapshots, 5 distinct pages read, 4 versions")
    assert {p.name for p in tmp_path.iterdir() if not p.name.startswith(".")} == {
        HISTORY_PARQUET, HISTORY_CSV, EVENTS_CSV}


def test_an_empty_raw_dir_is_an_error(tmp_path, capsys):
    assert main(["history", "--raw-dir", str(tmp_path / "raw"), "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith("error: no snapshot in")
    with pytest.raises(SnapshotError):
        build_history(tmp_path / "raw", tmp_path)


def test_only_broken_snapshots_is_an_error(tmp_path):
    raw = tmp_path / "raw"
    store(raw, MAINTENANCE, dt.date(2024, 6, 1))
    with pytest.raises(SnapshotError, match="none of the 1 snapshots"):
        build_history(raw, tmp_path / "out")


def test_two_versions_on_one_day_the_later_stands(tmp_path, html_2024):
    raw = tmp_path / "raw"
    store(raw, html_2024.encode(), dt.date(2024, 4, 1), hour=1)
    morning = Page(html_2024)
    morning.remove("Mahidol University")  # a slip, put back within the day
    store(raw, morning.html().encode(), dt.date(2024, 5, 1), hour=8)
    evening = Page(html_2024)
    evening.set_cell("Mahidol University", "expiration", "2030.03.31")
    store(raw, evening.html().encode(), dt.date(2024, 5, 1), hour=18)
    result = build_history(raw, tmp_path / "out")
    events = [(e["date"], e["event"], e["name"]) for e in read_csv(tmp_path / "out" / EVENTS_CSV)
              if e["date"] != "2024-04-01"]
    assert events == [("2024-05-01", "renewed", "Mahidol University")]
    assert result.versions == 2 and len(result.notes) == 1


def test_a_slip_undone_within_the_day_leaves_no_trace(tmp_path, html_2024):
    raw = tmp_path / "raw"
    store(raw, html_2024.encode(), dt.date(2024, 4, 1))
    slip = Page(html_2024)
    slip.remove("Mahidol University")
    store(raw, slip.html().encode(), dt.date(2024, 5, 1), hour=8)
    store(raw, html_2024.encode(), dt.date(2024, 5, 1), hour=9)
    result = build_history(raw, tmp_path / "out")
    assert result.versions == 1 and result.periods == 96
    assert {e["event"] for e in read_csv(tmp_path / "out" / EVENTS_CSV)} == {"added"}


def test_each_distinct_page_is_parsed_once(tmp_path, html_2024, monkeypatch):
    """200 daily snapshots of 5 distinct pages, one coming back: 5 parses, and quick."""
    calls = []
    real_prepare = build_module.prepare

    def counting(path, data, **options):
        calls.append(hashlib.sha256(data).hexdigest())
        return real_prepare(path, data, **options)

    monkeypatch.setattr(build_module, "prepare", counting)
    bodies = [html_2024.encode()]
    for year in (2030, 2031, 2032, 2033):
        page = Page(html_2024)
        page.set_cell("Mahidol University", "expiration", f"{year}.03.31")
        bodies.append(page.html().encode())
    raw = tmp_path / "raw"
    raw.mkdir()
    plan = [0] * 40 + [1] * 40 + [2] * 40 + [0] * 20 + [3] * 30 + [4] * 30  # page 0 comes back
    day = dt.date(2024, 4, 2)
    for i, which in enumerate(plan):
        store_again(raw, bodies[which], day + dt.timedelta(days=i))
    result = build_history(raw, tmp_path / "out")
    assert sorted(calls) == sorted(hashlib.sha256(b).hexdigest() for b in bodies)
    assert (result.snapshots, result.parsed, result.versions) == (200, 5, 6)
    renewals = [e for e in read_csv(tmp_path / "out" / EVENTS_CSV) if e["event"] != "added"]
    assert [(e["event"], e["old"], e["new"]) for e in renewals] == [
        ("renewed", "2025-03-31", "2030-03-31"),
        ("renewed", "2030-03-31", "2031-03-31"),
        ("changed", "2031-03-31", "2025-03-31"),  # moved earlier: not a renewal
        ("renewed", "2025-03-31", "2032-03-31"),
        ("renewed", "2032-03-31", "2033-03-31"),
    ]


# --- dating ---------------------------------------------------------------------------------


def kept(date: dt.date, as_of: dt.date | None, rows=(), sha="0" * 64,
         snapshot="20240401T000000Z_000000000000.html") -> Kept:
    return Kept(date, PageState(sha, list(rows), Version(as_of=as_of)), snapshot)


@pytest.mark.parametrize(("as_of", "taken", "previous", "expected"), [
    # the first version: its "As of" date, else the day it was taken
    (dt.date(2024, 4, 1), dt.date(2024, 6, 1), None, dt.date(2024, 4, 1)),
    (None, dt.date(2024, 6, 1), None, dt.date(2024, 6, 1)),
    # "As of" moved forward: that date
    (dt.date(2025, 1, 15), dt.date(2025, 1, 20), (dt.date(2024, 4, 1), dt.date(2024, 4, 1)),
     dt.date(2025, 1, 15)),
    # "As of" not updated: the day it was taken
    (dt.date(2024, 4, 1), dt.date(2024, 7, 9), (dt.date(2024, 4, 1), dt.date(2024, 4, 1)),
     dt.date(2024, 7, 9)),
    # "As of" moved, but not past the previous version's date: the day it was taken
    (dt.date(2024, 5, 1), dt.date(2024, 8, 1), (dt.date(2024, 7, 9), dt.date(2024, 4, 1)),
     dt.date(2024, 8, 1)),
    # never before the previous version
    (dt.date(2024, 4, 1), dt.date(2024, 3, 1), (dt.date(2024, 4, 1), dt.date(2024, 4, 1)),
     dt.date(2024, 4, 1)),
])
def test_version_dates(as_of, taken, previous, expected):
    before = kept(*previous) if previous else None
    assert _version_date(as_of, taken, before) == expected


# --- lineage on hand-made rows --------------------------------------------------------------


def partner(pid: str, name: str, **fields) -> dict:
    base = {"partner_id": pid, "region": "Asia", "country": "Thailand", "country_code": "TH",
            "agreement_type": "I", "agreement_level": "institute", "agreement_field": None,
            "name": name, "institution": name, "unit": None, "abbreviation": None,
            "name_raw": name, "initial_date": dt.date(2010, 1, 1),
            "expiration_date": dt.date(2030, 1, 1), "under_renewal": False, "notes": None,
            "snapshot_date": dt.date(2024, 4, 1)}
    base.update(fields)
    return base


def test_an_old_name_listed_again_next_to_its_successor_gets_a_new_lineage(tmp_path):
    old = partner("TH-0000000a", "Mahidol University")
    renamed = partner("TH-0000000b", "Mahidol University International")
    versions = [
        kept(dt.date(2024, 1, 1), None, [old], sha="1" * 64),
        kept(dt.date(2024, 2, 1), None, [renamed], sha="2" * 64),
        kept(dt.date(2024, 3, 1), None, [renamed, old], sha="3" * 64),
    ]
    periods, events = replay(versions)
    assert [(e["date"].isoformat(), e["partner_id"], e["event"]) for e in events] == [
        ("2024-01-01", "TH-0000000a", "added"),
        ("2024-02-01", "TH-0000000a", "renamed"),
        ("2024-03-01", "TH-0000000a-2", "added"),
    ]
    assert [(p["partner_id"], p["listed_id"], p["valid_to"]) for p in periods] == [
        ("TH-0000000a", "TH-0000000a", dt.date(2024, 2, 1)),
        ("TH-0000000a", "TH-0000000b", None),
        ("TH-0000000a-2", "TH-0000000a", None),
    ]
    from pipeline.history import write_history

    write_history(periods, events, tmp_path)  # passes the contract


# --- the contracts --------------------------------------------------------------------------


def test_the_history_contract_rejects_overlapping_and_double_open_periods():
    import pandas as pd
    import pandera.pandas as pa

    from pipeline.validate import typed_frame
    from schemas.history import HistoryModel

    base = {**partner("TH-0000000a", "Mahidol University"), "listed_id": "TH-0000000a",
            "snapshot": "20240401T000000Z_000000000000.html"}
    rows = [dict(base, valid_from=dt.date(2024, 1, 1), valid_to=None),
            dict(base, valid_from=dt.date(2024, 2, 1), valid_to=None)]
    with pytest.raises(pa.errors.SchemaErrors) as failure:
        HistoryModel.validate(typed_frame(HistoryModel, rows), lazy=True)
    checks = set(failure.value.failure_cases["check"])
    assert {"one-open-period", "periods-disjoint", "listed-id-current-once"} <= checks
    backwards = [dict(base, valid_from=dt.date(2024, 2, 1), valid_to=dt.date(2024, 2, 1))]
    with pytest.raises(pa.errors.SchemaErrors, match="period-forward"):
        HistoryModel.validate(typed_frame(HistoryModel, backwards), lazy=True)
    assert isinstance(typed_frame(HistoryModel, []), pd.DataFrame)


def test_the_events_contract_rejects_unknown_events_and_false_renewals():
    import pandera.pandas as pa

    from pipeline.validate import typed_frame
    from schemas.history import EventsModel

    good = {"date": dt.date(2025, 1, 15), "partner_id": "TH-0000000a", "name": "Mahidol University",
            "event": "renewed", "field": "expiration_date", "old": "2025-03-31",
            "new": "2030-03-31", "snapshot": "20250116T060000Z_cf9a14cdfbc8.html"}
    EventsModel.validate(typed_frame(EventsModel, [good]))
    for bad, check in [
        (dict(good, event="expired"), "isin"),
        (dict(good, new="2020-01-01"), "renewals-move-later"),
        (dict(good, event="added"), "whole-partner-rows"),
    ]:
        with pytest.raises(pa.errors.SchemaErrors, match=check):
            EventsModel.validate(typed_frame(EventsModel, [bad]), lazy=True)
    earlier = dict(good, date=dt.date(2024, 1, 1))
    with pytest.raises(pa.errors.SchemaErrors, match="events-in-date-order"):
        EventsModel.validate(typed_frame(EventsModel, [good, earlier]), lazy=True)


def test_the_diff_contract_rejects_inconsistent_rows():
    import pandera.pandas as pa

    from pipeline.validate import typed_frame
    from schemas.diff import DiffModel

    added = {"change": "added", "partner_id": "TH-0000000a", "name": "Mahidol University",
             "field": None, "old": None, "new": None}
    DiffModel.validate(typed_frame(DiffModel, [added]))
    for bad, check in [
        (dict(added, field="name"), "whole-partner-rows"),
        (dict(added, change="changed", field="notes", old="x", new="x"), "field-rows-differ"),
        (dict(added, change="renamed", field="notes", old="x", new="y"),
         "renames-change-name-and-id"),
    ]:
        with pytest.raises(pa.errors.SchemaErrors, match=check):
            DiffModel.validate(typed_frame(DiffModel, [bad]), lazy=True)


def test_events_csv_is_plain_csv(sequence):
    _, out, _, _ = sequence
    text = (out / EVENTS_CSV).read_bytes().decode("utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert header == ["date", "partner_id", "name", "event", "field", "old", "new", "snapshot"]
    assert AS_OF_2025.isoformat() in text


# --- damaged snapshots ----------------------------------------------------------------------


@pytest.fixture
def tampered_raw(tmp_path, html_2024):
    """raw/ with the 2024 page, a later version, and that later version edited after it was
    stored (its bytes no longer match the sha256 in its name and sidecar)."""
    raw = tmp_path / "raw"
    store(raw, html_2024.encode(), dt.date(2024, 4, 1))
    later = Page(html_2024)
    later.set_cell("Mahidol University", "expiration", "2030.03.31")
    name = store(raw, later.html().encode(), dt.date(2024, 5, 1))
    path = raw / name
    path.write_bytes(path.read_bytes().replace(b"Kasetsart", b"Kasetsert"))
    return raw, name


def test_a_damaged_snapshot_stops_the_history_in_one_line(tampered_raw, tmp_path, capsys):
    raw, name = tampered_raw
    out = tmp_path / "out"
    assert main(["history", "--raw-dir", str(raw), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.splitlines()) == 1
    assert name in err and "damaged" in err and "--skip-damaged" in err
    assert "Traceback" not in err
    assert not out.exists() or not [p for p in out.iterdir() if not p.name.startswith(".")]


def test_skip_damaged_warns_and_builds_the_rest(tampered_raw, tmp_path, capsys):
    raw, name = tampered_raw
    out = tmp_path / "out"
    assert main(["history", "--raw-dir", str(raw), "--out", str(out), "--skip-damaged"]) == 0
    printed = capsys.readouterr().out
    assert f"warning: skipped {name}: " in printed and "damaged" in printed
    assert {e["event"] for e in read_csv(out / EVENTS_CSV)} == {"added"}


def test_history_writes_what_its_contract_validated(sequence):
    """history.csv's columns are the model's, partner columns included, in its order."""
    from schemas.describe import types
    from schemas.history import HistoryModel

    _, out, _, _ = sequence
    header = (out / HISTORY_CSV).read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == list(types(HistoryModel))
    assert pq.read_table(out / HISTORY_PARQUET).column_names == header
