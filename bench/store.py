"""Time storing many daily snapshots with ``pipeline.snapshots.store_snapshot``.

    python bench/store.py RAW_DIR COUNT

RAW_DIR must not exist. Every day's page differs (a comment carries the date), so every call
writes a new file, as a daily refresh of a changing page does. Prints one JSON object: the
seconds spent storing the first COUNT/2 snapshots and all COUNT of them, wall clock and CPU
time (the wall clock includes waiting for the disk: four fsyncs per snapshot). Storing is
linear when the second figure is about twice the first.
"""

import datetime as dt
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.snapshots import store_snapshot  # noqa: E402


def main(raw: Path, count: int) -> int:
    html = next((ROOT / "raw").glob("20240401T000000Z_*.html")).read_text(encoding="utf-8")
    first = dt.datetime(2024, 4, 1, 6, tzinfo=dt.UTC)
    meta = {"charset": "utf-8", "http_status": 200}
    half = half_cpu = None
    started, started_cpu = time.perf_counter(), time.process_time()
    for day in range(count):
        taken = first + dt.timedelta(days=day)
        body = html.replace("</body>", f"<!-- {taken.date().isoformat()} --></body>", 1)
        store_snapshot(raw, body.encode("utf-8"), meta, now=taken)
        if day + 1 == count // 2:
            half = time.perf_counter() - started
            half_cpu = time.process_time() - started_cpu
    total = time.perf_counter() - started
    total_cpu = time.process_time() - started_cpu
    print(json.dumps({"count": count, "half_s": round(half or 0.0, 4), "total_s": round(total, 4),
                      "half_cpu_s": round(half_cpu or 0.0, 4),
                      "total_cpu_s": round(total_cpu, 4)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), int(sys.argv[2])))
