"""Source profiles: everything particular to one published partners page, in one value.

A profile says where the page is published, how its regions and agreement types read, which
term policy its agreements follow, which reference data files fill its gaps and how the dataset
built from it is named. Stages take a profile (or the ``Resources`` loaded from it) as an
argument; none of them reads these facts from a global.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class TermPolicy:
    """How long agreements run: whole multiples of ``years``, give or take ``slack_days``."""

    years: int
    slack_days: int


@dataclass(frozen=True)
class LegendRule:
    """A legend description matching ``pattern`` is an agreement of ``level``.

    With ``has_field`` the words before the first parenthesis name the agreement's field
    ("Information Science (Graduate school-level)" → field "Information Science").
    """

    pattern: re.Pattern[str]
    level: str
    has_field: bool


@dataclass(frozen=True)
class ReferenceFiles:
    """Curated CSV files that fill what a page leaves out (reviewable, '#' comments allowed)."""

    country_aliases: Path  # alias,country_code: spellings pycountry does not resolve
    country_regions: Path  # country_code,region: the region of every ISO country
    institution_countries: Path  # institution,country_code: for empty country cells
    default_legend: Path  # code,description: used only when a page has no legend
    country_names: Path  # country_code,name: the English name written in the country column


@dataclass(frozen=True)
class SourceProfile:
    """The particulars of one publisher's partners page."""

    key: str  # short identifier, e.g. "naist"
    publisher: str
    urls: tuple[str, ...]  # known addresses of the page, tried in this order
    regions: tuple[str, ...]  # the region headings the page uses, in its order
    legend_rules: tuple[LegendRule, ...]  # how legend descriptions decode into levels
    default_legend_label: str  # says which legend default_legend is ("the 2024 legend")
    term: TermPolicy
    reference: ReferenceFiles
    dataset_name: str  # Frictionless package name
    dataset_title: str
    table_description: str  # one line describing the partners table
    column_descriptions: dict[str, str] = field(default_factory=dict)  # page-specific wording

    @property
    def url(self) -> str:
        """The first known address."""
        return self.urls[0]


def _profiles() -> dict[str, SourceProfile]:
    """Every known profile by key: register a new publisher's profile here."""
    from pipeline.sources.naist import NAIST

    return {NAIST.key: NAIST}


def profile_keys() -> list[str]:
    return sorted(_profiles())


def get_profile(key: str) -> SourceProfile:
    """The profile called ``key``."""
    try:
        return _profiles()[key]
    except KeyError:
        known = ", ".join(profile_keys())
        raise ValueError(f"unknown source profile {key!r} (known: {known})") from None


DEFAULT_PROFILE = "naist"
