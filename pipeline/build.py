"""The build stage glue: snapshot → parse → normalize → validate → write.

Kept free of heavy imports at module level so that an up-to-date check (nothing changed since
the last build) costs only hashing a few files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__, config
from pipeline.errors import SnapshotError, ValidationFailed
from pipeline.reference import Resources
from pipeline.sources import DEFAULT_PROFILE

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
    metadata = _published_metadata(out_dir)
    if metadata is None or metadata.get("input_hash") != wanted_hash:
        return False
    try:
        published = current_dir(out_dir)  # one generation, even while another is committed
        return all(
            hashlib.sha256((published / name).read_bytes()).hexdigest() == sha
            for name, sha in metadata["files"].items()
        )
    except (OSError, KeyError, TypeError, AttributeError):
        return False


def _published_metadata(out_dir: Path) -> dict | None:
    """metadata.json of the build in out/, or None when there is none readable."""
    from pipeline.snapshots import load_json

    try:
        document = load_json(current_dir(out_dir) / config.METADATA_JSON)
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def current_dir(out_dir: Path) -> Path:
    from pipeline.write import current_dir as published

    return published(out_dir)


def check_directories(raw_dir: Path, out_dir: Path) -> None:
    """Refuse an out/ that is raw/ (or a file): a build would lock and write into its input."""
    from pipeline.errors import OutputError, UsageError

    if Path(raw_dir).resolve() == Path(out_dir).resolve():
        raise UsageError(f"--raw-dir and --out both name {out_dir}",
                         "snapshots and built files need separate directories")
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise OutputError(f"--out {out_dir} is a file, not a directory",
                          "pass a directory (it is created if missing)")


def build(snapshot: Path | None = None, *, raw_dir: Path = config.RAW_DIR,
          out_dir: Path = config.OUT_DIR, force: bool = False,
          strict_counts: bool = True, resources: Resources | None = None,
          on: dt.date | None = None, within: int | None = None,
          remind: int | None = None) -> BuildResult:
    """Build out/ from a snapshot; a no-op when inputs, code and out/ are unchanged.

    ``resources``: the run's reference data (loaded from the default profile when not given;
    only when there is something to build). ``on``, ``within``, ``remind``: the analyst
    outputs' reference date (default today), window and reminder, in months (see
    pipeline/analyst.py).
    """
    from pipeline import analyst
    from pipeline.lock import refresh_lock
    from pipeline.snapshots import read_snapshot
    from pipeline.write import LOCK, output_error

    check_directories(raw_dir, out_dir)
    path = resolve_snapshot(snapshot, raw_dir)
    data = read_snapshot(path)
    profile = resources.profile.key if resources else DEFAULT_PROFILE
    wanted = input_hash(data, {"strict_counts": strict_counts, "profile": profile,
                               **analyst.hash_options(on, within, remind)})
    if not force and is_current(out_dir, wanted):
        return BuildResult(path, out_dir, up_to_date=True)
    with contextlib.ExitStack() as held:
        try:  # only out/ itself here: commit_files reports its own failures the same way
            out_dir.mkdir(parents=True, exist_ok=True)
            held.enter_context(refresh_lock(out_dir / LOCK))
        except OSError as exc:
            raise output_error(out_dir, exc) from None
        return _build(path, data, out_dir, wanted, strict_counts,
                      resources or Resources.load(), analyst.options(on, within, remind))


@dataclass
class Prepared:
    """A snapshot taken through parse, normalize and validate, before anything is written."""

    page: object  # parse.ParsedPage
    normalized: object  # normalize.NormalizedPage
    frame: object  # pandas.DataFrame in the partners contract
    report: object  # validate.ValidationReport


def prepare(path: Path, data: bytes, *, strict_counts: bool = True,
            memo: dict | None = None, resources: Resources | None = None) -> Prepared:
    """Parse, normalize and validate one snapshot's bytes (reads only its sidecar).

    ``memo`` (a dict the caller keeps) remembers results by what the parser read from the
    page: a page whose parse equals an earlier one's (snapshots that differ only in markup,
    scripts, comments or asset URLs) gets that earlier result, the same object, without
    being normalized and validated again. Normalizing and validating depend on nothing else
    (the snapshot's date only when the page states no "As of" date). ``resources``: the run's
    reference data (loaded from the default profile when not given).
    """
    return _prepare(path, data, strict_counts, memo, resources or Resources.load())


def _prepare(path: Path, data: bytes, strict_counts: bool, memo: dict | None,
             resources: Resources) -> Prepared:
    from pipeline.parse import parse_page
    from pipeline.snapshots import read_sidecar

    sidecar = read_sidecar(path) or {}
    parses = None if memo is None else memo.setdefault("parses", {})  # keys below are tuples
    page = parse_page(data, declared_charset=sidecar.get("charset"), memo=parses)
    fallback = _taken_on(sidecar)
    if memo is not None:
        key = (page.records, page.stated_institutions, page.stated_countries, page.as_of,
               tuple(page.legend.items()), tuple(page.region_counts.items()), page.encoding,
               page.warnings,
               None if page.as_of else fallback, strict_counts, resources.profile.key)
        known = memo.get(key)
        if known is None:
            known = memo[key] = prepare_parsed(page, fallback, strict_counts=strict_counts,
                                               resources=resources)
        return known
    return prepare_parsed(page, fallback, strict_counts=strict_counts, resources=resources)


def prepare_parsed(page, fallback_date: dt.date | None, *, strict_counts: bool = True,
                   resources: Resources | None = None):
    """Normalize and validate a parsed page (``fallback_date``: the snapshot's date)."""
    from pipeline.normalize import normalize_page
    from pipeline.validate import validate_page

    resources = resources or Resources.load()
    normalized = normalize_page(page, fallback_date=fallback_date, resources=resources)
    frame, report = validate_page(page, normalized, resources.profile.term,
                                  strict_counts=strict_counts)
    return Prepared(page, normalized, frame, report)


def _build(path: Path, data: bytes, out_dir: Path, wanted_hash: str, strict_counts: bool,
           resources: Resources, analyst_options=None) -> BuildResult:
    from pipeline.write import commit_files, csv_bytes

    prepared = _prepare(path, data, strict_counts, None, resources)
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
                                            wanted_hash, resources.profile.key)
    previous = _published_metadata(out_dir) or {}
    stale = {name for name in previous.get("files") or () if isinstance(name, str)
             and "/" not in name and not name.startswith(".")} - set(files)  # older builds'
    commit_files(out_dir, files, remove={config.VALIDATION_ERRORS_CSV, *stale})
    return BuildResult(path, out_dir, rows=len(normalized.rows),
                       countries=len({r["country_code"] for r in normalized.rows}),
                       corrections=len(normalized.corrections),
                       suggestions=len(normalized.suggestions), warnings=report.warnings)


def _output_files(frame, normalized) -> dict[str, bytes]:
    """The partners table as validated (``frame``), in the contract's columns and types."""
    from pipeline.validate import table_columns
    from pipeline.write import columns_csv_bytes, columns_parquet_bytes, csv_bytes, json_bytes
    from schemas.describe import types as column_types
    from schemas.partners import PartnersModel

    types = column_types(PartnersModel)
    columns = table_columns(frame, list(types))
    files = {
        config.PARTNERS_PARQUET: columns_parquet_bytes(columns, types),
        config.PARTNERS_CSV: columns_csv_bytes(columns),
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
    from schemas._common import PROFILE  # the profile the contract describes

    return extend_datapackage({
        "name": PROFILE.dataset_name,
        "title": PROFILE.dataset_title,
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


def _metadata(path, data, page, normalized, report, files, wanted_hash, profile: str) -> bytes:
    from pipeline.write import json_bytes, sha256_hex

    rows = normalized.rows
    document = {
        "pipeline_version": __version__,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": {"snapshot": _display_path(path), "sha256": sha256_hex(data),
                   "size": len(data), "encoding": page.encoding, "profile": profile},
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
        return str(path.resolve().relative_to(config.WORK_DIR))
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
