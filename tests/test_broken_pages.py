"""Broken or hostile pages stop the build with one clear line, and out/ keeps the last good build.

Each case runs the real command in a subprocess, as a user or a scheduler would.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys

import pytest

from tests.conftest import SNAPSHOT_2024

GOOD = SNAPSHOT_2024.read_bytes()
GOOD_TEXT = GOOD.decode("utf-8")


def _replace_once(old: str, new: str) -> bytes:
    assert old in GOOD_TEXT, old
    return GOOD_TEXT.replace(old, new, 1).encode("utf-8")


def _without_tables() -> bytes:
    start, end = GOOD_TEXT.index("<table"), GOOD_TEXT.rindex("</table>") + len("</table>")
    return (GOOD_TEXT[:start] + GOOD_TEXT[end:]).encode("utf-8")


BROKEN = {
    "empty file": (b"", "empty"),
    "binary garbage": (random.Random(7).randbytes(4096), "not an html page"),
    "no tables": (_without_tables(), "no partner table"),
    "cut off in the middle": (GOOD[: len(GOOD) // 2], None),
    "impossible date": (_replace_once("2011.07.22", "2011.02.30"), "real calendar dates"),
    "unknown agreement type": (_replace_once('<td class="tac">IS</td>', '<td class="tac">XS</td>'),
                               "legend"),
    "stated count does not match": (_replace_once("96 institutions", "97 institutions"),
                                    "97 institutions"),
    "json error body": (json.dumps({"error": "Service Unavailable", "status": 503}).encode(),
                        "json"),
    "empty country cell nothing can fill": (_replace_once(">Senegal<", "><"),
                                            "Cheikh Anta Diop University"),
    "formula in a name": (_replace_once("Mahidol University",
                                        '=HYPERLINK("http://example.invalid","Mahidol")'),
                          "formula"),
}


def run_build(snapshot, out, *extra):
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--snapshot", str(snapshot), "--out", str(out),
         *extra], capture_output=True, text=True, env=env, timeout=120, check=False)


@pytest.fixture
def good_out(tmp_path, built_2024):
    out = tmp_path / "out"
    shutil.copytree(built_2024, out)
    return out, {p.name: p.read_bytes() for p in out.iterdir()}


def assert_failed_cleanly(result, expected, out, before):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert len(lines[0]) < 400
    if expected:
        assert expected.casefold() in lines[0].casefold()
    for name, data in before.items():
        assert (out / name).read_bytes() == data, f"{name} changed"


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_page_fails_cleanly_and_keeps_last_build(case, tmp_path, good_out):
    out, before = good_out
    page, expected = BROKEN[case]
    snapshot = tmp_path / "page.html"
    snapshot.write_bytes(page)
    assert_failed_cleanly(run_build(snapshot, out), expected, out, before)


def test_failed_validation_writes_an_error_report(tmp_path, good_out):
    out, _ = good_out
    snapshot = tmp_path / "page.html"
    snapshot.write_bytes(BROKEN["impossible date"][0])
    run_build(snapshot, out)
    report = (out / "validation_errors.csv").read_text(encoding="utf-8").splitlines()
    assert report[0] == "check,column,name_raw,value"
    expected = "dates-are-real,initial_date,Hanbat National University,2011.02.30"
    assert expected in report


def test_formula_is_reported_neutralized_in_the_error_report(tmp_path, good_out):
    out, _ = good_out
    snapshot = tmp_path / "page.html"
    snapshot.write_bytes(BROKEN["formula in a name"][0])
    run_build(snapshot, out)
    for line in (out / "validation_errors.csv").read_text(encoding="utf-8").splitlines():
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "+", "@")), line


def test_count_mismatch_can_be_downgraded_to_a_warning(tmp_path):
    snapshot = tmp_path / "page.html"
    snapshot.write_bytes(BROKEN["stated count does not match"][0])
    result = run_build(snapshot, tmp_path / "out", "--allow-count-mismatch")
    assert result.returncode == 0, result.stderr
    assert "97 institutions" in result.stderr
    metadata = json.loads((tmp_path / "out" / "metadata.json").read_text())
    assert any("97 institutions" in w["message"] for w in metadata["warnings"])


def test_deeply_nested_page_builds_or_fails_cleanly(tmp_path, good_out):
    out, before = good_out
    depth = 50_000
    page = ("<div>" * depth + GOOD_TEXT + "</div>" * depth).encode("utf-8")
    snapshot = tmp_path / "deep.html"
    snapshot.write_bytes(page)
    result = run_build(snapshot, out, "--force")
    assert "Traceback" not in result.stderr
    if result.returncode != 0:
        assert_failed_cleanly(result, None, out, before)
    else:
        assert (out / "partners.csv").read_bytes() == before["partners.csv"]
