"""Validate a normalized page: the page against what it says about itself, then the table
against the pandera contract in schemas/. All failures are collected (lazy), never the first only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.normalize import Finding, NormalizedPage

if TYPE_CHECKING:
    from pipeline.parse import ParsedPage

TERM_YEARS = 5  # the policy: agreements run for terms of 5 years
TERM_SLACK_DAYS = 45  # a term that ends within this many days of a whole term counts as whole


@dataclass
class ValidationReport:
    errors: list[Finding]
    warnings: list[Finding]

    @property
    def ok(self) -> bool:
        return not self.errors


def page_consistency(page: ParsedPage, rows: list[dict]) -> list[Finding]:
    """Findings where the page's tables disagree with the counts the page states."""
    findings = []
    if page.stated_institutions is None:
        findings.append(Finding("the page states its number of institutions",
                                "the page does not state how many institutions it lists"))
    elif page.stated_institutions != len(page.records):
        findings.append(Finding(
            "row count equals the stated number of institutions",
            f"the page says {page.stated_institutions} institutions but lists "
            f"{len(page.records)}", value=str(len(page.records))))
    countries = {row["country_code"] for row in rows}
    if page.stated_countries is None:
        findings.append(Finding("the page states its number of countries",
                                "the page does not state how many countries it covers"))
    elif page.stated_countries != len(countries):
        findings.append(Finding(
            "distinct countries equal the stated number",
            f"the page says {page.stated_countries} countries/regions but lists "
            f"{len(countries)}", value=str(len(countries))))
    listed = Counter(record.region for record in page.records if record.region)
    for region, stated in page.region_counts.items():
        if listed.get(region, 0) != stated:
            findings.append(Finding(
                "each region heading's count equals its rows",
                f"heading {region}({stated}) is followed by {listed.get(region, 0)} rows",
                "region", value=region))
    return findings


def agreement_warnings(rows: list[dict], as_of: dt.date | None) -> list[Finding]:
    """Things worth a person's look that do not make the data wrong."""
    findings = []
    for row in rows:
        expiration = row["expiration_date"]
        if expiration is None:
            continue
        if as_of and expiration < as_of and not row["under_renewal"]:
            findings.append(Finding(
                "agreements in force on the as-of date",
                f"{row['name']} expired on {expiration.isoformat()} "
                "and is not marked under renewal",
                "expiration_date", row["name_raw"], expiration.isoformat()))
        if not whole_terms(row["initial_date"], expiration):
            findings.append(Finding(
                "terms are whole multiples of 5 years",
                f"{row['name']}: {row['initial_date'].isoformat()} to {expiration.isoformat()} "
                f"is not a whole number of {TERM_YEARS}-year terms",
                "expiration_date", row["name_raw"], expiration.isoformat()))
    return findings


def whole_terms(start: dt.date, end: dt.date) -> bool:
    """Whether start→end is close to a whole number of policy terms.

    >>> whole_terms(dt.date(2011, 7, 22), dt.date(2026, 7, 21))
    True
    >>> whole_terms(dt.date(2008, 12, 8), dt.date(2029, 2, 20))
    False
    """
    years = round((end - start).days / 365.25 / TERM_YEARS) * TERM_YEARS
    if years == 0:
        return False
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        anniversary = start.replace(year=start.year + years, day=28)
    return abs((end - anniversary).days) <= TERM_SLACK_DAYS


def validate_page(page: ParsedPage, normalized: NormalizedPage, *, strict_counts: bool = True):
    """The partners frame and a report of every error and warning found on the way."""
    errors = list(normalized.errors)
    warnings = list(normalized.warnings)
    counts = page_consistency(page, normalized.rows)
    (errors if strict_counts else warnings).extend(counts)
    warnings.extend(agreement_warnings(normalized.rows, page.as_of))
    frame = partners_frame(normalized.rows)
    if normalized.rows:
        errors.extend(schema_failures(frame, set(page.legend) or None))
    elif not errors:
        errors.append(Finding("the page lists partners", "no partner rows were built"))
    return frame, ValidationReport(errors, warnings)


def partners_frame(rows: list[dict]):
    """The rows as a DataFrame in the contract's column order."""
    import pandas as pd

    from schemas.partners import PartnersModel

    columns = list(PartnersModel.to_schema().columns)
    frame = pd.DataFrame.from_records(rows, columns=columns)
    frame["under_renewal"] = frame["under_renewal"].astype(bool)
    return frame


def schema_failures(frame, legend_codes: set[str] | None) -> list[Finding]:
    """Every failure of the pandera contract, one Finding per failing check and row."""
    import pandera.pandas as pa

    from schemas.partners import PartnersModel

    schema = PartnersModel.to_schema()
    if legend_codes:
        schema = schema.update_column(
            "agreement_type",
            checks=[*schema.columns["agreement_type"].checks,
                    pa.Check.isin(sorted(legend_codes),
                                  name="agreement types are in the page's legend")],
        )
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as failure:
        return _findings_from(failure.failure_cases, frame)
    return []


def _findings_from(cases, frame) -> list[Finding]:
    findings, seen = [], set()
    for case in cases.itertuples(index=False):
        index = None if case.index is None or case.index != case.index else int(case.index)
        dataframe_level = case.schema_context == "DataFrameSchema"
        key = (case.check, index if dataframe_level else (index, case.column))
        if key in seen:
            continue
        seen.add(key)
        name_raw = str(frame.at[index, "name_raw"]) if index is not None else ""
        column = "" if dataframe_level else str(case.column or "")
        value = "" if dataframe_level else _text(case.failure_case)
        findings.append(Finding(str(case.check), f"{case.check}", column, name_raw, value))
    return findings


def _text(value) -> str:
    return "" if value is None else str(value)
