"""The build stage glue: snapshot → parse → normalize → validate → write.

Kept free of heavy imports at module level so that an up-to-date check (nothing changed since
the last build) costs only hashing a few files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__, config
from pipeline.errors import SnapshotError, ValidationFailed

OUTPUT_FILES = (config.PARTNERS_PARQUET, config.PARTNERS_CSV, config.CORRECTIONS_CSV,
                config.SUGGESTIONS_CSV, config.DATAPACKAGE_JSON)
CORRECTION_COLUMNS = ("partner_id", "field", "before", "after", "fixer", "confidence")
SUGGESTION_COLUMNS = ("partner_id", "field", "name_raw", "token", "candidates", "reason")
ERROR_COLUMNS = ("check", "column", "name_raw", "value")


@dataclass
class BuildResult:
    snapshot: Path
    out_dir: Path
    up_to_date: bool = False
    rows: int = 0
    countries: int = 0
    corrections: int = 0
    suggestions: int = 0
    warnings: list = field(default_factory=list)


def resolve_snapshot(snapshot: Path | None, raw_dir: Path) -> Path:
    """The file to build from: the one given, else the newest snapshot in raw/."""
    if snapshot is not None:
        if not snapshot.is_file():
            raise SnapshotError(f"snapshot not found: {snapshot}", "pass an existing HTML file")
        return snapshot
    from pipeline.snapshots import newest_snapshot

    newest = newest_snapshot(raw_dir)
    if newest is None:
        raise SnapshotError(f"no snapshot in {raw_dir}",
                            "run `make refresh` with network access, or pass --snapshot FILE")
    return newest.path


def code_fingerprint() -> str:
    """Hash of the code, schemas and reference data: a change to any of them forces a rebuild."""
    digest = hashlib.sha256(__version__.encode())
    roots = [config.PACKAGE_DIR, config.PROJECT_ROOT / "schemas"]
    for path in sorted(p for root in roots for p in root.rglob("*") if p.is_file()):
        if path.suffix in {".py", ".csv", ".txt", ".json", ".j2"}:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def input_hash(snapshot_bytes: bytes, options: dict) -> str:
    digest = hashlib.sha256(hashlib.sha256(snapshot_bytes).digest())
    digest.update(code_fingerprint().encode())
    digest.update(json.dumps(options, sort_keys=True).encode())
    return digest.hexdigest()


def is_current(out_dir: Path, wanted_hash: str) -> bool:
    """True when out/ was built from these inputs and its files are intact."""
    try:
        metadata = json.loads((out_dir / config.METADATA_JSON).read_text(encoding="utf-8"))
        if metadata.get("input_hash") != wanted_hash:
            return False
        return all(
            hashlib.sha256((out_dir / name).read_bytes()).hexdigest() == sha
            for name, sha in metadata["files"].items()
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def build(snapshot: Path | None = None, *, raw_dir: Path = config.RAW_DIR,
          out_dir: Path = config.OUT_DIR, force: bool = False,
          strict_counts: bool = True, on: dt.date | None = None, within: int | None = None,
          remind: int | None = None) -> BuildResult:
    """Build out/ from a snapshot; a no-op when inputs, code and out/ are unchanged.

    ``on``, ``within``, ``remind``: the analyst outputs' reference date (default today),
    window and reminder, in months (see pipeline/analyst.py)."""
    from pipeline import analyst
    from pipeline.snapshots import read_snapshot, refresh_lock

    path = resolve_snapshot(snapshot, raw_dir)
    data = read_snapshot(path)
    wanted = input_hash(data, {"strict_counts": strict_counts,
                               **analyst.hash_options(on, within, remind)})
    if not force and is_current(out_dir, wanted):
        return BuildResult(path, out_dir, up_to_date=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    with refresh_lock(out_dir / ".lock"):
        return _build(path, data, out_dir, wanted, strict_counts,
                      analyst.options(on, within, remind))


@dataclass
class Prepared:
    """A snapshot taken through parse, normalize and validate, before anything is written."""

    page: object  # parse.ParsedPage
    normalized: object  # normalize.NormalizedPage
    frame: object  # pandas.DataFrame in the partners contract
    report: object  # validate.ValidationReport


def prepare(path: Path, data: bytes, *, strict_counts: bool = True,
            memo: dict | None = None) -> Prepared:
    """Parse, normalize and validate one snapshot's bytes (reads only its sidecar).

    ``memo`` (a dict the caller keeps) remembers results by what the parser read from the
    page: a page whose parse equals an earlier one's (snapshots that differ only in markup,
    scripts, comments or asset URLs) gets that earlier result, the same object, without
    being normalized and validated again. Normalizing and validating depend on nothing else
    (the snapshot's date only when the page states no "As of" date).
    """
    with no_cycle_collection():
        return _prepare(path, data, strict_counts, memo)


def _prepare(path: Path, data: bytes, strict_counts: bool, memo: dict | None) -> Prepared:
    from pipeline.parse import parse_page
    from pipeline.snapshots import read_sidecar

    sidecar = read_sidecar(path) or {}
    page = parse_page(data, declared_charset=sidecar.get("charset"))
    fallback = _taken_on(sidecar)
    if memo is not None:
        key = (page.records, page.stated_institutions, page.stated_countries, page.as_of,
               tuple(page.legend.items()), tuple(page.region_counts.items()), page.encoding,
               None if page.as_of else fallback, strict_counts)
        known = memo.get(key)
        if known is None:
            known = memo[key] = prepare_parsed(page, fallback, strict_counts=strict_counts)
        return known
    return prepare_parsed(page, fallback, strict_counts=strict_counts)


def prepare_parsed(page, fallback_date: dt.date | None, *, strict_counts: bool = True):
    """Normalize and validate a parsed page (``fallback_date``: the snapshot's date)."""
    from pipeline.normalize import normalize_page
    from pipeline.validate import validate_page

    normalized = normalize_page(page, fallback_date=fallback_date)
    frame, report = validate_page(page, normalized, strict_counts=strict_counts)
    return Prepared(page, normalized, frame, report)


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector for a build.

    A build allocates in proportion to the page (cells, rows, frames) and frees almost none
    of it until it ends, and importing pandas and pandera allocates a million objects more:
    every collection in between would rescan all of them and find nothing, which makes a big
    page superlinear. Reference counting still frees everything that is not a cycle; cycles
    are collected once the collector runs again.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _build(path: Path, data: bytes, out_dir: Path, wanted_hash: str, strict_counts: bool,
           analyst_options=None):
    with no_cycle_collection():
        return _build_files(path, data, out_dir, wanted_hash, strict_counts, analyst_options)


def _build_files(path: Path, data: bytes, out_dir: Path, wanted_hash: str,
                 strict_counts: bool, analyst_options=None) -> BuildResult:
    from pipeline.write import commit_files, csv_bytes

    prepared = _prepare(path, data, strict_counts, memo=None)  # collection already paused
    page, normalized, frame, report = (prepared.page, prepared.normalized, prepared.frame,
                                       prepared.report)
    if not report.ok:
        rows = [vars(finding) for finding in report.errors]
        commit_files(out_dir, {config.VALIDATION_ERRORS_CSV: csv_bytes(ERROR_COLUMNS, rows)})
        report_path = out_dir / config.VALIDATION_ERRORS_CSV
        raise ValidationFailed(_summary(report.errors),
                               f"details in {report_path}; out/ keeps the last good build")
    files = _output_files(frame, normalized)
    if analyst_options is not None:  # renewals, change summary, report, workbook, calendar
        from pipeline.analyst import for_build

        files.update(for_build(out_dir, path, normalized, report, page, analyst_options))
    files[config.METADATA_JSON] = _metadata(path, data, page, normalized, report, files,
                                            wanted_hash)
    commit_files(out_dir, files)
    (out_dir / config.VALIDATION_ERRORS_CSV).unlink(missing_ok=True)
    return BuildResult(path, out_dir, rows=len(normalized.rows),
                       countries=len({r["country_code"] for r in normalized.rows}),
                       corrections=len(normalized.corrections),
                       suggestions=len(normalized.suggestions), warnings=report.warnings)


def _output_files(frame, normalized) -> dict[str, bytes]:
    from pipeline.write import csv_bytes, json_bytes, parquet_bytes
    from schemas.describe import columns as describe
    from schemas.partners import PartnersModel

    described = describe(PartnersModel)
    names = [c["name"] for c in described]
    types = {c["name"]: c["type"] for c in described}
    files = {
        config.PARTNERS_PARQUET: parquet_bytes(names, normalized.rows, types),
        config.PARTNERS_CSV: csv_bytes(names, normalized.rows),
        config.CORRECTIONS_CSV: csv_bytes(CORRECTION_COLUMNS, normalized.corrections),
        config.SUGGESTIONS_CSV: csv_bytes(SUGGESTION_COLUMNS, normalized.suggestions),
    }
    files[config.DATAPACKAGE_JSON] = json_bytes(_datapackage(files))
    return files


def _datapackage(files: dict[str, bytes]) -> dict:
    """Frictionless Data Package describing partners.csv and partners.parquet."""
    from pipeline.write import sha256_hex
    from schemas.describe import table_schema
    from schemas.partners import PartnersModel

    schema = table_schema(PartnersModel, primary_key="partner_id")
    common = {"schema": schema, "description": PartnersModel.Config.description}
    from pipeline.analyst import extend_datapackage

    return extend_datapackage({
        "name": "naist-international-partners",
        "title": "NAIST International Partners List",
        "licenses": [],
        "resources": [
            {"name": "partners", "path": config.PARTNERS_CSV, "format": "csv",
             "mediatype": "text/csv", "encoding": "utf-8",
             "hash": "sha256:" + sha256_hex(files[config.PARTNERS_CSV]),
             "bytes": len(files[config.PARTNERS_CSV]), **common},
            # Frictionless reads Parquet through a table reader that cannot count bytes, so the
            # standard hash/bytes would fail validation: the same facts go in sha256/size.
            {"name": "partners-parquet", "path": config.PARTNERS_PARQUET, "format": "parquet",
             "mediatype": "application/vnd.apache.parquet",
             "sha256": sha256_hex(files[config.PARTNERS_PARQUET]),
             "size": len(files[config.PARTNERS_PARQUET]), **common},
        ],
    })


def _metadata(path, data, page, normalized, report, files, wanted_hash) -> bytes:
    from pipeline.write import json_bytes, sha256_hex

    rows = normalized.rows
    document = {
        "pipeline_version": __version__,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": {"snapshot": _display_path(path), "sha256": sha256_hex(data),
                   "size": len(data), "encoding": page.encoding},
        "as_of": page.as_of.isoformat() if page.as_of else None,
        "stated": {"institutions": page.stated_institutions, "countries": page.stated_countries,
                   "regions": page.region_counts},
        "observed": {"institutions": len(page.records),
                     "countries": len({r["country_code"] for r in rows}),
                     "regions": dict(Counter(r["region"] for r in rows))},
        "row_count": len(rows),
        "legend": page.legend,
        "corrections": len(normalized.corrections),
        "suggestions": len(normalized.suggestions),
        "warnings": [vars(w) for w in report.warnings],
        "input_hash": wanted_hash,
        "files": {name: sha256_hex(blob) for name, blob in files.items()},
    }
    return json_bytes(document)


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(config.PROJECT_ROOT))
    except ValueError:
        return str(path)


def _taken_on(sidecar: dict) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(sidecar["fetched_at"].replace("Z", "+00:00")).date()
    except (KeyError, AttributeError, ValueError):
        return None


def _summary(errors, shown: int = 3) -> str:
    first = "; ".join(
        f"{e.message}" + (f" [{e.name_raw}]" if e.name_raw and e.name_raw not in e.message else "")
        for e in errors[:shown])
    more = f" (and {len(errors) - shown} more)" if len(errors) > shown else ""
    return f"validation failed: {len(errors)} problem(s): {first}{more}"
