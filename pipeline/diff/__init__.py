"""What changed between two versions of the partners list.

``compare`` (pipeline/diff/compare.py) matches the partners of two versions and returns a
:class:`DiffResult` value; ``load`` reads a snapshot, a partners.parquet or a partners.csv
through the contract; ``render`` and ``write_outputs`` present a result. Importing the package
stays light: pandas, pandera and pyarrow load only when a file is read or a table checked.
"""

from pipeline.diff.compare import (
    KINDS,
    RENAME_THRESHOLD,
    DiffResult,
    FieldChange,
    HeadlineChange,
    PageCorrection,
    PartnerChange,
    Version,
    compare,
    distinctive,
    name_similarity,
)
from pipeline.diff.load import Loaded, compare_paths, load, load_page, looks_like_html
from pipeline.diff.render import (
    DIFF_CSV,
    DIFF_JSON,
    cell,
    diff_rows,
    render,
    summary_line,
    to_document,
    write_outputs,
)

__all__ = [
    "DIFF_CSV", "DIFF_JSON", "KINDS", "RENAME_THRESHOLD", "DiffResult", "FieldChange",
    "HeadlineChange", "Loaded", "PageCorrection", "PartnerChange", "Version", "cell", "compare",
    "compare_paths", "diff_rows", "distinctive", "load", "load_page", "looks_like_html",
    "name_similarity", "render", "summary_line", "to_document", "write_outputs",
]
