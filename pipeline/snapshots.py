"""The raw/ store: append-only, content-addressed snapshots of the published page.

Each snapshot is ``raw/<YYYYmmddTHHMMSSZ>_<first 12 hex of sha256>.html`` (the body exactly
as received) plus a sidecar ``raw/<same stem>.json`` (see docs/CONTRACTS.md). Files are never
rewritten or deleted.

Writing is crash- and race-safe without a lock:

* both files are written to a temporary name in the same directory, flushed to disk, then
  published with ``os.link`` (or ``O_EXCL`` where hard links are unsupported), which fails
  instead of replacing an existing file;
* the sidecar is published *before* the html. Readers only look at ``.html`` files that have a
  sidecar, so they never see an html without its sidecar nor a half-written file.

Two refreshes should still hold :func:`pipeline.lock.refresh_lock` so that "same as the
newest snapshot?" and the write happen as one step.

Snapshots are ordered by when they were stored, not by the time in their name (a skewed clock
can put that in the future): each store gets the next ``sequence`` number, written in its
sidecar and appended as one line ``<sequence>\t<html name>\t<sha256>`` to ``raw/index.tsv``,
the only file in raw/ that grows (by appending). Finding "the most recently stored" snapshot
reads the index's last line, so storing stays linear however many snapshots raw/ holds.
Snapshots without a sequence (stored before the index existed, or copied in by hand) are
placed among the others by the time in their name.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.errors import SnapshotError, elide

NAME_RE = re.compile(r"^(?P<stamp>\d{8}T\d{6}Z)_(?P<sha12>[0-9a-f]{12})\.html$")
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
FETCHED_AT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# The sidecar fields of docs/CONTRACTS.md, in the order they are written.
SIDECAR_FIELDS = (
    "requested_url",
    "final_url",
    "fetched_at",
    "http_status",
    "etag",
    "last_modified",
    "content_type",
    "charset",
    "sha256",
    "size",
    "obtained",
    "note",
    "sequence",
)
OBTAINED_VALUES = ("fetched", "reconstructed")
INDEX_NAME = "index.tsv"  # append-only: one line per stored snapshot, in the order stored
MAX_SIDECAR_BYTES = 1024 * 1024  # a sidecar is a few hundred bytes of fields

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Snapshot:
    """One stored page: ``path`` is the .html file, ``sidecar`` its parsed .json."""

    path: Path
    sidecar: dict[str, Any] = field(compare=False, repr=False)
    sha256: str
    taken_at: datetime  # UTC, from the file name
    obtained: str  # "fetched" | "reconstructed"
    sequence: int | None = field(default=None, compare=False)  # order stored; None: unknown

    @property
    def sidecar_path(self) -> Path:
        return self.path.with_suffix(".json")


def snapshot_name(taken_at: datetime, sha256: str) -> str:
    """File name of the html for a body with this hash taken at this time (UTC)."""
    return f"{_utc(taken_at).strftime(STAMP_FORMAT)}_{sha256[:12]}.html"


def list_snapshots(raw_dir: Path | str) -> list[Snapshot]:
    """Every snapshot in ``raw_dir``, in the order they were stored (oldest first).

    Only ``<stamp>_<sha12>.html`` files with a sidecar count; anything else (temporary files,
    the lock file, a stray download, a sidecar whose html is not there) is ignored. A sidecar
    that cannot be read or contradicts its file name raises :class:`SnapshotError`.
    """
    return [_load_snapshot(path, match) for path, match in _candidates(raw_dir)]


def newest_snapshot(raw_dir: Path | str) -> Snapshot | None:
    """The most recently stored snapshot in ``raw_dir``, or None when there is none.

    Only the newest sidecar is read, so this stays cheap however many snapshots raw/ holds.
    """
    candidates = _candidates(raw_dir)
    return _load_snapshot(*candidates[-1]) if candidates else None


def _candidates(raw_dir: Path | str) -> list[tuple[Path, re.Match[str]]]:
    """Snapshot files that have a sidecar, in the order stored.

    Snapshots in the index come in index order; the others are merged in by the time in
    their name (which is the order stored as long as the clock was right).
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        return []
    with os.scandir(raw_dir) as entries:  # file types come with the listing: no stat each
        files = {entry.name: entry for entry in entries}
    order = _read_index(raw_dir)
    indexed, loose = [], []
    for name, entry in files.items():
        match = NAME_RE.match(name)
        if match and name[: -len(".html")] + ".json" in files and entry.is_file():
            item = (raw_dir / name, match)
            if name in order:
                indexed.append((order[name], match["stamp"], name, item))
            else:
                loose.append((match["stamp"], name, item))
    indexed.sort(key=lambda entry: entry[:3])
    loose.sort(key=lambda entry: entry[:2])
    merged = heapq.merge(((stamp, item) for stamp, _, item in loose),
                         ((stamp, item) for _, stamp, _, item in indexed),
                         key=lambda entry: entry[0])
    return [item for _, item in merged]


def _read_index(raw_dir: Path) -> dict[str, int]:
    """html name -> sequence from raw/index.tsv ({} when there is none); bad lines skipped."""
    try:
        text = (raw_dir / INDEX_NAME).read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SnapshotError(f"cannot read {raw_dir / INDEX_NAME}: {exc.strerror or exc}",
                            "check the permissions of raw/") from None
    order = {}
    for line in text.splitlines():
        entry = _index_entry(line)
        if entry is not None:
            order.setdefault(entry[1], entry[0])
    return order


def _index_entry(line: str) -> tuple[int, str, str] | None:
    parts = line.split("\t")
    if len(parts) != 3 or not parts[0].isdigit() or not NAME_RE.match(parts[1]):
        return None
    return int(parts[0]), parts[1], parts[2]


def _last_stored(raw_dir: Path) -> tuple[int, str, str] | None:
    """(sequence, html name, sha256) of the index's last entry, reading only its tail."""
    try:
        with open(raw_dir / INDEX_NAME, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 4096))
            tail = handle.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return None
    for line in reversed(tail.splitlines()):
        entry = _index_entry(line)
        if entry is not None:
            return entry
    return None


def _load_snapshot(path: Path, match: re.Match[str]) -> Snapshot:
    sidecar_path = path.with_suffix(".json")
    sidecar = _load_sidecar(sidecar_path)
    sha = sidecar.get("sha256")
    if not isinstance(sha, str) or not _SHA256_RE.match(sha):
        raise SnapshotError(
            f"{sidecar_path} has no valid sha256",
            "the sidecar is damaged; restore raw/ from version control",
        )
    if sha[:12] != match["sha12"]:
        raise SnapshotError(
            f"{sidecar_path} records sha256 {sha[:12]}…, but the file name says "
            f"{match['sha12']}",
            "the sidecar is damaged; restore raw/ from version control",
        )
    sequence = sidecar.get("sequence")
    return Snapshot(
        path=path,
        sidecar=sidecar,
        sha256=sha,
        taken_at=_parse_stamp(match["stamp"]),
        obtained=str(sidecar.get("obtained") or "fetched"),
        sequence=sequence if isinstance(sequence, int) else None,
    )


def read_sidecar(path: Path | str) -> dict[str, Any] | None:
    """The sidecar of the html file at ``path``, or None when it has none.

    Next to a file whose name is not a snapshot name, a .json that does not look like a
    sidecar (an object with a "sha256") is not one and gives None.
    """
    path = Path(path)
    sidecar_path = path.with_suffix(".json")
    if not sidecar_path.is_file():
        return None
    if NAME_RE.match(path.name):
        return _load_sidecar(sidecar_path)
    try:
        data = load_json(sidecar_path, max_bytes=MAX_SIDECAR_BYTES)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "sha256" in data else None


def read_snapshot(path: Path | str) -> bytes:
    """The bytes of a snapshot, after checking them against its name and sidecar.

    The sha256 must start with the 12 hex digits in the file name (when the name is a snapshot
    name) and equal the sidecar's sha256 and size (when there is a sidecar). Any HTML file
    without either, e.g. a page saved by hand, is read as it is.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SnapshotError(f"no such snapshot: {path}", "check the path") from None
    except OSError as exc:
        raise SnapshotError(f"cannot read {path}: {exc.strerror or exc}") from exc
    sha = hashlib.sha256(data).hexdigest()
    hint = "the file was changed after it was stored; restore it from version control"
    match = NAME_RE.match(path.name)
    if match and sha[:12] != match["sha12"]:
        raise SnapshotError(
            f"{path} is damaged: its sha256 starts {sha[:12]}, the file name says {match['sha12']}",
            hint,
        )
    sidecar = read_sidecar(path)
    if sidecar is not None:
        if sidecar.get("sha256") != sha:
            raise SnapshotError(
                f"{path} is damaged: its sha256 is {sha[:16]}…, the sidecar records "
                f"{str(sidecar.get('sha256'))[:16]}…",
                hint,
            )
        size = sidecar.get("size")
        if isinstance(size, int) and size != len(data):
            raise SnapshotError(
                f"{path} is damaged: it has {len(data):,} bytes, the sidecar records {size:,}",
                hint,
            )
    return data


# Long (about 100 lines, half of them docstring) on purpose: the order of its steps (compare
# with the newest, publish the html, then the sidecar, then the index line) is the guarantee
# that readers never see a half-stored snapshot, and it reads best in one place.
def store_snapshot(
    raw_dir: Path | str,
    body: bytes,
    meta: Mapping[str, Any],
    now: datetime | None = None,
) -> tuple[Snapshot, bool]:
    """Store ``body`` in ``raw_dir`` unless it equals the most recently stored snapshot.

    ``meta`` holds the sidecar fields the caller knows (requested_url, final_url, http_status,
    etag, last_modified, content_type, charset, obtained, note); missing ones are null and
    ``obtained`` defaults to "fetched". sha256, size and fetched_at are computed; fetched_at is
    ``now`` (default: the current time), or meta["fetched_at"] when ``now`` is not given.

    Returns ``(snapshot, True)`` when a new snapshot was written (with the next ``sequence``,
    appended to raw/index.tsv) and ``(newest, False)`` when the body's sha256 equals the most
    recently stored snapshot's (nothing is written). An existing file is
    never replaced: a name already taken by different content raises :class:`SnapshotError`.
    """
    raw_dir = Path(raw_dir)
    body = bytes(body)
    sha = hashlib.sha256(body).hexdigest()
    sidecar = _build_sidecar(meta, sha, len(body))

    if now is not None:
        taken_at = _utc(now).replace(microsecond=0)
        if sidecar["fetched_at"] is not None and sidecar["fetched_at"] != _fmt(taken_at):
            raise ValueError(
                f"meta fetched_at {sidecar['fetched_at']} differs from now={_fmt(taken_at)}"
            )
    elif sidecar["fetched_at"] is not None:
        taken_at = _parse_fetched_at(sidecar["fetched_at"])
    else:
        taken_at = datetime.now(UTC).replace(microsecond=0)

    raw_dir.mkdir(parents=True, exist_ok=True)
    last = _last_stored(raw_dir)
    if last is not None:
        sequence, last_name, last_sha = last
        if last_sha == sha and (raw_dir / last_name).is_file():
            newest = _load_snapshot(raw_dir / last_name, NAME_RE.match(last_name))
            if newest.sha256 == sha:
                return newest, False
    else:  # no index yet: compare with the newest by name, once
        newest = newest_snapshot(raw_dir)
        if newest is not None and newest.sha256 == sha:
            return newest, False
        sequence = max((s.sequence or 0 for s in [newest] if s is not None), default=0)
    sidecar["sequence"] = sequence + 1
    sidecar["fetched_at"] = _fmt(taken_at)

    html_path = raw_dir / snapshot_name(taken_at, sha)
    json_path = html_path.with_suffix(".json")
    sidecar_bytes = (json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    wrote_sidecar = _publish(json_path, sidecar_bytes)
    if not wrote_sidecar:
        # The name is taken: by a concurrent store of the same body in the same second, or by
        # a sidecar whose html was never written. Only the same content may complete it.
        existing = _load_sidecar(json_path)
        if existing.get("sha256") != sha:
            raise SnapshotError(
                f"{json_path} already exists for different content",
                "raw/ files are never overwritten; check raw/ by hand",
            )
        sidecar = existing
    try:
        wrote_html = _publish(html_path, body)
    except BaseException:
        if wrote_sidecar:
            with contextlib.suppress(OSError):
                json_path.unlink()
        raise
    if not wrote_html:
        try:
            same = hashlib.sha256(html_path.read_bytes()).hexdigest() == sha
        except OSError:
            same = False
        if not same:
            if wrote_sidecar:
                with contextlib.suppress(OSError):
                    json_path.unlink()
            raise SnapshotError(
                f"{html_path} already exists with different content",
                "raw/ files are never overwritten; check raw/ by hand",
            )
        sidecar = _load_sidecar(json_path)
    if wrote_html:
        _append_index(raw_dir, f"{sidecar['sequence']}\t{html_path.name}\t{sha}\n")
    _fsync_dir(raw_dir)
    stored_as = sidecar.get("sequence")
    snapshot = Snapshot(
        path=html_path,
        sidecar=sidecar,
        sha256=sha,
        taken_at=taken_at,
        obtained=str(sidecar.get("obtained") or "fetched"),
        sequence=stored_as if isinstance(stored_as, int) else None,
    )
    return snapshot, wrote_html


def _append_index(raw_dir: Path, line: str) -> None:
    """Append one line to raw/index.tsv in a single write (O_APPEND), flushed to disk."""
    fd = os.open(raw_dir / INDEX_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        _write_all(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


# --- helpers ------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("snapshot times must be timezone-aware (UTC)")
    return moment.astimezone(UTC)


def _fmt(moment: datetime) -> str:
    return moment.strftime(FETCHED_AT_FORMAT)


def _parse_stamp(stamp: str) -> datetime:
    """The UTC time of a file name's stamp (already checked by NAME_RE), without strptime,
    which costs more than reading the sidecar when raw/ holds thousands of snapshots.

    >>> _parse_stamp("20240401T063005Z")
    datetime.datetime(2024, 4, 1, 6, 30, 5, tzinfo=datetime.timezone.utc)
    """
    return datetime(int(stamp[0:4]), int(stamp[4:6]), int(stamp[6:8]), int(stamp[9:11]),
                    int(stamp[11:13]), int(stamp[13:15]), tzinfo=UTC)


def _parse_fetched_at(text: str) -> datetime:
    try:
        return datetime.strptime(text, FETCHED_AT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"fetched_at must look like 2024-04-01T00:00:00Z, not {text!r}") from None


def _build_sidecar(meta: Mapping[str, Any], sha: str, size: int) -> dict[str, Any]:
    unknown = sorted(set(meta) - set(SIDECAR_FIELDS))
    if unknown:
        raise ValueError(f"unknown sidecar fields: {', '.join(unknown)}")
    sidecar = {name: meta.get(name) for name in SIDECAR_FIELDS}
    if sidecar["sha256"] not in (None, sha):
        raise ValueError("meta sha256 does not match the body")
    if sidecar["size"] not in (None, size):
        raise ValueError("meta size does not match the body")
    sidecar["sha256"] = sha
    sidecar["size"] = size
    sidecar["obtained"] = sidecar["obtained"] or "fetched"
    if sidecar["obtained"] not in OBTAINED_VALUES:
        raise ValueError(f"obtained must be one of {OBTAINED_VALUES}, not {sidecar['obtained']!r}")
    return sidecar


MAX_JSON_BYTES = 64 * 1024 * 1024  # metadata.json of a very large page stays far below


def load_json(path: Path | str, *, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """The JSON document in ``path``, refusing files over ``max_bytes`` or nested too deeply.

    Raises ValueError with a short reason (never RecursionError) and OSError when the file
    cannot be read.
    """
    with open(path, "rb") as handle:
        # Ask for what the file holds (one byte more shows growth past the limit): reading
        # max_bytes + 1 would allocate that much for every few-hundred-byte sidecar.
        size = os.fstat(handle.fileno()).st_size
        data = handle.read(min(size, max_bytes) + 1)
        if len(data) > size:  # it grew, or its size is unknown (a pipe): read on to the limit
            data += handle.read(max(0, max_bytes + 1 - len(data)))
    if len(data) > max_bytes:
        raise ValueError(f"larger than {max_bytes:,} bytes")
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("not valid JSON (nested too deeply)") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise ValueError(f"not valid JSON ({elide(str(exc), 100)})") from None


def _load_sidecar(sidecar_path: Path) -> dict[str, Any]:
    try:
        data = load_json(sidecar_path, max_bytes=MAX_SIDECAR_BYTES)
    except OSError as exc:
        raise SnapshotError(f"cannot read {sidecar_path}: {exc.strerror or exc}",
                            "check the permissions of raw/") from None
    except ValueError as exc:
        raise SnapshotError(
            f"damaged sidecar {sidecar_path.name} in {sidecar_path.parent}: {exc}",
            "restore raw/ from version control or move the snapshot and its sidecar out",
        ) from None
    if not isinstance(data, dict):
        raise SnapshotError(f"damaged sidecar {sidecar_path.name} in {sidecar_path.parent}: "
                            "not a JSON object",
                            "restore raw/ from version control or move the snapshot and its "
                            "sidecar out")
    return data


def _publish(target: Path, data: bytes) -> bool:
    """Create ``target`` holding ``data`` without ever replacing an existing file.

    Returns False when ``target`` already exists (it is left untouched). The content is
    written to a temporary file and flushed first, so ``target`` appears complete or not at
    all; where hard links are not supported it is created with O_EXCL and written in place.
    """
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
    try:
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        except OSError:
            # No hard links here (some network or FUSE file systems): exclusive create.
            return _create_exclusive(target, data)
        return True
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _create_exclusive(target: Path, data: bytes) -> bool:
    try:
        fd = os.open(
            target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644
        )
    except FileExistsError:
        return False
    try:
        _write_all(fd, data)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            target.unlink()
        raise
    os.close(fd)
    return True


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.fsync(fd)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform (e.g. Windows); the files are synced
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
