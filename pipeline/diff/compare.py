"""Match the partners of two versions and say what changed: a pure function, a value out.

Partners are matched by ``partner_id`` (country + fingerprint of the clean name, see
pipeline/identity.py), so reordered rows, spacing and case edits and typos the name cleaner
fixes never show up as changes. What is left unmatched is matched in two more passes:

1. same country, same clean-name fingerprint and same agreement type under a different id
   (a newer agreement with an institution listed twice carries its type in its id, and
   takes over the plain id when the older one goes away);
2. renames: a partner that disappears and one that appears in the same country with the same
   initial agreement date and either a similar name (rapidfuzz ``token_set_ratio`` of the
   fingerprints without generic words such as "university" or "faculty", at least
   ``RENAME_THRESHOLD``) or, when they are the only such pair, the same agreement type and unit.

Row order never counts, nor do the columns that describe the snapshot rather than the partner
(``snapshot_date``): those are the headline's business (the "As of" date and the counts the
page states).

A change of the name that keeps its fingerprint, and so its partner_id (a typo fixed on the
page that the cleaner already fixed, so only ``name_raw`` differs; or a change of case, accents,
punctuation or spacing), is not a change of the partner: it is listed among the page
corrections and does not make ``DiffResult.differs`` true. A name whose fingerprint changes
is a rename.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import ParseError
from pipeline.identity import fingerprint
from pipeline.validate import plain
from schemas._common import (
    NAME_COLUMNS,
    REGIONS,
    RENEWAL_COLUMNS,
    TYPE_COLUMNS,
    partner_fields,
)

KINDS = ("renewal", "rename", "type_change", "other")  # what a changed partner went through
RENAME_THRESHOLD = 80.0

# Words too common in institution names to tell two of them apart.
GENERIC_WORDS = frozenset((
    "university", "universiti", "universitas", "universidade", "universidad", "universite",
    "universita", "universitat", "universitaet", "univ", "of", "the", "and", "de", "di", "da",
    "do", "des", "du", "la", "le", "del", "der", "fur", "for", "in", "at", "y", "et", "faculty",
    "school", "college", "department", "dept", "institute", "institut", "instituto",
    "graduate", "national",
))


@dataclass(frozen=True)
class Version:
    """What one side of a comparison says about itself (the headline), and where it is from."""

    source: str = ""
    kind: str = "rows"  # "html" | "parquet" | "csv" | "rows"
    sha256: str | None = None
    taken_at: str | None = None  # the sidecar's fetched_at, when there is one
    as_of: dt.date | None = None
    institutions: int | None = None
    countries: int | None = None
    regions: Mapping[str, int] = field(default_factory=dict)
    legend: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "kind": self.kind, "sha256": self.sha256,
                "taken_at": self.taken_at, "as_of": self.as_of,
                "institutions": self.institutions, "countries": self.countries,
                "regions": dict(self.regions), "legend": dict(self.legend)}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class PartnerChange:
    """One partner found in both versions whose fields differ.

    ``partner_id`` is the id in NEW; ``old_partner_id`` differs from it after a rename.
    ``change`` is "renamed" when the name's fingerprint changed, else "changed".
    """

    change: str
    partner_id: str
    old_partner_id: str
    name: str
    old_name: str
    kinds: tuple[str, ...]
    fields: tuple[FieldChange, ...]
    match: str  # how the two were matched: "partner_id", "same name", "similar name", ...
    score: float | None = None

    def field(self, name: str) -> FieldChange | None:
        return next((f for f in self.fields if f.field == name), None)


@dataclass(frozen=True)
class PageCorrection:
    """A name column re-spelled on the page without changing the partner's identity: the
    fingerprint of the clean name, hence the partner_id, is the same (a typo fixed, case,
    accents, punctuation or spacing)."""

    partner_id: str
    name: str
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class HeadlineChange:
    item: str  # "as_of", "institutions", "countries", "region:Asia", "legend:IS"
    old: Any
    new: Any


@dataclass(frozen=True)
class DiffResult:
    old: Version
    new: Version
    added: tuple[dict, ...] = ()
    removed: tuple[dict, ...] = ()
    changed: tuple[PartnerChange, ...] = ()
    corrections: tuple[PageCorrection, ...] = ()
    headline: tuple[HeadlineChange, ...] = ()

    @property
    def differs(self) -> bool:
        """True when partners were added, removed or changed (not for headline or page
        corrections alone)."""
        return bool(self.added or self.removed or self.changed)

    @property
    def identical(self) -> bool:
        """Both versions are byte-identical files."""
        return self.old.sha256 is not None and self.old.sha256 == self.new.sha256

    def kind_counts(self) -> dict[str, int]:
        counts = Counter(kind for change in self.changed for kind in change.kinds)
        return {kind: counts.get(kind, 0) for kind in KINDS}

    def summary(self) -> dict[str, int]:
        kinds = self.kind_counts()
        return {
            "added": len(self.added), "removed": len(self.removed),
            "changed": len(self.changed),
            "renewals": kinds["renewal"], "renames": kinds["rename"],
            "type_changes": kinds["type_change"], "other_changes": kinds["other"],
            "page_corrections": len({c.partner_id for c in self.corrections}),
            "headline_changes": len(self.headline),
        }


def compare(old_rows, new_rows, old_meta: Version | Mapping | None = None,
            new_meta: Version | Mapping | None = None) -> DiffResult:
    """The difference between two versions given as partner rows (dicts) or DataFrames.

    A pure function: nothing is read or written. ``old_meta``/``new_meta`` carry the headline
    (as-of date, stated counts); without them it is derived from the rows.
    """
    old = _keyed(_plain_rows(old_rows), "OLD")
    new = _keyed(_plain_rows(new_rows), "NEW")
    old_version = _version(old_meta, old.values())
    new_version = _version(new_meta, new.values())

    pairs = [(pid, pid, "partner_id", None) for pid in old if pid in new]
    left_old = {pid: row for pid, row in old.items() if pid not in new}
    left_new = {pid: row for pid, row in new.items() if pid not in old}
    for matcher in (_match_same_name, _match_renames):
        found = matcher(left_old, left_new)
        for old_id, new_id, _how, _score in found:
            del left_old[old_id]
            del left_new[new_id]
        pairs.extend(found)

    changed, corrections = [], []
    for old_id, new_id, how, score in pairs:
        change, fixes = _pair_change(old[old_id], new[new_id], how, score)
        corrections.extend(fixes)
        if change is not None:
            changed.append(change)

    return DiffResult(
        old=old_version, new=new_version,
        added=tuple(_sorted_rows(left_new.values())),
        removed=tuple(_sorted_rows(left_old.values())),
        changed=tuple(sorted(changed, key=lambda c: (c.name.casefold(), c.partner_id))),
        corrections=tuple(sorted(corrections, key=lambda c: (c.name.casefold(), c.partner_id))),
        headline=tuple(_headline_changes(old_version, new_version)),
    )


def _pair_change(old: dict, new: dict, how: str, score: float | None):
    fields = [FieldChange(f, old.get(f), new.get(f)) for f in partner_fields()
              if _differs(old.get(f), new.get(f))]
    if not fields and old["partner_id"] == new["partner_id"]:
        return None, []  # the same partner, unchanged (most pairs)
    corrections = []
    old_name, new_name = old.get("name") or "", new.get("name") or ""
    renamed = old_name != new_name and fingerprint(old_name) != fingerprint(new_name)
    if not renamed:  # same identity: the name was only re-spelled on the page
        for f in [f for f in fields if f.field in NAME_COLUMNS]:
            corrections.append(
                PageCorrection(new["partner_id"], new["name"], f.field, f.old, f.new))
            fields.remove(f)
    if old["partner_id"] != new["partner_id"]:
        fields.insert(0, FieldChange("partner_id", old["partner_id"], new["partner_id"]))
    if not fields:
        return None, corrections

    kinds, explained = [], set()
    old_exp, new_exp = old.get("expiration_date"), new.get("expiration_date")
    if old_exp is not None and new_exp is not None and new_exp > old_exp:
        kinds.append("renewal")
        explained.update(RENEWAL_COLUMNS)
    if renamed:
        kinds.append("rename")
        explained.update((*NAME_COLUMNS, "partner_id"))
    if old.get("agreement_type") != new.get("agreement_type"):
        kinds.append("type_change")
        explained.update(TYPE_COLUMNS)
    if any(f.field not in explained for f in fields):
        kinds.append("other")
    change = PartnerChange(
        change="renamed" if renamed else "changed", partner_id=new["partner_id"],
        old_partner_id=old["partner_id"], name=new["name"], old_name=old["name"],
        kinds=tuple(kinds), fields=tuple(fields), match=how, score=score)
    return change, corrections


def _match_same_name(left_old: dict, left_new: dict) -> list[tuple]:
    """Same country, fingerprint and type under another id (an id gained or lost its suffix)."""
    def key(row):
        return (row.get("country_code"), fingerprint(row.get("name") or ""),
                row.get("agreement_type"))

    olds: dict[tuple, list[str]] = {}
    news: dict[tuple, list[str]] = {}
    for pid, row in left_old.items():
        olds.setdefault(key(row), []).append(pid)
    for pid, row in left_new.items():
        news.setdefault(key(row), []).append(pid)
    found = []
    for k, old_ids in olds.items():
        new_ids = news.get(k, [])
        if len(old_ids) == 1 and len(new_ids) == 1:
            found.append((old_ids[0], new_ids[0], "same name", None))
    return found


def distinctive(name: str) -> str:
    """The fingerprint of a name without words common to most institution names.

    >>> distinctive("Faculty of Science, Leiden University")
    'leiden science'
    >>> distinctive("National University")  # nothing distinctive: the whole fingerprint
    'national university'
    """
    key = fingerprint(name)
    return " ".join(t for t in key.split() if t not in GENERIC_WORDS) or key


def name_similarity(a: str, b: str) -> float:
    """0-100: how alike two institution names are, ignoring order, accents and generic words.

    >>> name_similarity("National Chiao Tung University",
    ...                 "National Yang Ming Chiao Tung University")
    100.0
    >>> name_similarity("University of Tokyo", "Kyoto University") < RENAME_THRESHOLD
    True
    """
    from rapidfuzz import fuzz

    return float(fuzz.token_set_ratio(distinctive(a), distinctive(b)))


def _match_renames(left_old: dict, left_new: dict) -> list[tuple]:
    """Pairs of a vanished and an appeared partner that are one partner renamed."""
    if not left_old or not left_new:
        return []
    candidates = []
    groups: Counter = Counter()
    by_key: dict[tuple, list[tuple[str, dict]]] = {}  # only these pairs can match: no n x m
    for new_id, n in left_new.items():
        by_key.setdefault((n.get("country_code"), n.get("initial_date")), []).append((new_id, n))
    for old_id, o in left_old.items():
        for new_id, n in by_key.get((o.get("country_code"), o.get("initial_date")), ()):
            score = name_similarity(o.get("name") or "", n.get("name") or "")
            same_terms = (o.get("agreement_type") == n.get("agreement_type")
                          and _unit_key(o) == _unit_key(n))
            candidates.append((score, old_id, new_id, same_terms))
            groups[("old", old_id)] += 1
            groups[("new", new_id)] += 1
    found, used_old, used_new = [], set(), set()
    for score, old_id, new_id, same_terms in sorted(
            candidates, key=lambda c: (-c[0], c[1], c[2])):
        if old_id in used_old or new_id in used_new:
            continue
        if score >= RENAME_THRESHOLD:
            how = "similar name"
        elif same_terms and groups[("old", old_id)] == 1 and groups[("new", new_id)] == 1:
            how = "same date, type and unit"
        else:
            continue
        found.append((old_id, new_id, how, round(score, 1)))
        used_old.add(old_id)
        used_new.add(new_id)
    return found


def _unit_key(row: Mapping) -> str:
    return fingerprint(row.get("unit") or "")


def _headline_changes(old: Version, new: Version) -> list[HeadlineChange]:
    changes = []
    for item in ("as_of", "institutions", "countries"):
        a, b = getattr(old, item), getattr(new, item)
        if a != b and a is not None and b is not None:
            changes.append(HeadlineChange(item, a, b))
    regions = [r for r in REGIONS if r in old.regions or r in new.regions]
    regions += sorted((set(old.regions) | set(new.regions)) - set(regions))
    if old.regions and new.regions:
        for region in regions:
            a, b = old.regions.get(region), new.regions.get(region)
            if a != b:
                changes.append(HeadlineChange(f"region:{region}", a, b))
    if old.legend and new.legend:
        for code in sorted(set(old.legend) | set(new.legend)):
            a, b = old.legend.get(code), new.legend.get(code)
            if a != b:
                changes.append(HeadlineChange(f"legend:{code}", a, b))
    return changes




# --- rows and versions ---------------------------------------------------------------------


def _plain_rows(rows) -> list[dict]:
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):
        rows = rows.to_dict("records")
    return [{k: plain(v) for k, v in row.items()} for row in rows]


def _keyed(rows: list[dict], side: str) -> dict[str, dict]:
    keyed: dict[str, dict] = {}
    for row in rows:
        pid = row.get("partner_id")
        if not pid:
            raise ParseError(f"{side}: a row has no partner_id", "compare built partner rows")
        if pid in keyed:
            raise ParseError(f"{side}: partner_id {pid} is listed twice",
                             "partner ids are unique in a built table")
        keyed[pid] = row
    return keyed


def observed_version(rows: Iterable[Mapping]) -> Version:
    rows = list(rows)
    dates = {r.get("snapshot_date") for r in rows} - {None}
    regions = Counter(r.get("region") for r in rows if r.get("region"))
    return Version(as_of=dates.pop() if len(dates) == 1 else None, institutions=len(rows),
                   countries=len({r.get("country_code") for r in rows}), regions=dict(regions))


def _version(meta, rows: Iterable[Mapping]) -> Version:
    if isinstance(meta, Version):
        return meta
    observed = observed_version(rows)
    if not meta:
        return observed
    values = {k: v for k, v in dict(meta).items() if k in Version.__dataclass_fields__}
    return Version(**{**observed.__dict__, **{k: v for k, v in values.items() if v is not None}})


def _sorted_rows(rows: Iterable[dict]) -> list[dict]:
    keep = ("partner_id", *partner_fields())
    return sorted(({k: row.get(k) for k in keep} for row in rows),
                  key=lambda r: ((r["name"] or "").casefold(), r["partner_id"]))


def _differs(a, b) -> bool:
    return plain(a) != plain(b)

