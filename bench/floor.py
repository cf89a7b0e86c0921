"""The import floor of a build: import only the libraries a build must use, then exit.

    python bench/floor.py             # what a build imports
    python bench/floor.py --history   # what a history run that reads a new page imports

A build parses with lxml, validates with pandera (on pandas) against the contract in
schemas/ (whose country codes come from pycountry), compares names with rapidfuzz, writes
Parquet with pyarrow and the workbook with xlsxwriter (the calendar is plain text), and holds
out/'s lock with filelock; however fast the pipeline's own work, a cold build cannot take
less than starting Python and importing these. The benchmark prints this figure beside the
cold build of the real page. As in a build (pipeline.cli.without_test_only_imports), pandera
is imported without its data-synthesis layer, which needs the test-only hypothesis. The
HTML report's libraries are not counted: the report is timed on its own (analyst outputs).

A history run that meets a new page parses, normalizes and validates it and validates the
history tables: the same libraries but XlsxWriter (it writes no workbook). The benchmark
prints that floor beside the run after one new snapshot.
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

if "--history" not in sys.argv[1:]:
    import xlsxwriter  # noqa: F401
