"""Every path and default the pipeline uses, in one place.

Commands take these as defaults; flags on the command line override them.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"  # curated reference data (reviewable CSV/TXT files)

RAW_DIR = PROJECT_ROOT / "raw"  # page snapshots, append-only
OUT_DIR = PROJECT_ROOT / "out"  # the built data

# The page the published data comes from (the version this project reproduces).
DEFAULT_URL = "https://www.naist.jp/en/international_activities/international_partner_list.html"
# Every known address of the page, tried in this order by `refresh` without --url.
SOURCE_URLS = (DEFAULT_URL, "https://www.naist.jp/dge/en/engagement/agreement.html")
# Sent in the User-Agent so the site can see who fetches and how to reach them: keep it pointing
# at where this project is published.
HOMEPAGE = "https://github.com/naist-partners/naist-partners-pipeline"

# Names of the files a build writes into the output directory.
PARTNERS_PARQUET = "partners.parquet"
PARTNERS_CSV = "partners.csv"
METADATA_JSON = "metadata.json"
CORRECTIONS_CSV = "corrections.csv"
SUGGESTIONS_CSV = "suggestions.csv"
VALIDATION_ERRORS_CSV = "validation_errors.csv"
DATAPACKAGE_JSON = "datapackage.json"
