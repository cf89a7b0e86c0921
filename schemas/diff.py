"""Contract of diff.csv: what changed between two versions of the page, one row per
added or removed partner and one row per changed field of a partner found in both."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from schemas._common import CHANGES, check, field_values_differ, names_no_field
from schemas._table import Table, Text
from schemas.partners import FIELD_COLUMNS, same_as


class DiffModel(Table):
    """One difference between an OLD and a NEW version of the partners list."""

    change: Series[Text] = pa.Field(
        isin=CHANGES,
        description="added or removed partner; renamed (a partner that disappeared and one "
        "that appeared are one partner under a new name and id); changed (same partner, other "
        "fields). Re-spelled names with the same id are page corrections (diff.json), not rows.",
        metadata={"example": "changed"},
    )
    partner_id: Series[Text] = same_as(
        "partner_id", "The partner's id in NEW (in OLD for a removed partner); a rename's old "
        "id is in the row whose field is partner_id.")
    name: Series[Text] = same_as(
        "name", "Clean name (in NEW; in OLD for a removed partner).", "Mahidol University")
    field: Series[Text] = pa.Field(
        nullable=True,
        isin=("partner_id", *FIELD_COLUMNS),
        description="Column of the partners table that changed; empty for added and removed "
        "partners.",
        metadata={"example": "expiration_date"},
    )
    old: Series[Text] = pa.Field(
        nullable=True,
        description="Value in OLD (ISO dates, true/false); empty when there was none.",
        metadata={"example": "2025-03-31"},
    )
    new: Series[Text] = pa.Field(
        nullable=True,
        description="Value in NEW (ISO dates, true/false); empty when there is none.",
        metadata={"example": "2030-03-31"},
    )

    class Config:
        name = "diff"
        description = "Differences between two versions of the partners list."

    @check("whole-partner-rows")
    def whole_partner_rows(cls, df):
        return names_no_field(df["change"], df)

    @check("field-rows-differ")
    def field_rows_differ(cls, df):
        return field_values_differ(df["change"].isin(["changed", "renamed"]), df)

    @check("one-row-per-field")
    def one_row_per_field(cls, df):
        return ~df.duplicated(["partner_id", "field"], keep=False)

    @check("one-change-per-partner")
    def one_change_per_partner(cls, df):
        return df.groupby("partner_id")["change"].transform("nunique") == 1

    @check("renames-change-name-and-id")
    def renames_change_name_and_id(cls, df):
        renamed = df["change"] == "renamed"
        by_partner = df["partner_id"]
        names_changed = (df["field"] == "name").groupby(by_partner).transform("any")
        ids_changed = (df["field"] == "partner_id").groupby(by_partner).transform("any")
        return ~renamed | (names_changed & ids_changed)
