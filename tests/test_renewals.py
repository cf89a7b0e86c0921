"""The renewal status rule at its boundaries, and the renewals table of the 2024 page."""

from __future__ import annotations

import datetime as dt
import os

import pyarrow.parquet as pq
import pytest

from pipeline import renewals
from pipeline.renewals import ACTIVE, EXPIRED, EXPIRING, OPEN_ENDED, UNDER_RENEWAL, status
from pipeline.write import csv_bytes
from tests.conftest import REPO

GOLDEN = REPO / "tests" / "golden" / "renewals_2024-04-01.csv"
ON = dt.date(2024, 4, 1)


@pytest.mark.parametrize(("expiration", "expected"), [
    (dt.date(2024, 4, 1), EXPIRING),   # the last valid day is the reference date itself
    (dt.date(2024, 3, 31), EXPIRED),   # the day before
    (dt.date(2025, 4, 1), EXPIRING),   # exactly 12 months on: still in the window
    (dt.date(2025, 4, 2), ACTIVE),     # one day past the window
    (None, OPEN_ENDED),
])
def test_status_boundaries(expiration, expected):
    assert status(expiration, False, ON, 12) == expected


def test_under_renewal_wins_over_dates():
    assert status(dt.date(2020, 1, 1), True, ON) == UNDER_RENEWAL
    assert status(dt.date(2030, 1, 1), True, ON) == UNDER_RENEWAL


def test_leap_day_reference_date():
    on = dt.date(2024, 2, 29)
    assert renewals.add_months(on, 12) == dt.date(2025, 2, 28)
    assert status(dt.date(2025, 2, 28), False, on, 12) == EXPIRING
    assert status(dt.date(2025, 3, 1), False, on, 12) == ACTIVE
    assert renewals.days_left(dt.date(2024, 3, 1), on) == 1


def test_leap_day_expiration():
    assert status(dt.date(2028, 2, 29), False, dt.date(2027, 2, 28), 12) == ACTIVE
    assert status(dt.date(2028, 2, 29), False, dt.date(2027, 2, 28), 13) == EXPIRING
    assert renewals.days_left(dt.date(2028, 2, 29), dt.date(2028, 2, 28)) == 1


def test_window_of_zero_months_keeps_only_today():
    assert status(ON, False, ON, 0) == EXPIRING
    assert status(ON + dt.timedelta(days=1), False, ON, 0) == ACTIVE


def test_table_sorted_and_counted():
    rows = [
        {"partner_id": "B", "name": "b", "expiration_date": None, "under_renewal": False},
        {"partner_id": "A", "name": "a", "expiration_date": dt.date(2024, 5, 1),
         "under_renewal": False},
        {"partner_id": "C", "name": "c", "expiration_date": dt.date(2023, 5, 1),
         "under_renewal": True},
    ]
    table = renewals.renewal_rows(rows, ON)
    assert [r["partner_id"] for r in table] == ["C", "A", "B"]
    assert [r["days_left"] for r in table] == [-336, 30, None]
    counts = renewals.status_counts(table)
    assert counts == {EXPIRING: 1, UNDER_RENEWAL: 1, EXPIRED: 0, ACTIVE: 0, OPEN_ENDED: 1}


def test_golden_renewals_of_the_2024_page(built_2024):
    rows = pq.read_table(built_2024 / "partners.parquet").to_pylist()
    table = renewals.renewal_rows(rows, ON, 12)
    produced = csv_bytes(renewals.RENEWAL_COLUMNS, table)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_bytes(produced)
    assert produced == GOLDEN.read_bytes()
