"""Reference sets and reusable checks shared by the table models."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # keep this module importable without pandas (normalize uses REGIONS)
    import pandas as pd

REGIONS = ("Asia", "Europe", "North America", "South America", "Africa", "Oceania")
AGREEMENT_LEVELS = ("institute", "graduate school")

# OWASP CSV injection: a cell starting with one of these may be run as a formula.
FORMULA_PREFIX = re.compile(r"^[=+\-@\t\r]")


@cache
def iso_country_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


def well_spaced(series: pd.Series) -> pd.Series:
    """True where a text has no leading, trailing or doubled whitespace (nulls pass)."""
    text = series.astype("string")
    bad = text.str.contains(r"^\s|\s$|\s\s", regex=True)
    return ~bad.fillna(False).astype(bool)


def not_formula(series: pd.Series) -> pd.Series:
    """True where a text cannot be read by a spreadsheet as a formula (nulls pass)."""
    text = series.astype("string")
    bad = text.str.contains(FORMULA_PREFIX.pattern, regex=True)
    return ~bad.fillna(False).astype(bool)
