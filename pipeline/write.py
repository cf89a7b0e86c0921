"""Write the built tables: Parquet (real types), CSV (ISO dates, empty for null, safe for
spreadsheets), JSON metadata. Every file is written to a temporary name and renamed, so a
failed run never leaves a half-written out/.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from schemas._common import FORMULA_PREFIX

# Arrow type of each contract type (schemas.describe.column_type reads it from the models).
ARROW_TYPES = {"string": "string", "date": "date32", "boolean": "bool_", "integer": "int64"}


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename; readers never see a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def commit_files(out_dir: Path, files: Mapping[str, bytes]) -> None:
    """Write several files, each atomically; all bytes are ready before the first rename."""
    for name, data in files.items():
        atomic_write(out_dir / name, data)


def safe_cell(value) -> str:
    """A CSV cell: ISO dates, lowercase booleans, empty for null, formulas neutralized.

    A text starting with = + - @ tab or CR would be run by a spreadsheet (OWASP CSV
    injection); it is prefixed with an apostrophe, which spreadsheets show as text.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> safe_cell(None), safe_cell(True), safe_cell(dt.date(2029, 2, 20))
    ('', 'true', '2029-02-20')
    """
    if type(value) is str:  # most cells: no conversion
        return "'" + value if _formula(value) else value
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if _formula(text) else text


_formula = FORMULA_PREFIX.match


def csv_bytes(columns: Sequence[str], rows: Iterable[Mapping]) -> bytes:
    """UTF-8 CSV (no BOM, CRLF line ends as RFC 4180) of ``rows`` in the order of ``columns``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180; CR inside a cell gets quoted
    writer.writerow(columns)
    cell = safe_cell
    writer.writerows([cell(row.get(column)) for column in columns] for row in rows)
    return buffer.getvalue().encode("utf-8")


def parquet_bytes(
    columns: Sequence[str], rows: Sequence[Mapping], types: Mapping[str, str]
) -> bytes:
    """Parquet with an explicit Arrow schema (date32, bool, string), not pandas' inference."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, getattr(pa, ARROW_TYPES[types[c]])()) for c in columns])
    rows = rows if isinstance(rows, Sequence) else list(rows)
    table = pa.Table.from_pydict({c: [row.get(c) for row in rows] for c in columns},
                                 schema=schema)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def json_bytes(document) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
