"""What changed between two versions of the partners list.

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

``compare`` is a pure function over rows and returns a :class:`DiffResult` value;
``compare_paths`` reads snapshots or built partners.parquet files first; ``render`` and
``write_outputs`` present a result. Row order never counts, nor do the columns that describe
the snapshot rather than the partner (``snapshot_date``): those are the headline's business
(the "As of" date and the counts the page states).

A change of the name that keeps its fingerprint, and so its partner_id (a typo fixed on the
page that the cleaner already fixed, so only ``name_raw`` differs; or a change of case, accents,
punctuation or spacing), is not a change of the partner: it is listed among the page
corrections and does not make ``DiffResult.differs`` true. A name whose fingerprint changes
is a rename.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import ParseError, SnapshotError, ValidationFailed
from pipeline.identity import fingerprint
from schemas._common import REGIONS

DIFF_CSV = "diff.csv"
DIFF_JSON = "diff.json"
DIFF_COLUMNS = ("change", "partner_id", "name", "field", "old", "new")

# The partner's own fields, in the partners contract's order (tests check this stays in step
# with schemas/partners.py). partner_id is the key; snapshot_date describes the snapshot.
COMPARED_FIELDS = (
    "region", "country", "country_code", "agreement_type", "agreement_level",
    "agreement_field", "name", "institution", "unit", "abbreviation", "name_raw",
    "initial_date", "expiration_date", "under_renewal", "notes",
)
SNAPSHOT_FIELDS = ("snapshot_date",)
NAME_FIELDS = ("name", "institution", "unit", "abbreviation", "name_raw")
RENEWAL_FIELDS = ("expiration_date", "under_renewal")
TYPE_FIELDS = ("agreement_type", "agreement_level", "agreement_field")

CHANGES = ("added", "removed", "renamed", "changed")  # diff.csv's change column
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

_KIND_LABELS = {"renewal": ("renewal", "renewals"), "rename": ("rename", "renames"),
                "type_change": ("type change", "type changes"),
                "other": ("other change", "other changes")}


@dataclass(frozen=True)
class Version:
    """What one side of a comparison says about itself (the headline), and where it is from."""

    source: str = ""
    kind: str = "rows"  # "html" | "parquet" | "rows"
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


# --- comparing ---------------------------------------------------------------------------


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
    fields = [FieldChange(f, old.get(f), new.get(f)) for f in COMPARED_FIELDS
              if _differs(old.get(f), new.get(f))]
    if not fields and old["partner_id"] == new["partner_id"]:
        return None, []  # the same partner, unchanged (most pairs)
    corrections = []
    old_name, new_name = old.get("name") or "", new.get("name") or ""
    renamed = old_name != new_name and fingerprint(old_name) != fingerprint(new_name)
    if not renamed:  # same identity: the name was only re-spelled on the page
        for f in [f for f in fields if f.field in NAME_FIELDS]:
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
        explained.update(RENEWAL_FIELDS)
    if renamed:
        kinds.append("rename")
        explained.update((*NAME_FIELDS, "partner_id"))
    if old.get("agreement_type") != new.get("agreement_type"):
        kinds.append("type_change")
        explained.update(TYPE_FIELDS)
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


def _plain(value):
    """A Python value for a cell read from pandas or Arrow (NaN/NaT/NA become None)."""
    if type(value) in _PLAIN_TYPES:
        return value
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if type(value).__name__ in {"NAType", "NaTType"}:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if not isinstance(value, (str, bool, int, float, dt.date)) and hasattr(value, "item"):
        return _plain(value.item())  # numpy scalars
    return value


_PLAIN_TYPES = frozenset({str, bool, int, dt.date, type(None)})


def _plain_rows(rows) -> list[dict]:
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):
        rows = rows.to_dict("records")
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


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


def _observed(rows: Iterable[Mapping]) -> Version:
    rows = list(rows)
    dates = {r.get("snapshot_date") for r in rows} - {None}
    regions = Counter(r.get("region") for r in rows if r.get("region"))
    return Version(as_of=dates.pop() if len(dates) == 1 else None, institutions=len(rows),
                   countries=len({r.get("country_code") for r in rows}), regions=dict(regions))


def _version(meta, rows: Iterable[Mapping]) -> Version:
    if isinstance(meta, Version):
        return meta
    observed = _observed(rows)
    if not meta:
        return observed
    values = {k: v for k, v in dict(meta).items() if k in Version.__dataclass_fields__}
    return Version(**{**observed.__dict__, **{k: v for k, v in values.items() if v is not None}})


def _sorted_rows(rows: Iterable[dict]) -> list[dict]:
    keep = ("partner_id", *COMPARED_FIELDS)
    return sorted(({k: row.get(k) for k in keep} for row in rows),
                  key=lambda r: ((r["name"] or "").casefold(), r["partner_id"]))


def _differs(a, b) -> bool:
    return _plain(a) != _plain(b)


# --- reading files -------------------------------------------------------------------------


@dataclass
class Loaded:
    """Partner rows of one file and what it says about itself."""

    rows: list[dict]
    version: Version
    warnings: list = field(default_factory=list)
    # What the rows were built from: the same object for pages whose parse is the same
    # (see load_page's memo), so their rows are equal.
    content: object = None


def compare_paths(old: Path, new: Path, *, strict_counts: bool = True) -> DiffResult:
    """Compare two files, each a raw snapshot (HTML, with or without sidecar) or a built
    partners.parquet."""
    before = load(Path(old), strict_counts=strict_counts)
    after = load(Path(new), strict_counts=strict_counts)
    return compare(before.rows, after.rows, before.version, after.version)


def load(path: Path, *, strict_counts: bool = True) -> Loaded:
    """Rows and headline of a snapshot or partners.parquet; PipelineError when unusable."""
    hint = "pass a snapshot from raw/ or a partners.parquet"
    if not path.exists():
        raise SnapshotError(f"no such file: {path}", hint)
    if not path.is_file():
        raise SnapshotError(f"not a file: {path}", hint)
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise SnapshotError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if head == b"PAR1":
        return _load_parquet(path)
    return load_page(path, strict_counts=strict_counts)


def load_page(path: Path, *, strict_counts: bool = True, data: bytes | None = None,
              memo: dict | None = None) -> Loaded:
    """Parse, normalize and validate an HTML snapshot (its sidecar's hash is checked).

    ``memo``: see :func:`pipeline.build.prepare`; pages read the same share ``content``.
    """
    from pipeline.build import prepare
    from pipeline.snapshots import read_sidecar, read_snapshot

    if data is None:
        data = read_snapshot(path)
    if not looks_like_html(data):
        raise ParseError(f"{path} is neither an HTML page nor a Parquet file",
                         "pass a snapshot from raw/ or a built partners.parquet")
    prepared = prepare(path, data, strict_counts=strict_counts, memo=memo)
    report = prepared.report
    if not report.ok:
        first = report.errors[0]
        detail = first.message + (f" [{first.name_raw}]" if first.name_raw else "")
        raise ValidationFailed(
            f"{path} fails validation: {len(report.errors)} problem(s), first: {detail}",
            "run `python -m pipeline build --snapshot` on it for the full list")
    page = prepared.page
    rows = [dict(row) for row in prepared.normalized.rows]
    observed = _observed(rows)
    sidecar = read_sidecar(path) or {}
    version = Version(
        source=str(path), kind="html", sha256=hashlib.sha256(data).hexdigest(),
        taken_at=sidecar.get("fetched_at"), as_of=page.as_of or observed.as_of,
        institutions=page.stated_institutions if page.stated_institutions is not None
        else observed.institutions,
        countries=page.stated_countries if page.stated_countries is not None
        else observed.countries,
        regions=dict(page.region_counts) or dict(observed.regions),
        legend=dict(page.legend))
    return Loaded(rows, version, list(report.warnings), content=prepared)


def looks_like_html(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"):  # UTF-16 with BOM
        head = data[:8192].decode("utf-16", errors="ignore").lower().encode()
    return any(tag in head for tag in (b"<html", b"<!doctype html", b"<table", b"<body"))


def _load_parquet(path: Path) -> Loaded:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = path.read_bytes()
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise ParseError(f"{path} is not a readable Parquet file ({exc})") from None
    missing = [c for c in ("partner_id", *COMPARED_FIELDS) if c not in table.column_names]
    if missing:
        raise ParseError(f"{path} is not a partners table: no column {', '.join(missing)}",
                         "pass out/partners.parquet from a build")
    rows = [{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()]
    observed = _observed(rows)
    sha = hashlib.sha256(data).hexdigest()
    stated = _build_metadata(path, sha)
    version = Version(
        source=str(path), kind="parquet", sha256=sha,
        as_of=_date(stated.get("as_of")) or observed.as_of,
        institutions=stated.get("stated", {}).get("institutions") or observed.institutions,
        countries=stated.get("stated", {}).get("countries") or observed.countries,
        regions=stated.get("stated", {}).get("regions") or observed.regions,
        legend=stated.get("legend") or {})
    return Loaded(rows, version)


def _build_metadata(path: Path, sha: str) -> dict:
    """metadata.json next to a partners.parquet, when it describes exactly this file."""
    try:
        document = json.loads((path.parent / "metadata.json").read_text(encoding="utf-8"))
        if document["files"][path.name] == sha:
            return document
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return {}


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


# --- presenting ----------------------------------------------------------------------------


def cell(value) -> str | None:
    """Text of a value for diff.csv and events.csv: ISO dates, lowercase booleans, None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def diff_rows(result: DiffResult) -> list[dict]:
    """diff.csv: one row per added or removed partner, one per changed field."""
    rows = []
    for row in result.added:
        rows.append({"change": "added", "partner_id": row["partner_id"], "name": row["name"],
                     "field": None, "old": None, "new": None})
    for row in result.removed:
        rows.append({"change": "removed", "partner_id": row["partner_id"], "name": row["name"],
                     "field": None, "old": None, "new": None})
    for change in result.changed:
        for f in change.fields:
            rows.append({"change": change.change, "partner_id": change.partner_id,
                         "name": change.name, "field": f.field, "old": cell(f.old),
                         "new": cell(f.new)})
    order = {c: i for i, c in enumerate(CHANGES)}
    fields = {f: i for i, f in enumerate(("partner_id", *COMPARED_FIELDS))}
    rows.sort(key=lambda r: (order[r["change"]], r["name"].casefold(), r["partner_id"],
                             fields.get(r["field"], -1)))
    return rows


def to_document(result: DiffResult) -> dict[str, Any]:
    """diff.json: the whole result."""
    return {
        "old": result.old.to_dict(),
        "new": result.new.to_dict(),
        "identical_snapshots": result.identical,
        "differs": result.differs,
        "summary": result.summary(),
        "headline": [{"item": h.item, "old": h.old, "new": h.new} for h in result.headline],
        "partners": {
            "added": list(result.added),
            "removed": list(result.removed),
            "changed": [
                {"change": c.change, "partner_id": c.partner_id,
                 "old_partner_id": c.old_partner_id, "name": c.name, "old_name": c.old_name,
                 "kinds": list(c.kinds), "match": c.match, "score": c.score,
                 "fields": [{"field": f.field, "old": f.old, "new": f.new} for f in c.fields]}
                for c in result.changed],
        },
        "page_corrections": [
            {"partner_id": c.partner_id, "name": c.name, "field": c.field, "old": c.old,
             "new": c.new} for c in result.corrections],
    }


def diff_frame(result: DiffResult):
    """diff.csv's rows as a DataFrame checked against schemas/diff.py."""
    from schemas.diff import DiffModel

    return validated(DiffModel, typed_frame(DiffModel, diff_rows(result)), DIFF_CSV)


def typed_frame(model, rows: list[dict]):
    """A DataFrame of ``rows`` in the model's column order and types (also when empty)."""
    import pandas as pd

    from schemas.describe import columns as describe

    dtypes = {"string": "str", "boolean": "bool", "date": "object", "integer": "int64"}
    data = {}
    for column in describe(model):
        name = column["name"]
        data[name] = pd.Series([row.get(name) for row in rows],
                               dtype=dtypes[column["type"]], index=range(len(rows)))
    return pd.DataFrame(data, index=range(len(rows)))


def validated(model, frame, label: str):
    """The frame if it meets the model's contract; ValidationFailed (a bug, not bad input)."""
    import pandera.pandas as pa

    try:
        return model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as failure:
        checks = sorted({str(c) for c in failure.failure_cases["check"]})
        raise ValidationFailed(f"{label} breaks its contract: {'; '.join(checks)}",
                               "this is a bug; nothing was written") from None


def write_outputs(result: DiffResult, out_dir: Path) -> dict[str, Path]:
    """Write diff.csv and diff.json into ``out_dir``, each atomically."""
    from pipeline.write import commit_files, csv_bytes, json_bytes

    diff_frame(result)
    files = {DIFF_CSV: csv_bytes(DIFF_COLUMNS, diff_rows(result)),
             DIFF_JSON: json_bytes(to_document(result))}
    out_dir = Path(out_dir)
    commit_files(out_dir, files)
    return {name: out_dir / name for name in files}


def render(result: DiffResult, fmt: str = "text") -> str:
    """The result for people ("text"), diff.csv's exact content ("csv", line ends included)
    or diff.json's ("json")."""
    if fmt == "csv":  # exactly diff.csv's content
        from pipeline.write import csv_bytes

        return csv_bytes(DIFF_COLUMNS, diff_rows(result)).decode("utf-8")
    if fmt == "json":
        from pipeline.write import json_bytes

        return json_bytes(to_document(result)).decode("utf-8").rstrip("\n")
    if fmt != "text":
        raise ValueError(f"unknown format {fmt!r}: text, csv or json")
    return "\n".join(_text_lines(result))


def summary_line(result: DiffResult) -> str:
    """ "2 added, 1 removed, 5 changed: 3 renewals, 1 rename, 1 type change" """
    line = (f"{len(result.added)} added, {len(result.removed)} removed, "
            f"{len(result.changed)} changed")
    kinds = [f"{n} {_KIND_LABELS[k][n != 1]}" for k, n in result.kind_counts().items() if n]
    if kinds:
        line += ": " + ", ".join(kinds)
    if result.corrections:
        n = len({c.partner_id for c in result.corrections})
        line += f"; {n} page correction{'s' if n != 1 else ''}"
    return line


def _text_lines(result: DiffResult) -> list[str]:
    lines = [f"old: {_describe(result.old)}", f"new: {_describe(result.new)}"]
    if result.identical:
        lines.append("the two files are identical")
        return lines
    lines.append(summary_line(result) if result.differs or result.corrections
                 else "no partner changes")
    if result.headline:
        lines += ["", "Headline:"]
        lines += [f"  {_headline_label(h.item)}: {_show(h.old)} → {_show(h.new)}"
                  for h in result.headline]
    groups = (("renewal", "Renewals"), ("rename", "Renames"), ("type_change", "Type changes"),
              ("other", "Other changes"))
    shown: set[str] = set()
    for kind, title in groups:
        members = [c for c in result.changed if kind in c.kinds and c.partner_id not in shown]
        if not members:
            continue
        lines += ["", f"{title}:"]
        for change in members:
            shown.add(change.partner_id)
            lines += _change_lines(change)
    if result.added:
        lines += ["", "Added:"]
        lines += [f"  + {_describe_row(row)}" for row in result.added]
    if result.removed:
        lines += ["", "Removed:"]
        lines += [f"  - {_describe_row(row)}" for row in result.removed]
    if result.corrections:
        lines += ["", "Page corrections (a name re-spelled, the partner unchanged):"]
        lines += [f"  {c.name} [{c.partner_id}] {c.field}: {_show(c.old)} → {_show(c.new)}"
                  for c in result.corrections]
    return lines


def _change_lines(change: PartnerChange) -> list[str]:
    if change.change == "renamed":
        head = f"  {change.old_name} → {change.name}"
    else:
        head = f"  {change.name}"
    ids = (f"{change.old_partner_id} → {change.partner_id}"
           if change.old_partner_id != change.partner_id else change.partner_id)
    lines = [f"{head} [{ids}]"]
    for f in change.fields:
        if f.field in {"partner_id", "name"} and change.change == "renamed":
            continue
        lines.append(f"      {f.field}: {_show(f.old)} → {_show(f.new)}")
    return lines


def _describe(version: Version) -> str:
    parts = []
    if version.as_of:
        parts.append(f"as of {version.as_of.isoformat()}")
    if version.institutions is not None:
        parts.append(f"{version.institutions} institutions, {version.countries} countries/regions")
    if version.sha256:
        parts.append(f"sha256 {version.sha256[:12]}")
    label = version.source or "(rows)"
    return f"{label} ({'; '.join(parts)})" if parts else label


def _describe_row(row: Mapping) -> str:
    since = _show(row.get("initial_date"))
    until = _show(row.get("expiration_date")) if row.get("expiration_date") else (
        row.get("notes") or "no expiration date")
    return (f"{row['name']} [{row['partner_id']}] ({row.get('country')}, "
            f"type {row.get('agreement_type')}, {since} to {until})")


def _headline_label(item: str) -> str:
    if item == "as_of":
        return "as of"
    if item == "countries":
        return "countries/regions"
    if item.startswith("region:"):
        return f"{item.removeprefix('region:')} heading count"
    if item.startswith("legend:"):
        return f"legend {item.removeprefix('legend:')}"
    return item


def _show(value) -> str:
    text = cell(value)
    return "(none)" if text is None or text == "" else text
