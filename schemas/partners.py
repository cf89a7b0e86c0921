"""Contract of out/partners.parquet and out/partners.csv: one row per listed institution."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.engines import pandas_engine
from pandera.typing import Series

from schemas._common import AGREEMENT_LEVELS, REGIONS, iso_country_codes, not_formula, well_spaced

TEXT_COLUMNS = ("name", "institution", "unit", "abbreviation", "name_raw", "notes", "country")


class PartnersModel(pa.DataFrameModel):
    """One agreement with one partner institution, as listed on the page on snapshot_date."""

    partner_id: Series[str] = pa.Field(
        unique=True,
        str_matches=r"^[A-Z]{2}-[0-9a-f]{8}(-[A-Z]+)?(-\d+)?$",
        description="Stable id across page versions: country code and a hash of the clean "
        "name's fingerprint (not a row number).",
        metadata={"example": "TH-1c0e6f2a", "type": "string"},
    )
    region: Series[str] = pa.Field(
        isin=REGIONS,
        description="Region heading the partner is listed under (inferred from the country "
        "when the page gives none).",
        metadata={"example": "Asia", "type": "string"},
    )
    country: Series[str] = pa.Field(
        description="Country or region, ISO 3166 English short name.",
        metadata={"example": "Thailand", "type": "string"},
    )
    country_code: Series[str] = pa.Field(
        isin=sorted(iso_country_codes()),
        description="ISO 3166-1 alpha-2 code.",
        metadata={"example": "TH", "type": "string"},
    )
    agreement_type: Series[str] = pa.Field(
        str_matches=r"^[A-Z]{1,4}$",
        description="Agreement type code from the page's legend: I institute-wide; IS, BS, MS "
        "graduate-school level (Information, Biological, Materials Science).",
        metadata={"example": "I", "type": "string"},
    )
    agreement_level: Series[str] = pa.Field(
        isin=AGREEMENT_LEVELS,
        description="Level of the agreement decoded from the legend.",
        metadata={"example": "institute", "type": "string"},
    )
    agreement_field: Series[str] = pa.Field(
        nullable=True,
        description="Field of a graduate-school agreement; empty for institute-wide ones.",
        metadata={"example": "Information Science", "type": "string"},
    )
    name: Series[str] = pa.Field(
        str_length={"min_value": 2, "max_value": 300},
        description="Clean full name (typos, spacing and accents fixed; every change is "
        "listed in corrections.csv).",
        metadata={"example": "Nanjing Agricultural University", "type": "string"},
    )
    institution: Series[str] = pa.Field(
        description="Top-level organisation (university, academy, national laboratory).",
        metadata={"example": "Nanjing Agricultural University", "type": "string"},
    )
    unit: Series[str] = pa.Field(
        nullable=True,
        description="Faculty, school, department or institute inside the institution; empty "
        "when the agreement is with the whole institution.",
        metadata={"example": "College of Life Sciences", "type": "string"},
    )
    abbreviation: Series[str] = pa.Field(
        nullable=True,
        description="Abbreviation the page gives in parentheses (several joined by '; ').",
        metadata={"example": "IGDTUW", "type": "string"},
    )
    name_raw: Series[str] = pa.Field(
        description="Name exactly as printed on the page (whitespace collapsed).",
        metadata={"example": "Nanjing Agricultual University", "type": "string"},
    )
    initial_date: Series[pandas_engine.Date] = pa.Field(
        description="Date of the initial agreement.",
        metadata={"example": "2019-09-25", "type": "date"},
    )
    expiration_date: Series[pandas_engine.Date] = pa.Field(
        nullable=True,
        description="Expiration date as printed; empty when the page gives none (e.g. [MOU]).",
        metadata={"example": "2024-09-24", "type": "date"},
    )
    under_renewal: Series[bool] = pa.Field(
        description="The page marks the agreement '(Under renewal)'.",
        metadata={"example": "false", "type": "boolean"},
    )
    notes: Series[str] = pa.Field(
        nullable=True,
        description="Bracketed notes from the expiration cell, joined by '; '.",
        metadata={"example": "MOU; MOSE with CBS", "type": "string"},
    )
    snapshot_date: Series[pandas_engine.Date] = pa.Field(
        description="The page's 'As of' date.",
        metadata={"example": "2024-04-01", "type": "date"},
    )

    class Config:
        strict = True
        ordered = True
        name = "partners"
        description = "NAIST international partner agreements, one row per listed institution."

    @pa.dataframe_check(name="expiration is after the initial date")
    def expiration_after_initial(cls, df):
        return df["expiration_date"].isna() | (df["expiration_date"] > df["initial_date"])

    @pa.dataframe_check(name="under_renewal only with an expiration date")
    def renewal_needs_expiration(cls, df):
        return ~df["under_renewal"] | df["expiration_date"].notna()

    @pa.dataframe_check(name="names have no leading, trailing or doubled spaces")
    def names_well_spaced(cls, df):
        ok = well_spaced(df["name"])
        for column in ("institution", "unit", "abbreviation"):
            ok &= well_spaced(df[column])
        return ok

    @pa.dataframe_check(name="snapshot_date on every row, one date for the whole table")
    def one_snapshot_date(cls, df):
        return df["snapshot_date"].notna() & (df["snapshot_date"].nunique(dropna=False) == 1)

    @pa.dataframe_check(name="agreement_field is empty exactly for institute-wide agreements")
    def field_matches_level(cls, df):
        return df["agreement_field"].isna() == (df["agreement_level"] == "institute")

    @pa.dataframe_check(name="partner_id starts with the country code")
    def id_has_country(cls, df):
        return df["partner_id"].str[:2] == df["country_code"]

    @pa.dataframe_check(name="no text cell can be read as a spreadsheet formula")
    def no_formula_cells(cls, df):
        ok = not_formula(df["name"])
        for column in TEXT_COLUMNS:
            ok &= not_formula(df[column])
        return ok
