"""Partner ids: each depends on its own row only, whatever else the page lists."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.identity import fingerprint
from pipeline.names import clean_name
from pipeline.normalize import normalize_page
from pipeline.parse import ParsedPage, RawRecord
from tests.typos import one_edit

GOLDEN = Path(__file__).parent / "golden"
LEGEND = {
    "I": "Institute-wide level",
    "IS": "Information Science (Graduate school-level)",
    "BS": "Biological Science (Graduate school-level)",
    "MS": "Materials Science (Graduate school-level)",
}


def _records() -> list[RawRecord]:
    with (GOLDEN / "raw_records.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        RawRecord(
            region=r["region"] or None, country=r["country"], agreement_type=r["agreement_type"],
            name=r["name"], initial_date=r["initial_date"], expiration=r["expiration"],
            table=int(r["table"]), row=int(r["row"]),
        )
        for r in rows
    ]  # fmt: skip


RECORDS = _records()


def _with_typo(record: RawRecord, seed: int) -> RawRecord:
    """The record under a misspelt name (one edit in its longest word): a new, unrelated row."""
    word = max(record.name.split(), key=len)
    position = 1 + seed % max(1, len(word) - 2)
    typo = one_edit(word, ("delete", "transpose")[seed % 2], position, "")
    return RawRecord(**{**record.__dict__, "name": record.name.replace(word, typo, 1)})


def _ids(records: list[RawRecord]) -> dict[str, str]:
    page = ParsedPage(
        records=tuple(records), stated_institutions=None, stated_countries=None,
        as_of=dt.date(2024, 4, 1), legend=LEGEND, region_counts={}, encoding="utf-8",
    )  # fmt: skip
    rows = normalize_page(page).rows
    return {(r["name_raw"], r["agreement_type"], str(r["initial_date"])): r["partner_id"]
            for r in rows}  # fmt: skip


BASELINE = _ids(RECORDS)


def _identity(name: str) -> str:
    return fingerprint(clean_name(name).name)


def _key(record: RawRecord) -> tuple[str, str, str]:
    day = dt.date(*map(int, record.initial_date.split(".")))
    return (record.name, record.agreement_type, str(day))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    keep=st.lists(st.integers(0, len(RECORDS) - 1), min_size=1, max_size=40, unique=True),
    extra=st.lists(st.tuples(st.integers(0, len(RECORDS) - 1), st.integers(0, 99)), max_size=8),
    order=st.randoms(use_true_random=False),
)
def test_other_rows_never_move_a_rows_id(keep, extra, order):
    """Remove rows, add unrelated (misspelt) ones and shuffle: every kept row keeps its id."""
    kept = [RECORDS[i] for i in keep]
    kept_keys = {_identity(r.name) for r in kept}
    added = [_with_typo(RECORDS[i], seed) for i, seed in extra]
    added = [r for r in added if _identity(r.name) not in kept_keys]  # other partners only
    page = kept + added
    order.shuffle(page)
    ids = _ids(page)
    for record in kept:
        assert ids[_key(record)] == BASELINE[_key(record)], record.name


def test_an_unrelated_misspelt_row_does_not_undo_a_fix():
    """The case that moved an id: a row misspelling ``Agricultural`` elsewhere on the page."""
    nanjing = next(r for r in RECORDS if "Agricultual" in r.name)
    other = RawRecord(**{**nanjing.__dict__, "name": "Agricultual Research Institute of Jiangsu",
                         "row": len(RECORDS)})  # fmt: skip
    assert _ids([*RECORDS, other])[_key(nanjing)] == BASELINE[_key(nanjing)]
