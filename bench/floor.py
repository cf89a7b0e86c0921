"""The import floor of a build: import only the libraries a build must use, then exit.

    python bench/floor.py

A build parses with lxml, validates with pandera (on pandas) against the contract in
schemas/ (whose country codes come from pycountry), compares names with rapidfuzz, writes
Parquet with pyarrow and the workbook with xlsxwriter (the calendar is plain text), and holds
out/'s lock with filelock; however fast the pipeline's own work, a cold build cannot take
less than starting Python and importing these. The benchmark prints this figure beside the
cold build of the real page. As in a build (pipeline.cli.without_test_only_imports), pandera
is imported without its data-synthesis layer, which needs the test-only hypothesis. The
HTML report's libraries are not counted: the report is timed on its own (analyst outputs).
"""

import sys

sys.modules.setdefault("hypothesis", None)  # as pipeline.cli does for every command

import filelock  # noqa: E402, F401
import lxml.etree  # noqa: E402, F401
import pandas  # noqa: E402, F401
import pandera.pandas  # noqa: E402, F401
import pyarrow  # noqa: E402
import pyarrow.parquet  # noqa: E402, F401
import pycountry  # noqa: E402, F401
import rapidfuzz  # noqa: E402, F401
import xlsxwriter  # noqa: E402, F401
