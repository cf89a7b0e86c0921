"""Open out/report.html in headless chromium, the way the browser test does, and save a
screenshot (docs/report.png for the README).

    .venv/bin/python docs/screenshot.py [REPORT] [PNG]   # defaults: out/report.html docs/report.png

Uses Debian's chromium (/usr/bin/chromium, `apt-get install chromium`) through playwright;
playwright's own browser download is never used. The network is off: the report must need
nothing but its own file. :func:`inspect_report` is what tests/test_report_browser.py asserts on.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Every chart's SVG: how many drawn shapes it holds and the size it is laid out at.
CHARTS_JS = """() => [...document.querySelectorAll('figure svg')].map(svg => {
  const box = svg.getBoundingClientRect();
  const drawn = 'path, rect, line, circle, polyline, polygon, use';
  return {id: svg.closest('figure').id, shapes: svg.querySelectorAll(drawn).length,
          width: box.width, height: box.height,
          label: svg.getAttribute('aria-labelledby') || ''};
})"""
ROWS_JS = """(id) => [...document.querySelectorAll('#' + id + ' tbody tr')]
  .map(tr => tr.dataset.partnerId)"""


@dataclass
class Inspection:
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # anything but the file itself
    charts: list[dict] = field(default_factory=list)
    expiring: list[str] = field(default_factory=list)  # partner ids, in table order
    attention: list[str] = field(default_factory=list)
    title: str = ""


def chromium_path() -> str | None:
    """Debian's chromium, when installed."""
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def inspect_report(report: Path, screenshot: Path | None = None,
                   width: int = 1200, height: int = 1500) -> Inspection:
    """Load ``report`` from disk with the network off; collect what a person would notice."""
    from playwright.sync_api import sync_playwright

    found = Inspection()
    url = Path(report).resolve().as_uri()
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=chromium_path(), headless=True, args=FLAGS,
            offline=True, viewport={"width": width, "height": height})
        try:
            page = context.new_page()
            page.on("console", lambda m: m.type == "error" and found.console_errors.append(m.text))
            page.on("pageerror", lambda e: found.console_errors.append(str(e)))

            def block(route):
                if route.request.url != url:
                    found.requests.append(route.request.url)
                    return route.abort()
                return route.continue_()

            page.route("**/*", block)
            page.goto(url, wait_until="load")
            found.title = page.title()
            found.charts = page.evaluate(CHARTS_JS)
            found.expiring = page.evaluate(ROWS_JS, "expiring-table")
            found.attention = page.evaluate(ROWS_JS, "attention-table")
            if screenshot is not None:
                page.screenshot(path=str(screenshot), full_page=False)
        finally:
            context.close()
    return found


def main(argv: list[str]) -> int:
    report = Path(argv[0]) if argv else ROOT / "out" / "report.html"
    png = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "report.png"
    if chromium_path() is None:
        print("error: chromium not found — apt-get install -y chromium", file=sys.stderr)
        return 1
    if not report.is_file():
        print(f"error: no {report} — run `make build` first", file=sys.stderr)
        return 1
    found = inspect_report(report, png)
    print(f"{png}: {len(found.charts)} charts, {len(found.expiring)} expiring, "
          f"{len(found.console_errors)} console errors, {len(found.requests)} requests")
    return 0 if not found.console_errors and not found.requests else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
