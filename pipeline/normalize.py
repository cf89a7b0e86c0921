"""Normalize parsed records into partner rows: ISO dates, country codes, regions, agreement
types decoded from the page's legend, clean names with every change recorded.

Pure functions over the parser's output; nothing here reads files except reference data.
Problems that make a row wrong are collected (never raised one by one) so validation can report
all of them at once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline import reference
from pipeline.identity import assign_partner_ids, fingerprint
from schemas._common import REGIONS

if TYPE_CHECKING:
    from pipeline.parse import ParsedPage, RawRecord

DATE = re.compile(r"(\d{4})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{1,2})")
UNDER_RENEWAL = re.compile(r"\(\s*under\s+renewal\s*\)", re.IGNORECASE)
BRACKETED = re.compile(r"\[([^\]]*)\]")
FOOTNOTE_MARK = re.compile(r"(?<=\w)\*+")


@dataclass(frozen=True)
class Finding:
    """A problem (fails the build) or a warning (recorded) about the page or one row."""

    check: str
    message: str
    column: str = ""
    name_raw: str = ""
    value: str = ""


@dataclass
class NormalizedPage:
    rows: list[dict]
    corrections: list[dict] = field(default_factory=list)
    suggestions: list[dict] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)


class RowProblem(ValueError):
    """A cell that cannot be normalized; carries the check it fails."""

    def __init__(self, check: str, column: str, value: str) -> None:
        super().__init__(check)
        self.check, self.column, self.value = check, column, value


def parse_date(text: str, column: str = "date") -> dt.date:
    """An ISO date from ``YYYY.M.D`` in any padding (also with ``/`` or ``-``).

    >>> parse_date("2029.2.20")
    datetime.date(2029, 2, 20)
    >>> parse_date("2011.07.22")
    datetime.date(2011, 7, 22)
    >>> parse_date("2024.2.30")
    Traceback (most recent call last):
    ...
    pipeline.normalize.RowProblem: dates are real calendar dates
    """
    match = DATE.fullmatch(text.strip())
    if not match:
        raise RowProblem("dates are written YYYY.M.D", column, text)
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise RowProblem("dates are real calendar dates", column, text) from None


@dataclass(frozen=True)
class Expiration:
    date: dt.date | None
    under_renewal: bool
    notes: str | None


def parse_expiration(cell: str) -> Expiration:
    """Split the expiration cell into its date, the renewal flag and bracketed notes.

    >>> parse_expiration("2021.10.07 (Under renewal)")
    Expiration(date=datetime.date(2021, 10, 7), under_renewal=True, notes=None)
    >>> parse_expiration("[MOU] [MOSE* with CBS]")
    Expiration(date=None, under_renewal=False, notes='MOU; MOSE with CBS')
    >>> parse_expiration("2029.1.2")
    Expiration(date=datetime.date(2029, 1, 2), under_renewal=False, notes=None)
    """
    dates = DATE.findall(cell)
    if len(dates) > 1:
        raise RowProblem("one expiration date per agreement", "expiration_date", cell)
    date = parse_date(DATE.search(cell).group(0), "expiration_date") if dates else None
    under_renewal = bool(UNDER_RENEWAL.search(cell))
    rest = UNDER_RENEWAL.sub(" ", DATE.sub(" ", cell))
    notes = [FOOTNOTE_MARK.sub("", n).strip() for n in BRACKETED.findall(rest)]
    leftover = " ".join(BRACKETED.sub(" ", rest).split())
    if leftover:  # unknown wording: keep it rather than lose it
        notes.append(leftover)
    notes = [n for n in notes if n]
    return Expiration(date, under_renewal, "; ".join(notes) or None)


def resolve_country(text: str) -> str:
    """ISO alpha-2 code of a country as the page writes it (alias table, then pycountry).

    >>> resolve_country("U.S.A."), resolve_country("Brasil"), resolve_country("Netherlands")
    ('US', 'BR', 'NL')
    """
    key = " ".join(text.split()).casefold()
    if key in reference.country_aliases():
        return reference.country_aliases()[key]
    import pycountry

    try:
        return pycountry.countries.lookup(" ".join(text.split())).alpha_2
    except LookupError:
        raise RowProblem("countries are known to ISO 3166", "country", text) from None


def country_name(code: str) -> str:
    """English short name of an ISO alpha-2 code (the common name where ISO's is formal).

    >>> country_name("TW"), country_name("FR")
    ('Taiwan', 'France')
    """
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or country.name


@dataclass(frozen=True)
class AgreementType:
    code: str
    level: str
    field: str | None


def decode_legend(legend: dict[str, str]) -> dict[str, AgreementType]:
    """Agreement types from the page's legend: level and field of each code.

    >>> legend = decode_legend({"MS": "Materials science (Graduate school-level)"})
    >>> legend["MS"]
    AgreementType(code='MS', level='graduate school', field='Materials Science')
    >>> decode_legend({"I": "Institute-wide level"})["I"].field is None
    True
    """
    decoded = {}
    for code, description in legend.items():
        text = " ".join(description.split()).strip(" ,.;")
        if re.search(r"graduate[\s-]*school", text, re.IGNORECASE):
            subject = re.split(r"\s*\(", text, maxsplit=1)[0]
            words = [w if w.casefold() in {"and", "of"} else w[:1].upper() + w[1:]
                     for w in subject.split()]
            decoded[code] = AgreementType(code, "graduate school", " ".join(words))
        elif re.search(r"institut", text, re.IGNORECASE):
            decoded[code] = AgreementType(code, "institute", None)
    return decoded


def canonical_region(text: str) -> str:
    """One of the six region names, whatever the heading's case and spacing.

    >>> canonical_region("north  america")
    'North America'
    """
    key = " ".join(unicodedata.normalize("NFKC", text).split()).casefold()
    for region in REGIONS:
        if region.casefold() == key:
            return region
    raise RowProblem("regions are the six the page uses", "region", text)


def normalize_page(page: ParsedPage, fallback_date: dt.date | None = None) -> NormalizedPage:
    """Partner rows for every record of a parsed page, plus the audit trail and findings."""
    from pipeline.names import NameCleaner

    result = NormalizedPage(rows=[])
    result.warnings.extend(Finding(n.check, n.message, value=n.value) for n in page.warnings)
    snapshot_date = _snapshot_date(page, fallback_date, result)
    types = _agreement_types(page, result)
    cleaner = NameCleaner(record.name for record in page.records)
    pending: list[tuple[dict, list[dict]]] = []
    identity_names: list[str] = []  # each row's own key: other rows never move its id
    for record in page.records:
        row, audit = _normalize_record(record, cleaner, types, result)
        if row is not None:
            row["snapshot_date"] = snapshot_date
            pending.append((row, audit))
            identity_names.append(cleaner.identity_name(record.name))
    ids = assign_partner_ids(
        [row["country_code"] for row, _ in pending],
        identity_names,
        [row["agreement_type"] for row, _ in pending],
        [row["initial_date"] for row, _ in pending],
    )
    for partner_id, (row, audit) in zip(ids, pending, strict=True):
        result.rows.append({"partner_id": partner_id, **row})
        for entry in audit:
            target = result.suggestions if entry.pop("_suggestion", False) else result.corrections
            target.append({"partner_id": partner_id, **entry})
    return result


def _snapshot_date(page: ParsedPage, fallback: dt.date | None, result: NormalizedPage):
    if page.as_of is not None:
        return page.as_of
    if fallback is not None:
        result.warnings.append(Finding(
            "the page states its 'As of' date",
            f"no 'As of' date on the page; using the snapshot's date {fallback.isoformat()}",
            "snapshot_date", value=fallback.isoformat()))
        return fallback
    result.errors.append(Finding(
        "the page states its 'As of' date", "no 'As of' date on the page", "snapshot_date"))
    return None


def _agreement_types(page: ParsedPage, result: NormalizedPage) -> dict[str, AgreementType]:
    if page.legend:
        types = decode_legend(page.legend)
        for code in sorted(set(page.legend) - set(types)):
            result.errors.append(Finding(
                "agreement types decode from the legend",
                f"cannot tell the level of agreement type {code!r} from the legend",
                "agreement_type", value=page.legend[code]))
        return types
    result.warnings.append(Finding(
        "the page has a legend of agreement types",
        "no legend of agreement types on the page; using the 2024 legend", "agreement_type"))
    return decode_legend(reference.default_legend())


def _normalize_record(record: RawRecord, cleaner, types, result: NormalizedPage):
    """One partner row and its audit entries, or (None, []) with errors recorded."""
    clean = cleaner.clean(record.name)
    audit = [  # invisible characters the parser removed from the row's cells come first
        {"field": field, "before": before, "after": after, "fixer": "strip_invisible",
         "confidence": 1.0}
        for field, before, after in record.cleaned
    ]
    audit += [
        {"field": "name", "before": c.before, "after": c.after, "fixer": c.fixer,
         "confidence": round(c.confidence, 3)}
        for c in clean.changes
    ]
    audit += [
        {"_suggestion": True, "field": "name", "name_raw": record.name, "token": s.token,
         "candidates": " | ".join(s.candidates), "reason": s.reason}
        for s in clean.suggestions
    ]
    try:
        country_code = _country_code(record, clean, audit, result)
        region = _region(record, country_code, audit, result)
        kind = types.get(record.agreement_type)
        if kind is None:
            raise RowProblem("agreement types are in the page's legend", "agreement_type",
                             record.agreement_type)
        initial = _parse_date(record.initial_date, "initial_date")
        expiration = _parse_expiration(record.expiration)
    except RowProblem as problem:
        result.errors.append(Finding(problem.check, f"{problem.check}: {problem.value!r}",
                                     problem.column, record.name, problem.value))
        return None, []
    row = {
        "region": region,
        "country": _country_name(country_code),
        "country_code": country_code,
        "agreement_type": kind.code,
        "agreement_level": kind.level,
        "agreement_field": kind.field,
        "name": clean.name,
        "institution": clean.institution,
        "unit": clean.unit,
        "abbreviation": clean.abbreviation,
        "name_raw": record.name,
        "initial_date": initial,
        "expiration_date": expiration.date,
        "under_renewal": expiration.under_renewal,
        "notes": expiration.notes,
    }
    return row, audit


def _country_code(record: RawRecord, clean, audit: list[dict], result: NormalizedPage) -> str:
    if record.country.strip():
        return _resolve_country(record.country)
    known = reference.institution_countries()
    code = known.get(fingerprint(clean.name)) or known.get(fingerprint(clean.institution))
    if code is None:
        raise RowProblem("every row has a country", "country", "")
    audit.append({"field": "country_code", "before": "", "after": code,
                  "fixer": "institution_country", "confidence": 1.0})
    result.warnings.append(Finding(
        "every row has a country",
        f"empty country cell for {record.name!r}: filled with {code} from reference data",
        "country", record.name, code))
    return code


def _region(record: RawRecord, country_code: str, audit: list[dict], result: NormalizedPage):
    if record.region:
        return _canonical_region(record.region)
    region = reference.country_regions().get(country_code)
    if region is None:
        raise RowProblem("every row has a region", "region", country_code)
    audit.append({"field": "region", "before": "", "after": region,
                  "fixer": "country_region", "confidence": 1.0})
    result.warnings.append(Finding(
        "every table has a region heading",
        f"no region heading above {record.name!r}: {region} inferred from {country_code}",
        "region", record.name, region))
    return region


# The same cells recur on every page (countries, regions, dates): pure functions of the text,
# remembered (a RowProblem is raised again each time, never remembered).
_parse_date = lru_cache(maxsize=8192)(parse_date)
_parse_expiration = lru_cache(maxsize=8192)(parse_expiration)
_resolve_country = lru_cache(maxsize=1024)(resolve_country)
_country_name = lru_cache(maxsize=1024)(country_name)
_canonical_region = lru_cache(maxsize=256)(canonical_region)
