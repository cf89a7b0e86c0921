"""Write the built tables: Parquet (real types), CSV (ISO dates, empty for null, safe for
spreadsheets), JSON metadata, and publish them in out/ as one unit (:func:`commit_files`).

Layout of an output directory (readers open the stable names and never see a mix)::

    out/partners.csv      -> .current/partners.csv     stable symlink, one per published file
    out/.current          -> .builds/000042             switched by one rename(2)
    out/.builds/000042/   the files of one generation, never changed once published
    out/.builds/000041/   the previous generation, kept for readers still inside it
    out/.lock             serialises commits (and builds)
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import hashlib
import io
import json
import os
import secrets
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from pipeline.errors import OutputError, elide
from schemas._common import FORMULA_PREFIX

# Arrow type of each contract type (schemas.describe.column_type reads it from the models).
ARROW_TYPES = {"string": "string", "date": "date32", "boolean": "bool_", "integer": "int64"}

CURRENT = ".current"  # symlink to the published generation
BUILDS = ".builds"  # every generation's directory
LOCK = ".lock"
_STAGING = ".tmp-"  # prefix of a generation being written, or of a link about to be renamed


def _checkpoint(step: str) -> None:
    """Called between the steps of a commit; tests replace it to kill the process there."""


def atomic_write(path: Path, data: bytes) -> None:
    """Replace the single file ``path`` with ``data`` in one rename (mode from the umask)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}{_STAGING}{secrets.token_hex(6)}")
    try:
        _write_new(tmp, data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def commit_files(out_dir: Path, files: Mapping[str, bytes], *,
                 remove: Iterable[str] = ()) -> Path:
    """Publish a new generation of ``out_dir`` holding ``files``; return its directory.

    The new generation is the current one's files, with ``files`` (name -> bytes, plain
    names without "/") added or replaced and the names in ``remove`` left out. Files of
    the current generation that are in neither are carried over unchanged (hard links), so
    a build keeps history.csv and a history run keeps the build: every command that writes
    into out/ calls this once with everything it writes, e.g.::

        commit_files(out, {"partners.csv": ..., "metadata.json": ...},
                     remove=["validation_errors.csv"])

    The generation is written in full into ``.builds/.tmp-*`` and flushed, renamed to
    ``.builds/<n>``, and published by renaming a new ``.current`` symlink over the old one:
    that single rename(2) is the switch. Only then are stable links ``out/<name> ->
    .current/<name>`` added for new names and links of names no longer present removed.
    Killed at any point, out/ shows either the previous generation or the new one, whole.
    The next commit removes what an interrupted one left (``.tmp-*``) and prunes all but the
    current and previous generations. Files are created with mode 0666 minus the umask.

    Commits are serialised by the lock ``out_dir/.lock`` (re-entrant: a build already
    holding it may commit). An out/ of plain files (the layout before generations) is
    first converted to links to an identical generation, so it never shows a mix either.
    Any OSError (full disk, read-only file system, permissions, out/ being a file) becomes
    one :class:`OutputError` and leaves out/ as it was.
    """
    from pipeline.lock import refresh_lock

    out_dir = Path(out_dir)
    for name in [*files, *remove]:
        if not name or "/" in name or name.startswith("."):
            raise ValueError(f"not a plain output file name: {name!r}")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with refresh_lock(out_dir / LOCK):
            _remove_leftovers(out_dir)
            _adopt_copied_generation(out_dir)
            _convert_plain_files(out_dir)
            return _commit(out_dir, dict(files), set(remove))
    except OSError as exc:
        raise output_error(out_dir, exc) from None


def output_error(out_dir: Path, exc: OSError) -> OutputError:
    """One line for an OSError while writing ``out_dir``: what failed and what to do."""
    hints = {
        errno.ENOSPC: "free some disk space and run again; out/ keeps the last good build",
        errno.EDQUOT: "free some disk space and run again; out/ keeps the last good build",
        errno.EROFS: "the file system is read-only; pass --out DIR on a writable disk",
        errno.EACCES: "check the permissions of the directory or pass --out DIR",
        errno.EPERM: "check the permissions of the directory or pass --out DIR",
        errno.ENOTDIR: "--out must name a directory, not a file",
        errno.EEXIST: "--out must name a directory, not a file",
    }
    where = exc.filename2 or exc.filename or out_dir  # rename, symlink: the second is ours
    reason = exc.strerror or type(exc).__name__
    hint = hints.get(exc.errno, "check the output directory; out/ keeps the last good build")
    return OutputError(f"cannot write {elide(str(where), 120)}: {reason}", hint)


def current_dir(out_dir: Path) -> Path:
    """The directory of the published generation (``out_dir`` itself for plain files).

    Read every file of one build from here to be sure they belong together even while a
    commit switches generations.
    """
    link = Path(out_dir) / CURRENT
    return Path(os.path.realpath(link)) if link.is_symlink() else Path(out_dir)


def _commit(out_dir: Path, files: dict[str, bytes], remove: set[str]) -> Path:
    builds = out_dir / BUILDS
    builds.mkdir(exist_ok=True)
    previous = current_dir(out_dir) if (out_dir / CURRENT).is_symlink() else None
    staging = builds / f"{_STAGING}{secrets.token_hex(6)}"
    staging.mkdir()
    try:
        for name, data in files.items():
            _write_new(staging / name, data)
            _checkpoint(f"wrote {name}")
        if previous is not None:
            for entry in sorted(os.listdir(previous)):
                if entry not in files and entry not in remove:
                    _carry(previous / entry, staging / entry)
                    _checkpoint(f"carried {entry}")
        _fsync_dir(staging)
        generation = builds / _next_generation(builds)
        os.rename(staging, generation)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _fsync_dir(builds)
    _checkpoint("generation ready")
    names = set(os.listdir(generation))
    try:
        _add_stable_links(out_dir, names)  # dangling until the switch, like an absent file
        _replace_link(out_dir / CURRENT, f"{BUILDS}/{generation.name}")
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)  # never published
        raise
    _checkpoint("switched")
    _drop_stable_links(out_dir, names)
    _checkpoint("links updated")
    _prune(builds, keep={generation.name, previous.name if previous else ""})
    _checkpoint("pruned")
    return generation


def _adopt_copied_generation(out_dir: Path) -> None:
    """Put back the link of an out/ copied without its links (``cp -r``, ``copytree``).

    Such a copy holds ``.current`` as a real directory and the stable links still point into
    it. A directory cannot be replaced by a link in one rename, so it is first moved into
    ``.builds/`` as a generation of its own and ``.current`` then made a link to it; between
    the two renames the stable links dangle (an absent file, never a mixed build).
    """
    current = out_dir / CURRENT
    if not current.is_dir() or current.is_symlink():
        return
    if not any(entry.is_file() for entry in current.iterdir()):
        shutil.rmtree(current)
        return
    builds = out_dir / BUILDS
    builds.mkdir(exist_ok=True)
    generation = builds / _next_generation(builds)
    os.rename(current, generation)
    _replace_link(current, f"{BUILDS}/{generation.name}")
    _checkpoint("adopted a copied generation")


def _convert_plain_files(out_dir: Path) -> None:
    """Turn an out/ of plain files into a generation of the same files behind links.

    Every plain file is first hard-linked into a generation with identical content, which is
    published, then replaced by its link one at a time: each step shows the same build.
    """
    plain = [name for name in sorted(os.listdir(out_dir))
             if not name.startswith(".") and (out_dir / name).is_file()
             and not (out_dir / name).is_symlink()]
    if not plain:
        return
    current = out_dir / CURRENT
    if current.is_dir() and not current.is_symlink():
        shutil.rmtree(current)  # a copy of an out/ that followed the links; the files decide
    builds = out_dir / BUILDS
    builds.mkdir(exist_ok=True)
    staging = builds / f"{_STAGING}{secrets.token_hex(6)}"
    staging.mkdir()
    try:
        previous = current_dir(out_dir) if (out_dir / CURRENT).is_symlink() else None
        if previous is not None:  # a link and a plain file side by side: keep both
            for entry in os.listdir(previous):
                if entry not in plain:
                    _carry(previous / entry, staging / entry)
        for name in plain:
            _carry(out_dir / name, staging / name)
            _checkpoint(f"carried {name}")
        _fsync_dir(staging)
        generation = builds / _next_generation(builds)
        os.rename(staging, generation)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _replace_link(out_dir / CURRENT, f"{BUILDS}/{generation.name}")
    _add_stable_links(out_dir, set(os.listdir(generation)))
    _checkpoint("converted")


def _add_stable_links(out_dir: Path, names: set[str]) -> None:
    """``out/<name> -> .current/<name>`` for every name (a plain file is replaced by one)."""
    for name in sorted(names):
        link = out_dir / name
        wanted = f"{CURRENT}/{name}"
        if not (link.is_symlink() and os.readlink(link) == wanted):
            _replace_link(link, wanted)


def _drop_stable_links(out_dir: Path, names: set[str]) -> None:
    """Remove the links of names the published generation no longer has."""
    for entry in sorted(os.listdir(out_dir)):
        link = out_dir / entry
        if (entry not in names and link.is_symlink()
                and os.readlink(link) == f"{CURRENT}/{entry}"):
            link.unlink()
            _checkpoint(f"unlinked {entry}")
    _fsync_dir(out_dir)


def _replace_link(link: Path, target: str) -> None:
    """Point ``link`` at ``target`` with one rename, so it is never missing."""
    tmp = link.with_name(f"{_STAGING}{secrets.token_hex(6)}")
    os.symlink(target, tmp)
    _checkpoint(f"staged link {link.name}")
    try:
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(link.parent)


def _remove_leftovers(out_dir: Path) -> None:
    """Delete what an interrupted commit left: staging generations and unrenamed links."""
    for directory in (out_dir, out_dir / BUILDS):
        if not directory.is_dir():
            continue
        for entry in os.listdir(directory):
            if entry.startswith(_STAGING) or (entry.startswith(".") and (
                    _STAGING in entry or entry.endswith(".tmp"))):
                path = directory / entry
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)


def _prune(builds: Path, keep: set[str]) -> None:
    for entry in os.listdir(builds):
        if entry not in keep:
            shutil.rmtree(builds / entry, ignore_errors=True)


def _next_generation(builds: Path) -> str:
    numbers = [int(entry) for entry in os.listdir(builds) if entry.isdigit()]
    return f"{max(numbers, default=0) + 1:06d}"


def _carry(source: Path, target: Path) -> None:
    """Bring an unchanged file into a new generation: a hard link, or a copy where none."""
    try:
        os.link(source, target, follow_symlinks=True)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        _write_new(target, source.read_bytes())


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (mode 0666 minus the umask) holding ``data``, flushed to disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def safe_cell(value) -> str:
    """A CSV cell: ISO dates, lowercase booleans, empty for null, formulas neutralized.

    A text starting with = + - @ tab or CR would be run by a spreadsheet (OWASP CSV
    injection); it is prefixed with an apostrophe, which spreadsheets show as text.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> safe_cell(None), safe_cell(True), safe_cell(dt.date(2029, 2, 20))
    ('', 'true', '2029-02-20')
    """
    if type(value) is str:  # most cells: no conversion
        return "'" + value if _formula(value) else value
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if _formula(text) else text


_formula = FORMULA_PREFIX.match


def csv_bytes(columns: Sequence[str], rows: Iterable[Mapping]) -> bytes:
    """UTF-8 CSV (no BOM, CRLF line ends as RFC 4180) of ``rows`` in the order of ``columns``."""
    rows = rows if isinstance(rows, Sequence) else list(rows)
    if not columns:  # rows without cells: one empty line each
        return b"\r\n" * (len(rows) + 1)
    return columns_csv_bytes({c: [row.get(c) for row in rows] for c in columns})


def columns_csv_bytes(columns: Mapping[str, Sequence]) -> bytes:
    """:func:`csv_bytes` of a table given column by column (name -> values, equal lengths)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180; CR inside a cell gets quoted
    writer.writerow(list(columns))
    cells = [_csv_cells(values) for values in columns.values()]
    writer.writerows(zip(*cells, strict=True))
    return buffer.getvalue().encode("utf-8")


def _csv_cells(values: Sequence) -> list[str]:
    """:func:`safe_cell` of every value; text and dates (most cells) without a call each."""
    cell, formula, date = safe_cell, _formula, dt.date
    return [(("'" + v) if formula(v) else v) if type(v) is str
            else v.isoformat() if type(v) is date else cell(v) for v in values]


def parquet_bytes(
    columns: Sequence[str], rows: Sequence[Mapping], types: Mapping[str, str]
) -> bytes:
    """Parquet with an explicit Arrow schema (date32, bool, string), not pandas' inference."""
    rows = rows if isinstance(rows, Sequence) else list(rows)
    return columns_parquet_bytes({c: [row.get(c) for row in rows] for c in columns}, types)


def columns_parquet_bytes(columns: Mapping[str, Sequence], types: Mapping[str, str]) -> bytes:
    """:func:`parquet_bytes` of a table given column by column (name -> values)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, getattr(pa, ARROW_TYPES[types[c]])()) for c in columns])
    table = pa.Table.from_pydict(dict(columns), schema=schema)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def json_bytes(document) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
