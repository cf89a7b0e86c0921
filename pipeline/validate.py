"""Validate against the contract in schemas/: a normalized page (against what it says about
itself, then the partners model) and any other table built from rows (diff, history, events).
All failures are collected (lazy), never the first only; each carries a stable check id.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.errors import ValidationFailed
from pipeline.normalize import Finding, NormalizedPage
from pipeline.sources import TermPolicy
from schemas.checks import check_id, message

if TYPE_CHECKING:
    from pipeline.parse import ParsedPage

_NAIST_TERM = TermPolicy(years=5, slack_days=45)  # for the doctests only


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
        findings.append(Finding("page-states-institutions",
                                "the page does not state how many institutions it lists"))
    elif page.stated_institutions != len(page.records):
        findings.append(Finding(
            "institutions-match-stated",
            f"the page says {page.stated_institutions} institutions but lists "
            f"{len(page.records)}", value=str(len(page.records))))
    countries = {row["country_code"] for row in rows}
    if page.stated_countries is None:
        findings.append(Finding("page-states-countries",
                                "the page does not state how many countries it covers"))
    elif page.stated_countries != len(countries):
        findings.append(Finding(
            "countries-match-stated",
            f"the page says {page.stated_countries} countries/regions but lists "
            f"{len(countries)}", value=str(len(countries))))
    listed = Counter(record.region for record in page.records if record.region)
    for region, stated in page.region_counts.items():
        if listed.get(region, 0) != stated:
            findings.append(Finding(
                "region-counts-match",
                f"heading {region}({stated}) is followed by {listed.get(region, 0)} rows",
                "region", value=region))
    return findings


def agreement_warnings(rows: list[dict], as_of: dt.date | None,
                       term: TermPolicy) -> list[Finding]:
    """Things worth a person's look that do not make the data wrong (``term``: the source
    profile's term policy)."""
    findings = []
    for row in rows:
        expiration = row["expiration_date"]
        if expiration is None:
            continue
        if as_of and expiration < as_of and not row["under_renewal"]:
            findings.append(Finding(
                "in-force-on-as-of",
                f"{row['name']} expired on {expiration.isoformat()} "
                "and is not marked under renewal",
                "expiration_date", row["name_raw"], expiration.isoformat()))
        if not whole_terms(row["initial_date"], expiration, term):
            findings.append(Finding(
                "whole-terms",
                f"{row['name']}: {row['initial_date'].isoformat()} to {expiration.isoformat()} "
                f"is not a whole number of {term.years}-year terms",
                "expiration_date", row["name_raw"], expiration.isoformat()))
    return findings


def whole_terms(start: dt.date, end: dt.date, term: TermPolicy) -> bool:
    """Whether start→end is within ``term.slack_days`` of a whole number of terms.

    >>> whole_terms(dt.date(2011, 7, 22), dt.date(2026, 7, 21), _NAIST_TERM)
    True
    >>> whole_terms(dt.date(2008, 12, 8), dt.date(2029, 2, 20), _NAIST_TERM)
    False
    """
    years = round((end - start).days / 365.25 / term.years) * term.years
    if years == 0:
        return False
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        anniversary = start.replace(year=start.year + years, day=28)
    return abs((end - anniversary).days) <= term.slack_days


def validate_page(page: ParsedPage, normalized: NormalizedPage, term: TermPolicy, *,
                  strict_counts: bool = True):
    """The partners frame as the contract validated it, and a report of every error and
    warning found on the way (each under its check id; ``term``: the profile's policy)."""
    errors = list(normalized.errors)
    warnings = list(normalized.warnings)
    counts = page_consistency(page, normalized.rows)
    (errors if strict_counts else warnings).extend(counts)
    warnings.extend(agreement_warnings(normalized.rows, page.as_of, term))
    frame = partners_frame(normalized.rows)
    if normalized.rows:
        frame, failures = partners_checked(frame, set(page.legend) or None)
        errors.extend(failures)
    elif not errors:
        errors.append(Finding("page-lists-partners", "no partner rows were built"))
    return frame, ValidationReport(errors, warnings)


def partners_frame(rows: list[dict]):
    """The rows as a DataFrame in the contract's column order."""
    import pandas as pd

    from schemas.partners import PartnersModel

    columns = list(PartnersModel.to_schema().columns)
    frame = pd.DataFrame.from_records(rows, columns=columns)
    frame["under_renewal"] = frame["under_renewal"].astype(bool)
    return frame


def partners_checked(frame, legend_codes: set[str] | None):
    """The frame as the partners contract validated it, and one Finding per failing check
    and row (none when it passes)."""
    import pandera.pandas as pa

    from schemas.partners import PartnersModel

    schema = PartnersModel.to_schema()
    if legend_codes:
        schema = schema.update_column(
            "agreement_type",
            checks=[*schema.columns["agreement_type"].checks,
                    pa.Check.isin(sorted(legend_codes), name="type-in-legend")],
        )
    try:
        return schema.validate(frame, lazy=True), []
    except pa.errors.SchemaErrors as failure:
        return frame, _findings_from(failure.failure_cases, frame)


def _findings_from(cases, frame) -> list[Finding]:
    findings, seen = [], set()
    for case in cases.itertuples(index=False):
        index = None if case.index is None or case.index != case.index else int(case.index)
        dataframe_level = case.schema_context == "DataFrameSchema"
        key = (case.check, index if dataframe_level else (index, case.column))
        if key in seen:
            continue
        seen.add(key)
        name_raw = (str(frame.at[index, "name_raw"])
                    if index is not None and "name_raw" in frame else "")
        column = "" if dataframe_level else str(case.column or "")
        value = "" if dataframe_level else _text(case.failure_case)
        check = check_id(str(case.check))
        findings.append(Finding(check, message(check), column, name_raw, value))
    return findings


def _text(value) -> str:
    return "" if value is None else str(value)


# --- any table built from rows ---------------------------------------------------------------


def typed_frame(model, rows: list[dict]):
    """A DataFrame of ``rows`` in the model's column order and types (also when empty)."""
    import pandas as pd

    from schemas.describe import types

    dtypes = {"string": "str", "boolean": "bool", "date": "object", "integer": "int64"}
    index = range(len(rows))
    data = {name: pd.Series([row.get(name) for row in rows], dtype=dtypes[kind], index=index)
            for name, kind in types(model).items()}
    return pd.DataFrame(data, index=index)


def against(model, rows: list[dict]):
    """The rows as a frame in the model's types, validated, and one Finding per failing
    check and row (none when they meet the contract)."""
    import pandera.pandas as pa

    frame = typed_frame(model, rows)
    try:
        return model.validate(frame, lazy=True), []
    except pa.errors.SchemaErrors as failure:
        return frame, _findings_from(failure.failure_cases, frame)


def checked(model, rows: list[dict], label: str):
    """The rows as a frame that meets the model's contract, for tables the pipeline builds;
    ValidationFailed (naming the failing check ids) when they do not."""
    frame, problems = against(model, rows)
    if problems:
        checks = sorted({problem.check for problem in problems})
        raise ValidationFailed(f"{label} breaks its contract: {'; '.join(checks)}",
                               "this is a bug; nothing was written")
    return frame


def table_rows(frame) -> list[dict]:
    """A validated frame's rows as plain Python values (None for every kind of null)."""
    columns = table_columns(frame)
    return [dict(zip(columns, values, strict=True))
            for values in zip(*columns.values(), strict=True)]


def table_columns(frame, names=None) -> dict[str, list]:
    """A validated frame's columns (``names``, default all) as lists of plain Python values
    (None for every null): what the writers need, without a dict per row."""
    # Series.tolist() yields Python scalars, far cheaper than to_dict; plain values (nearly
    # all: strings, dates, booleans) are kept without a call each.
    kept = _PLAIN_TYPES
    return {name: [v if type(v) in kept else plain(v) for v in frame[name].tolist()]
            for name in (frame.columns if names is None else names)}


_PLAIN_TYPES = frozenset({str, bool, int, dt.date, type(None)})


def plain(value):
    """A Python value for a cell read from pandas or Arrow (NaN/NaT/NA become None).

    >>> plain(float("nan")), plain(dt.datetime(2024, 4, 1, 0, 0))
    (None, datetime.date(2024, 4, 1))
    """
    if type(value) in _PLAIN_TYPES:
        return value
    if value is None or (isinstance(value, float) and value != value):
        return None
    if type(value).__name__ in {"NAType", "NaTType"}:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if not isinstance(value, (str, bool, int, float, dt.date)) and hasattr(value, "item"):
        return plain(value.item())  # numpy scalars
    return value
