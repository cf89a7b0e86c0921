"""Every path and default the pipeline uses, in one place.

Commands take these as defaults; flags on the command line override them. What is particular
to the page being read (its address, regions, reference data) is in its source profile,
``pipeline/sources/``.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent  # the repository in a checkout; site-packages when installed
DATA_DIR = PACKAGE_DIR / "data"  # curated reference data (reviewable CSV/TXT files)


def work_dir(cwd: Path | None = None) -> Path:
    """Where raw/ and out/ live: the repository when running from a checkout, else the current
    directory (an installed ``naist-partners`` works on ./raw and ./out wherever it is run).
    """
    if (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "pipeline").is_dir():
        return PROJECT_ROOT
    return cwd or Path.cwd()


WORK_DIR = work_dir()
RAW_DIR = WORK_DIR / "raw"  # page snapshots, append-only
OUT_DIR = WORK_DIR / "out"  # the built data

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

