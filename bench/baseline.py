"""The baseline: what a user would otherwise run to get the tables out of the page.

    python bench/baseline.py PAGE OUT_DIR

Reads every table of PAGE with ``pandas.read_html`` (lxml), stacks them and writes
OUT_DIR/partners.csv and OUT_DIR/partners.parquet. No cleaning, no validation, no ids.
"""

import sys
import warnings
from pathlib import Path

import pandas as pd

page, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
tables = pd.read_html(page, flavor="lxml", encoding="utf-8")
frame = pd.concat(tables, ignore_index=True)
frame.columns = [str(c) for c in frame.columns]
frame.to_csv(out / "partners.csv", index=False)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    frame.to_parquet(out / "partners.parquet", index=False)
print(f"{len(frame)} rows from {len(tables)} tables")
