"""Benchmark the pipeline against a plain ``pandas.read_html`` script on the same pages.

    python bench/run.py            # full run: 1x, 20x, 200x pages, 1,000 snapshots (~2 min)
    python bench/run.py --quick    # CI: 1x and 20x, one repeat, 100 snapshots (~10 s)
    make bench ARGS=--quick

Every figure is a separate process, timed from start to exit (wall clock) with its peak
memory (``ru_maxrss`` from ``os.wait4``, see bench/measure.py):

* cold build: ``python -m pipeline build --snapshot PAGE --out FRESH_DIR --force``;
* up-to-date build: the same without ``--force`` into the out/ the cold build just wrote
  (the check of the input hash in out/metadata.json), and ``build --raw-dir`` over the
  snapshots (which also finds the newest of them);
* baseline: ``bench/baseline.py PAGE DIR`` (read_html, to_csv, to_parquet);
* diff of two 200x pages, history over 1,000 daily snapshots (50 different versions): this
  code and today's (main at TODAY_COMMIT, extracted with git archive), first run and after
  one new snapshot;
* cleaning 10,000 names (``bench/clean_names.py``): time measured inside the process.

Pages are made from the 2024 snapshot by ``bench/pages.py`` and kept in the work directory
(bench/work/, git-ignored; ``--work DIR``) until the generator or the snapshot changes. Each
figure is the median of its repeats; the ratios divide medians. Every process runs with
Python's bytecode cache on, as an installed pipeline runs, even when PYTHONDONTWRITEBYTECODE
is set (``--no-bytecode-cache`` keeps it off), after one untimed warm-up run of each command.
A full run ends with one in-process breakdown of a cold build by stage (bench/stages.py).

Results go to bench/results.json (``--quick``: results-quick.json in the work directory).
Exit status: 0 when every command ran, whether or not the targets are met (misses are the
FAIL lines of the table); 2 when a benchmarked command failed; with ``--strict``, 1 when a
target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

WORK = BENCH / "work"
RESULTS = BENCH / "results.json"
HISTORY_EVERY_DAYS = 20  # one version of the page in 20 daily snapshots

# --- running one child process ---------------------------------------------------------------


@dataclass
class Run:
    wall_s: float
    max_rss_kb: int
    cpu_s: float  # user + system time of the command and the children it waited for
    exit_code: int
    stdout: str
    stderr: str


def run(command: list[str], env: dict[str, str]) -> Run:
    """Run ``command`` in the project root: its wall time and its own peak RSS, measured by
    bench/measure.py (see there why the benchmark does not fork it itself)."""
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryFile() as out, \
            tempfile.TemporaryFile() as err:
        result = Path(tmp) / "result.json"
        launcher = subprocess.run([sys.executable, "-S", str(BENCH / "measure.py"), str(result),
                                   *command], cwd=ROOT, env=env, stdout=out, stderr=err,
                                  stdin=subprocess.DEVNULL, check=False)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        try:
            measured = json.loads(result.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return Run(0.0, 0, 0.0, launcher.returncode or 1, stdout, stderr)
        return Run(measured["wall_s"], measured["max_rss_kb"], measured.get("cpu_s", 0.0),
                   measured["exit_code"], stdout, stderr)


class CommandFailed(Exception):
    pass


@dataclass
class Measure:
    """One benchmarked command, run several times."""

    key: str
    label: str
    command: list[str]
    repeats: int
    before: object = None  # called before every run (outside the timing)
    setup: list[str] | None = None  # a command run once before the first run
    warm_up: bool = True  # run once untimed before the measured runs (full mode)
    env: dict[str, str] = field(default_factory=dict)  # added to the environment
    may_fail: bool = False  # a failed run is recorded (and reported), not an error
    expect: str | None = None  # text its stdout must contain
    runs: list[Run] = field(default_factory=list)

    def prepare(self, env: dict[str, str]) -> None:
        if self.setup is not None:
            result = run(self.setup, {**env, **self.env})
            if result.exit_code != 0:
                raise CommandFailed(f"{self.label}: `{' '.join(self.setup)}` exited "
                                    f"{result.exit_code}\n{result.stderr.strip()[-2000:]}")

    def once(self, env: dict[str, str], *, record: bool = True) -> Run:
        if self.before is not None:
            self.before()
        result = run(self.command, {**env, **self.env})
        failed = result.exit_code != 0 or (self.expect and self.expect not in result.stdout)
        if failed and not self.may_fail:
            raise CommandFailed(
                f"{self.label}: `{' '.join(self.command)}` exited {result.exit_code}"
                + (f" without printing {self.expect!r}" if result.exit_code == 0 else "")
                + f"\n{result.stderr.strip()[-2000:]}")
        if record:
            self.runs.append(result)
        return result

    @property
    def median_s(self) -> float:
        return statistics.median(r.wall_s for r in self.runs)

    @property
    def median_cpu_s(self) -> float:
        return statistics.median(r.cpu_s for r in self.runs)

    @property
    def median_rss_mb(self) -> float:
        return statistics.median(r.max_rss_kb for r in self.runs) / 1024

    def summary(self) -> dict:
        return {
            "label": self.label,
            "command": [_relative(part) for part in self.command],
            "repeats": len(self.runs),
            "median_s": round(self.median_s, 4),
            "min_s": round(min(r.wall_s for r in self.runs), 4),
            "max_s": round(max(r.wall_s for r in self.runs), 4),
            "median_cpu_s": round(self.median_cpu_s, 4),
            "median_max_rss_mb": round(self.median_rss_mb, 1),
            "runs": [{"wall_s": round(r.wall_s, 4), "cpu_s": round(r.cpu_s, 4),
                      "max_rss_mb": round(r.max_rss_kb / 1024, 1)} for r in self.runs],
        }


def _relative(part: str) -> str:
    if part == sys.executable:
        return "python"
    try:
        return str(Path(part).relative_to(ROOT))
    except ValueError:
        return part


def _fresh(directory: Path):
    def clear() -> None:
        shutil.rmtree(directory, ignore_errors=True)

    return clear


# --- inputs ----------------------------------------------------------------------------------


def generator_key() -> str:
    """Changes whenever the pages the benchmark builds would change."""
    import pages

    digest = hashlib.sha256()
    for path in (BENCH / "pages.py", ROOT / "tests" / "pagegen.py", pages.SNAPSHOT_2024,
                 ROOT / "pipeline" / "snapshots.py"):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def prepare_inputs(sizes: list[int], snapshots: int, diff_size: int) -> dict:
    """Pages and raw/ stores under bench/work/gen-<key>/, made once per generator version."""
    import pages

    key = generator_key()
    gen = WORK / f"gen-{key}"
    for old in WORK.glob("gen-*"):
        if old != gen:
            shutil.rmtree(old, ignore_errors=True)
    gen.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    html = pages.html_2024()
    inputs: dict = {"pages": {}, "generator_key": key}
    for size in sizes:
        if size == 1:
            path = pages.SNAPSHOT_2024  # the real page, with its sidecar
        else:
            path = gen / f"page-{size}x.html"
            if not path.exists():
                _atomic_text(path, pages.scaled_page(html, size))
        inputs["pages"][size] = path
    old_page = inputs["pages"].get(diff_size) or gen / f"page-{diff_size}x.html"
    if not old_page.exists():
        _atomic_text(old_page, pages.scaled_page(html, diff_size))
    new_page = gen / f"page-{diff_size}x-edited.html"
    if not new_page.exists():
        _atomic_text(new_page, pages.scaled_page(
            html, diff_size, renew_every=50, remove_every=97, add_every=101,
            as_of=pages.START + dt.timedelta(days=200)))
    inputs["diff"] = (old_page, new_page)
    inputs["raw"] = history_store(gen / f"raw-{snapshots}", snapshots)
    inputs["generation_s"] = round(time.perf_counter() - started, 2)
    return inputs


def history_store(raw: Path, snapshots: int) -> Path:
    """``snapshots`` daily snapshots stored with pipeline.snapshots.store_snapshot; the page
    changes every HISTORY_EVERY_DAYS days and its asset URLs every day."""
    done = raw / ".complete"
    if done.exists():
        return raw
    import pages

    from pipeline.snapshots import store_snapshot

    shutil.rmtree(raw, ignore_errors=True)
    versions = list(pages.history_versions(
        pages.html_2024(), math.ceil(snapshots / HISTORY_EVERY_DAYS), HISTORY_EVERY_DAYS))
    first = dt.datetime(pages.START.year, pages.START.month, pages.START.day, 6, tzinfo=dt.UTC)
    meta = {"requested_url": "https://www.naist.jp/en/international_activities/"
                             "international_partner_list.html",
            "http_status": 200, "content_type": "text/html; charset=utf-8", "charset": "utf-8"}
    meta["final_url"] = meta["requested_url"]
    for day in range(snapshots):
        taken = first + dt.timedelta(days=day)
        body = pages.daily_variant(versions[day // HISTORY_EVERY_DAYS], taken.date())
        store_snapshot(raw, body.encode("utf-8"), meta, now=taken)
    done.write_text(f"{snapshots}\n", encoding="utf-8")
    return raw


def _rows(path: Path) -> int:
    import re

    match = re.search(rb"(\d+) institutions from", path.read_bytes())
    return int(match.group(1)) if match else 0


# --- the benchmark ---------------------------------------------------------------------------


def _copy_tree(source: Path, target: Path) -> None:
    """``target`` becomes a copy of ``source`` (hard links where the file system allows).

    Symlinks are copied as symlinks: out/ publishes through ``.current`` and per-file links,
    which must stay links for the next run to publish over them.
    """
    shutil.rmtree(target, ignore_errors=True)
    try:
        shutil.copytree(source, target, symlinks=True, copy_function=os.link)
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target, symlinks=True)


def one_more_snapshot(raw: Path, target: Path, *, renew: bool = True) -> Path:
    """``target``: the snapshots of ``raw`` plus one taken the next day, as a daily refresh
    adds: a new version of the page (one more renewal), or with ``renew=False`` the same
    partners with the next day's asset URLs (what 19 days in 20 of the history store add)."""
    done = target / ".complete"
    if done.exists():
        return target
    import pages

    from pipeline.snapshots import list_snapshots, store_snapshot

    _copy_tree(raw, target)
    (target / ".complete").unlink(missing_ok=True)
    newest = list_snapshots(target)[-1]
    taken = newest.taken_at + dt.timedelta(days=1)
    html = newest.path.read_text(encoding="utf-8")
    if renew:
        page = pages.Page(html)
        name = page.names()[0]
        table, i = page.find(name)
        renewed = pages._renewed(table.rows[i][4])
        if renewed is not None:
            table.rows[i][4] = renewed
        page.set_as_of(taken.date())
        html = page.html()
    else:
        html = html.replace(newest.taken_at.strftime("?v=%Y%m%d"), taken.strftime("?v=%Y%m%d"))
    meta = {"charset": "utf-8", "http_status": 200}
    store_snapshot(target, html.encode("utf-8"), meta, now=taken)
    done.write_text("1\n", encoding="utf-8")
    return target


TODAY_COMMIT = "25a78a5"  # main before the run-level history cache: "today's" history


def code_of(commit: str) -> Path:
    """pipeline/ and schemas/ as they were at ``commit`` (git archive), under the work
    directory, run with this venv to measure that code on the same inputs."""
    target = WORK / f"code-{commit}"
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=tar", commit, "pipeline", "schemas"],
                             cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    (target / ".complete").write_text(commit + "\n", encoding="utf-8")
    return target


def measures(inputs: dict, sizes: list[int], small: int, large: int, snapshots: int,
             names: int, *, quick: bool, store_count: int) -> list[Measure]:
    py = sys.executable
    runs = WORK / "runs"
    found: list[Measure] = []
    if not quick:
        clone = runs / "fresh-clone"
        found.append(Measure(
            "setup", "set-up from a fresh clone (git clone; make .venv/.dev-installed)",
            ["bash", "-c", f"git clone -q {shlex.quote(str(ROOT))} {shlex.quote(str(clone))}"
                           f" && make -C {shlex.quote(str(clone))} .venv/.dev-installed"],
            1, before=_fresh(clone), warm_up=False))
    found.append(Measure("floor", "import floor (bench/floor.py)",
                         [py, str(BENCH / "floor.py")], small))
    found.append(Measure("floor_history", "import floor of history (bench/floor.py --history)",
                         [py, str(BENCH / "floor.py"), "--history"], small))
    for size in sizes:
        page = str(inputs["pages"][size])
        repeats = small if size < 100 else large
        out = runs / f"build-{size}x"
        found.append(Measure(
            f"baseline_{size}x", f"baseline (read_html + to_csv + to_parquet), {size}x page",
            [py, str(BENCH / "baseline.py"), page, str(runs / f"baseline-{size}x")], repeats,
            warm_up=size < 1000))
        found.append(Measure(
            f"cold_{size}x", f"cold build, {size}x page",
            [py, "-m", "pipeline", "build", "--snapshot", page, "--out", str(out), "--force"],
            repeats, before=_fresh(out), expect="built ", warm_up=size < 1000))
        if size < 1000:
            found.append(Measure(
                f"current_{size}x", f"up-to-date build, {size}x page",
                [py, "-m", "pipeline", "build", "--snapshot", page, "--out", str(out)],
                repeats, expect="is up to date"))
    old, new = inputs["diff"]
    found.append(Measure(
        "diff", f"diff of two {_size_of(old)} pages",
        [py, "-m", "pipeline", "diff", str(old), str(new), "--out", str(runs / "diff")],
        large))
    found.extend(history_measures(inputs, runs, snapshots, large))
    raw = inputs["raw"]
    found.append(Measure(
        "current_raw", f"up-to-date build, newest of {snapshots:,} snapshots in raw/",
        [py, "-m", "pipeline", "build", "--raw-dir", str(raw), "--out", str(runs / "build-raw")],
        small, expect="is up to date",
        setup=[py, "-m", "pipeline", "build", "--raw-dir", str(raw), "--out",
               str(runs / "build-raw"), "--force"]))
    store_dir = runs / "store"
    found.append(Measure(
        "store", f"storing {store_count:,} daily snapshots",
        [py, str(BENCH / "store.py"), str(store_dir), str(store_count)], 1,
        before=_fresh(store_dir), warm_up=False))
    found.append(Measure(
        "names", f"cleaning {names:,} names",
        [py, str(BENCH / "clean_names.py"), "--count", str(names)], small))
    found.append(Measure(  # report, workbook, calendar: what they add to a cold build
        "analyst", "analyst outputs of the 1x page",
        [py, str(BENCH / "analyst_cost.py"), str(inputs["pages"][min(sizes)])], small))
    if not quick:
        found.append(Measure(
            # what `make test` runs: the install tests belong to .ci/run
            "tests", "test suite (make test's pytest -m 'not install', warm venv)",
            [py, "-m", "pytest", "-m", "not install", "-p", "no:cacheprovider"], 1,
            expect=" passed",
            warm_up=False, may_fail=True))
    return found


def history_measures(inputs: dict, runs: Path, snapshots: int, repeats: int) -> list[Measure]:
    """history over the stored snapshots: today's code (TODAY_COMMIT, run from
    bench/work/code-<commit>/ with this venv) and this code, first runs and the run after
    one new snapshot (a renewal, or the same partners in a new file) with a warm cache."""
    py, raw = sys.executable, inputs["raw"]
    today = {"PYTHONPATH": str(inputs["today_code"])}  # with -P: that pipeline/, not ours
    found = []

    def history(raw_dir: Path, out: Path, *, code: str = "this") -> list[str]:
        flags = ["-P"] if code == "today" else []
        return [py, *flags, "-m", "pipeline", "history", "--raw-dir", str(raw_dir),
                "--out", str(out)]

    found.append(Measure(
        "history_today", f"history over {snapshots:,} snapshots, first run, code of "
        f"{TODAY_COMMIT} (today's)", history(raw, runs / "history-today", code="today"),
        repeats, expect=f"{snapshots} snapshots", before=_fresh(runs / "history-today"),
        env=today))
    found.append(Measure(
        "history_nocache", f"history over {snapshots:,} snapshots, cache off",
        history(raw, runs / "history-nocache"), repeats, expect=f"{snapshots} snapshots",
        env={"PIPELINE_HISTORY_CACHE": "off"}))
    found.append(Measure(
        "history_first", f"history over {snapshots:,} snapshots, first run (empty cache)",
        history(raw, runs / "history-first"), repeats, expect=f"{snapshots} snapshots",
        before=_fresh(runs / "history-first")))
    for key, label, raw_dir, code in (
            ("history_incremental_today", "a renewal, today's code", inputs["raw_plus_one"],
             "today"),
            ("history_incremental", "a renewal", inputs["raw_plus_one"], "this"),
            ("history_same", "same partners, new asset URLs", inputs["raw_plus_same"], "this")):
        warm, out = runs / f"{key}-warm", runs / key

        def restore(warm=warm, out=out) -> None:
            _copy_tree(warm, out)

        found.append(Measure(
            key, f"history after one new snapshot ({label}; {snapshots + 1:,} in raw/)",
            history(raw_dir, out, code=code), repeats, expect=f"{snapshots + 1} snapshots",
            before=restore, setup=history(raw, warm, code=code),
            env=today if code == "today" else {}))
    return found


ANALYST_LIMIT_S = 1.0  # the analyst outputs may add at most this to a cold build


def analyst_cost(measure: Measure) -> dict | None:
    """Median in-process seconds of the analyst outputs (bench/analyst_cost.py)."""
    try:
        runs = [json.loads(r.stdout.strip().splitlines()[-1]) for r in measure.runs]
    except (ValueError, IndexError):
        return None
    seconds = statistics.median(run["analyst_s"] for run in runs)
    prepare_s = statistics.median(run["prepare_s"] for run in runs)
    return {"added_to_cold_build_s": round(seconds, 4), "limit_s": ANALYST_LIMIT_S,
            "prepare_s": round(prepare_s, 4),
            "status": "PASS" if seconds <= ANALYST_LIMIT_S else "FAIL",
            "bytes": runs[-1]["bytes"], "modules": runs[-1]["modules"]}


def _size_of(path: Path) -> str:
    stem = path.stem.split("-")
    return next((part for part in stem if part.endswith("x")), "1x")


def stage_breakdown(inputs: dict, sizes: list[int], env: dict[str, str]) -> dict:
    """Seconds per stage of one cold build of the smallest and the largest page."""
    found = {}
    for size in sorted({min(sizes), max(sizes)}):
        result = run([sys.executable, str(BENCH / "stages.py"), str(inputs["pages"][size]),
                      str(WORK / "runs" / f"stages-{size}x")], env)
        try:
            found[f"{size}x"] = json.loads(result.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            found[f"{size}x"] = {"error": result.stderr.strip()[-500:]}
    return found


#: The spans the growth slope is measured over: ``large`` (the target) between the two largest
#: pages, where what grows with the rows is seconds and the 1x page's run-to-run noise (a few
#: tenths of a second, subtracted as the fixed cost) cannot move it; ``small`` from 20x, shown
#: beside it, where the same noise is a third of what grows.
SLOPE_SPANS = {"large": 200, "small": 20}  # span -> the smaller page; the larger: the largest


def growth_slopes(med: dict[str, float], sizes: list[int]) -> dict[str, float | None]:
    """The slope of the cold build and of the baseline over each span of
    :data:`SLOPE_SPANS` whose pages were measured, up to the largest page."""
    found: dict[str, float | None] = {}
    big = max(sizes)
    for key, small in SLOPE_SPANS.items():
        if small not in sizes or big <= small or f"cold_{big}x" not in med:
            continue
        for what in ("cold", "baseline"):
            s = slope(med[f"{what}_1x"], med[f"{what}_{small}x"], med[f"{what}_{big}x"],
                      small, big)
            found[f"{what}_{key}"] = None if s is None else round(s, 3)
    return found


def slope(fixed: float, t_small: float, t_large: float, n_small: int, n_large: int):
    """Log-log slope of (time - fixed cost) against size, between two sizes."""
    a, b = t_small - fixed, t_large - fixed
    if a <= 0 or b <= 0:
        return None
    return math.log(b / a) / math.log(n_large / n_small)


def _last_json(m: Measure) -> list[dict]:
    found = []
    for r in m.runs:
        with contextlib.suppress(ValueError, IndexError):
            found.append(json.loads(r.stdout.strip().splitlines()[-1]))
    return found


def evaluate(by_key: dict[str, Measure], sizes: list[int], names_s: float | None,
             rows_by_size: dict[int, int]) -> dict:
    """Every figure of the report as a row; ratios and targets computed from the medians."""
    med = {key: m.median_s for key, m in by_key.items() if m.runs}
    rss = {key: m.median_rss_mb for key, m in by_key.items() if m.runs}
    rows: list[dict] = []

    def row(key, label, seconds=None, mb=None, ratio=None, value=None, target=None,
            cpu=None):
        """``target``: (limit, unit) for ``value`` (default: the ratio, else the seconds)."""
        if value is None:
            value = ratio if ratio is not None else seconds
        status = ""
        if target is not None:
            status = "n/a" if value is None else ("PASS" if value <= target[0] else "FAIL")
        rows.append({"key": key, "label": label,
                     "seconds": None if seconds is None else round(seconds, 3),
                     "cpu_s": None if cpu is None else round(cpu, 3),
                     "rss_mb": None if mb is None else round(mb),
                     "ratio": None if ratio is None else round(ratio, 3),
                     "value": None if value is None else round(value, 3),
                     "limit": None if target is None else target[0],
                     "unit": None if target is None else target[1], "status": status})

    def measured(key, label=None, **kw):
        if key in med:
            row(key, label or by_key[key].label, med[key], rss[key],
                cpu=by_key[key].median_cpu_s, **kw)

    measured("setup", target=(30.0, "s"))
    base1 = med.get("baseline_1x")
    for size in [size for size in sizes if f"baseline_{size}x" in med]:  # all but with --only
        base = med[f"baseline_{size}x"]
        tag = f"{size}x page ({rows_by_size[size]:,} rows)"
        measured(f"baseline_{size}x", f"baseline, {tag}")
        if size == 1:
            measured("floor", "import floor (bench/floor.py)", ratio=med["floor"] / base)
        target = {1: (1.25, "x"), 1000: (2.0, "x")}.get(size)
        measured(f"cold_{size}x", f"cold build, {tag}", ratio=med[f"cold_{size}x"] / base,
                 target=target)
        if size == 1000:
            row("rss_1000x", f"peak memory of the cold build, {tag}", mb=rss["cold_1000x"],
                ratio=rss["cold_1000x"] / rss["baseline_1000x"], target=(1.2, "x"))
        if f"current_{size}x" in med:
            measured(f"current_{size}x", f"up-to-date build, {tag}",
                     ratio=med[f"current_{size}x"] / base,
                     target=(0.3, "x") if size == 1 else None)
    slopes = growth_slopes(med, sizes)
    for span, small in SLOPE_SPANS.items():
        suffix = "" if span == "large" else f"_{span}"  # the target's row is "slope"
        tag = f"{small}x→{max(sizes)}x"
        if slopes.get(f"cold_{span}") is not None:
            row(f"slope{suffix}", f"growth slope of the cold build, {tag} (1.0 is linear)",
                value=slopes[f"cold_{span}"], target=(1.05, "") if span == "large" else None)
        if slopes.get(f"baseline_{span}") is not None:
            row(f"slope_baseline{suffix}", f"growth slope of the baseline, {tag}",
                value=slopes[f"baseline_{span}"])
    measured("diff")
    measured("history_today")
    for key in ("history_nocache", "history_first"):
        if key in med and "history_today" in med:  # against today's first run
            measured(key, ratio=med[key] / med["history_today"],
                     target=(0.5, "x") if key == "history_first" else None)
    measured("history_incremental_today")
    measured("floor_history")
    measured("history_incremental", target=(1.0, "s"))
    measured("history_same", target=(1.0, "s"))
    if base1:
        measured("current_raw", ratio=med["current_raw"] / base1)
    stored = _last_json(by_key["store"]) if "store" in by_key else []
    if stored:
        half, total = stored[0]["half_s"], stored[0]["total_s"]
        row("store", f"{by_key['store'].label}: all / first half (2.0 is linear)", total,
            rss.get("store"), value=total / half if half else None, target=(2.2, "x"),
            cpu=stored[0].get("total_cpu_s"))
        half_cpu, total_cpu = stored[0].get("half_cpu_s"), stored[0].get("total_cpu_s")
        if half_cpu and total_cpu:
            row("store_cpu", f"{by_key['store'].label}: CPU time, all / first half",
                value=total_cpu / half_cpu)
    if "names" in med:
        row("names", f"{by_key['names'].label} (in-process)", names_s, rss["names"],
            target=(1.0, "s"))
    if "tests" in med:
        failed = any(r.exit_code != 0 for r in by_key["tests"].runs)
        measured("tests", by_key["tests"].label + (" — some tests FAILED" if failed else ""),
                 target=(60.0, "s"))
        if failed:
            rows[-1]["status"] = "FAIL"
    targets = [{k: r[k] for k in ("key", "label", "value", "limit", "unit", "status")}
               for r in rows if r["status"]]
    return {"rows": rows, "slopes": slopes, "targets": targets,
            "ratios": {r["key"]: r["ratio"] for r in rows if r["ratio"] is not None}}


# --- presenting ------------------------------------------------------------------------------


def target_text(r: dict) -> str:
    if r["limit"] is None:
        return ""
    unit = "×" if r["unit"] == "x" else r["unit"]
    return f"≤ {r['limit']:g}{' ' if unit == 's' else ''}{unit}"


def value_texts(r: dict) -> tuple[str, str, str]:
    seconds = "" if r["seconds"] is None else f"{r['seconds']:.3f} s"
    if r["seconds"] is None and r["value"] is not None:
        seconds = f"{r['value']:.2f}"
    rss = "" if r["rss_mb"] is None else f"{r['rss_mb']:.0f} MB"
    cpu = "" if r.get("cpu_s") is None else f"{r['cpu_s']:.3f} s"
    ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}×"
    if r["key"] == "store" and r["value"] is not None:
        ratio = f"{r['value']:.2f}×"
    return seconds, cpu, rss, ratio


def table(evaluated: dict) -> str:
    lines = [f"{'measurement':<66} {'median':>9} {'CPU':>9} {'peak RSS':>9} {'ratio':>7}  "
             f"{'target':<9} status", "-" * 120]
    for r in evaluated["rows"]:
        seconds, cpu, rss, ratio = value_texts(r)
        lines.append(f"{r['label']:<66} {seconds:>9} {cpu:>9} {rss:>9} {ratio:>7}  "
                     f"{target_text(r):<9} {r['status']}")
    lines.append("")
    failed = [t for t in evaluated["targets"] if t["status"] == "FAIL"]
    for t in failed:
        lines.append(f"FAIL: {t['label']}: {t['value']:g}{t['unit']} (target ≤ "
                     f"{t['limit']:g}{t['unit']})")
    counted = sum(t["status"] in ("PASS", "FAIL") for t in evaluated["targets"])
    lines.append(f"{len(failed)} of {counted} targets missed" if failed
                 else f"all {counted} targets met")
    return "\n".join(lines)


def machine() -> dict:
    versions = {}
    from importlib import metadata

    for name in ("pandas", "pandera", "pyarrow", "lxml", "numpy", "uv"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "pipeline", "schemas"],
                                    cwd=ROOT, capture_output=True, text=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = None, None
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "load_average": os.getloadavg()[0],
            "packages": versions, "commit": commit, "uncommitted_changes": dirty}


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    global WORK
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="CI mode: 1x and 20x pages, one repeat, 100 snapshots, no warm-up, "
                             "no fresh clone, no test suite")
    parser.add_argument("--repeat", type=int,
                        help="repeats of every measurement (default 7 for small pages, 3 "
                             "for the large pages, diff and history)")
    parser.add_argument("--sizes", help="page sizes, comma-separated (default 1,20,200,1000)")
    parser.add_argument("--snapshots", type=int, help="snapshots for history (default 1000)")
    parser.add_argument("--store", type=int, help="snapshots to store (default 2000)")
    parser.add_argument("--names", type=int, default=10_000, help="names to clean")
    parser.add_argument("--work", type=Path, default=WORK,
                        help="directory for generated pages, snapshots and outputs "
                             "(default bench/work/, git-ignored)")
    parser.add_argument("--json", type=Path,
                        help="where to write the results (default bench/results.json; "
                             "results-quick.json in the work directory with --quick)")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE as the environment sets it")
    parser.add_argument("--no-warm-up", action="store_true",
                        help="skip the untimed warm-up run of each command")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--only", help="measure only these keys, comma-separated prefixes "
                                       "(e.g. history,store); results go to results-only.json "
                                       "in the work directory")
    args = parser.parse_args(argv)
    WORK = args.work.resolve()

    quick = args.quick
    sizes = sorted({int(s) for s in
                    (args.sizes or ("1,20" if quick else "1,20,200,1000")).split(",")})
    if 1 not in sizes:
        sizes.insert(0, 1)  # the real page: every ratio needs it
    snapshots = args.snapshots or (100 if quick else 1000)
    store_count = args.store or (200 if quick else 2000)
    small = args.repeat or (1 if quick else 7)
    large = args.repeat or (1 if quick else 3)
    json_path = args.json or (WORK / "results-quick.json" if quick
                              else WORK / "results-only.json" if args.only else RESULTS)
    env = dict(os.environ)
    if not args.no_bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)

    started = time.perf_counter()
    print(f"preparing inputs in {_relative(str(WORK))}/ ...", flush=True)
    inputs = prepare_inputs(sizes, snapshots, max(s for s in sizes if s <= 200))
    inputs["raw_plus_one"] = one_more_snapshot(inputs["raw"], WORK / f"raw-{snapshots}-plus-one")
    inputs["raw_plus_same"] = one_more_snapshot(inputs["raw"], WORK / f"raw-{snapshots}-plus-same",
                                                renew=False)
    inputs["today_code"] = code_of(TODAY_COMMIT)
    rows = {size: _rows(Path(inputs["pages"][size])) for size in sizes}
    all_measures = measures(inputs, sizes, small, large, snapshots, args.names, quick=quick,
                            store_count=store_count)
    if args.only:
        prefixes = tuple(args.only.split(","))
        all_measures = [m for m in all_measures if m.key.startswith(prefixes)]
    by_key = {m.key: m for m in all_measures}
    try:
        for m in all_measures:
            m.prepare(env)
        if not quick and not args.no_warm_up:  # bytecode and file caches; checks every command
            print("warm-up ...", flush=True)
            for m in all_measures:
                if m.warm_up:
                    m.once(env, record=False)
        for round_ in range(max(small, large)):
            print(f"round {round_ + 1} of {max(small, large)} ...", flush=True)
            for m in all_measures:
                if round_ < m.repeats:
                    print(f"  {m.label}", flush=True)
                    m.once(env)
    except CommandFailed as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 2

    names = None
    try:
        names_runs = _last_json(by_key["names"])
        names = {k: statistics.median(run[k] for run in names_runs)
                 for k in names_runs[0] if isinstance(names_runs[0][k], (int, float))}
    except (IndexError, KeyError):
        pass
    evaluated = evaluate(by_key, sizes, names["cleaning_s"] if names else None, rows)
    stages = {} if quick or args.only else stage_breakdown(inputs, sizes, env)

    report = table(evaluated)
    analyst = analyst_cost(by_key["analyst"]) if "analyst" in by_key else None
    if analyst:
        report += (f"\nanalyst outputs added to a cold build (in-process): "
                   f"{analyst['added_to_cold_build_s']:.3f} s (target ≤ {ANALYST_LIMIT_S:.0f} s: "
                   f"{analyst['status']}; parse+normalize+validate in the same process: "
                   f"{analyst['prepare_s']:.3f} s); report.html "
                   f"{analyst['bytes']['report.html']:,} bytes")
    print()
    print(report)
    if stages:
        print("\nwhere a cold build's time goes (s, one in-process run):")
        for size, found in stages.items():
            parts = ", ".join(f"{k} {v:.3f}" for k, v in found.get("stages_s", {}).items())
            print(f"  {size}: total {found.get('total_s', float('nan')):.3f}: {parts}")

    document = {
        "mode": "quick" if quick else "only" if args.only else "full",
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {"sizes": sizes, "repeats_small": small, "repeats_large": large,
                     "snapshots": snapshots, "history_every_days": HISTORY_EVERY_DAYS,
                     "stored_snapshots": store_count, "names": args.names,
                     "bytecode_cache": not args.no_bytecode_cache,
                     "warm_up": not quick and not args.no_warm_up},
        "inputs": {
            "pages": {f"{size}x": {"path": _relative(str(path)), "rows": rows[size],
                                   "bytes": Path(path).stat().st_size}
                      for size, path in inputs["pages"].items()},
            "diff": [_relative(str(p)) for p in inputs["diff"]],
            "raw": {"path": _relative(str(inputs["raw"])), "snapshots": snapshots,
                    "versions": math.ceil(snapshots / HISTORY_EVERY_DAYS)},
            "generation_s": inputs["generation_s"],
        },
        "measurements": {m.key: m.summary() for m in all_measures if m.runs},
        "names": names,
        "rows": evaluated["rows"],
        "analyst": analyst,
        "ratios": evaluated["ratios"],
        "slopes": evaluated["slopes"],
        "targets": evaluated["targets"],
        "stages": stages,
        "table": report.splitlines(),
        "elapsed_s": round(time.perf_counter() - started, 1),
    }
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    print(f"\nwrote {_relative(str(json_path))} in {document['elapsed_s']:.0f} s")
    if json_path == RESULTS:
        print("update the README's table with: python bench/readme.py --write")
    missed = any(t["status"] == "FAIL" for t in evaluated["targets"])
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
