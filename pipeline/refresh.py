"""`refresh`: fetch the live page into raw/ (politely), then build out/ from the newest snapshot.

When the site cannot be reached, the build falls back to the newest stored snapshot unless the
caller requires a live page. A page that downloads but fails to build stays in raw/ as evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline import config
from pipeline.build import BuildResult, build
from pipeline.errors import Unreachable

LOCK_WAIT_SECONDS = 120.0  # a second refresh waits this long for the first, then gives up


@dataclass
class RefreshResult:
    fetch_message: str
    live: bool  # False when the site could not be reached and raw/ was used instead
    build: BuildResult


def refresh(url: str = config.DEFAULT_URL, *, raw_dir: Path = config.RAW_DIR,
            out_dir: Path = config.OUT_DIR, require_live: bool = False, force: bool = False,
            strict_counts: bool = True, report_options: dict | None = None,
            **fetch_options) -> RefreshResult:
    from pipeline.fetch import fetch_page
    from pipeline.snapshots import newest_snapshot, refresh_lock

    raw_dir.mkdir(parents=True, exist_ok=True)
    with refresh_lock(raw_dir / ".lock", timeout=LOCK_WAIT_SECONDS):
        try:
            fetched = fetch_page(url, raw_dir, **fetch_options)
        except Unreachable as error:
            if require_live:
                raise
            if newest_snapshot(raw_dir) is None:
                raise Unreachable(f"{error.message}, and {raw_dir} holds no snapshot to build from",
                                  "check the network connection or the --url") from None
            message = f"{error.message}; building from the newest snapshot in {raw_dir}"
            live = False
        else:
            message, live = fetched.message, True
        result = build(raw_dir=raw_dir, out_dir=out_dir, force=force, strict_counts=strict_counts,
                       **(report_options or {}))  # on, within, remind: see build()
    return RefreshResult(message, live, result)
