"""Where the time of one cold build goes, stage by stage (in-process).

    python bench/stages.py PAGE OUT_DIR

Runs ``python -m pipeline build --snapshot PAGE --out OUT_DIR --force`` inside this process
with timers around the stage functions and prints one JSON object of seconds per stage:
``parse``, ``names`` (importing pipeline.names, setting up the page-aware cleaner and cleaning
every name), ``normalize`` (the rest of normalize), ``import_pandas``, ``import_pandera``
(pandera and the contract in schemas/), ``validate``, ``write`` (building and writing the
files), ``analyst`` (report, workbook, calendar, renewals, change summary) and ``other``
(command line, imports of the pipeline, reading and hashing the snapshot, the lock). Nothing
in the pipeline is changed: only timers are wrapped around it.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from pathlib import Path

START = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

spent: dict[str, float] = {}


def timed(stage: str, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[stage] = spent.get(stage, 0.0) + time.perf_counter() - t

    return wrapper


def main(page: str, out: str) -> int:
    import pipeline.build as build
    import pipeline.normalize as normalize
    import pipeline.validate as validate
    from pipeline import cli, parse, write

    t = time.perf_counter()
    import pipeline.names as names

    spent["names_import"] = time.perf_counter() - t

    parse.parse_page = timed("parse", parse.parse_page)
    names.NameCleaner.__init__ = timed("names_work", names.NameCleaner.__init__)
    names.NameCleaner.clean = timed("names_work", names.NameCleaner.clean)
    normalize.normalize_page = timed("normalize_all", normalize.normalize_page)

    original_validate = validate.validate_page

    def validate_page(*args, **kwargs):
        t0 = time.perf_counter()
        import pandas  # noqa: F401

        t1 = time.perf_counter()
        import pandera.pandas  # noqa: F401

        import schemas.partners  # noqa: F401

        t2 = time.perf_counter()
        spent["import_pandas"] = t1 - t0
        spent["import_pandera"] = t2 - t1
        return timed("validate", original_validate)(*args, **kwargs)

    validate.validate_page = validate_page
    build._output_files = timed("write", build._output_files)
    import pipeline.analyst as analyst  # report, workbook, calendar (looked up at call time)

    analyst.for_build = timed("analyst", analyst.for_build)
    write.commit_files = timed("write", write.commit_files)

    code = cli.main(["build", "--snapshot", page, "--out", out, "--force"])
    total = time.perf_counter() - START
    stages = {
        "parse": spent.get("parse", 0.0),
        "names": spent.get("names_import", 0.0) + spent.get("names_work", 0.0),
        "normalize": spent.get("normalize_all", 0.0) - spent.get("names_work", 0.0),
        "import_pandas": spent.get("import_pandas", 0.0),
        "import_pandera": spent.get("import_pandera", 0.0),
        "validate": spent.get("validate", 0.0),
        "write": spent.get("write", 0.0),
        "analyst": spent.get("analyst", 0.0),
    }
    stages["other"] = total - sum(stages.values())
    print(json.dumps({"exit_code": code, "total_s": round(total, 4),
                      "stages_s": {k: round(v, 4) for k, v in stages.items()}}))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
