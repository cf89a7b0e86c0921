"""What the analyst outputs add to a cold build (in-process).

    python bench/analyst_cost.py PAGE

Prepares PAGE as a build does (parse, normalize, validate: not timed), then times the one call
the build makes for the analyst outputs, ``pipeline.analyst.for_build`` (renewals, change
summary, report.html with its charts, partners.xlsx, expirations.ics), importing Jinja2 and
XlsxWriter included, as in a cold build. Prints one JSON object: the
seconds of the call, of the preparing before it (pandas and pandera imports included: a yardstick
on a busy machine), the heavy modules it imported and the size of every file.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(page: str) -> int:
    import datetime as dt

    from pipeline import analyst
    from pipeline.build import prepare

    path = Path(page)
    started = time.perf_counter()
    prepared = prepare(path, path.read_bytes())
    prepare_s = time.perf_counter() - started
    opts = analyst.options(dt.date(2024, 4, 1))
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        files = analyst.for_build(Path(out), path, prepared.normalized, prepared.report,
                                  prepared.page, opts)
        total = time.perf_counter() - started
    modules = [m for m in ("matplotlib", "jinja2", "xlsxwriter", "icalendar") if m in sys.modules]
    print(json.dumps({"analyst_s": round(total, 4), "prepare_s": round(prepare_s, 4),
                      "modules": modules,
                      "bytes": {name: len(blob) for name, blob in sorted(files.items())}}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
