"""Contracts of out/history.parquet, out/history.csv (one row per partner per period in which
none of its fields changed) and out/events.csv (what happened to each partner, and when).

A history period is a partners row with a lineage and a period: ``HistoryModel`` inherits the
partner's columns and rules from schemas/partners.py rather than restating them.
"""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from schemas._common import (
    EVENTS,
    SNAPSHOT_NAME,
    WHOLE_PARTNER,
    check,
    field_values_differ,
    names_no_field,
)
from schemas._table import Day, Table, Text
from schemas.partners import FIELD_COLUMNS, PartnerFields, same_as

_LINEAGE = ("Stable id of the partner across every version: the partner_id it had when it "
            "first appeared, kept through renames.")
_SNAPSHOT = "File in raw/ of the first snapshot showing this."


class Lineage(pa.DataFrameModel):
    """Which partner a history row belongs to, and the period it covers."""

    partner_id: Series[Text] = same_as("partner_id", _LINEAGE)
    listed_id: Series[Text] = same_as(
        "partner_id", "partner_id in the partners table built from a snapshot of this period "
        "(differs from partner_id after a rename).")
    valid_from: Series[Day] = pa.Field(
        description="First day of the period: the page's 'As of' date when the page moved it "
        "forward, else the day the first snapshot showing this state was taken (UTC).",
        metadata={"example": "2024-04-01"},
    )
    valid_to: Series[Day] = pa.Field(
        nullable=True,
        description="Day the next state began (exclusive); empty while the period is current.",
        metadata={"example": "2025-01-15"},
    )


# Columns: Lineage's, then the partner's (PartnerFields), then snapshot (see PartnersModel).
class HistoryModel(PartnerFields, Lineage, Table):
    """One partner during one period in which none of its fields changed on the page."""

    snapshot: Series[Text] = pa.Field(
        str_matches=SNAPSHOT_NAME, description=_SNAPSHOT,
        metadata={"example": "20240401T000000Z_63af56fce403.html"},
    )

    class Config:
        name = "history"
        description = "Every version of every partner agreement, with the period it was listed."

    @check("period-forward")
    def period_forward(cls, df):
        return df["valid_to"].isna() | (df["valid_to"] > df["valid_from"])

    @check("one-open-period")
    def one_open_period(cls, df):
        return df["valid_to"].isna().groupby(df["partner_id"]).transform("sum") <= 1

    @check("periods-disjoint")
    def periods_disjoint(cls, df):
        ordered = df.sort_values(["partner_id", "valid_from"])
        following = ordered.groupby("partner_id")["valid_from"].shift(-1)
        ends = ordered["valid_to"]
        ok = following.isna() | (ends.notna() & (following >= ends))
        return ok.reindex(df.index)

    @check("listed-id-current-once")
    def listed_id_current_once(cls, df):
        current = df["valid_to"].isna()
        return ~current | ~df["listed_id"].where(current).duplicated(keep=False)


class EventsModel(Table):
    """One thing that happened to one partner between two versions of the page."""

    date: Series[Day] = pa.Field(
        description="Date of the version that shows the change (dated like history.valid_from).",
        metadata={"example": "2025-01-15"},
    )
    partner_id: Series[Text] = same_as("partner_id", _LINEAGE)
    name: Series[Text] = same_as(
        "name", "Clean name after the event (before it, for a removal).", "Mahidol University")
    event: Series[Text] = pa.Field(
        isin=EVENTS,
        description="added (first listed, or listed again), removed (no longer listed), renewed "
        "(expiration moved later), renamed (a new name and page id; partner_id keeps the "
        "first id), type_changed (agreement type changed), changed (any other field, including "
        "a name re-spelled under the same id; see field, old, new).",
        metadata={"example": "renewed"},
    )
    field: Series[Text] = pa.Field(
        nullable=True,
        isin=("partner_id", *FIELD_COLUMNS),
        description="Column that changed; empty for added and removed.",
        metadata={"example": "expiration_date"},
    )
    old: Series[Text] = pa.Field(
        nullable=True, description="Value before (ISO dates, true/false).",
        metadata={"example": "2025-03-31"},
    )
    new: Series[Text] = pa.Field(
        nullable=True, description="Value after (ISO dates, true/false).",
        metadata={"example": "2030-03-31"},
    )
    snapshot: Series[Text] = pa.Field(
        str_matches=SNAPSHOT_NAME, description=_SNAPSHOT,
        metadata={"example": "20250115T060000Z_0123456789ab.html"},
    )

    class Config:
        name = "events"
        description = "What happened to each partner agreement, in date order."

    @check("whole-partner-rows")
    def whole_partner_rows(cls, df):
        return names_no_field(df["event"], df)

    @check("field-rows-differ")
    def field_rows_differ(cls, df):
        return field_values_differ(~df["event"].isin(WHOLE_PARTNER), df)

    @check("renewals-move-later")
    def renewals_move_later(cls, df):
        renewed = df["event"] == "renewed"
        later = (df["field"] == "expiration_date") & (df["new"].fillna("") > df["old"].fillna("~"))
        return ~renewed | later

    @check("renames-change-name")
    def renames_change_name(cls, df):
        return (df["event"] != "renamed") | (df["field"] == "name")

    @check("type-changes-change-type")
    def type_changes_change_type(cls, df):
        return (df["event"] != "type_changed") | (df["field"] == "agreement_type")

    @check("events-in-date-order")
    def events_in_date_order(cls, df):
        dates = df["date"]
        return (dates.shift(1).isna() | (dates >= dates.shift(1))).fillna(True)
