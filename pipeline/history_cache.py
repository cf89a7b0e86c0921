"""Per-snapshot results of ``history``, kept between runs so that a run reads only new snapshots.

What is kept for a snapshot is what :func:`pipeline.diff.load_page` makes of it: the
normalized, validated partner rows and the page's headline (:class:`pipeline.diff.Version`).
It lives in ``<out>/.cache/history/`` (never in raw/), which can be deleted at any time:

* ``entries.jsonl``: one line per snapshot, its key, the code version, the headline and the
  digest of the rows (appended as snapshots are built: a first run over a thousand snapshots
  writes one file, not a thousand; rewritten without the lines of other code versions when
  they are most of it);
* ``tables/<digest>.arrow``: the rows as an Arrow IPC file, one per distinct table, shared by
  every snapshot that built the same rows (daily snapshots mostly do).

The key (:func:`entry_key`) covers everything the result depends on: the snapshot's sha256,
what its sidecar tells the build (declared charset, the day it was taken, used when the page
states no "As of" date), the strictness of the counts check, and
:func:`pipeline.build.code_fingerprint` (the code, schemas and reference data), so a changed
fixer or reference file starts a fresh set of entries. Tables are written atomically (a
temporary file renamed into place), entries appended a whole line at a time; a line cut short
(a run stopped while writing it) or unreadable, an entry whose table is missing, or whose rows
do not hash to the digest it names, is ignored and rebuilt (the later of two lines for one key
wins). Rows are only kept when they read back
equal, so a cached result always equals a fresh computation. Pages that fail to build are
not kept (they are read again, and warned about again, on every run).

The result of the whole run is kept too, in ``run.json`` (:class:`RunState`): every snapshot
already built (its entry key, the content it built, and the size, times and inode of its file
when its sha256 was last checked), the versions of the timeline, the replay's state after the
last of them and the sha256 of the files written. The next run takes a snapshot from there
without reading its entry or hashing it again while its file's signature is unchanged (editing
a file changes its ctime, which no tool sets back), and when the timeline it finds begins with
the versions kept, folds only the new versions into the kept replay state; when the tables come
out equal to the files in out/, nothing is written. Anything else (another code version, a
snapshot placed among the older ones, a damaged or truncated run.json) replays from the start.

``PIPELINE_HISTORY_CACHE=off`` in the environment turns the cache off (every snapshot is read);
``PIPELINE_HISTORY_CACHE=verify`` keeps it on but hashes every snapshot file again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FORMAT = 1  # bump when the layout of an entry changes
ENTRIES_FILE = "entries.jsonl"
RUN_FORMAT = 1  # bump when the layout of run.json changes
RUN_FILE = "run.json"
CACHE_DIR = Path(".cache") / "history"  # under the output directory
DISABLE_VARIABLE = "PIPELINE_HISTORY_CACHE"
# Headline fields that describe the file rather than the page: set from the snapshot itself.
PER_FILE_FIELDS = ("source", "kind", "sha256", "taken_at")


def entry_key(sha256: str, fingerprint: str, *, charset: str | None, taken_on: str | None,
              strict_counts: bool = True) -> str:
    """The cache key of one snapshot's result: a hash of everything the result depends on.

    >>> a = entry_key("ab" * 32, "f1", charset="utf-8", taken_on="2024-04-01")
    >>> a == entry_key("ab" * 32, "f1", charset="utf-8", taken_on="2024-04-01")
    True
    >>> a == entry_key("ab" * 32, "f2", charset="utf-8", taken_on="2024-04-01")
    False
    >>> len(a)
    64
    """
    document = [FORMAT, sha256, fingerprint, charset, taken_on, bool(strict_counts)]
    return hashlib.sha256(json.dumps(document).encode()).hexdigest()


def snapshot_key(snapshot, fingerprint: str, strict_counts: bool = True) -> str:
    """:func:`entry_key` of a :class:`pipeline.snapshots.Snapshot` (its sidecar is loaded)."""
    sidecar = snapshot.sidecar or {}
    fetched_at = sidecar.get("fetched_at")
    taken_on = fetched_at[:10] if isinstance(fetched_at, str) else None
    return entry_key(snapshot.sha256, fingerprint, charset=sidecar.get("charset"),
                     taken_on=taken_on, strict_counts=strict_counts)


def content_digest(rows: list[dict], headline: Mapping[str, Any]) -> str:
    """A digest of rows and headline: equal results, equal digests (types included).

    >>> d = dt.date(2024, 4, 1)
    >>> content_digest([{"a": d}], {}) == content_digest([{"a": "2024-04-01"}], {})
    False
    """
    text = json.dumps([headline, rows], sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def enabled() -> bool:
    return os.environ.get(DISABLE_VARIABLE, "").strip().lower() not in {"off", "0", "no", "false"}


def verifying() -> bool:
    """``PIPELINE_HISTORY_CACHE=verify``: hash every snapshot file again, even one whose
    signature is unchanged (a disk that corrupts a file without touching its times)."""
    return os.environ.get(DISABLE_VARIABLE, "").strip().lower() == "verify"


class SnapshotCache:
    """The cache of one output directory, for one version of the code.

    :meth:`load` and :meth:`store` return the rows, the headline and a *content token*: the
    same object for every snapshot whose rows and headline are equal, so callers can tell
    "nothing changed" by identity.
    """

    def __init__(self, directory: Path, fingerprint: str, *, strict_counts: bool = True):
        self.directory = Path(directory)
        self.fingerprint = fingerprint
        self.strict_counts = strict_counts
        self._tokens: dict[str, object] = {}  # content digest -> token
        self._tables: dict[str, list[dict] | None] = {}  # content digest -> rows read back
        self._headlines: dict[str, Any] = {}  # content digest -> encoded headline (None: not kept)
        self._index: dict[str, dict] | None = None  # entry key -> entry, read on first use
        self.hits = 0
        self.stored = 0

    @classmethod
    def for_out_dir(cls, out_dir: Path) -> SnapshotCache | None:
        """The cache under ``out_dir``, or None when turned off (see the module docstring)."""
        if not enabled():
            return None
        from pipeline.build import code_fingerprint

        return cls(Path(out_dir) / CACHE_DIR, code_fingerprint())

    # --- reading ---------------------------------------------------------------------------

    def load(self, snapshot, version_type) -> tuple[list[dict], Any, object] | None:
        """(rows, headline, token) kept for ``snapshot``, or None when there is no usable entry.

        Snapshots with the same content share one list of rows: callers only read it.

        The snapshot file is hashed on every hit: a file whose sha256 no longer matches its
        name and sidecar (truncated, replaced, edited in place keeping its size) is not answered
        from the cache but read again, so the build reports it as damaged.
        """
        try:
            entry = self._entry_index().get(self._key(snapshot))
            if entry is None or entry.get("format") != FORMAT or not intact(snapshot):
                return None
            digest = entry["content"]
            fields = _decode(entry["headline"])
            rows = self._rows(digest, fields)
            if rows is None:
                return None
            version = version_type(**fields, **self._per_file(snapshot))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None
        self.hits += 1
        return rows, version, self._token(digest)

    def _rows(self, digest: str, headline: dict) -> list[dict] | None:
        if digest not in self._tables:
            self._tables[digest] = _read_table(self._table_path(digest), digest, headline)
        return self._tables[digest]

    # --- writing ---------------------------------------------------------------------------

    def store(self, snapshot, rows: list[dict], version, *, digest: str | None = None) -> object:
        """Keep ``rows`` and ``version`` for ``snapshot``; returns the content token.
        ``digest``: their :func:`content_digest`, when the caller has it already.

        Never fails: a result that cannot be kept (rows that would not read back equal, a
        read-only directory) is simply not kept.
        """
        fields = headline_fields(version)
        digest = digest or content_digest(rows, fields)
        try:
            headline = self._headline(digest, fields)
            if headline is not None and self._write_table(digest, rows):
                entry = {"key": self._key(snapshot), "format": FORMAT, "code": self.fingerprint,
                         "content": digest, "headline": headline}
                _append_line(self.directory / ENTRIES_FILE, json.dumps(entry).encode())
                if self._index is not None:  # else read with the file, this line included
                    self._index[entry["key"]] = entry
                self.stored += 1
        except (OSError, ValueError, TypeError):
            pass
        return self._token(digest)

    def _headline(self, digest: str, fields: dict) -> Any:
        """The encoded headline of every snapshot with this content (``digest`` covers
        ``fields``); None when it would not read back equal."""
        if digest not in self._headlines:
            encoded = _encode(fields)
            self._headlines[digest] = encoded if _decode(encoded) == fields else None
        return self._headlines[digest]

    def _entry_index(self) -> dict[str, dict]:
        """The entries of this code version by key (the later line of a key wins), read on
        first use. When most lines of the file are of no use to it (other code versions,
        superseded or cut short), the file is rewritten with its own entries only, so it
        holds about one set of entries per code version run since, not one per version
        ever run."""
        if self._index is None:
            path = self.directory / ENTRIES_FILE
            try:
                lines = [line for line in path.read_bytes().split(b"\n") if line]
            except OSError:
                lines = []
            self._index = {}
            for line in lines:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # cut short by a run that stopped while writing it
                if (isinstance(entry, dict) and isinstance(entry.get("key"), str)
                        and entry.get("code") == self.fingerprint):
                    self._index[entry["key"]] = entry
            if len(lines) - len(self._index) > len(self._index):
                kept = b"".join(b"\n" + json.dumps(e).encode() for e in self._index.values())
                with contextlib.suppress(OSError):  # a cache not tidied still answers
                    _atomic_write(path, kept)
        return self._index

    def _write_table(self, digest: str, rows: list[dict]) -> bool:
        if self._tables.get(digest) is not None:
            return True  # read back and checked in this run, or written by it
        import pyarrow as pa

        try:
            table = pa.Table.from_pylist(rows)
        except (pa.ArrowException, ValueError, TypeError):
            return False
        if table.to_pylist() != rows:
            return False  # a type Arrow would change: not kept, so the cache never differs
        sink = pa.BufferOutputStream()
        with pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        _atomic_write(self._table_path(digest), sink.getvalue().to_pybytes())
        self._tables[digest] = rows
        return True

    # --- helpers ---------------------------------------------------------------------------

    def _key(self, snapshot) -> str:
        return snapshot_key(snapshot, self.fingerprint, self.strict_counts)

    def _table_path(self, digest: str) -> Path:
        return self.directory / "tables" / f"{digest}.arrow"

    def _token(self, digest: str) -> object:
        return self._tokens.setdefault(digest, _Content(digest))

    @staticmethod
    def _per_file(snapshot) -> dict:
        return per_file_fields(snapshot)

    def rows(self, digest: str, headline: dict) -> list[dict] | None:
        """The rows kept under ``digest`` (None when missing or damaged)."""
        try:
            return self._rows(digest, headline)
        except (OSError, ValueError, TypeError):
            return None

    # --- the run ---------------------------------------------------------------------------

    def run_key(self) -> str:
        document = [RUN_FORMAT, self.fingerprint, bool(self.strict_counts)]
        return hashlib.sha256(json.dumps(document).encode()).hexdigest()

    def load_run(self) -> RunState | None:
        """The state the last run of this code version left, or None (never raises)."""
        try:
            document = json.loads((self.directory / RUN_FILE).read_bytes())
            body = document["body"]
            if (document.get("format") != RUN_FORMAT or document.get("key") != self.run_key()
                    or document.get("digest") != _body_digest(body)):
                return None
            return RunState.decode(body)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def save_run(self, state: RunState) -> bool:
        """Keep ``state`` for the next run, only if it reads back equal; never fails."""
        try:
            body = state.encode()
            if RunState.decode(json.loads(json.dumps(body))) != state:
                return False  # a value JSON would change: not kept
            document = {"format": RUN_FORMAT, "key": self.run_key(),
                        "digest": _body_digest(body), "body": body}
            _atomic_write(self.directory / RUN_FILE, json.dumps(document).encode())
            return True
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return False


@dataclasses.dataclass
class RunState:
    """What one run of ``history`` leaves for the next (see the module docstring).

    ``snapshots``: html name -> [entry key, content digest, *file signature];
    ``headlines``: content digest -> headline fields; ``versions``: one key per version of
    the timeline (date, snapshot name, sha256, content digest); ``fold``: the replay's state
    after them (plain data, see pipeline.history.Fold); ``outputs``: file name -> sha256;
    ``parses``: :func:`parse_key` -> content digest, so that a new file the parser reads as
    an earlier one (daily snapshots that differ in an asset URL) is not normalized and
    validated again.
    """

    snapshots: dict[str, list]
    headlines: dict[str, dict]
    versions: list[list]
    fold: dict
    outputs: dict[str, str]
    tables: str  # digest of the history and events tables written
    parses: dict[str, str] = dataclasses.field(default_factory=dict)  # parse_key -> digest

    def encode(self) -> dict:
        # snapshots, versions, outputs and parses hold only strings and numbers
        return {"snapshots": self.snapshots, "headlines": _encode(self.headlines),
                "versions": self.versions, "fold": _encode(self.fold),
                "outputs": self.outputs, "tables": self.tables, "parses": self.parses}

    @classmethod
    def decode(cls, body: dict) -> RunState:
        return cls(snapshots=body["snapshots"], headlines=_decode(body["headlines"]),
                   versions=body["versions"], fold=_decode(body["fold"]),
                   outputs=body["outputs"], tables=body["tables"], parses=body["parses"])


def file_signature(path: Path) -> list[int] | None:
    """Size, modification and change times (ns), inode and device of ``path``: what changes
    when the file is written, replaced or edited in place (None when it cannot be read)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def parse_key(page, snapshot, strict_counts: bool, profile: str) -> str | None:
    """What a page's rows and headline are a function of, as one hash: everything the parser
    read from it (every field of :class:`pipeline.parse.ParsedPage`), the snapshot's date
    when the page states no "As of" date, the strictness of the counts check and the source
    profile (the code and reference data are in the run's key). Pages with equal keys build
    equal rows (the argument of :func:`pipeline.build.prepare`'s memo, made to last between
    runs). None when a field is not plain data.
    """
    fetched_at = None if page.as_of else (snapshot.sidecar or {}).get("fetched_at")
    try:
        document = [_plain(page), fetched_at, bool(strict_counts), profile]
        return hashlib.sha256(json.dumps(_encode(document)).encode()).hexdigest()
    except (TypeError, ValueError):
        return None


def _plain(value):
    """Dataclasses as [type name, fields...], recursively, for :func:`parse_key`."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__,
                *(_plain(getattr(value, f.name)) for f in dataclasses.fields(value))]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return [[_plain(k), _plain(v)] for k, v in value.items()]  # in order, as the memo
    if value is None or isinstance(value, (str, int, float, dt.date)):
        return value
    raise TypeError(f"not plain data: {type(value).__name__}")


def headline_fields(version) -> dict:
    """The headline of ``version`` without what describes the file rather than the page
    (a shallow copy: mappings become dicts, as :func:`dataclasses.asdict` makes them)."""
    return {f.name: dict(value) if isinstance(value := getattr(version, f.name), Mapping)
            else value for f in dataclasses.fields(version) if f.name not in PER_FILE_FIELDS}


def per_file_fields(snapshot) -> dict:
    return {"source": str(snapshot.path), "kind": "html", "sha256": snapshot.sha256,
            "taken_at": (snapshot.sidecar or {}).get("fetched_at")}


def _body_digest(body) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclasses.dataclass(frozen=True, eq=False)
class _Content:
    """Stands for one distinct result (compared by identity)."""

    digest: str


def intact(snapshot) -> bool:
    """Whether the snapshot file still hashes to the sha256 its name and sidecar record."""
    with open(snapshot.path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest() == snapshot.sha256


def _read_table(path: Path, digest: str, headline: dict) -> list[dict] | None:
    """The rows stored at ``path`` if they hash to ``digest``; None when missing or damaged."""
    import pyarrow as pa

    try:
        with pa.memory_map(str(path)) as source:
            rows = pa.ipc.open_file(source).read_all().to_pylist()
    except (OSError, pa.ArrowException, ValueError):
        return None
    return rows if content_digest(rows, headline) == digest else None


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _append_line(path: Path, line: bytes) -> None:
    """Append one line in one write, after a line break of its own: a line left cut short
    by a run that stopped while writing it stays a line apart, and is skipped."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as handle:
        handle.write(b"\n" + line)


def _encode(value):
    """JSON-ready, with dates tagged so they come back as dates."""
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value):
    """Inverse of :func:`_encode`.

    >>> _decode(_encode({"as_of": dt.date(2025, 1, 15), "regions": {"Asia": 48}}))
    {'as_of': datetime.date(2025, 1, 15), 'regions': {'Asia': 48}}
    """
    if isinstance(value, dict):
        if set(value) == {"__date__"}:
            return dt.date.fromisoformat(value["__date__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value
