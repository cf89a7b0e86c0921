"""The import floor of a build: import only the libraries a build must use, then exit.

    python bench/floor.py

A build parses with lxml, validates with pandera (on pandas) against the contract in
schemas/, compares names with rapidfuzz and writes Parquet with pyarrow; however fast the
pipeline's own work, a cold build cannot take less than starting Python and importing these.
The benchmark prints this figure beside the cold build of the real page.
"""

import lxml.etree  # noqa: F401
import pandas  # noqa: F401
import pandera.pandas  # noqa: F401
import pyarrow
import pyarrow.parquet  # noqa: F401
import rapidfuzz  # noqa: F401
