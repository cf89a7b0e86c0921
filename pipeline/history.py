"""The timeline of every agreement over all snapshots in raw/.

Writes ``history.parquet`` / ``history.csv`` (one row per partner per period in which none of
its fields changed; ``valid_to`` is empty while the period is current) and ``events.csv``
(added, removed, renewed, renamed, type_changed, changed).

Work is proportional to the number of distinct pages, not of snapshots: a snapshot with the
same sha256 as the one before it is skipped without being read, each distinct file is parsed
once (cached by sha256), and normalized and validated only when what the parser read differs
from every page before it (daily snapshots often differ only in a comment, a script or an
asset URL); consecutive versions that read the same are not compared. A snapshot that cannot
be parsed or validated (a maintenance page, a redesign) is skipped with a warning; raw/ keeps
such pages as evidence. A snapshot that is damaged (its bytes no longer match the sha256 its
name and sidecar record, or it cannot be read) stops the history with one line, unless the
caller asks to skip damaged snapshots: then it is skipped with a warning too.

Dating. A version of the page is dated by its "As of" date when the page moved that date
forward (past the previous version's date), otherwise by the UTC day its first snapshot was
taken. So dates never go backwards, and an edit made without touching "As of" is dated the day
it was first seen rather than months earlier. Periods are half-open: ``valid_from`` is the
first day, ``valid_to`` the day the next state began. The resolution is one day: when several
versions fall on the same day, the last one stands for that day.

Lineage. Consecutive versions are compared with :func:`pipeline.diff.compare`, which matches
partners by id and detects renames. ``partner_id`` here is the lineage id: the id a partner
had when it first appeared, kept through renames (``listed_id`` holds the id a build of that
version assigns). A partner that disappears gets a "removed" event; if the same listed id
comes back later it is "added" again under its old lineage id.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.diff import DiffResult, Version, cell
from pipeline.errors import SnapshotError
from pipeline.history_cache import SnapshotCache
from pipeline.reference import Resources
from schemas._common import EVENTS, NAME_COLUMNS, RENEWAL_COLUMNS, TYPE_COLUMNS, partner_fields

HISTORY_PARQUET = "history.parquet"
HISTORY_CSV = "history.csv"
EVENTS_CSV = "events.csv"

_COUNTER = re.compile(r"-\d+$")


@dataclass
class PageState:
    """One distinct page that built: its partner rows and headline."""

    sha256: str
    rows: list[dict]
    version: Version
    content: object = None  # the same object for pages whose parse is the same


@dataclass
class Kept:
    """A version of the page in the timeline."""

    date: dt.date
    state: PageState
    snapshot: str  # file name of the first snapshot showing it


@dataclass
class HistoryResult:
    raw_dir: Path
    out_dir: Path
    snapshots: int = 0  # snapshots in raw/
    parsed: int = 0  # distinct pages read and parsed
    versions: int = 0  # versions in the timeline
    partners: int = 0  # distinct lineages
    periods: int = 0
    events: Counter = field(default_factory=Counter)
    first: dt.date | None = None
    last: dt.date | None = None
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (snapshot, reason)
    notes: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)


def build_history(raw_dir: Path, out_dir: Path, *, skip_damaged: bool = False,
                  resources: Resources | None = None) -> HistoryResult:
    """Read every snapshot in ``raw_dir`` and write the history and events into ``out_dir``.

    A damaged snapshot raises SnapshotError, or is skipped with a warning when
    ``skip_damaged``.
    """
    from pipeline.snapshots import list_snapshots

    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    snapshots = list_snapshots(raw_dir)
    if not snapshots:
        raise SnapshotError(f"no snapshot in {raw_dir}", "run `make refresh` first")
    result = HistoryResult(raw_dir, out_dir, snapshots=len(snapshots))
    versions = timeline(snapshots, result, skip_damaged=skip_damaged,
                        resources=resources or Resources.load())
    if not versions:
        reason = result.skipped[0][1] if result.skipped else "none could be read"
        raise SnapshotError(f"none of the {len(snapshots)} snapshots in {raw_dir} builds",
                            f"first problem: {reason}")
    periods, events = replay(versions)
    result.versions = len(versions)
    result.partners = len({p["partner_id"] for p in periods})
    result.periods = len(periods)
    result.events = Counter(e["event"] for e in events)
    result.first, result.last = versions[0].date, versions[-1].date
    result.files = write_history(periods, events, out_dir)
    return result


def timeline(snapshots, result: HistoryResult, *, skip_damaged: bool = False,
             resources: Resources | None = None) -> list[Kept]:
    """The distinct versions of the page, dated, oldest first (see the module docstring)."""
    cache: dict[str, PageState | str] = {}  # sha256 -> state, or the reason it failed
    memo: dict = {}  # parsed content -> built rows, shared by pages that read the same
    versions: list[Kept] = []
    previous_sha = None
    stored = SnapshotCache.for_out_dir(result.out_dir)  # results kept from earlier runs
    for snapshot in snapshots:
        if snapshot.sha256 == previous_sha:
            continue  # the page did not change: nothing to read
        previous_sha = snapshot.sha256
        if snapshot.sha256 not in cache:
            cache[snapshot.sha256] = _load(snapshot, memo, skip_damaged, stored, resources)
            result.parsed += 1
            if isinstance(cache[snapshot.sha256], str):
                result.skipped.append((snapshot.path.name, cache[snapshot.sha256]))
        state = cache[snapshot.sha256]
        if isinstance(state, str):
            continue
        if versions and versions[-1].state.sha256 == state.sha256:
            continue  # back to the last good page after a broken one
        date = _version_date(state.version.as_of, snapshot.taken_at.date(),
                             versions[-1] if versions else None)
        kept = Kept(date, state, snapshot.path.name)
        if versions and versions[-1].date == date:
            result.notes.append(f"{versions[-1].snapshot} and {snapshot.path.name} fall on "
                                f"{date.isoformat()}; the later one stands for that day")
            versions[-1] = kept
            if len(versions) > 1 and versions[-2].state.sha256 == state.sha256:
                versions.pop()  # the day ended as the version before it began
        else:
            versions.append(kept)
    return versions


def _version_date(as_of: dt.date | None, taken_on: dt.date, previous: Kept | None) -> dt.date:
    if previous is None:
        return as_of or taken_on
    moved = as_of is not None and as_of != previous.state.version.as_of
    date = as_of if moved and as_of > previous.date else taken_on
    return max(date, previous.date)


def _load(snapshot, memo: dict | None = None, skip_damaged: bool = False,
          stored: SnapshotCache | None = None,
          resources: Resources | None = None) -> PageState | str:
    """The page's state, or why it cannot be used. Raises only for a damaged snapshot (unless
    ``skip_damaged``): a page that does not build is history, a changed file is not.

    A page whose parse equals an earlier one's (``memo``) is not normalized or validated
    again: daily snapshots often differ only in markup the parser does not read. With
    ``stored``, a page built by an earlier run is taken from pipeline.history_cache.
    """
    from pipeline.diff import load_page
    from pipeline.errors import PipelineError

    if stored is not None and (hit := stored.load(snapshot, Version)) is not None:
        return PageState(snapshot.sha256, *hit)

    try:
        loaded = load_page(snapshot.path, memo=memo, resources=resources)
    except SnapshotError as error:
        if not skip_damaged:
            raise SnapshotError(error.message, "restore it from a backup, or pass "
                                "--skip-damaged to build the history without it") from None
        return str(error)
    except PipelineError as error:
        return str(error)
    except Exception as error:  # a page odd enough to trip the parser stays a warning
        return f"{type(error).__name__}: {error}"
    content = loaded.content if stored is None else stored.store(snapshot, loaded.rows,
                                                                   loaded.version)
    return PageState(snapshot.sha256, loaded.rows, loaded.version, content)


# --- replaying the versions ----------------------------------------------------------------


@dataclass
class _Lineages:
    """Which lineage id each listed partner_id belongs to."""

    of_listed: dict[str, str] = field(default_factory=dict)  # last lineage of each listed id
    used: set[str] = field(default_factory=set)

    def for_added(self, listed_id: str, active: set[str]) -> str:
        known = self.of_listed.get(listed_id)
        if known is not None and known not in active:
            return known  # listed again after a removal
        candidate, n = listed_id, 1
        base = _COUNTER.sub("", listed_id)
        while candidate in self.used:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def bind(self, listed_id: str, lineage: str) -> None:
        self.of_listed[listed_id] = lineage
        self.used.add(lineage)


def replay(versions: list[Kept]) -> tuple[list[dict], list[dict]]:
    """History periods and events from consecutive versions."""
    from pipeline.diff import compare

    lineages = _Lineages()
    current: dict[str, str] = {}  # listed id in the latest version -> lineage
    open_rows: dict[str, dict] = {}
    periods: list[dict] = []
    events: list[dict] = []
    previous: Kept | None = None
    for kept in versions:
        date, snap = kept.date, kept.snapshot
        if (previous is not None and kept.state.content is not None
                and kept.state.content is previous.state.content):
            previous = kept  # the same partners and headline: nothing changes
            continue
        if previous is None:
            diff = DiffResult(old=Version(), new=kept.state.version,
                              added=tuple(kept.state.rows))
        else:
            diff = compare(previous.state.rows, kept.state.rows, previous.state.version,
                           kept.state.version)
        mapping = {pid: lineage for pid, lineage in current.items()}
        for removed in diff.removed:
            lineage = current[removed["partner_id"]]
            events.append(_event(date, lineage, removed["name"], "removed", snap))
            del mapping[removed["partner_id"]]
        for change in diff.changed:
            if change.old_partner_id != change.partner_id:
                mapping[change.partner_id] = mapping.pop(change.old_partner_id)
        active = set(mapping.values())
        for added in sorted(diff.added, key=lambda r: r["partner_id"]):
            lineage = lineages.for_added(added["partner_id"], active)
            mapping[added["partner_id"]] = lineage
            active.add(lineage)
            events.append(_event(date, lineage, added["name"], "added", snap))
        for listed, lineage in mapping.items():
            lineages.bind(listed, lineage)
        for change in diff.changed:
            events.extend(_change_events(date, mapping[change.partner_id], change, snap))
        for fix in diff.corrections:
            events.append(_event(date, mapping[fix.partner_id], fix.name, "changed", snap,
                                 fix.field, fix.old, fix.new))
        _advance_periods(kept, mapping, open_rows, periods)
        current, previous = mapping, kept
    periods.extend(open_rows.values())
    periods.sort(key=lambda p: (p["partner_id"], p["valid_from"]))
    rank = {e: i for i, e in enumerate(EVENTS)}
    order = {f: i for i, f in enumerate(("partner_id", *partner_fields()))}
    events.sort(key=lambda e: (e["date"], e["name"].casefold(), e["partner_id"],
                               rank[e["event"]], order.get(e["field"], -1)))
    return periods, events


def _advance_periods(kept: Kept, mapping: dict[str, str], open_rows: dict[str, dict],
                     periods: list[dict]) -> None:
    """Close the periods that ended on ``kept.date`` and open the ones that begin."""
    seen = set()
    for row in kept.state.rows:
        lineage = mapping[row["partner_id"]]
        seen.add(lineage)
        state = {"partner_id": lineage, "listed_id": row["partner_id"],
                 **{f: row.get(f) for f in partner_fields()}}
        period = open_rows.get(lineage)
        if period is not None and all(period[k] == v for k, v in state.items()):
            continue
        if period is not None:
            period["valid_to"] = kept.date
            periods.append(period)
        open_rows[lineage] = {"partner_id": lineage, "listed_id": row["partner_id"],
                              "valid_from": kept.date, "valid_to": None,
                              **{f: row.get(f) for f in partner_fields()},
                              "snapshot": kept.snapshot}
    for lineage in [lin for lin in open_rows if lin not in seen]:
        period = open_rows.pop(lineage)
        period["valid_to"] = kept.date
        periods.append(period)


def _event(date, lineage, name, event, snapshot, field=None, old=None, new=None) -> dict:
    return {"date": date, "partner_id": lineage, "name": name, "event": event,
            "field": field, "old": cell(old), "new": cell(new), "snapshot": snapshot}


def _change_events(date, lineage: str, change, snapshot: str) -> list[dict]:
    """Events for one changed partner: one per kind, one "changed" per unexplained field."""
    events, explained = [], set()

    def add(event, name):
        f = change.field(name)
        events.append(_event(date, lineage, change.name, event, snapshot, name, f.old, f.new))

    if "rename" in change.kinds:
        add("renamed", "name")
        explained.update((*NAME_COLUMNS, "partner_id"))
    if "type_change" in change.kinds:
        add("type_changed", "agreement_type")
        explained.update(TYPE_COLUMNS)
    if "renewal" in change.kinds:
        add("renewed", "expiration_date")
        explained.update(RENEWAL_COLUMNS)
    for f in change.fields:
        if f.field not in explained:
            events.append(_event(date, lineage, change.name, "changed", snapshot, f.field,
                                 f.old, f.new))
    return events


# --- writing -------------------------------------------------------------------------------


def write_history(periods: list[dict], events: list[dict], out_dir: Path) -> dict[str, Path]:
    """Validate both tables against schemas/history.py, then write them atomically: what is
    written is what the contract validated, in its columns and types."""
    from pipeline.validate import checked, table_rows
    from pipeline.write import commit_files, csv_bytes, parquet_bytes
    from schemas.describe import types
    from schemas.history import EventsModel, HistoryModel

    periods = table_rows(checked(HistoryModel, periods, HISTORY_CSV))
    events = table_rows(checked(EventsModel, events, EVENTS_CSV))
    history_types = types(HistoryModel)
    files = {
        HISTORY_PARQUET: parquet_bytes(list(history_types), periods, history_types),
        HISTORY_CSV: csv_bytes(list(history_types), periods),
        EVENTS_CSV: csv_bytes(list(types(EventsModel)), events),
    }
    commit_files(out_dir, files)
    return {name: out_dir / name for name in files}


def summary_text(result: HistoryResult) -> str:
    """A few lines for people: what was read, what was found, what was written."""
    counts = ", ".join(f"{result.events[e]} {e}" for e in EVENTS if result.events[e])
    span = (f" from {result.first.isoformat()} to {result.last.isoformat()}"
            if result.first and result.last else "")
    lines = [
        f"{result.snapshots} snapshots, {result.parsed} distinct pages read, "
        f"{result.versions} versions{span}",
        f"{result.partners} partners, {result.periods} periods, "
        f"{sum(result.events.values())} events" + (f" ({counts})" if counts else ""),
    ]
    if result.files:
        lines.append("wrote " + ", ".join(str(p) for p in result.files.values()))
    lines += [f"note: {note}" for note in result.notes]
    lines += [f"warning: skipped {name}: {reason}" for name, reason in result.skipped]
    return "\n".join(lines)
