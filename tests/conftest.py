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
