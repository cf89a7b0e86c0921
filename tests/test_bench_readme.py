"""The README's benchmark table is the one bench/readme.py makes from bench/results.json."""

from __future__ import annotations

import importlib.util
import json

from pipeline import config

BENCH = config.PROJECT_ROOT / "bench"


def load_readme_module():
    spec = importlib.util.spec_from_file_location("bench_readme", BENCH / "readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_benchmark_table_matches_results_json():
    readme = load_readme_module()
    results = json.loads((BENCH / "results.json").read_text(encoding="utf-8"))
    found = readme.current((config.PROJECT_ROOT / "README.md").read_text(encoding="utf-8"))
    assert found is not None, "README.md lacks the benchmark table markers"
    assert found == readme.block(results), "regenerate it: python bench/readme.py --write"


def test_results_json_is_a_full_run_with_every_target():
    results = json.loads((BENCH / "results.json").read_text(encoding="utf-8"))
    assert results["mode"] == "full"
    keys = {t["key"] for t in results["targets"]}
    assert keys >= {"setup", "cold_1x", "cold_1000x", "rss_1000x", "slope", "history_first",
                    "history_incremental", "store", "names", "tests"}
    assert all(t["status"] in ("PASS", "FAIL") for t in results["targets"])
