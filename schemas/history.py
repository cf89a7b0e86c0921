"""Contracts of out/history.parquet, out/history.csv (one row per partner per period in which
none of its fields changed) and out/events.csv (what happened to each partner, and when)."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.engines import pandas_engine
from pandera.typing import Series

from schemas._common import AGREEMENT_LEVELS, REGIONS

EVENTS = ("added", "removed", "renewed", "renamed", "type_changed", "changed")
PARTNER_ID = r"^[A-Z]{2}-[0-9a-f]{8}(-[A-Z]+)?(-\d+)?$"
PARTNER_FIELDS = (
    "region", "country", "country_code", "agreement_type", "agreement_level",
    "agreement_field", "name", "institution", "unit", "abbreviation", "name_raw",
    "initial_date", "expiration_date", "under_renewal", "notes",
)
SNAPSHOT_NAME = r"^\d{8}T\d{6}Z_[0-9a-f]{12}\.html$"

_LINEAGE = ("Stable id of the partner across every version: the partner_id it had when it "
            "first appeared, kept through renames.")
_SNAPSHOT = "File in raw/ of the first snapshot showing this."


class HistoryModel(pa.DataFrameModel):
    """One partner during one period in which none of its fields changed on the page."""

    partner_id: Series[str] = pa.Field(
        str_matches=PARTNER_ID, description=_LINEAGE,
        metadata={"example": "TH-1c0e6f2a", "type": "string"},
    )
    listed_id: Series[str] = pa.Field(
        str_matches=PARTNER_ID,
        description="partner_id in the partners table built from a snapshot of this period "
        "(differs from partner_id after a rename).",
        metadata={"example": "TH-1c0e6f2a", "type": "string"},
    )
    valid_from: Series[pandas_engine.Date] = pa.Field(
        description="First day of the period: the page's 'As of' date when the page moved it "
        "forward, else the day the first snapshot showing this state was taken (UTC).",
        metadata={"example": "2024-04-01", "type": "date"},
    )
    valid_to: Series[pandas_engine.Date] = pa.Field(
        nullable=True,
        description="Day the next state began (exclusive); empty while the period is current.",
        metadata={"example": "2025-01-15", "type": "date"},
    )
    region: Series[str] = pa.Field(
        isin=REGIONS, description="Region heading the partner was listed under.",
        metadata={"example": "Asia", "type": "string"},
    )
    country: Series[str] = pa.Field(
        description="Country or region, ISO 3166 English short name.",
        metadata={"example": "Thailand", "type": "string"},
    )
    country_code: Series[str] = pa.Field(
        str_matches=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code.",
        metadata={"example": "TH", "type": "string"},
    )
    agreement_type: Series[str] = pa.Field(
        str_matches=r"^[A-Z]{1,4}$", description="Agreement type code from the page's legend.",
        metadata={"example": "I", "type": "string"},
    )
    agreement_level: Series[str] = pa.Field(
        isin=AGREEMENT_LEVELS, description="Level of the agreement decoded from the legend.",
        metadata={"example": "institute", "type": "string"},
    )
    agreement_field: Series[str] = pa.Field(
        nullable=True, description="Field of a graduate-school agreement.",
        metadata={"example": "Information Science", "type": "string"},
    )
    name: Series[str] = pa.Field(
        description="Clean full name.",
        metadata={"example": "Mahidol University", "type": "string"},
    )
    institution: Series[str] = pa.Field(
        description="Top-level organisation.",
        metadata={"example": "Mahidol University", "type": "string"},
    )
    unit: Series[str] = pa.Field(
        nullable=True, description="Faculty, school or department inside the institution.",
        metadata={"example": "College of Life Sciences", "type": "string"},
    )
    abbreviation: Series[str] = pa.Field(
        nullable=True, description="Abbreviation the page gives in parentheses.",
        metadata={"example": "IGDTUW", "type": "string"},
    )
    name_raw: Series[str] = pa.Field(
        description="Name exactly as printed on the page (whitespace collapsed).",
        metadata={"example": "Mahidol University", "type": "string"},
    )
    initial_date: Series[pandas_engine.Date] = pa.Field(
        description="Date of the initial agreement.",
        metadata={"example": "2005-04-01", "type": "date"},
    )
    expiration_date: Series[pandas_engine.Date] = pa.Field(
        nullable=True, description="Expiration date as printed during the period.",
        metadata={"example": "2025-03-31", "type": "date"},
    )
    under_renewal: Series[bool] = pa.Field(
        description="The page marked the agreement '(Under renewal)'.",
        metadata={"example": "false", "type": "boolean"},
    )
    notes: Series[str] = pa.Field(
        nullable=True, description="Bracketed notes from the expiration cell.",
        metadata={"example": "MOU; MOSE with CBS", "type": "string"},
    )
    snapshot: Series[str] = pa.Field(
        str_matches=SNAPSHOT_NAME, description=_SNAPSHOT,
        metadata={"example": "20240401T000000Z_63af56fce403.html", "type": "string"},
    )

    class Config:
        strict = True
        ordered = True
        name = "history"
        description = "Every version of every partner agreement, with the period it was listed."

    @pa.dataframe_check(name="valid_to is after valid_from")
    def period_forward(cls, df):
        return df["valid_to"].isna() | (df["valid_to"] > df["valid_from"])

    @pa.dataframe_check(name="each partner has at most one open period")
    def one_open_period(cls, df):
        return df["valid_to"].isna().groupby(df["partner_id"]).transform("sum") <= 1

    @pa.dataframe_check(name="a partner's periods do not overlap")
    def no_overlap(cls, df):
        ordered = df.sort_values(["partner_id", "valid_from"])
        following = ordered.groupby("partner_id")["valid_from"].shift(-1)
        ends = ordered["valid_to"]
        ok = following.isna() | (ends.notna() & (following >= ends))
        return ok.reindex(df.index)

    @pa.dataframe_check(name="a listed id is current for at most one partner")
    def listed_once(cls, df):
        current = df["valid_to"].isna()
        return ~current | ~df["listed_id"].where(current).duplicated(keep=False)

    @pa.dataframe_check(name="partner_id and listed_id start with the country code")
    def ids_have_country(cls, df):
        return ((df["partner_id"].str[:2] == df["country_code"])
                & (df["listed_id"].str[:2] == df["country_code"]))

    @pa.dataframe_check(name="expiration is after the initial date")
    def expiration_after_initial(cls, df):
        return df["expiration_date"].isna() | (df["expiration_date"] > df["initial_date"])


class EventsModel(pa.DataFrameModel):
    """One thing that happened to one partner between two versions of the page."""

    date: Series[pandas_engine.Date] = pa.Field(
        description="Date of the version that shows the change (dated like history.valid_from).",
        metadata={"example": "2025-01-15", "type": "date"},
    )
    partner_id: Series[str] = pa.Field(
        str_matches=PARTNER_ID, description=_LINEAGE,
        metadata={"example": "TH-1c0e6f2a", "type": "string"},
    )
    name: Series[str] = pa.Field(
        description="Clean name after the event (before it, for a removal).",
        metadata={"example": "Mahidol University", "type": "string"},
    )
    event: Series[str] = pa.Field(
        isin=EVENTS,
        description="added (first listed, or listed again), removed (no longer listed), renewed "
        "(expiration moved later), renamed (a new name and page id; partner_id keeps the "
        "first id), type_changed (agreement type changed), changed (any other field, including "
        "a name re-spelled under the same id; see field, old, new).",
        metadata={"example": "renewed", "type": "string"},
    )
    field: Series[str] = pa.Field(
        nullable=True, isin=("partner_id", *PARTNER_FIELDS),
        description="Column that changed; empty for added and removed.",
        metadata={"example": "expiration_date", "type": "string"},
    )
    old: Series[str] = pa.Field(
        nullable=True, description="Value before (ISO dates, true/false).",
        metadata={"example": "2025-03-31", "type": "string"},
    )
    new: Series[str] = pa.Field(
        nullable=True, description="Value after (ISO dates, true/false).",
        metadata={"example": "2030-03-31", "type": "string"},
    )
    snapshot: Series[str] = pa.Field(
        str_matches=SNAPSHOT_NAME, description=_SNAPSHOT,
        metadata={"example": "20250115T060000Z_0123456789ab.html", "type": "string"},
    )

    class Config:
        strict = True
        ordered = True
        name = "events"
        description = "What happened to each partner agreement, in date order."

    @pa.dataframe_check(name="added and removed events name no field")
    def whole_partner_events(cls, df):
        whole = df["event"].isin(["added", "removed"])
        return ~whole | (df["field"].isna() & df["old"].isna() & df["new"].isna())

    @pa.dataframe_check(name="other events name the field and its old and new values differ")
    def field_events_differ(cls, df):
        per_field = ~df["event"].isin(["added", "removed"])
        differs = df["old"].fillna("\0") != df["new"].fillna("\0")
        return ~per_field | (df["field"].notna() & differs)

    @pa.dataframe_check(name="renewed events move expiration_date later")
    def renewals_later(cls, df):
        renewed = df["event"] == "renewed"
        later = (df["field"] == "expiration_date") & (df["new"].fillna("") > df["old"].fillna("~"))
        return ~renewed | later

    @pa.dataframe_check(name="renamed events change the name")
    def renames_name(cls, df):
        return (df["event"] != "renamed") | (df["field"] == "name")

    @pa.dataframe_check(name="type_changed events change agreement_type")
    def type_changes(cls, df):
        return (df["event"] != "type_changed") | (df["field"] == "agreement_type")

    @pa.dataframe_check(name="events are in date order")
    def date_order(cls, df):
        dates = df["date"]
        return (dates.shift(1).isna() | (dates >= dates.shift(1))).fillna(True)
