"""Broken or hostile pages stop the build with one clear line, and out/ keeps the last good build.

Each case runs the command line as a user or a scheduler would: most through ``cli.main`` in
this process (tests/inprocess.py), the pages that could crash a process (deep, explosive) and a
few representative ones as a real subprocess, so exit codes and a traceback-free stderr are
checked on the real process too.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SNAPSHOT_2024
from tests.inprocess import run_cli

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"

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
    "5 MB name": (_replace_once("Mahidol University", "Mahidol " + "Universityx" * 480_000),
                  "Mahidol Universityx"),
    "formula in a name": (_replace_once("Mahidol University",
                                        '=HYPERLINK("http://example.invalid","Mahidol")'),
                          "formula"),
}


# Cases also run as a real process: exit code and stderr exactly as a scheduler sees them (a
# failure before pandas is imported, one in validation, an explosive page, a malformed row).
# The 5 MB name runs in this process: its cost is the name, not the process.
IN_SUBPROCESS = {"binary garbage", "cut off in the middle", "colspan_rowspan_bomb.html",
                 "row_missing_cell.html"}


def run_build(snapshot, out, *extra, process: bool = False):
    argv = ["build", "--snapshot", str(snapshot), "--out", str(out), *extra]
    return run_command(argv, process)


def run_command(argv, process: bool = False):
    if not process:
        return run_cli(argv)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "pipeline", *argv], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


@pytest.fixture
def good_out(tmp_path, built_2024):
    out = tmp_path / "out"
    shutil.copytree(built_2024, out)
    return out, {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}


def assert_failed_cleanly(result, expected, out, before):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert len(lines[0]) <= 300  # long values elided
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
    result = run_build(snapshot, out, process=case in IN_SUBPROCESS)
    assert_failed_cleanly(result, expected, out, before)


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
    result = run_build(snapshot, out, "--force", process=True)
    assert "Traceback" not in result.stderr
    if result.returncode != 0:
        assert_failed_cleanly(result, None, out, before)
    else:
        assert (out / "partners.csv").read_bytes() == before["partners.csv"]


# --- the hostile-page corpus (tests/fixtures/hostile/) -----------------------------------------
def read_csv_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def built_names(out: Path) -> list[str]:
    import csv

    with (out / "partners.csv").open(encoding="utf-8", newline="") as fh:
        return [row["name"] for row in csv.DictReader(fh)]


def page_warnings(out: Path) -> list[str]:
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    return [w["message"] for w in metadata["warnings"]]


CORPUS_NAMES = [
    "Hanbat National University", "College of IT Engineering, Kyungpook National University",
    "École Polytechnique", "Université Grenoble Alpes", "Cheikh Anta Diop University",
]  # fmt: skip

# A charset label the bytes contradict, or one that names no charset: the page is read the way
# its bytes decode cleanly, and the disagreement is a warning.
MISLABELLED = {
    "charset_latin1_label_on_utf8.html": "<meta> says iso-8859-1 but the bytes are UTF-8",
    "charset_shift_jis_label_on_utf8.html": "<meta> says Shift_JIS but the bytes are UTF-8",
    "charset_cp1252_body_labelled_utf8.html": "<meta> says utf-8 but the bytes are cp1252",
    "charset_base64_label.html": "unknown charset 'base64' in the page's <meta>",
    "charset_unknown_label.html": "unknown charset 'x-foo' in the page's <meta>",
}  # fmt: skip


@pytest.mark.parametrize("page", sorted(MISLABELLED))
def test_mislabelled_page_builds_from_its_clean_decoding_with_a_warning(page, tmp_path):
    out = tmp_path / "out"
    result = run_build(HOSTILE / page, out)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert built_names(out) == CORPUS_NAMES  # no mojibake, no U+FFFD
    assert any(MISLABELLED[page] in message for message in page_warnings(out))


def test_unknown_charset_stored_in_a_sidecar_is_ignored_with_a_warning(tmp_path):
    body = (HOSTILE / "charset_sidecar_base64.html").read_bytes()
    raw = tmp_path / "raw"
    raw.mkdir()
    stem = f"20250115T060000Z_{hashlib.sha256(body).hexdigest()[:12]}"
    (raw / f"{stem}.html").write_bytes(body)
    shutil.copy(HOSTILE / "charset_sidecar_base64.json", raw / f"{stem}.json")
    stored = {p.name: p.read_bytes() for p in raw.iterdir()}
    out = tmp_path / "out"
    for _ in range(2):  # and on every later build
        result = run_build_raw(raw, out, "--force")
        assert result.returncode == 0, result.stderr
        assert built_names(out) == CORPUS_NAMES
        assert any("unknown charset 'base64' in the HTTP charset" in m for m in page_warnings(out))
    assert {p.name: p.read_bytes() for p in raw.iterdir()} == stored


def run_build_raw(raw, out, *extra):
    return run_command(["build", "--raw-dir", str(raw), "--out", str(out), *extra])


def _invisible(text: str) -> set[str]:
    """Format (Cf) and control (Cc) characters other than line ends."""
    import unicodedata

    return {ch for ch in text if unicodedata.category(ch) in ("Cf", "Cc") and ch not in "\r\n"}


def test_invisible_and_control_characters_never_reach_out(tmp_path):
    """Zero-width, bidi overrides, C0/C1 controls and terminal escapes in cells are removed
    before anything reads the text, and every removal is a row of corrections.csv."""
    import pyarrow.parquet as pq

    out = tmp_path / "out"
    result = run_build(HOSTILE / "invisible_characters.html", out)
    assert result.returncode == 0, result.stderr
    assert built_names(out) == CORPUS_NAMES
    for path in out.iterdir():
        if path.suffix in (".csv", ".json"):
            assert not _invisible(path.read_text(encoding="utf-8")), path.name
    table = pq.read_table(out / "partners.parquet").to_pylist()
    assert not any(_invisible(v) for row in table for v in row.values() if isinstance(v, str))
    corrections = read_csv_text(out / "corrections.csv")
    assert corrections.count(",strip_invisible,") == 7
    assert "FR-7eb830d7,country,Fra<U+2066>nce<U+2069>,France,strip_invisible,1.0" in corrections


# Pages whose structure breaks what the page itself promises: each fails, naming the problem
# (and the row), whatever the page's totals say.
HOSTILE_FAILURES = {
    # The Africa table is gone, its heading kept, the totals restated to match.
    "heading_without_table.html": ["region heading 'Africa(1)' has no partner table"],
    # The only row of a one-row table lost its expiration cell.
    "row_missing_cell.html": ["partner table 3, row 2 has 4 of 5 cells", "Cheikh Anta Diop"],
    # One stray cell: blamed on its own row, not on its neighbour.
    "row_extra_cell.html": ["partner table 1, row 3 has 6 cells, more than the 5", "Kyungpook"],
    "duplicate_row.html": ["partner table 2, row 4 repeats partner table 2, row 3 exactly",
                           "Université Grenoble Alpes"],
    "mojibake_in_name.html": ["partner table 2, row 2", "'Ã‰cole Polytechnique' holds mojibake"],
    "replacement_character_in_name.html": ["partner table 2, row 3", "(U+FFFD)"],
    # 60 tables of rows whose first cell spans 1000 columns and every row below (rowspan=0):
    # each table under any per-table limit, the page far over the per-page one.
    "colspan_rowspan_bomb.html": ["the page's tables hold more than 1,000,000 cells"],
    # Counts of any size are read whole: not "says 32".
    "stated_count_with_thousands.html": ["the page says 100032 institutions but lists 5"],
}  # fmt: skip


@pytest.fixture
def raw_copy(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in (SNAPSHOT_2024, SNAPSHOT_2024.with_suffix(".json")):
        shutil.copy2(path, raw / path.name)
    return raw, {p.name: p.read_bytes() for p in raw.iterdir()}


@pytest.mark.parametrize("page", sorted(HOSTILE_FAILURES))
def test_hostile_page_fails_naming_the_problem(page, good_out, raw_copy):
    out, before = good_out
    raw, stored = raw_copy
    result = run_build(HOSTILE / page, out, "--raw-dir", str(raw),
                       process=page in IN_SUBPROCESS)
    assert result.returncode == 1
    assert_failed_cleanly(result, None, out, before)
    for expected in HOSTILE_FAILURES[page]:
        assert expected in result.stderr, result.stderr
    assert "Hanbat" not in result.stderr  # never a neighbouring row
    assert {p.name: p.read_bytes() for p in raw.iterdir()} == stored
