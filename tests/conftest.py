"""Shared fixtures: the stored 2024 snapshot and a build of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline import config

REPO = config.PROJECT_ROOT
SNAPSHOT_2024 = next(config.RAW_DIR.glob("20240401T000000Z_*.html"))


@pytest.fixture(scope="session")
def snapshot_2024() -> Path:
    """The reconstructed page as published on 2024-04-01 (read only)."""
    return SNAPSHOT_2024


@pytest.fixture
def raw_dir(tmp_path) -> Path:
    """A private raw/ holding a copy of the 2024 snapshot and its sidecar."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in (SNAPSHOT_2024, SNAPSHOT_2024.with_suffix(".json")):
        shutil.copy2(path, raw / path.name)
    return raw


@pytest.fixture(scope="session")
def built_2024(tmp_path_factory) -> Path:
    """out/ built once from the 2024 snapshot; tests must not modify it."""
    from pipeline.build import build

    out = tmp_path_factory.mktemp("out")
    build(SNAPSHOT_2024, out_dir=out)
    return out


# Tests that take seconds (real processes, big inputs, full frequency lists), by node id prefix.
# They run first: pytest-xdist's worksteal then fills the end with quick tests, so no worker is
# left running a slow one while the other has nothing to do.
SLOW_FIRST = (
    "tests/test_git_scrape.py::",
    "tests/test_fixers.py::test_known_words_list_agrees_with_wordfreq",
    "tests/test_broken_pages.py::test_broken_page_fails_cleanly_and_keeps_last_build[5 MB name]",
    "tests/test_history_cache.py::test_each_new_snapshot_is_folded_into_the_kept_replay",
    "tests/test_report_browser.py::",
    "tests/test_refresh.py::test_two_concurrent_refreshes",
    "tests/test_commit.py::test_no_permission_to_write_out",
    "tests/test_commit.py::test_a_full_disk",
    "tests/test_broken_pages.py::test_hostile_page_fails_naming_the_problem[colspan_rowspan",
    "tests/test_cli.py::test_a_command_validates_without_importing",
    "tests/test_names.py::test_generated_misspellings_in_page_names_are_fixed",
    "tests/test_names.py::test_cleaning_is_a_fixed_point",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first (a stable sort: the rest keep their order)."""
    items.sort(key=lambda item: not item.nodeid.startswith(SLOW_FIRST))


SMALL_CELL_LIMIT = 10_000  # the mechanism is the same at any limit; a small one is quick


@pytest.fixture
def small_cell_limit(monkeypatch) -> int:
    """``MAX_PAGE_CELLS`` lowered to ``SMALL_CELL_LIMIT`` wherever the parser reads it."""
    import importlib
    import pkgutil

    import pipeline.parse

    for info in pkgutil.iter_modules(pipeline.parse.__path__):
        module = importlib.import_module(f"pipeline.parse.{info.name}")
        if hasattr(module, "MAX_PAGE_CELLS"):
            monkeypatch.setattr(module, "MAX_PAGE_CELLS", SMALL_CELL_LIMIT)
    monkeypatch.setattr(pipeline.parse, "MAX_PAGE_CELLS", SMALL_CELL_LIMIT)
    return SMALL_CELL_LIMIT
