"""NAIST's "International Partners List" (Nara Institute of Science and Technology)."""

from __future__ import annotations

import re

from pipeline.config import DATA_DIR
from pipeline.sources import LegendRule, ReferenceFiles, SourceProfile, TermPolicy

NAIST = SourceProfile(
    key="naist",
    publisher="Nara Institute of Science and Technology (NAIST)",
    urls=(
        "https://www.naist.jp/en/international_activities/international_partner_list.html",
        # The redesigned site's address for the same list.
        "https://www.naist.jp/dge/en/engagement/agreement.html",
    ),
    regions=("Asia", "Europe", "North America", "South America", "Africa", "Oceania"),
    legend_rules=(
        # "Information Science (Graduate school-level)"
        LegendRule(re.compile(r"graduate[\s-]*school", re.IGNORECASE), "graduate school", True),
        # "Institute-wide level"
        LegendRule(re.compile(r"institut", re.IGNORECASE), "institute", False),
    ),
    default_legend_label="the 2024 legend",
    # Agreements run for 5 years and are renewed for 5 more; an expiration within 45 days of a
    # whole term (the page often ends a term on the eve of its anniversary) counts as whole.
    term=TermPolicy(years=5, slack_days=45),
    reference=ReferenceFiles(
        country_aliases=DATA_DIR / "country_aliases.csv",
        country_regions=DATA_DIR / "country_regions.csv",
        institution_countries=DATA_DIR / "institution_countries.csv",
        default_legend=DATA_DIR / "agreement_types.csv",
        country_names=DATA_DIR / "country_names.csv",
    ),
    dataset_name="naist-international-partners",
    dataset_title="NAIST International Partners List",
    table_description="NAIST international partner agreements, one row per listed institution.",
    column_descriptions={
        "agreement_type": "Agreement type code from the page's legend: I institute-wide; IS, BS, "
        "MS graduate-school level (Information, Biological, Materials Science).",
    },
)
