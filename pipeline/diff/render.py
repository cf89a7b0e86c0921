"""Present a comparison: text for people, diff.csv and diff.json for machines.

``render`` returns a string and writes nothing; ``write_outputs`` writes the two files where
the caller says (the command line only when given ``--out``). diff.csv is checked against
schemas/diff.py before it is written or printed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline.diff.compare import DiffResult, PartnerChange, Version
from schemas._common import CHANGES, partner_fields

DIFF_CSV = "diff.csv"
DIFF_JSON = "diff.json"

_KIND_LABELS = {"renewal": ("renewal", "renewals"), "rename": ("rename", "renames"),
                "type_change": ("type change", "type changes"),
                "other": ("other change", "other changes")}


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
    fields = {f: i for i, f in enumerate(("partner_id", *partner_fields()))}
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
    from pipeline.validate import checked
    from schemas.diff import DiffModel

    return checked(DiffModel, diff_rows(result), DIFF_CSV)


def diff_csv(result: DiffResult) -> bytes:
    """diff.csv's bytes, in the contract's columns, once the contract has checked them."""
    from pipeline.validate import table_rows
    from pipeline.write import csv_bytes

    frame = diff_frame(result)
    return csv_bytes(list(frame.columns), table_rows(frame))


def write_outputs(result: DiffResult, out_dir: Path) -> dict[str, Path]:
    """Write diff.csv and diff.json into ``out_dir``, each atomically."""
    from pipeline.write import commit_files, json_bytes

    files = {DIFF_CSV: diff_csv(result), DIFF_JSON: json_bytes(to_document(result))}
    out_dir = Path(out_dir)
    commit_files(out_dir, files)
    return {name: out_dir / name for name in files}


def render(result: DiffResult, fmt: str = "text") -> str:
    """The result for people ("text"), diff.csv's exact content ("csv", line ends included)
    or diff.json's ("json")."""
    if fmt == "csv":
        return diff_csv(result).decode("utf-8")
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
