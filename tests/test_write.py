"""write: atomic files, spreadsheet-safe CSV, Parquet with real types read back with pyarrow."""

import csv
import datetime as dt
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.write import atomic_write, csv_bytes, parquet_bytes, safe_cell

ROWS = [
    {"name": "Mahidol University", "initial_date": dt.date(2005, 4, 1),
     "expiration_date": dt.date(2025, 3, 31), "under_renewal": False, "notes": None},
    {"name": "University of California, Davis", "initial_date": dt.date(2003, 4, 15),
     "expiration_date": None, "under_renewal": True, "notes": "MOU; MOSE with CBS"},
]
COLUMNS = ["name", "initial_date", "expiration_date", "under_renewal", "notes"]
TYPES = {"name": "string", "initial_date": "date", "expiration_date": "date",
         "under_renewal": "boolean", "notes": "string"}


def test_parquet_has_real_types_and_round_trips(tmp_path):
    path = tmp_path / "t.parquet"
    atomic_write(path, parquet_bytes(COLUMNS, ROWS, TYPES))
    table = pq.read_table(path)
    assert table.schema.field("initial_date").type == pa.date32()
    assert table.schema.field("expiration_date").type == pa.date32()
    assert table.schema.field("under_renewal").type == pa.bool_()
    assert table.schema.field("name").type == pa.string()
    assert table.to_pylist() == ROWS


def test_csv_uses_iso_dates_lowercase_booleans_and_empty_nulls():
    text = csv_bytes(COLUMNS, ROWS).decode("utf-8")
    assert text.splitlines() == [
        "name,initial_date,expiration_date,under_renewal,notes",
        "Mahidol University,2005-04-01,2025-03-31,false,",
        '"University of California, Davis",2003-04-15,,true,MOU; MOSE with CBS',
    ]


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_never_start_a_formula(prefix):
    value = f'{prefix}HYPERLINK("http://example.invalid","x")'
    text = csv_bytes(["name"], [{"name": value}]).decode("utf-8")
    cell = next(csv.reader(io.StringIO(text.splitlines()[1] + "\n")))[0] if prefix not in "\r" \
        else list(csv.reader(io.StringIO(text)))[1][0]
    assert cell.startswith("'")
    assert cell[1:] == value


@pytest.mark.parametrize("value", ["Sorbonne Université", "São Paulo", "Paris-Saclay", "3M"])
def test_ordinary_text_is_written_unchanged(value):
    assert safe_cell(value) == value


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
                min_size=1, max_size=5))
def test_csv_round_trips_any_text(values):
    rows = [{"v": v} for v in values]
    read = [r["v"] for r in csv.DictReader(io.StringIO(csv_bytes(["v"], rows).decode("utf-8"),
                                                       newline=""))]
    assert [r[1:] if safe_cell(v) != v else r for r, v in zip(read, values, strict=True)] == values


def test_atomic_write_replaces_whole_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "out" / "f.csv"
    atomic_write(path, b"old")
    atomic_write(path, b"new")
    assert path.read_bytes() == b"new"
    assert [p.name for p in path.parent.iterdir()] == ["f.csv"]


def test_failed_write_keeps_previous_file(tmp_path):
    path = tmp_path / "f.csv"
    atomic_write(path, b"good")
    with pytest.raises(TypeError):
        atomic_write(path, "not bytes")  # type: ignore[arg-type]
    assert path.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["f.csv"]
