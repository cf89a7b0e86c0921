"""Contract of out/partners.parquet and out/partners.csv: one row per listed institution.

The partner's columns are declared here and nowhere else. ``PartnerFields`` (what the page
says about one agreement, with the rules between those columns) is the base that the history
model inherits; ``PartnerKey`` holds the id; other tables that refer to a partner take a
column with :func:`same_as`, which copies its type and checks and changes only the words.
"""

from __future__ import annotations

import copy

import pandera.pandas as pa
from pandera.typing import Series

from schemas._common import (
    AGREEMENT_LEVELS,
    PARTNER_ID,
    PROFILE,
    REGIONS,
    SPACED_COLUMNS,
    TEXT_COLUMNS,
    check,
    in_every_column,
    iso_country_codes,
    not_formula,
    well_spaced,
)
from schemas._table import Day, Table, Text

ID_COLUMNS = ("partner_id", "listed_id")  # ids built from the country code (where present)


class PartnerKey(pa.DataFrameModel):
    """The partner's id."""

    partner_id: Series[Text] = pa.Field(
        str_matches=PARTNER_ID,
        description="Stable id across page versions: country code and a hash of the clean "
        "name's fingerprint (not a row number).",
        metadata={"example": "TH-1c0e6f2a"},
    )


class PartnerFields(pa.DataFrameModel):
    """What the page says about one agreement, and the rules between those columns."""

    region: Series[Text] = pa.Field(
        isin=REGIONS,
        description="Region heading the partner is listed under (inferred from the country "
        "when the page gives none).",
        metadata={"example": "Asia"},
    )
    country: Series[Text] = pa.Field(
        description="Country or region: the Unicode CLDR English name of country_code (as "
        "operating systems and browsers show it: Russia, South Korea, Vietnam, Taiwan, United "
        "States), whatever spelling the page used.",
        metadata={"example": "Thailand"},
    )
    country_code: Series[Text] = pa.Field(
        isin=sorted(iso_country_codes()),
        description="ISO 3166-1 alpha-2 code.",
        metadata={"example": "TH"},
    )
    agreement_type: Series[Text] = pa.Field(
        str_matches=r"^[A-Z]{1,4}$",
        description=PROFILE.column_descriptions.get(
            "agreement_type", "Agreement type code from the page's legend."),
        metadata={"example": "I"},
    )
    agreement_level: Series[Text] = pa.Field(
        isin=AGREEMENT_LEVELS,
        description="Level of the agreement decoded from the legend.",
        metadata={"example": "institute"},
    )
    agreement_field: Series[Text] = pa.Field(
        nullable=True,
        description="Field of a graduate-school agreement; empty for institute-wide ones.",
        metadata={"example": "Information Science"},
    )
    name: Series[Text] = pa.Field(
        str_length={"min_value": 2, "max_value": 300},
        description="Clean full name (typos, spacing and accents fixed; every change is "
        "listed in corrections.csv).",
        metadata={"example": "Nanjing Agricultural University"},
    )
    institution: Series[Text] = pa.Field(
        description="Top-level organisation (university, academy, national laboratory).",
        metadata={"example": "Nanjing Agricultural University"},
    )
    unit: Series[Text] = pa.Field(
        nullable=True,
        description="Faculty, school, department or institute inside the institution; empty "
        "when the agreement is with the whole institution.",
        metadata={"example": "College of Life Sciences"},
    )
    abbreviation: Series[Text] = pa.Field(
        nullable=True,
        description="Abbreviation the page gives in parentheses (several joined by '; ').",
        metadata={"example": "IGDTUW"},
    )
    name_raw: Series[Text] = pa.Field(
        description="Name exactly as printed on the page (whitespace collapsed).",
        metadata={"example": "Nanjing Agricultual University"},
    )
    initial_date: Series[Day] = pa.Field(
        description="Date of the initial agreement.",
        metadata={"example": "2019-09-25"},
    )
    expiration_date: Series[Day] = pa.Field(
        nullable=True,
        description="Expiration date as printed; empty when the page gives none (e.g. [MOU]).",
        metadata={"example": "2024-09-24"},
    )
    under_renewal: Series[bool] = pa.Field(
        description="The page marks the agreement '(Under renewal)'.",
        metadata={"example": "false"},
    )
    notes: Series[Text] = pa.Field(
        nullable=True,
        description="Bracketed notes from the expiration cell, joined by '; '.",
        metadata={"example": "MOU; MOSE with CBS"},
    )

    @check("ids-start-with-country")
    def ids_start_with_country(cls, df):
        ok = df["country_code"].notna()
        for column in (c for c in ID_COLUMNS if c in df):
            ok &= df[column].str[:2] == df["country_code"]
        return ok

    @check("expiration-after-initial")
    def expiration_after_initial(cls, df):
        return df["expiration_date"].isna() | (df["expiration_date"] > df["initial_date"])

    @check("renewal-needs-expiration")
    def renewal_needs_expiration(cls, df):
        return ~df["under_renewal"] | df["expiration_date"].notna()

    @check("names-well-spaced")
    def names_well_spaced(cls, df):
        return in_every_column(well_spaced, df, SPACED_COLUMNS)

    @check("field-matches-level")
    def field_matches_level(cls, df):
        return df["agreement_field"].isna() == (df["agreement_level"] == "institute")

    @check("no-formula-cells")
    def no_formula_cells(cls, df):
        return in_every_column(not_formula, df, TEXT_COLUMNS)


# pandera orders a model's columns base first, and of several bases the last one first:
# PartnerKey (partner_id), then PartnerFields, then snapshot_date.
class PartnersModel(PartnerFields, PartnerKey, Table):
    """One agreement with one partner institution, as listed on the page on snapshot_date."""

    snapshot_date: Series[Day] = pa.Field(
        description="The page's 'As of' date.",
        metadata={"example": "2024-04-01"},
    )

    class Config:
        name = "partners"
        description = PROFILE.table_description

    @check("partner-id-unique")
    def partner_id_unique(cls, df):
        return ~df["partner_id"].duplicated(keep=False)

    @check("one-snapshot-date")
    def one_snapshot_date(cls, df):
        return df["snapshot_date"].notna() & (df["snapshot_date"].nunique(dropna=False) == 1)


def same_as(column: str, description: str, example: str | None = None):
    """The partners contract's field for ``column`` (type checks, nullability, example) in
    another table, described in that table's words."""
    _, field = PartnersModel.__fields__[column]
    twin = copy.copy(field)
    twin.description = description
    twin.metadata = {**(field.metadata or {}), **({"example": example} if example else {})}
    return twin


# Column lists for pipeline code (read through schemas._common.partner_fields, lazily).
FIELD_COLUMNS = tuple(PartnerFields.to_schema().columns)  # the partner's own fields
SNAPSHOT_COLUMNS = tuple(c for c in PartnersModel.to_schema().columns
                         if c not in (*PartnerKey.to_schema().columns, *FIELD_COLUMNS))
