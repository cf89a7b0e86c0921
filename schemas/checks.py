"""Every check of the contract by its stable id, with the sentence that explains it.

The id is what machines read (``check`` in warnings, validation_errors.csv, metadata.json and
the pandera failure cases); the sentence is for people and may be reworded without breaking
anyone. Ids are lowercase words joined by hyphens and never change meaning once published.
This module imports nothing heavy: the CLI and the stages read it without pandas.
"""

from __future__ import annotations

CHECKS: dict[str, str] = {
    # The page against itself (pipeline/validate.py, pipeline/normalize.py).
    "page-states-institutions": "the page states its number of institutions",
    "institutions-match-stated": "row count equals the stated number of institutions",
    "page-states-countries": "the page states its number of countries",
    "countries-match-stated": "distinct countries equal the stated number",
    "region-counts-match": "each region heading's count equals its rows",
    "page-states-as-of": "the page states its 'As of' date",
    "page-has-legend": "the page has a legend of agreement types",
    "types-decode-from-legend": "agreement types decode from the legend",
    "page-lists-partners": "the page lists partners",
    "charset-label-known": "the page's charset label is known",
    "charset-matches-bytes": "the page's charset label matches its bytes",
    # One row's cells (pipeline/normalize.py).
    "dates-written-ymd": "dates are written YYYY.M.D",
    "dates-are-real": "dates are real calendar dates",
    "one-expiration-date": "one expiration date per agreement",
    "country-is-iso": "countries are known to ISO 3166",
    "region-is-known": "regions are the ones the source profile lists",
    "row-has-country": "every row has a country",
    "row-has-region": "every row has a region",
    "table-has-region-heading": "every table has a region heading",
    "type-in-legend": "agreement types are in the page's legend",
    # Warnings: worth a person's look, the data are not wrong (pipeline/validate.py).
    "in-force-on-as-of": "agreements in force on the as-of date",
    "whole-terms": "agreements run for whole terms",
    # A partner row (schemas/partners.py), also in every history period.
    "partner-id-unique": "partner_id is unique in the table",
    "ids-start-with-country": "partner ids start with the country code",
    "expiration-after-initial": "expiration is after the initial date",
    "renewal-needs-expiration": "under_renewal only with an expiration date",
    "names-well-spaced": "names have no leading, trailing or doubled spaces",
    "field-matches-level": "agreement_field is empty exactly for institute-wide agreements",
    "no-formula-cells": "no text cell can be read as a spreadsheet formula",
    "one-snapshot-date": "snapshot_date on every row, one date for the whole table",
    # history.parquet / history.csv (schemas/history.py).
    "period-forward": "valid_to is after valid_from",
    "one-open-period": "each partner has at most one open period",
    "periods-disjoint": "a partner's periods do not overlap",
    "listed-id-current-once": "a listed id is current for at most one partner",
    # events.csv and diff.csv (schemas/history.py, schemas/diff.py).
    "whole-partner-rows": "added and removed rows name no field",
    "field-rows-differ": "other rows name the field, and its old and new values differ",
    "renewals-move-later": "renewed events move expiration_date later",
    "renames-change-name": "renamed events change the name",
    "type-changes-change-type": "type_changed events change agreement_type",
    "events-in-date-order": "events are in date order",
    "one-row-per-field": "a field is listed once per partner",
    "one-change-per-partner": "a partner is added, removed, renamed or changed, not several",
    "renames-change-name-and-id": "renamed partners change their name and id",
    # pandera's own column checks, as the column settings in the models ask for them.
    "isin": "the value is one of the column's allowed values",
    "str-matches": "the text matches the column's pattern",
    "str-length": "the text's length is within the column's bounds",
    "not-nullable": "the column has no empty cells",
    "dtype": "the column has the contract's type",
    "column-in-dataframe": "the table has every column of the contract",
    "column-in-schema": "the table has no column outside the contract",
    "column-ordered": "the columns are in the contract's order",
}


def message(check: str) -> str:
    """The sentence for a check id (the id itself for pandera's built-in checks).

    >>> message("expiration-after-initial")
    'expiration is after the initial date'
    """
    return CHECKS.get(check, check)


def check_id(check: str) -> str:
    """The stable id of a check named by its id or by pandera's name for it (unknown names
    unchanged).

    >>> check_id("whole-terms")
    'whole-terms'
    >>> check_id("str_matches('^[A-Z]{2}$')"), check_id("not_nullable")
    ('str-matches', 'not-nullable')
    """
    if check in CHECKS:
        return check
    builtin = check.split("(", 1)[0].replace("_", "-")
    return builtin if builtin in CHECKS else check
