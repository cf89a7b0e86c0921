"""The whole pipeline on the stored 2024 snapshot: golden outputs, types read back, audit trail.

Golden files are regenerated with UPDATE_GOLDEN=1 (then reviewed with `git diff`).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.build import build

GOLDEN = Path(__file__).parent / "golden"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("name", ["partners.csv", "corrections.csv", "suggestions.csv"])
def test_outputs_match_golden_files(built_2024, name):
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.copyfile(built_2024 / name, golden)
    assert (built_2024 / name).read_bytes() == golden.read_bytes()


def test_partners_parquet_has_real_types(built_2024):
    table = pq.read_table(built_2024 / "partners.parquet")
    types = {field.name: field.type for field in table.schema}
    assert types["initial_date"] == pa.date32()
    assert types["expiration_date"] == pa.date32()
    assert types["snapshot_date"] == pa.date32()
    assert types["under_renewal"] == pa.bool_()
    assert types["name"] == pa.string()
    assert table.num_rows == 96


def test_parquet_and_csv_hold_the_same_rows(built_2024):
    table = pq.read_table(built_2024 / "partners.parquet").to_pylist()
    rows = read_csv(built_2024 / "partners.csv")

    def as_text(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return str(value).lower()
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    assert [{k: as_text(v) for k, v in row.items()} for row in table] == rows


def test_the_2024_page_facts(built_2024):
    rows = read_csv(built_2024 / "partners.csv")
    assert len(rows) == 96
    assert len({r["country_code"] for r in rows}) == 25
    assert Counter(r["region"] for r in rows) == {
        "Asia": 48, "Europe": 34, "North America": 6, "South America": 4, "Africa": 1,
        "Oceania": 3}
    assert Counter(r["agreement_type"] for r in rows)["I"] > 50
    assert {r["snapshot_date"] for r in rows} == {"2024-04-01"}
    renewing = sorted(r["name"] for r in rows if r["under_renewal"] == "true")
    assert renewing == ["Macromolecular Science & Engineering program, University of Michigan",
                        "University of the Philippines Diliman"]
    davis = next(r for r in rows if r["name_raw"] == "University of California Davis")
    assert (davis["expiration_date"], davis["notes"]) == ("", "MOU; MOSE with CBS")
    ateneo = next(r for r in rows if r["name"] == "Ateneo de Manila University")
    assert ateneo["expiration_date"] == "2029-02-20"
    sao_paulo = [r for r in rows if "São Paulo" in r["institution"] and r["agreement_type"] == "IS"]
    assert len(sao_paulo) == 3
    assert {(r["initial_date"], r["expiration_date"]) for r in sao_paulo} == {
        ("2019-10-22", "2024-10-21")}


def test_metadata_records_source_counts_and_warnings(built_2024, snapshot_2024):
    metadata = json.loads((built_2024 / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["source"]["snapshot"] == f"raw/{snapshot_2024.name}"
    assert metadata["as_of"] == "2024-04-01"
    assert metadata["stated"]["institutions"] == metadata["observed"]["institutions"] == 96
    assert metadata["stated"]["countries"] == metadata["observed"]["countries"] == 25
    assert metadata["row_count"] == 96
    in_force = "in-force-on-as-of"
    expired = [w for w in metadata["warnings"] if w["check"] == in_force]
    assert [w["name_raw"] for w in expired] == ["École Normale Supérieure Paris-Saclay"]


def test_corrections_account_for_every_difference(built_2024):
    rows = {r["partner_id"]: r for r in read_csv(built_2024 / "partners.csv")}
    changes: dict[str, list[dict]] = {}
    for change in read_csv(built_2024 / "corrections.csv"):
        if change["field"] == "name":
            changes.setdefault(change["partner_id"], []).append(change)
    for partner_id, row in rows.items():
        name = row["name_raw"]
        for change in changes.get(partner_id, []):
            assert change["before"] in name, (partner_id, change)
            name = name.replace(change["before"], change["after"], 1)
        assert name == row["name"], partner_id


def test_a_page_like_the_published_text_builds_with_warnings(tmp_path, snapshot_2024):
    """Region headings of Asia/Europe/Africa/Oceania and the Australia cell are missing."""
    html = snapshot_2024.read_text(encoding="utf-8")
    for heading in ("Asia", "Europe", "Africa", "Oceania"):
        html, found = re.subn(rf"<h(\d)[^>]*>{heading}\(\d+\)</h\1>", "", html)
        assert found == 1, heading
    australia = html.index(">Australia<")
    html = html[:australia] + "><" + html[australia + len(">Australia<"):]
    page = tmp_path / "seed-like.html"
    page.write_text(html, encoding="utf-8")
    result = build(page, out_dir=tmp_path / "out")
    rows = read_csv(tmp_path / "out" / "partners.csv")
    golden = read_csv(GOLDEN / "partners.csv")
    assert [(r["partner_id"], r["region"], r["country_code"]) for r in rows] == [
        (r["partner_id"], r["region"], r["country_code"]) for r in golden]
    checks = Counter(w.check for w in result.warnings)
    assert checks["row-has-country"] == 2
    assert checks["table-has-region-heading"] == 86
