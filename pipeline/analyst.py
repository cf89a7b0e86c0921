"""The analyst outputs: renewals table, change summary, HTML report, Excel workbook and
calendar of expirations, as one dict of file name → bytes for the build to commit.

Two ways in: :func:`for_build` (called by the build with what it has in memory) and
:func:`write_from_out` (``python -m pipeline report``: reads a finished out/). Both end in
:func:`analyst_outputs`, which is deterministic: the same inputs and options give the same
bytes (no clock is read; the reference date is an option).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import changes as change_summary
from pipeline import config, renewals

RENEWALS_CSV = "renewals.csv"
REPORT_HTML = "report.html"
WORKBOOK_XLSX = "partners.xlsx"
CALENDAR_ICS = "expirations.ics"
DEFAULT_REMIND_MONTHS = 3
# Files `python -m pipeline report` rewrites (changes.md and changes.csv compare two builds,
# so only a build writes them).
REPORT_FILES = (RENEWALS_CSV, REPORT_HTML, WORKBOOK_XLSX, CALENDAR_ICS)
LICENSE_NOTE = ("Unknown: the page states no licence. The facts are NAIST's; ask NAIST's "
                "international office before republishing.")


@dataclass(frozen=True)
class Options:
    """What the analyst outputs depend on besides the data."""

    on: dt.date  # reference date of the renewal status
    within: int = renewals.DEFAULT_WITHIN_MONTHS  # months ahead that count as "expiring"
    remind: int = DEFAULT_REMIND_MONTHS  # months before an expiration the calendar reminds


def options(on: dt.date | None = None, within: int | None = None,
            remind: int | None = None) -> Options:
    """Options with defaults filled in; ``on`` defaults to today (the only clock read)."""
    return Options(on or dt.date.today(),
                   renewals.DEFAULT_WITHIN_MONTHS if within is None else within,
                   DEFAULT_REMIND_MONTHS if remind is None else remind)


def hash_options(on: dt.date | None, within: int | None, remind: int | None) -> dict:
    """The options that make a build differ from an up-to-date one: those given explicitly.

    A build with the default reference date (today) counts as current while the data are:
    the report is rewritten when the data change, or by ``python -m pipeline report``.
    """
    given = {"on": on.isoformat() if on else None, "within": within, "remind": remind}
    return {f"report_{k}": v for k, v in given.items() if v is not None}


@dataclass
class Inputs:
    """Everything the analyst outputs are made from."""

    rows: list[dict]  # the partners table (dates as datetime.date)
    corrections: list[dict] = field(default_factory=list)
    suggestions: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)  # check, message, ...
    as_of: dt.date | None = None
    source_url: str | None = None
    snapshot: str = ""
    changes: change_summary.Changes | None = None  # None: not known (no changes.md)
    versions: list[dict] = field(default_factory=list)  # history periods (out/history.csv)
    events: list[dict] = field(default_factory=list)  # out/events.csv


def analyst_outputs(inputs: Inputs, opts: Options) -> dict[str, bytes]:
    """Every analyst file, as name → bytes."""
    from pipeline import calendar, workbook
    from pipeline.report import render_report

    table = renewals.renewal_rows(inputs.rows, opts.on, opts.within)
    files = {RENEWALS_CSV: table_csv(renewals.RENEWAL_COLUMNS, table)}
    if inputs.changes is not None:
        files[change_summary.CHANGES_CSV] = table_csv(change_summary.columns(),
                                                      inputs.changes.rows)
        files[change_summary.CHANGES_MD] = change_summary.markdown(inputs.changes).encode()
    files[REPORT_HTML] = render_report(inputs, table, opts).encode("utf-8")
    files[WORKBOOK_XLSX] = workbook.workbook_bytes(inputs, table, opts)
    files[CALENDAR_ICS] = calendar.calendar_bytes(inputs.rows, opts)
    return files


def for_build(out_dir: Path, snapshot: Path, normalized, report, page,
              opts: Options) -> dict[str, bytes]:
    """The analyst files of a build about to be committed to ``out_dir`` (compared with the
    build still there)."""
    from pipeline.snapshots import read_sidecar

    sidecar = read_sidecar(snapshot) or {}
    rows = normalized.rows
    inputs = Inputs(
        rows=rows, corrections=list(normalized.corrections),
        suggestions=list(normalized.suggestions),
        warnings=[vars(w) for w in report.warnings], as_of=page.as_of,
        source_url=sidecar.get("final_url") or sidecar.get("requested_url"),
        snapshot=snapshot.name,
        changes=change_summary.against_previous(out_dir / config.PARTNERS_PARQUET, rows,
                                                page.as_of),
        **_history(out_dir))
    return analyst_outputs(inputs, opts)


def write_from_out(out_dir: Path, opts: Options) -> list[str]:
    """Rewrite the report files of a finished out/ for new options; metadata.json's hashes
    follow, so the build stays up to date. Returns the names written."""
    from pipeline.errors import SnapshotError
    from pipeline.snapshots import load_json
    from pipeline.write import commit_files, current_dir, json_bytes, sha256_hex

    try:
        built = current_dir(out_dir)  # one build's files, even if another is committed meanwhile
        metadata = load_json(built / config.METADATA_JSON)
        inputs = _inputs_from_out(built, metadata)
    except (OSError, ValueError, KeyError) as exc:
        raise SnapshotError(f"{out_dir} holds no complete build ({exc})",
                            "run `make build` first") from None
    files = {name: blob for name, blob in analyst_outputs(inputs, opts).items()
             if name in REPORT_FILES}
    metadata["files"].update({name: sha256_hex(blob) for name, blob in files.items()})
    files[config.METADATA_JSON] = json_bytes(metadata)
    commit_files(out_dir, files)
    return [name for name in files if name != config.METADATA_JSON]


def _inputs_from_out(out_dir: Path, metadata: Mapping) -> Inputs:
    import pyarrow.parquet as pq

    rows = pq.read_table(out_dir / config.PARTNERS_PARQUET).to_pylist()
    as_of = metadata.get("as_of")
    return Inputs(rows=rows, corrections=_read_csv(out_dir / config.CORRECTIONS_CSV),
                  suggestions=_read_csv(out_dir / config.SUGGESTIONS_CSV),
                  warnings=list(metadata.get("warnings", [])),
                  as_of=dt.date.fromisoformat(as_of) if as_of else None,
                  source_url=_source_url(metadata.get("source", {}).get("snapshot", "")),
                  snapshot=Path(metadata.get("source", {}).get("snapshot", "")).name,
                  changes=_changes_from_out(out_dir), **_history(out_dir))


def _changes_from_out(out_dir: Path) -> change_summary.Changes | None:
    """The change summary the last build wrote, when it wrote one."""
    try:
        text = (out_dir / change_summary.CHANGES_MD).read_text(encoding="utf-8")
    except OSError:
        return None
    return change_summary.from_files(text, _read_csv(out_dir / change_summary.CHANGES_CSV))


def _source_url(snapshot: str) -> str | None:
    """The address the snapshot a build read was fetched from, when its sidecar is there."""
    from pipeline.errors import PipelineError
    from pipeline.snapshots import read_sidecar

    if not snapshot:
        return None
    path = Path(snapshot) if Path(snapshot).is_absolute() else config.PROJECT_ROOT / snapshot
    try:
        sidecar = read_sidecar(path) or {}
    except PipelineError:  # a damaged sidecar: the report just names the snapshot
        return None
    return sidecar.get("final_url") or sidecar.get("requested_url")


def _history(out_dir: Path) -> dict:
    """Versions and events of `make history`, when it has been run into ``out_dir``."""
    versions = _read_csv(out_dir / "history.csv")
    events = _read_csv(out_dir / "events.csv")
    return {"versions": versions, "events": events}


def _read_csv(path: Path) -> list[dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    return list(csv.DictReader(io.StringIO(text)))


def table_csv(columns: Sequence[str], rows: Sequence[Mapping]) -> bytes:
    """CSV like the partners table's (write.csv_bytes), numbers written as numbers."""
    from pipeline.write import safe_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([str(v) if type(v) is int else safe_cell(v)
                         for v in (row.get(c) for c in columns)])
    return buffer.getvalue().encode("utf-8")


# --- datapackage.json --------------------------------------------------------------------


def extend_datapackage(package: dict) -> dict:
    """datapackage.json with the page as source, what is known of the licence, and the
    analyst tables as resources (no hash: `python -m pipeline report` rewrites them)."""
    package = dict(package)
    from pipeline.sources import DEFAULT_PROFILE, get_profile

    profile = get_profile(DEFAULT_PROFILE)
    package["sources"] = [{"title": profile.dataset_title, "path": url}
                          for url in profile.urls]
    package["licenses"] = [{"name": "unknown", "title": LICENSE_NOTE}]
    package["resources"] = [*package.get("resources", []), *_analyst_resources()]
    return package


def _analyst_resources() -> list[dict]:
    from schemas.describe import table_schema
    from schemas.diff import DiffModel

    partner_fields = {f["name"]: f for f in _partner_fields()}
    fields = [partner_fields[name] for name in renewals.RENEWAL_COLUMNS[:-2]]
    fields += [
        {"name": "status", "type": "string",
         "description": "Renewal status on the reference date (--on): "
                        + ", ".join(renewals.STATUSES) + ".",
         "constraints": {"required": True, "enum": list(renewals.STATUSES)}},
        {"name": "days_left", "type": "integer",
         "description": "Days from the reference date to the expiration date (negative once "
                        "expired); empty when there is no expiration date.",
         "constraints": {"required": False}},
    ]
    csv_common = {"format": "csv", "mediatype": "text/csv", "encoding": "utf-8"}
    return [
        {"name": "renewals", "path": RENEWALS_CSV, **csv_common,
         "description": "Every agreement with its renewal status on the reference date, "
                        "soonest expiration first.",
         "schema": {"fields": fields, "missingValues": [""], "primaryKey": "partner_id"}},
        {"name": "changes", "path": change_summary.CHANGES_CSV, **csv_common,
         "description": "What changed since the previous build (the rows of diff.csv); only "
                        "the header when nothing changed or there was no previous build.",
         "schema": table_schema(DiffModel)},
    ]


def _partner_fields() -> list[dict]:
    from schemas.describe import table_schema
    from schemas.partners import PartnersModel

    fields = table_schema(PartnersModel)["fields"]
    for f in fields:  # renewals.csv repeats these columns; uniqueness is its own key's
        f["constraints"] = {k: v for k, v in f["constraints"].items() if k != "unique"}
    return fields
