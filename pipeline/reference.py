"""Loads the curated reference data in pipeline/data/ (reviewable CSV files, '#' comments)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from pipeline.config import DATA_DIR


def read_table(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file whose lines starting with '#' are comments."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if line.strip() and not line.startswith("#"))
        return [
            {key: (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(lines)
        ]


@cache
def country_aliases() -> dict[str, str]:
    """Alias as the page writes it (casefolded) -> ISO alpha-2 code."""
    rows = read_table(DATA_DIR / "country_aliases.csv")
    return {" ".join(r["alias"].split()).casefold(): r["country_code"] for r in rows}


@cache
def country_regions() -> dict[str, str]:
    """ISO alpha-2 code -> one of the six regions."""
    return {r["country_code"]: r["region"] for r in read_table(DATA_DIR / "country_regions.csv")}


@cache
def institution_countries() -> dict[str, str]:
    """Fingerprint of an institution's name -> ISO alpha-2 code, for empty country cells."""
    from pipeline.identity import fingerprint

    rows = read_table(DATA_DIR / "institution_countries.csv")
    return {fingerprint(r["institution"]): r["country_code"] for r in rows}


@cache
def default_legend() -> dict[str, str]:
    """Agreement types as the 2024 page defines them, used only when a page has no legend."""
    return {r["code"]: r["description"] for r in read_table(DATA_DIR / "agreement_types.csv")}
