"""Reference sets, patterns, column groups and reusable checks shared by the table models.

Light on purpose (no pandas or pandera at import): pipeline code imports its constants here.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from pipeline.sources import DEFAULT_PROFILE, get_profile

if TYPE_CHECKING:  # keep this module importable without pandas
    import pandas as pd

# The contract describes the tables built with the default source profile: its regions and its
# page-specific wording come from there (pipeline/sources/), so they are written once. Stages
# take the profile they are given; a second profile would get its own contract from its own
# values (see the README's "A second source").
PROFILE = get_profile(DEFAULT_PROFILE)
REGIONS = PROFILE.regions
AGREEMENT_LEVELS = ("institute", "graduate school")

# Country code, hash of the clean name's fingerprint, then the agreement type for a second
# agreement with the same institution and a counter for a lineage listed again.
PARTNER_ID = r"^[A-Z]{2}-[0-9a-f]{8}(-[A-Z]+)?(-\d+)?$"
SNAPSHOT_NAME = r"^\d{8}T\d{6}Z_[0-9a-f]{12}\.html$"

# Column groups of the partners table that rules and the diff treat alike.
NAME_COLUMNS = ("name", "institution", "unit", "abbreviation", "name_raw")
SPACED_COLUMNS = ("name", "institution", "unit", "abbreviation")  # cleaned: spacing is checked
TEXT_COLUMNS = (*NAME_COLUMNS, "notes", "country")
RENEWAL_COLUMNS = ("expiration_date", "under_renewal")
TYPE_COLUMNS = ("agreement_type", "agreement_level", "agreement_field")
CHANGES = ("added", "removed", "renamed", "changed")  # diff.csv's change column
EVENTS = ("added", "removed", "renewed", "renamed", "type_changed", "changed")  # events.csv's
WHOLE_PARTNER = ("added", "removed")  # changes and events that name no field

# OWASP CSV injection: a cell starting with one of these may be run as a formula.
FORMULA_PREFIX = re.compile(r"^[=+\-@\t\r]")


@cache
def iso_country_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


def check(check_id: str):
    """A pandera dataframe check named by its stable id (schemas/checks.py has its sentence)."""
    import pandera.pandas as pa

    def register(function):
        # pandera forgets a `name=` once a model has been built (it pops it), then names the
        # check after its function: so the function carries the id as its name.
        function.__name__ = check_id
        return pa.dataframe_check(function)

    return register


# Python's whitespace (str.isspace, re's \s), spelled out: pandas runs a pattern holding \s
# in Python, row by row (RE2's \s is narrower); this one runs in Arrow and means the same.
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
              "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_SPACE = f"[{WHITESPACE}]"
# Leading, trailing or doubled. \Z, not $: same here ($ also matches before a final newline,
# which is whitespace itself), and $ sends a text with newlines back to Python.
BADLY_SPACED = f"^{_SPACE}|{_SPACE}\\Z|{_SPACE}{_SPACE}"


def well_spaced(series: pd.Series) -> pd.Series:
    """True where a text has no leading, trailing or doubled whitespace (nulls pass).

    >>> import pandas as pd
    >>> well_spaced(pd.Series(["a b", " a", "a\u3000", "a\u00a0 b", None])).tolist()
    [True, False, False, False, True]
    >>> set(WHITESPACE) == {chr(c) for c in range(0x3001) if chr(c).isspace()}
    True
    """
    text = series.astype("string")
    bad = text.str.contains(BADLY_SPACED, regex=True)
    return ~bad.fillna(False).astype(bool)


def not_formula(series: pd.Series) -> pd.Series:
    """True where a text cannot be read by a spreadsheet as a formula (nulls pass)."""
    text = series.astype("string")
    bad = text.str.contains(FORMULA_PREFIX.pattern, regex=True)
    return ~bad.fillna(False).astype(bool)


def in_every_column(test, df: pd.DataFrame, columns) -> pd.Series:
    """True where ``test`` (one of the text tests above) holds in each of ``columns``: the
    columns' cells are tested together, one pattern run instead of one per column.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": ["x", " y", "z"], "b": ["x", "y", None]})
    >>> in_every_column(well_spaced, df, ["a", "b"]).tolist()
    [True, False, True]
    """
    import pandas as pd

    stacked = pd.concat([df[column] for column in columns], ignore_index=True)
    passed = test(stacked).to_numpy(dtype=bool).reshape(len(columns), len(df))
    return pd.Series(passed.all(axis=0), index=df.index)


def names_no_field(kind: pd.Series, df: pd.DataFrame) -> pd.Series:
    """True where an added or removed row leaves field, old and new empty."""
    empty = df["field"].isna() & df["old"].isna() & df["new"].isna()
    return ~kind.isin(WHOLE_PARTNER) | empty


def field_values_differ(per_field: pd.Series, df: pd.DataFrame) -> pd.Series:
    """True where a per-field row names its field and its old and new values differ."""
    differs = df["old"].fillna("\0") != df["new"].fillna("\0")
    return ~per_field | (df["field"].notna() & differs)


@cache
def partner_fields() -> tuple[str, ...]:
    """The partner's own columns in the contract's order: what a diff compares and a history
    period keeps (not partner_id, the key, nor snapshot_date, which describes the snapshot).
    Read from schemas/partners.py, importing pandera on first use."""
    from schemas.partners import FIELD_COLUMNS

    return FIELD_COLUMNS


@cache
def snapshot_columns() -> tuple[str, ...]:
    """Columns of the partners table that describe the snapshot, not the partner."""
    from schemas.partners import SNAPSHOT_COLUMNS

    return SNAPSHOT_COLUMNS
