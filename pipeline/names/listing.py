"""Cleaning a list of names supplied by a user (``python -m pipeline clean-names``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from pipeline.errors import PipelineError
from pipeline.names.cleaner import NameCleaner

COLUMNS = ("name_raw", "name", "institution", "unit", "changes")


def read_names(text: str, column: str | None = None) -> list[str]:
    """The names in ``text``: one per line, or the values of ``column`` of a CSV file.

    Blank lines and blank cells are skipped.

    >>> read_names("Mahidol University\\n\\nKyoto Univeristy\\n")
    ['Mahidol University', 'Kyoto Univeristy']
    >>> read_names("id,institution\\n1,Mahidol University\\n", column="institution")
    ['Mahidol University']
    """
    if column is None:
        return [line.strip() for line in text.splitlines() if line.strip()]
    reader = csv.DictReader(io.StringIO(text))
    if column not in (reader.fieldnames or ()):
        found = ", ".join(reader.fieldnames or ()) or "none"
        raise PipelineError(
            f"no column {column!r} in the CSV input",
            f"columns found: {found}; pass one of them to --column",
        )
    return [row[column].strip() for row in reader if (row[column] or "").strip()]


def clean_rows(names: Iterable[str]) -> list[dict[str, str]]:
    """One row per name, all names cleaned as one page: ``COLUMNS``; ``changes`` lists each
    change as ``fixer: before -> after``, separated by ``; ``."""
    names = list(names)
    cleaner = NameCleaner(names)
    rows = []
    for raw in names:
        result = cleaner.clean(raw)
        changes = "; ".join(f"{c.fixer}: {c.before} -> {c.after}" for c in result.changes)
        rows.append(
            {
                "name_raw": raw,
                "name": result.name,
                "institution": result.institution,
                "unit": result.unit or "",
                "changes": changes,
            }
        )
    return rows


def to_csv(rows: Iterable[dict[str, str]]) -> str:
    """The rows as CSV text with a header line."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
