"""Renewal status of every agreement against a reference date.

The rule is one pure function, :func:`status`; :func:`renewal_rows` applies it to partner
rows and gives the renewals table (renewals.csv, the workbook's Renewals sheet, the report's
tables). Nothing here reads the clock: the reference date is always passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

EXPIRING = "expiring"
UNDER_RENEWAL = "under renewal"
EXPIRED = "expired"
ACTIVE = "active"
OPEN_ENDED = "open-ended"
# In the order people act on them: what needs attention first.
STATUSES = (EXPIRING, UNDER_RENEWAL, EXPIRED, ACTIVE, OPEN_ENDED)
DEFAULT_WITHIN_MONTHS = 12

RENEWAL_COLUMNS = ("partner_id", "name", "country", "country_code", "region", "agreement_type",
                   "initial_date", "expiration_date", "under_renewal", "status", "days_left")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (earlier when negative), clamped to the month's end.

    >>> add_months(dt.date(2024, 2, 29), 12)
    datetime.date(2025, 2, 28)
    >>> add_months(dt.date(2024, 8, 31), -6)
    datetime.date(2024, 2, 29)
    """
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    first_of_next = dt.date(year + (month == 11), (month + 1) % 12 + 1, 1)
    last = (first_of_next - dt.timedelta(days=1)).day
    return dt.date(year, month + 1, min(day.day, last))


def status(expiration: dt.date | None, under_renewal: bool, on: dt.date,
           within_months: int = DEFAULT_WITHIN_MONTHS) -> str:
    """The renewal status of one agreement on the reference date ``on``.

    - ``under renewal``: the page marks it so (whatever the date says);
    - ``open-ended``: no expiration date (e.g. an MOU);
    - ``expired``: the expiration date is before ``on``;
    - ``expiring``: it expires between ``on`` (included: the last day is still valid) and
      ``within_months`` months after ``on`` (included);
    - ``active``: later than that.

    >>> on = dt.date(2024, 4, 1)
    >>> status(dt.date(2024, 4, 1), False, on), status(dt.date(2024, 3, 31), False, on)
    ('expiring', 'expired')
    >>> status(dt.date(2025, 4, 1), False, on), status(dt.date(2025, 4, 2), False, on)
    ('expiring', 'active')
    >>> status(None, False, on), status(dt.date(2020, 1, 1), True, on)
    ('open-ended', 'under renewal')
    """
    if under_renewal:
        return UNDER_RENEWAL
    if expiration is None:
        return OPEN_ENDED
    if expiration < on:
        return EXPIRED
    if expiration <= add_months(on, within_months):
        return EXPIRING
    return ACTIVE


def days_left(expiration: dt.date | None, on: dt.date) -> int | None:
    """Days from ``on`` to the expiration date (0 on the day itself, negative once expired).

    >>> days_left(dt.date(2024, 3, 1), dt.date(2024, 2, 28)), days_left(None, dt.date(2024, 1, 1))
    (2, None)
    """
    return None if expiration is None else (expiration - on).days


def renewal_rows(rows: Iterable[Mapping], on: dt.date,
                 within_months: int = DEFAULT_WITHIN_MONTHS) -> list[dict]:
    """One row per agreement with its status and days left, soonest expiration first
    (open-ended last), ties by name and id."""
    table = []
    for row in rows:
        expiration = row.get("expiration_date")
        table.append({
            **{column: row.get(column) for column in RENEWAL_COLUMNS[:-2]},
            "under_renewal": bool(row.get("under_renewal")),
            "status": status(expiration, bool(row.get("under_renewal")), on, within_months),
            "days_left": days_left(expiration, on),
        })
    table.sort(key=lambda r: (r["expiration_date"] is None, r["expiration_date"] or dt.date.max,
                              r["name"].casefold(), r["partner_id"]))
    return table


def select(table: Iterable[Mapping], *statuses: str) -> list[dict]:
    """Rows of the renewals table whose status is one of ``statuses``, order kept."""
    return [dict(row) for row in table if row["status"] in statuses]


def status_counts(table: Iterable[Mapping]) -> dict[str, int]:
    """How many agreements have each status, every status listed (zero included)."""
    counts = dict.fromkeys(STATUSES, 0)
    for row in table:
        counts[row["status"]] += 1
    return counts
