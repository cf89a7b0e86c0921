"""Read one version of the partners list for a comparison, through the contract.

Three kinds of file are accepted, told apart by their content: a snapshot of the page (HTML,
with or without its sidecar; parsed, normalized and validated like a build), a built
``partners.parquet`` (its Arrow types must be the contract's) and a built ``partners.csv``
(the file analysts receive; its text is typed by the contract's column types). Every table is
validated against the partners model before it is compared: a file that breaks it is refused
with one line naming the first problem.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.diff.compare import DiffResult, Version, compare, observed_version
from pipeline.errors import ParseError, SnapshotError, ValidationFailed
from pipeline.reference import Resources
from schemas._common import FORMULA_PREFIX

_ACCEPTED = "pass a snapshot from raw/, a partners.parquet or a partners.csv"
_FROM_A_BUILD = "pass partners.parquet or partners.csv as a build wrote it"


@dataclass
class Loaded:
    """Partner rows of one file and what it says about itself."""

    rows: list[dict]
    version: Version
    # What the rows were built from: the same object for pages whose parse is the same
    # (see load_page's memo), so their rows are equal.
    content: object = None


def compare_paths(old: Path, new: Path, *, strict_counts: bool = True,
                  resources: Resources | None = None) -> DiffResult:
    """Compare two files, each a snapshot, a partners.parquet or a partners.csv
    (``resources``: the run's reference data, shared by both; the default profile's)."""
    resources = resources or Resources.load()
    before = load(Path(old), strict_counts=strict_counts, resources=resources)
    after = load(Path(new), strict_counts=strict_counts, resources=resources)
    return compare(before.rows, after.rows, before.version, after.version)


def load(path: Path, *, strict_counts: bool = True,
         resources: Resources | None = None) -> Loaded:
    """Rows and headline of one file; a PipelineError (one line) when it is unusable."""
    data = _read(path)
    if data[:4] == b"PAR1":
        return _load_parquet(path, data)
    if looks_like_html(data):
        return load_page(path, strict_counts=strict_counts, data=data, resources=resources)
    if path.suffix.lower() == ".csv" or data.lstrip(b"\xef\xbb\xbf").startswith(b"partner_id,"):
        return _load_csv(path, data)
    raise ParseError(f"{path} is neither an HTML page, a Parquet file nor a CSV file", _ACCEPTED)


def _read(path: Path) -> bytes:
    """The file's bytes; a snapshot's are checked against its name and sidecar first."""
    from pipeline.snapshots import read_snapshot

    if not path.exists():
        raise SnapshotError(f"no such file: {path}", _ACCEPTED)
    if not path.is_file():
        raise SnapshotError(f"not a file: {path}", _ACCEPTED)
    return read_snapshot(path)


def load_page(path: Path, *, strict_counts: bool = True, data: bytes | None = None,
              memo: dict | None = None, resources: Resources | None = None) -> Loaded:
    """Parse, normalize and validate an HTML snapshot (its sidecar's hash is checked).

    ``memo``: see :func:`pipeline.build.prepare`; pages read the same share ``content``.
    ``resources``: the run's reference data (pass one for every page of a run).
    """
    from pipeline.build import prepare
    from pipeline.snapshots import read_sidecar, read_snapshot

    if data is None:
        data = read_snapshot(path)
    if not looks_like_html(data):
        raise ParseError(f"{path} is not an HTML page", _ACCEPTED)
    prepared = prepare(path, data, strict_counts=strict_counts, memo=memo, resources=resources)
    report = prepared.report
    if not report.ok:
        first = report.errors[0]
        detail = first.message + (f" [{first.name_raw}]" if first.name_raw else "")
        raise ValidationFailed(
            f"{path} fails validation: {len(report.errors)} problem(s), first: {detail}",
            "run `python -m pipeline build --snapshot` on it for the full list")
    page = prepared.page
    # The rows the partners frame was built from and validated as it is (no coercion); read
    # from the frame, each of a hundred daily snapshots would pay for a conversion.
    rows = [dict(row) for row in prepared.normalized.rows]
    observed = observed_version(rows)
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
    return Loaded(rows, version, content=prepared)


def looks_like_html(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"):  # UTF-16 with BOM
        head = data[:8192].decode("utf-16", errors="ignore").lower().encode()
    return any(tag in head for tag in (b"<html", b"<!doctype html", b"<table", b"<body"))


# --- built tables ----------------------------------------------------------------------------


def _load_parquet(path: Path, data: bytes) -> Loaded:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise ParseError(f"{path} is not a readable Parquet file ({exc})") from None
    _check_arrow_types(path, table.schema)
    return _table(path, data, "parquet", table.to_pylist())


def _check_arrow_types(path: Path, schema) -> None:
    """Refuse a Parquet file whose columns or Arrow types are not the contract's."""
    import pyarrow as pa

    from pipeline.write import ARROW_TYPES

    wanted = _contract_types()
    _check_columns(path, schema.names, wanted)
    for name, kind in wanted.items():
        found = schema.field(name).type
        expected = getattr(pa, ARROW_TYPES[kind])()
        if found != expected and not (kind == "string" and pa.types.is_large_string(found)):
            raise ValidationFailed(
                f"{path}: column {name} holds {found}, the partners contract says {kind}",
                _FROM_A_BUILD)


def _load_csv(path: Path, data: bytes) -> Loaded:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"{path} is not UTF-8 text (byte {exc.start})", _FROM_A_BUILD) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    wanted = _contract_types()
    _check_columns(path, header, wanted)
    return _table(path, data, "csv", list(_typed_rows(path, header, reader, wanted)))


def _typed_rows(path: Path, header: list[str], reader, wanted: dict[str, str]) -> Iterator[dict]:
    """partners.csv's rows with the contract's types: ISO dates, true/false, empty for null."""
    for line, cells in enumerate(reader, start=2):
        if len(cells) != len(header):
            raise ParseError(f"{path} line {line} has {len(cells)} cells, the header "
                             f"{len(header)}", _FROM_A_BUILD)
        yield {name: _typed_cell(path, line, name, text, wanted[name])
               for name, text in zip(header, cells, strict=True)}


def _typed_cell(path: Path, line: int, column: str, text: str, kind: str):
    """One CSV cell as the contract types it (the writer's formula guard undone)."""
    if text == "":
        return None
    if kind == "date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationFailed(f"{path} line {line}: {column} {text[:40]!r} is not an ISO "
                                   "date", _FROM_A_BUILD) from None
    if kind == "boolean":
        if text not in ("true", "false"):
            raise ValidationFailed(f"{path} line {line}: {column} {text[:40]!r} is not true or "
                                   "false", _FROM_A_BUILD)
        return text == "true"
    if text.startswith("'") and FORMULA_PREFIX.match(text[1:]):
        return text[1:]  # pipeline.write.safe_cell's apostrophe: the contract then refuses it
    return text


def _contract_types() -> dict[str, str]:
    from schemas.describe import types
    from schemas.partners import PartnersModel

    return types(PartnersModel)


def _check_columns(path: Path, found: list[str], wanted: dict[str, str]) -> None:
    missing = [c for c in wanted if c not in found]
    extra = [c for c in found if c not in wanted]
    if missing or extra:
        what = "; ".join(part for part in (
            f"no column {', '.join(missing)}" if missing else "",
            f"unknown column {', '.join(extra)}" if extra else "") if part)
        raise ParseError(f"{path} is not a partners table: {what}", _FROM_A_BUILD)


def _table(path: Path, data: bytes, kind: str, rows: list[dict]) -> Loaded:
    """A built table's rows once the partners contract has validated them, and its headline
    (from the metadata.json beside it when that describes exactly this file)."""
    from pipeline.validate import against, table_rows
    from schemas.partners import PartnersModel

    frame, problems = against(PartnersModel, rows)
    if problems:
        first = problems[0]
        where = f" in {first.column}" if first.column else ""
        value = f" ({first.value[:60]!r})" if first.value else ""
        raise ValidationFailed(f"{path} breaks the partners contract: {len(problems)} "
                               f"problem(s), first: {first.check}{where}{value}", _FROM_A_BUILD)
    rows = table_rows(frame)
    observed = observed_version(rows)
    sha = hashlib.sha256(data).hexdigest()
    stated = _build_metadata(path, sha)
    counts = stated.get("stated") or {}
    version = Version(
        source=str(path), kind=kind, sha256=sha,
        as_of=_date(stated.get("as_of")) or observed.as_of,
        institutions=counts.get("institutions") or observed.institutions,
        countries=counts.get("countries") or observed.countries,
        regions=counts.get("regions") or observed.regions,
        legend=stated.get("legend") or {})
    return Loaded(rows, version)


def _build_metadata(path: Path, sha: str) -> dict:
    """metadata.json next to a built table, when it describes exactly this file."""
    try:
        from pipeline.snapshots import load_json  # bounded in size and depth

        document = load_json(path.parent / "metadata.json")
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
