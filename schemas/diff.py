"""Contract of out/diff.csv: what changed between two versions of the page, one row per
added or removed partner and one row per changed field of a partner found in both."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

CHANGES = ("added", "removed", "renamed", "changed")
PARTNER_ID = r"^[A-Z]{2}-[0-9a-f]{8}(-[A-Z]+)?(-\d+)?$"
FIELDS = (
    "partner_id", "region", "country", "country_code", "agreement_type", "agreement_level",
    "agreement_field", "name", "institution", "unit", "abbreviation", "name_raw",
    "initial_date", "expiration_date", "under_renewal", "notes",
)


class DiffModel(pa.DataFrameModel):
    """One difference between an OLD and a NEW version of the partners list."""

    change: Series[str] = pa.Field(
        isin=CHANGES,
        description="added or removed partner; renamed (a partner that disappeared and one "
        "that appeared are one partner under a new name and id); changed (same partner, other "
        "fields). Re-spelled names with the same id are page corrections (diff.json), not rows.",
        metadata={"example": "changed", "type": "string"},
    )
    partner_id: Series[str] = pa.Field(
        str_matches=PARTNER_ID,
        description="The partner's id in NEW (in OLD for a removed partner); a rename's old id "
        "is in the row whose field is partner_id.",
        metadata={"example": "TH-1c0e6f2a", "type": "string"},
    )
    name: Series[str] = pa.Field(
        description="Clean name (in NEW; in OLD for a removed partner).",
        metadata={"example": "Mahidol University", "type": "string"},
    )
    field: Series[str] = pa.Field(
        nullable=True,
        isin=FIELDS,
        description="Column of the partners table that changed; empty for added and removed "
        "partners.",
        metadata={"example": "expiration_date", "type": "string"},
    )
    old: Series[str] = pa.Field(
        nullable=True,
        description="Value in OLD (ISO dates, true/false); empty when there was none.",
        metadata={"example": "2025-03-31", "type": "string"},
    )
    new: Series[str] = pa.Field(
        nullable=True,
        description="Value in NEW (ISO dates, true/false); empty when there is none.",
        metadata={"example": "2030-03-31", "type": "string"},
    )

    class Config:
        strict = True
        ordered = True
        name = "diff"
        description = "Differences between two versions of the partners list."

    @pa.dataframe_check(name="added and removed rows name no field")
    def whole_partner_rows(cls, df):
        whole = df["change"].isin(["added", "removed"])
        empty = df["field"].isna() & df["old"].isna() & df["new"].isna()
        return ~whole | empty

    @pa.dataframe_check(name="changed and renamed rows name a field whose value differs")
    def field_rows_differ(cls, df):
        per_field = df["change"].isin(["changed", "renamed"])
        differs = df["old"].fillna("\0") != df["new"].fillna("\0")
        return ~per_field | (df["field"].notna() & differs)

    @pa.dataframe_check(name="a field is listed once per partner")
    def one_row_per_field(cls, df):
        return ~df.duplicated(["partner_id", "field"], keep=False)

    @pa.dataframe_check(name="a partner is added, removed, renamed or changed, not several")
    def one_change_per_partner(cls, df):
        return df.groupby("partner_id")["change"].transform("nunique") == 1

    @pa.dataframe_check(name="renamed partners change their name and id")
    def renames_change_name(cls, df):
        renamed = df["change"] == "renamed"
        by_partner = df["partner_id"]
        names_changed = (df["field"] == "name").groupby(by_partner).transform("any")
        ids_changed = (df["field"] == "partner_id").groupby(by_partner).transform("any")
        return ~renamed | (names_changed & ids_changed)
