"""The timeline of every agreement over all snapshots in raw/.

Writes ``history.parquet`` / ``history.csv`` (one row per partner per period in which none of
its fields changed; ``valid_to`` is empty while the period is current) and ``events.csv``
(added, removed, renewed, renamed, type_changed, changed).

Work is proportional to the number of distinct pages, not of snapshots: a snapshot with the
same sha256 as the one before it is skipped without being read, each distinct file is read
once (cached by sha256) and scanned only when the markup the scan reads differs from every
page's before it (its tables are laid out only when the scan differs too; see
pipeline.parse.parse_page), and normalized and validated only when what the parser read
differs from every page before it (daily snapshots often differ only in a comment, a script
or an asset URL); consecutive versions that read the same are not compared. A snapshot that cannot
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
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import history_cache
from pipeline.diff import DiffResult, Version, cell
from pipeline.errors import SnapshotError
from pipeline.history_cache import SnapshotCache
from pipeline.reference import Resources
from schemas._common import EVENTS, NAME_COLUMNS, RENEWAL_COLUMNS, TYPE_COLUMNS, partner_fields

HISTORY_PARQUET = "history.parquet"
HISTORY_CSV = "history.csv"
EVENTS_CSV = "events.csv"

_COUNTER = re.compile(r"-\d+$")


@dataclass(eq=False)
class PageState:
    """One distinct page that built: its partner rows and headline.

    ``rows`` may be None for a page taken from the cache of an earlier run: ``table()``
    then reads them (from the cache, or the snapshot again) the first time the replay needs
    them, which is only when the page differs from the version before it.
    """

    sha256: str
    rows: list[dict] | None
    version: Version
    content: object = None  # the same object for pages whose parse is the same
    digest: str | None = None  # of rows and headline: equal digests, equal pages
    parse_key: str | None = None  # history_cache.parse_key of the page, when built here
    loader: object = field(default=None, repr=False)  # () -> rows, when rows is None

    def table(self) -> list[dict]:
        if self.rows is None:
            self.rows = self.loader()
        return self.rows

    def same_as(self, other: PageState) -> bool:
        """Whether both pages have the same partners and headline (known without rows)."""
        if self.digest is not None and other.digest is not None:
            return self.digest == other.digest
        return self.content is not None and self.content is other.content


@dataclass
class Kept:
    """A version of the page in the timeline."""

    date: dt.date
    state: PageState
    snapshot: str  # file name of the first snapshot showing it

    def key(self) -> list:
        """What identifies this version for the next run (see history_cache.RunState)."""
        return [self.date.isoformat(), self.snapshot, self.state.sha256, self.state.digest]


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
    resumed: int = 0  # versions taken from the previous run's replay instead of replayed
    written: bool = False  # whether the files were (re)written; False when already current


def build_history(raw_dir: Path, out_dir: Path, *, skip_damaged: bool = False,
                  resources: Resources | None = None) -> HistoryResult:
    """Read every snapshot in ``raw_dir`` and write the history and events into ``out_dir``.

    A damaged snapshot raises SnapshotError, or is skipped with a warning when
    ``skip_damaged``. With the cache (pipeline.history_cache), a run after an earlier one
    reads only the snapshots added since, folds only the versions they add into the replay
    kept from that run, and rewrites the files only when they change.
    """
    from pipeline.snapshots import list_snapshots

    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    snapshots = list_snapshots(raw_dir)
    if not snapshots:
        raise SnapshotError(f"no snapshot in {raw_dir}", "run `make refresh` first")
    result = HistoryResult(raw_dir, out_dir, snapshots=len(snapshots))
    stored = SnapshotCache.for_out_dir(out_dir)  # results kept from earlier runs
    run = _Run(stored, resources)
    versions = timeline(snapshots, result, skip_damaged=skip_damaged, run=run)
    if not versions:
        reason = result.skipped[0][1] if result.skipped else "none could be read"
        raise SnapshotError(f"none of the {len(snapshots)} snapshots in {raw_dir} builds",
                            f"first problem: {reason}")
    fold = run.resumed_fold(versions)
    result.resumed = len(fold.keys)
    changed = [fold.apply(kept) for kept in versions[len(fold.keys):]]
    _count(result, fold, versions)
    outputs = _write_if_changed(run, fold, any(changed) or not result.resumed, result)
    result.files = {name: out_dir / name for name in outputs}
    run.save(snapshots, versions, fold, outputs)
    return result


def _count(result: HistoryResult, fold: Fold, versions: list[Kept]) -> None:
    """The figures of the summary, from the fold (sorting its tables is not needed)."""
    periods = (*fold.periods, *fold.open_rows.values())
    result.versions = len(versions)
    result.partners = len({p["partner_id"] for p in periods})
    result.periods = len(periods)
    result.events = Counter(e["event"] for e in fold.events)
    result.first, result.last = versions[0].date, versions[-1].date


def _write_if_changed(run: _Run, fold: Fold, changed: bool,
                      result: HistoryResult) -> dict[str, str]:
    """The sha256 of each file in out/: the files as written by the previous run when they
    already hold these tables, else newly validated and written (``result.written``)."""
    if changed:
        periods, events = fold.tables()
        run.tables = _tables_digest(periods, events)
    else:  # nothing folded in since the previous run: its tables
        periods = events = None
        run.tables = run.previous.tables
    outputs = run.current_outputs(result.out_dir, run.tables)
    if outputs is not None:
        return outputs
    if periods is None:
        periods, events = fold.tables()
    files = history_files(periods, events)
    commit_history(files, result.out_dir)
    result.written = True
    return {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}


def timeline(snapshots, result: HistoryResult, *, skip_damaged: bool = False,
             resources: Resources | None = None, run: _Run | None = None) -> list[Kept]:
    """The distinct versions of the page, dated, oldest first (see the module docstring)."""
    run = run or _Run(SnapshotCache.for_out_dir(result.out_dir), resources)
    cache: dict[str, PageState | str] = {}  # sha256 -> state, or the reason it failed
    versions: list[Kept] = []
    previous_sha = None
    for snapshot in snapshots:
        if snapshot.sha256 == previous_sha:
            continue  # the page did not change: nothing to read
        previous_sha = snapshot.sha256
        if snapshot.sha256 not in cache:
            cache[snapshot.sha256] = run.load(snapshot, skip_damaged)
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


class _Run:
    """Where one run takes each snapshot's result from, and what it keeps for the next run.

    In order: the previous run's state (no file read but the snapshot's signature), the
    per-snapshot entries of pipeline.history_cache (the file is hashed), the previous run's
    parse keys (the file is parsed: a new file that reads as a page built before), or the
    page itself.
    """

    def __init__(self, stored: SnapshotCache | None, resources: Resources | None):
        self.stored = stored
        self._resources = resources
        self.previous = stored.load_run() if stored is not None else None
        self.memo: dict = {}  # parsed content -> built rows, shared by pages that read the same
        self.digests: dict[int, str] = {}  # id(built content) -> its digest (cache off)
        self.headlines: dict[str, dict] = {}  # digest -> headline fields of the pages built
        self.signatures: dict[str, list] = {}  # html name -> [entry key, digest, *signature]
        self.parses: dict[str, str] = {}  # parse key -> digest
        self.known: dict[int, tuple] = {}  # id(built content) -> (it, digest, parse key)
        self.verify = history_cache.verifying()
        self.tables: str | None = None  # digest of the tables in out/, once known

    @property
    def resources(self) -> Resources:
        if self._resources is None:
            self._resources = Resources.load()
        return self._resources

    def load(self, snapshot, skip_damaged: bool) -> PageState | str:
        """The page's state, or why it cannot be used. Raises only for a damaged snapshot
        (unless ``skip_damaged``): a page that does not build is history, a changed file is
        not. Pages that fail are not kept: they are read again, and warned about, every run."""
        signature = history_cache.file_signature(snapshot.path)  # before the file is read
        state = (self._from_previous_run(snapshot, signature)
                 or self._from_entry(snapshot, signature)  # hashing is cheaper than parsing
                 or self._from_same_parse(snapshot, signature))
        if state is not None:
            return state
        state = _load(snapshot, self.memo, skip_damaged, self.stored, self.resources,
                      self.known)
        if isinstance(state, PageState):
            state.digest = state.digest or self._digest(state)
            if self.stored is not None and signature is not None:
                self._keep(snapshot, signature, state.digest,
                           history_cache.headline_fields(state.version))
                if state.parse_key is not None:
                    self.parses[state.parse_key] = state.digest
        return state

    def _from_entry(self, snapshot, signature) -> PageState | None:
        """The snapshot's own entry in pipeline.history_cache (a file the previous run did
        not see under this signature: raw/ copied or restored elsewhere); else None."""
        if self.stored is None or (hit := self.stored.load(snapshot, Version)) is None:
            return None
        rows, version, token = hit
        if signature is not None:
            self._keep(snapshot, signature, token.digest, history_cache.headline_fields(version))
        return PageState(snapshot.sha256, rows, version, token, token.digest)

    def _from_same_parse(self, snapshot, signature) -> PageState | None:
        """A new file the parser reads as a page built before: that page's rows, without
        normalizing and validating again (see history_cache.parse_key); else None."""
        from pipeline.diff import looks_like_html
        from pipeline.parse import parse_page
        from pipeline.snapshots import read_snapshot

        if self.previous is None or not self.previous.parses or signature is None:
            return None
        try:
            data = read_snapshot(snapshot.path)  # checked against its name and sidecar
            if not looks_like_html(data):
                return None
            page = parse_page(data, declared_charset=(snapshot.sidecar or {}).get("charset"),
                              memo=self.memo.setdefault("parses", {}))
        except Exception:  # whatever it is, the page is then built as usual
            return None
        key = history_cache.parse_key(page, snapshot, self.stored.strict_counts,
                                      self.resources.profile.key)
        digest = self.previous.parses.get(key)
        headline = self.previous.headlines.get(digest)
        if headline is None:
            return None
        self._keep(snapshot, signature, digest, headline)
        self.parses[key] = digest
        return self._lazy(snapshot, digest, headline)

    def _keep(self, snapshot, signature: list, digest: str, headline: dict) -> None:
        key = history_cache.snapshot_key(snapshot, self.stored.fingerprint,
                                         self.stored.strict_counts)
        self.signatures[snapshot.path.name] = [key, digest, *signature]
        self.headlines.setdefault(digest, headline)

    def _from_previous_run(self, snapshot, signature) -> PageState | None:
        """The state the previous run built for this very file (unchanged since it was
        hashed: same signature), its rows read only when needed; else None."""
        if self.previous is None or signature is None:
            return None
        kept = self.previous.snapshots.get(snapshot.path.name)
        if kept is None or kept[2:] != signature:
            return None
        if self.verify and not history_cache.intact(snapshot):
            return None  # read as usual, which reports it as damaged
        key = history_cache.snapshot_key(snapshot, self.stored.fingerprint,
                                         self.stored.strict_counts)
        digest = kept[1]
        headline = self.previous.headlines.get(digest)
        if kept[0] != key or headline is None:
            return None
        self.signatures[snapshot.path.name] = kept
        self.headlines.setdefault(digest, headline)
        return self._lazy(snapshot, digest, headline)

    def _lazy(self, snapshot, digest: str, headline: dict) -> PageState | None:
        """A page known by its digest: its rows are read when the replay needs them."""
        try:
            version = Version(**headline, **history_cache.per_file_fields(snapshot))
        except TypeError:
            return None

        def rows() -> list[dict]:
            found = self.stored.rows(digest, headline)
            if found is not None:
                return found
            state = _load(snapshot, self.memo, False, None, self.resources)  # cache gone
            if isinstance(state, str) or self._digest(state) != digest:
                raise SnapshotError(f"{snapshot.path} no longer builds as it did",
                                    "delete out/.cache and run history again")
            return state.table()

        return PageState(snapshot.sha256, None, version, digest=digest, loader=rows)

    def _digest(self, state: PageState) -> str:
        token = state.content
        if isinstance(token, history_cache._Content):
            return token.digest
        if id(token) not in self.digests or token is None:
            digest = history_cache.content_digest(
                state.table(), history_cache.headline_fields(state.version))
            if token is None:
                return digest
            self.digests[id(token)] = digest
        return self.digests[id(token)]

    def resumed_fold(self, versions: list[Kept]) -> Fold:
        """The previous run's replay when this timeline begins with its versions, else a new
        one."""
        previous = self.previous
        if previous is None or not previous.versions:
            return Fold()
        count = len(previous.versions)
        if count > len(versions) or [k.key() for k in versions[:count]] != previous.versions:
            return Fold()
        try:
            return Fold.restore(previous.fold, versions[:count])
        except (KeyError, TypeError, ValueError, AttributeError):
            return Fold()

    def current_outputs(self, out_dir: Path, tables: str) -> dict[str, str] | None:
        """The written files' sha256 when they already hold these tables, else None."""
        previous = self.previous
        if previous is None or previous.tables != tables:
            return None
        for name, sha in previous.outputs.items():
            try:
                if hashlib.sha256((out_dir / name).read_bytes()).hexdigest() != sha:
                    return None
            except OSError:
                return None
        return previous.outputs

    def save(self, snapshots, versions: list[Kept], fold: Fold, outputs: dict[str, str]) -> None:
        if self.stored is None:
            return
        names = {s.path.name for s in snapshots}
        kept = {name: entry for name, entry in self.signatures.items() if name in names}
        parses = {**(self.previous.parses if self.previous else {}), **self.parses}
        digests = {entry[1] for entry in kept.values()} | set(parses.values())
        headlines = {**(self.previous.headlines if self.previous else {}), **self.headlines}
        self.stored.save_run(history_cache.RunState(
            snapshots=kept, headlines={d: h for d, h in headlines.items() if d in digests},
            versions=[k.key() for k in versions], fold=fold.dump(), outputs=outputs,
            tables=self.tables, parses=parses))


def _load(snapshot, memo: dict | None = None, skip_damaged: bool = False,
          stored: SnapshotCache | None = None, resources: Resources | None = None,
          known: dict | None = None) -> PageState | str:
    """The page's state, or why it cannot be used. Raises only for a damaged snapshot (unless
    ``skip_damaged``): a page that does not build is history, a changed file is not.

    A page whose parse equals an earlier one's (``memo``) is not normalized or validated
    again: daily snapshots often differ only in markup the parser does not read. With
    ``stored`` (which the caller found no entry in), the page built is kept there.
    """
    from pipeline.diff import load_page
    from pipeline.errors import PipelineError

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
    if stored is None:
        return PageState(snapshot.sha256, loaded.rows, loaded.version, loaded.content)
    digest, key = _keys(loaded, snapshot, stored, resources, known)
    token = stored.store(snapshot, loaded.rows, loaded.version, digest=digest)
    return PageState(snapshot.sha256, loaded.rows, loaded.version, token, token.digest, key)


def _keys(loaded, snapshot, stored: SnapshotCache, resources: Resources | None,
          known: dict | None) -> tuple[str, str | None]:
    """Content digest and parse key of a loaded page, once per built content (``known``:
    id -> keys): pages that share a build (build.prepare's memo) share its rows and headline,
    and the first one's parse key is theirs too."""
    content = loaded.content
    known = {} if known is None else known
    found = known.get(id(content))
    if found is None or found[0] is not content:
        digest = history_cache.content_digest(loaded.rows,
                                              history_cache.headline_fields(loaded.version))
        key = (history_cache.parse_key(content.page, snapshot, stored.strict_counts,
                                       resources.profile.key)
               if resources is not None and hasattr(content, "page") else None)
        found = known[id(content)] = (content, digest, key)
    return found[1], found[2]


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
    fold = Fold()
    for kept in versions:
        fold.apply(kept)
    return fold.tables()


@dataclass
class Fold:
    """The replay so far: versions are folded in one at a time, oldest first, so a later run
    can go on from where an earlier one stopped (see history_cache.RunState)."""

    lineages: _Lineages = field(default_factory=_Lineages)
    current: dict[str, str] = field(default_factory=dict)  # listed id (latest) -> lineage
    open_rows: dict[str, dict] = field(default_factory=dict)
    periods: list[dict] = field(default_factory=list)  # closed periods, in the order closed
    events: list[dict] = field(default_factory=list)  # in the order found
    previous: Kept | None = None
    keys: list[list] = field(default_factory=list)  # Kept.key() of the versions folded in

    def apply(self, kept: Kept) -> bool:
        """Fold in the next version; False when it changes nothing (the same page)."""
        from pipeline.diff import compare

        previous = self.previous
        self.keys.append(kept.key())
        date, snap = kept.date, kept.snapshot
        if previous is not None and previous.state.same_as(kept.state):
            self.previous = kept  # the same partners and headline: nothing changes
            return False
        if previous is None:
            diff = DiffResult(old=Version(), new=kept.state.version,
                              added=tuple(kept.state.table()))
        else:
            diff = compare(previous.state.table(), kept.state.table(), previous.state.version,
                           kept.state.version)
        current, events = self.current, self.events
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
            lineage = self.lineages.for_added(added["partner_id"], active)
            mapping[added["partner_id"]] = lineage
            active.add(lineage)
            events.append(_event(date, lineage, added["name"], "added", snap))
        for listed, lineage in mapping.items():
            self.lineages.bind(listed, lineage)
        for change in diff.changed:
            events.extend(_change_events(date, mapping[change.partner_id], change, snap))
        for fix in diff.corrections:
            events.append(_event(date, mapping[fix.partner_id], fix.name, "changed", snap,
                                 fix.field, fix.old, fix.new))
        _advance_periods(kept, mapping, self.open_rows, self.periods)
        self.current, self.previous = mapping, kept
        return True

    def tables(self) -> tuple[list[dict], list[dict]]:
        """The history periods and the events, sorted (the fold itself is left as it is)."""
        periods = [dict(p) for p in (*self.periods, *self.open_rows.values())]
        periods.sort(key=lambda p: (p["partner_id"], p["valid_from"]))
        rank = {e: i for i, e in enumerate(EVENTS)}
        order = {f: i for i, f in enumerate(("partner_id", *partner_fields()))}
        events = [dict(e) for e in self.events]
        events.sort(key=lambda e: (e["date"], e["name"].casefold(), e["partner_id"],
                                   rank[e["event"]], order.get(e["field"], -1)))
        return periods, events

    def dump(self) -> dict:
        """Plain data (the versions are the run's ``keys``; the last one is kept by key)."""
        return {"of_listed": dict(self.lineages.of_listed),
                "used": sorted(self.lineages.used), "current": dict(self.current),
                "open_rows": [[k, dict(v)] for k, v in self.open_rows.items()],
                "periods": [dict(p) for p in self.periods],
                "events": [dict(e) for e in self.events],
                "previous": None if self.previous is None else self.previous.key()}

    @classmethod
    def restore(cls, data: dict, versions: list[Kept]) -> Fold:
        """The fold :meth:`dump` saved after ``versions`` (which must be those it folded)."""
        previous = versions[-1] if versions else None
        if (None if previous is None else previous.key()) != data["previous"]:
            raise ValueError("the saved fold ends at another version")
        return cls(lineages=_Lineages(dict(data["of_listed"]), set(data["used"])),
                   current=dict(data["current"]),
                   open_rows={k: dict(v) for k, v in data["open_rows"]},
                   periods=[dict(p) for p in data["periods"]],
                   events=[dict(e) for e in data["events"]], previous=previous,
                   keys=[k.key() for k in versions])

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
    files = history_files(periods, events)
    commit_history(files, out_dir)
    return {name: out_dir / name for name in files}


def history_files(periods: list[dict], events: list[dict]) -> dict[str, bytes]:
    """The bytes of the three files, from the tables as schemas/history.py validated them."""
    from pipeline.validate import checked, table_rows
    from pipeline.write import csv_bytes, parquet_bytes
    from schemas.describe import types
    from schemas.history import EventsModel, HistoryModel

    periods = table_rows(checked(HistoryModel, periods, HISTORY_CSV))
    events = table_rows(checked(EventsModel, events, EVENTS_CSV))
    history_types = types(HistoryModel)
    return {
        HISTORY_PARQUET: parquet_bytes(list(history_types), periods, history_types),
        HISTORY_CSV: csv_bytes(list(history_types), periods),
        EVENTS_CSV: csv_bytes(list(types(EventsModel)), events),
    }


def commit_history(files: dict[str, bytes], out_dir: Path) -> None:
    from pipeline.write import commit_files

    commit_files(out_dir, files)


def _tables_digest(periods: list[dict], events: list[dict]) -> str:
    """Equal tables, equal digests: whether the files written last time still hold them."""
    return history_cache.content_digest([*periods, *events], {"tables": [len(periods)]})


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
