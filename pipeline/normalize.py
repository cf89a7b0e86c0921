"""Normalize parsed records into partner rows: ISO dates, country codes, regions, agreement
types decoded from the page's legend, clean names with every change recorded.

Pure functions over the parser's output and a ``reference.Resources`` (the source profile's
reference data, loaded once per run and passed in). Problems that make a row wrong are collected
(never raised one by one) so validation can report all of them at once.

Country names follow one rule: the country column holds the Unicode CLDR English name of the
row's ISO 3166-1 code (the name operating systems and browsers show: "Russia", "South Korea",
"Vietnam", "Taiwan", "United States"), whatever spelling the page used; the code is in
country_code. The table is ``pipeline/data/country_names.csv``, generated from CLDR.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.identity import assign_partner_ids, fingerprint
from pipeline.reference import Resources
from schemas.checks import message

if TYPE_CHECKING:
    from pipeline.parse import ParsedPage, RawRecord
    from pipeline.sources import LegendRule

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
    pipeline.normalize.RowProblem: dates-are-real
    """
    match = DATE.fullmatch(text.strip())
    if not match:
        raise RowProblem("dates-written-ymd", column, text)
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise RowProblem("dates-are-real", column, text) from None


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
        raise RowProblem("one-expiration-date", "expiration_date", cell)
    date = parse_date(DATE.search(cell).group(0), "expiration_date") if dates else None
    under_renewal = bool(UNDER_RENEWAL.search(cell))
    rest = UNDER_RENEWAL.sub(" ", DATE.sub(" ", cell))
    notes = [FOOTNOTE_MARK.sub("", n).strip() for n in BRACKETED.findall(rest)]
    leftover = " ".join(BRACKETED.sub(" ", rest).split())
    if leftover:  # unknown wording: keep it rather than lose it
        notes.append(leftover)
    notes = [n for n in notes if n]
    return Expiration(date, under_renewal, "; ".join(notes) or None)


def resolve_country(text: str, aliases: Mapping[str, str]) -> str:
    """ISO alpha-2 code of a country as the page writes it (``aliases`` first, then pycountry).

    ``aliases`` maps a spelling (casefolded, spaces collapsed) to its code.

    >>> aliases = {"u.s.a.": "US", "brasil": "BR"}
    >>> [resolve_country(text, aliases) for text in ("U.S.A.", "Brasil", "Netherlands")]
    ['US', 'BR', 'NL']
    """
    key = " ".join(text.split()).casefold()
    if key in aliases:
        return aliases[key]
    import pycountry

    try:
        return pycountry.countries.lookup(" ".join(text.split())).alpha_2
    except LookupError:
        raise RowProblem("country-is-iso", "country", text) from None


def country_name(code: str, names: Mapping[str, str]) -> str:
    """The name written in the country column: the CLDR English name of an ISO alpha-2 code.

    ``names`` is ``Resources.country_names`` (pipeline/data/country_names.csv); the spelling on
    the page never matters, so "Russia", "Russian Federation" and "RUSSIA" all read "Russia".

    >>> country_name("RU", {"RU": "Russia", "KR": "South Korea"})
    'Russia'
    """
    return names[code]


@dataclass(frozen=True)
class AgreementType:
    code: str
    level: str
    field: str | None


def decode_legend(legend: dict[str, str],
                  rules: Iterable[LegendRule]) -> dict[str, AgreementType]:
    """Agreement types from the page's legend: level and field of each code.

    ``rules`` (the source profile's) are tried in order; a description no rule matches is left
    out, and the caller reports it.

    >>> from pipeline.sources.naist import NAIST
    >>> legend = decode_legend({"MS": "Materials science (Graduate school-level)"},
    ...                        NAIST.legend_rules)
    >>> legend["MS"]
    AgreementType(code='MS', level='graduate school', field='Materials Science')
    >>> decode_legend({"I": "Institute-wide level"}, NAIST.legend_rules)["I"].field is None
    True
    """
    decoded = {}
    for code, description in legend.items():
        text = " ".join(description.split()).strip(" ,.;")
        rule = next((r for r in rules if r.pattern.search(text)), None)
        if rule is not None:
            field_name = _field(text) if rule.has_field else None
            decoded[code] = AgreementType(code, rule.level, field_name)
    return decoded


def _field(description: str) -> str:
    """The subject before the first parenthesis, words capitalised ('and', 'of' kept)."""
    subject = re.split(r"\s*\(", description, maxsplit=1)[0]
    return " ".join(w if w.casefold() in {"and", "of"} else w[:1].upper() + w[1:]
                    for w in subject.split())


def canonical_region(text: str, regions: Iterable[str]) -> str:
    """One of ``regions`` (the profile's), whatever the heading's case and spacing.

    >>> canonical_region("north  america", ("Asia", "North America"))
    'North America'
    """
    key = " ".join(unicodedata.normalize("NFKC", text).split()).casefold()
    for region in regions:
        if region.casefold() == key:
            return region
    raise RowProblem("region-is-known", "region", text)


def normalize_page(page: ParsedPage, fallback_date: dt.date | None = None,
                   resources: Resources | None = None) -> NormalizedPage:
    """Partner rows for every record of a parsed page, plus the audit trail and findings.

    ``resources``: the run's reference data (the default profile's when not given).
    """
    from pipeline.names import NameCleaner

    resources = resources or Resources.load()
    result = NormalizedPage(rows=[])
    result.warnings.extend(Finding(n.check, n.message, value=n.value) for n in page.warnings)
    snapshot_date = _snapshot_date(page, fallback_date, result)
    types = _agreement_types(page, resources, result)
    cleaner = NameCleaner(record.name for record in page.records)
    pending: list[tuple[dict, list[dict]]] = []
    identity_names: list[str] = []  # each row's own key: other rows never move its id
    for record in page.records:
        row, audit = _normalize_record(record, cleaner, types, resources, result)
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
            "page-states-as-of",
            f"no 'As of' date on the page; using the snapshot's date {fallback.isoformat()}",
            "snapshot_date", value=fallback.isoformat()))
        return fallback
    result.errors.append(Finding(
        "page-states-as-of", "no 'As of' date on the page", "snapshot_date"))
    return None


def _agreement_types(page: ParsedPage, resources: Resources,
                     result: NormalizedPage) -> dict[str, AgreementType]:
    rules = resources.profile.legend_rules
    if page.legend:
        types = decode_legend(page.legend, rules)
        for code in sorted(set(page.legend) - set(types)):
            result.errors.append(Finding(
                "types-decode-from-legend",
                f"cannot tell the level of agreement type {code!r} from the legend",
                "agreement_type", value=page.legend[code]))
        return types
    result.warnings.append(Finding(
        "page-has-legend",
        f"no legend of agreement types on the page; using {resources.profile.default_legend_label}",
        "agreement_type"))
    return decode_legend(resources.default_legend, rules)


def _normalize_record(record: RawRecord, cleaner, types, resources: Resources,
                      result: NormalizedPage):
    """One partner row and its audit entries, or (None, []) with errors recorded."""
    from pipeline.parse.text import FIXER as STRIP_INVISIBLE

    clean = cleaner.clean(record.name)
    audit = [  # invisible characters the parser removed from the row's cells come first
        {"field": field, "before": before, "after": after, "fixer": STRIP_INVISIBLE,
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
        country_code = _country_code(record, clean, audit, resources, result)
        region = _region(record, country_code, audit, resources, result)
        kind = types.get(record.agreement_type)
        if kind is None:
            raise RowProblem("type-in-legend", "agreement_type",
                             record.agreement_type)
        initial = _remember(resources, parse_date, record.initial_date, "initial_date")
        expiration = _remember(resources, parse_expiration, record.expiration)
    except RowProblem as problem:
        result.errors.append(Finding(problem.check, f"{message(problem.check)}: {problem.value!r}",
                                     problem.column, record.name, problem.value))
        return None, []
    row = {
        "region": region,
        "country": country_name(country_code, resources.country_names),
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


def _country_code(record: RawRecord, clean, audit: list[dict], resources: Resources,
                  result: NormalizedPage) -> str:
    if record.country.strip():
        return _remember(resources, resolve_country, record.country, resources.country_aliases)
    known = resources.institution_countries
    code = known.get(fingerprint(clean.name)) or known.get(fingerprint(clean.institution))
    if code is None:
        raise RowProblem("row-has-country", "country", "")
    audit.append({"field": "country_code", "before": "", "after": code,
                  "fixer": "institution_country", "confidence": 1.0})
    result.warnings.append(Finding(
        "row-has-country",
        f"empty country cell for {record.name!r}: filled with {code} from reference data",
        "country", record.name, code))
    return code


def _region(record: RawRecord, country_code: str, audit: list[dict], resources: Resources,
            result: NormalizedPage):
    if record.region:
        return _remember(resources, canonical_region, record.region, resources.profile.regions)
    region = resources.country_regions.get(country_code)
    if region is None:
        raise RowProblem("row-has-region", "region", country_code)
    audit.append({"field": "region", "before": "", "after": region,
                  "fixer": "country_region", "confidence": 1.0})
    result.warnings.append(Finding(
        "table-has-region-heading",
        f"no region heading above {record.name!r}: {region} inferred from {country_code}",
        "region", record.name, region))
    return region


def _remember(resources: Resources, function: Callable, text: str, *context):
    """``function(text, *context)``, computed once per distinct text in this run.

    The same cells recur on every page and in every snapshot of a history (countries, regions,
    dates); the memo lives in the run's ``Resources``, and a RowProblem is raised again each
    time, never remembered. ``context`` is fixed for a run (the profile's tables).
    """
    key = (function.__name__, text)
    memo = resources.memo
    if key not in memo:
        memo[key] = function(text, *context)
    return memo[key]
