"""The command line's own behaviour: help, version, argument errors, expected failures, and
one test for each way it used to surprise people (options after the command, `make diff` alone,
files written unasked, help for the code instead of the tool, commands tied to the repository,
a screenful of identical warnings)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from pipeline import __version__, config
from pipeline.cli import _parser, main
from tests.conftest import REPO, SNAPSHOT_2024
from tests.inprocess import run_cli


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["publish"])
    assert exit_.value.code == 1
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "says"), [
    (["refresh", "--timeout", "nan"], "--timeout"),
    (["refresh", "--timeout", "0"], "above 0"),
    (["refresh", "--url", "not a url"], "--url"),
    (["build", "--bogus"], "unrecognized arguments: --bogus"),
    (["publish"], "invalid choice"),
    (["diff", "--format"], "--format"),
])
def test_bad_arguments_are_one_line_and_exit_1(argv, says, capsys):
    """argparse's usage block and exit status 2 replaced by the one-line error every other
    expected failure gives, with where to look for the right usage."""
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and says in err
    assert "--help`" in err and len(err) <= 300


def test_diff_with_one_path_is_one_line(tmp_path, capsys):
    assert main(["diff", str(tmp_path / "a.html")]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and "OLD" in err


def test_missing_snapshot_file(tmp_path, capsys):
    code = main(["build", "--snapshot", str(tmp_path / "nope.html"), "--out", str(tmp_path)])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: snapshot not found") and err.count("\n") == 1


def test_empty_raw_dir(tmp_path, capsys):
    code = main(["build", "--raw-dir", str(tmp_path / "raw"), "--out", str(tmp_path / "out")])
    assert code == 1
    assert "no snapshot in" in capsys.readouterr().err


def test_tampered_snapshot_is_refused(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in (SNAPSHOT_2024, SNAPSHOT_2024.with_suffix(".json")):
        shutil.copy2(path, raw / path.name)
    copy = raw / SNAPSHOT_2024.name
    copy.write_bytes(copy.read_bytes().replace(b"Mahidol", b"Mahidal"))
    code = main(["build", "--raw-dir", str(raw), "--out", str(tmp_path / "out")])
    assert code == 1
    assert "sha256" in capsys.readouterr().err
    assert not (tmp_path / "out" / "partners.csv").exists()


def test_build_then_up_to_date_then_force(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["build", "--snapshot", str(SNAPSHOT_2024), "--out", str(out)]
    assert main(args) == 0
    assert "96 partners in 25 countries" in capsys.readouterr().out
    assert main(args) == 0
    assert "up to date" in capsys.readouterr().out
    assert main([*args, "--force"]) == 0
    assert "built" in capsys.readouterr().out


def test_validation_collects_every_failure(tmp_path, capsys):
    html = SNAPSHOT_2024.read_text(encoding="utf-8")
    html = html.replace("2011.07.22", "2011.02.30", 1).replace("2005.04.01", "2005.13.01", 1)
    page = tmp_path / "page.html"
    page.write_text(html, encoding="utf-8")
    code = main(["build", "--snapshot", str(page), "--out", str(tmp_path / "out")])
    assert code == 1
    err = capsys.readouterr().err
    assert "validation failed: 2 problem(s)" in err
    rows = list(csv.DictReader(io.StringIO(
        (tmp_path / "out" / "validation_errors.csv").read_text(encoding="utf-8"))))
    assert [(r["check"], r["value"]) for r in rows] == [
        ("dates-are-real", "2011.02.30"),
        ("dates-are-real", "2005.13.01"),
    ]


def test_garbage_collection_is_tuned_only_at_the_entry_point(tmp_path, monkeypatch):
    """The library leaves the collector alone; the command pauses it and turns it back on."""
    import gc

    from pipeline import build, normalize

    seen = []
    real = normalize.normalize_page

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(normalize, "normalize_page", spy)
    build.prepare(SNAPSHOT_2024, SNAPSHOT_2024.read_bytes())
    assert main(["build", "--snapshot", str(SNAPSHOT_2024), "--out", str(tmp_path)]) == 0
    assert seen == [True, False]
    assert gc.isenabled()


def test_a_command_validates_without_importing_the_test_only_hypothesis(tmp_path):
    """pandera would load its hypothesis-based strategies; a command runs as it would where
    only the runtime dependencies are installed, and leaves hypothesis importable after."""
    script = (
        "import sys\n"
        "from pipeline.cli import main\n"
        f"code = main(['build', '--snapshot', {str(SNAPSHOT_2024)!r},"
        f" '--out', {str(tmp_path)!r}])\n"
        "print(code, 'hypothesis' in sys.modules)\n"
        "import hypothesis\n"
        "print('importable')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == ["0 False", "importable"]


# --- global options before or after the command (`make refresh ARGS=-v`) --------------------

@pytest.mark.parametrize("argv", [["-v", "build"], ["build", "-v"], ["build", "--verbose"]])
def test_verbose_is_accepted_before_or_after_the_command(argv):
    assert _parser().parse_args(argv).verbose is True


def test_verbose_defaults_to_off_and_is_not_reset_by_the_command():
    assert _parser().parse_args(["build"]).verbose is False
    assert _parser().parse_args(["-v", "diff", "a", "b"]).verbose is True


@pytest.mark.parametrize("argv", [["--version"], ["build", "--version"], ["diff", "--version"]])
def test_version_is_accepted_before_or_after_the_command(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"naist-partners {__version__}"


def test_make_refresh_args_v_runs(tmp_path):
    """What `make build ARGS=-v` runs: the option after the command, through ``cli.main`` as
    ``python -m pipeline`` calls it (tests/test_git_scrape.py runs `make build` and
    `make refresh` as real processes)."""
    result = run_cli(["build", "-v", "--snapshot", str(SNAPSHOT_2024),
                      "--out", str(tmp_path / "out")])
    assert result.returncode == 0, result.stderr
    assert "96 partners" in result.stdout


# --- help written for users, every option explained, defaults shown --------------------------

def test_top_level_help_describes_the_tool_with_an_example_per_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "NAIST's International Partners List" in text
    assert "parses arguments" not in text and "stage" not in text
    examples = text.split("examples:")[1]
    for command in ("refresh", "build", "diff", "history"):
        assert f" {command}" in examples


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", ["build", "refresh", "diff", "history"])
def test_every_command_and_option_has_help_and_shows_its_default(command):
    parser = _subparsers()[command]
    assert parser.description and "example:" in parser.epilog
    text = parser.format_help()
    for action in parser._actions:
        assert action.help, f"{command} {action.option_strings or action.dest} has no help"
        has_value = action.default not in (None, False, argparse.SUPPRESS)
        if has_value and action.option_strings:
            assert f"{action.option_strings[-1]}" in text
    for default in (config.RAW_DIR, 60.0) if command == "refresh" else ():
        assert f"(default: {default})" in " ".join(text.split())


# --- diff: defaults to the two newest snapshots, writes only where --out says ----------------

def _raw_with_two_versions(tmp_path: Path) -> Path:
    from pipeline.snapshots import store_snapshot

    raw = tmp_path / "raw"
    raw.mkdir()
    for path in (SNAPSHOT_2024, SNAPSHOT_2024.with_suffix(".json")):
        shutil.copy2(path, raw / path.name)
    newer = SNAPSHOT_2024.read_bytes().replace(b"2026.07.21", b"2031.07.21", 1)
    store_snapshot(raw, newer, {"requested_url": "https://example.org/", "http_status": 200},
                   now=dt.datetime(2025, 1, 15, tzinfo=dt.UTC))
    return raw


def test_diff_without_versions_compares_the_two_newest_snapshots(tmp_path, capsys):
    raw = _raw_with_two_versions(tmp_path)
    code = main(["diff", "--raw-dir", str(raw), "--exit-code"])
    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert "the two newest snapshots" in captured.err
    assert SNAPSHOT_2024.name in captured.err
    assert "changed" in captured.out


def test_diff_with_one_snapshot_says_so_and_how_to_name_versions(raw_dir, capsys):
    assert main(["diff", "--raw-dir", str(raw_dir)]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("error: ") and "only one snapshot" in line
    assert "OLD=" in line and "NEW=" in line


def test_diff_with_only_old_is_refused_plainly(capsys):
    assert main(["diff", str(SNAPSHOT_2024)]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert "OLD and NEW" in line and "make diff OLD=" in line


def test_diff_writes_nothing_unless_out_is_given(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    before = set(config.OUT_DIR.glob("diff.*"))
    assert main(["diff", str(SNAPSHOT_2024), str(SNAPSHOT_2024)]) == 0
    assert set(config.OUT_DIR.glob("diff.*")) == before and not list(tmp_path.iterdir())
    assert capsys.readouterr().err == ""
    assert main(["diff", str(SNAPSHOT_2024), str(SNAPSHOT_2024), "--out", "d"]) == 0
    assert sorted(p.name for p in (tmp_path / "d").iterdir()
                  if not p.name.startswith(".")) == ["diff.csv", "diff.json"]
    assert "wrote d/diff.csv, d/diff.json" in capsys.readouterr().err


def test_diff_accepts_the_partners_csv_analysts_receive(built_2024, capsys):
    code = main(["diff", str(SNAPSHOT_2024), str(built_2024 / "partners.csv"), "--exit-code"])
    assert code == 0, capsys.readouterr().err


# --- one line per kind of warning, with a count and where all are listed ---------------------

def test_repeated_warnings_are_one_line_with_a_count(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", "--snapshot", str(SNAPSHOT_2024), "--out", str(out)]) == 0
    lines = capsys.readouterr().err.splitlines()
    warnings = json.loads((out / "metadata.json").read_text(encoding="utf-8"))["warnings"]
    checks = {w["check"] for w in warnings}
    assert len(lines) == len(checks) < len(warnings)
    terms = [line for line in lines if "agreements run for whole terms" in line]
    count = sum(w["check"] == "whole-terms" for w in warnings)
    assert terms == [terms[0]] and terms[0].startswith(f"warning: {count} × ")
    assert terms[0].endswith(f"all in {out / 'metadata.json'}")


# --- installed as a console script, working on ./raw and ./out of the current directory ------

def test_paths_are_the_repository_s_when_run_from_a_checkout(tmp_path):
    assert config.work_dir(cwd=tmp_path) == REPO
    assert config.RAW_DIR == REPO / "raw" and config.OUT_DIR == REPO / "out"


_OFFLINE = ("Could not find a version", "No matching distribution", "Failed to establish",
            "Temporary failure in name resolution", "Network is unreachable",
            "Failed to fetch", "dns error")


@pytest.mark.install  # about 40 s: .ci/run runs it on its own, `make test` leaves it out
def test_pip_install_gives_a_working_naist_partners_command(tmp_path):
    """`pip install .` into a fresh venv (with uv, the test tools' installer, else pip), every
    dependency resolved from the package index within the lock;
    then the command works from another directory on that directory's raw/ and out/."""
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    source = tmp_path / "source"  # a copy: building writes build/ and *.egg-info beside it
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("pipeline", "schemas"):
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "requirements.lock"):
        shutil.copy2(REPO / name, source / name)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=uv is None).create(env_dir)
    python = env_dir / "bin" / "python"
    lock = str(source / "requirements.lock")
    install = subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", str(python), "-c", lock, str(source)]
        if uv else
        [str(python), "-m", "pip", "install", "--quiet", "--no-compile",
         "--disable-pip-version-check", "-c", lock, str(source)],
        capture_output=True, text=True, check=False)
    if install.returncode and any(sign in install.stderr for sign in _OFFLINE):
        pytest.skip(f"pip cannot reach a package index: {install.stderr.strip()[-200:]}")
    assert install.returncode == 0, install.stderr
    command = env_dir / "bin" / "naist-partners"
    work = tmp_path / "work"
    (work / "raw").mkdir(parents=True)
    for path in (SNAPSHOT_2024, SNAPSHOT_2024.with_suffix(".json")):
        shutil.copy2(path, work / "raw" / path.name)
    clean_env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    help_run = subprocess.run([str(command), "--help"], cwd=work, capture_output=True,
                              text=True, env=clean_env, check=False)
    assert help_run.returncode == 0, help_run.stderr
    assert help_run.stdout.startswith("usage: naist-partners")
    build_run = subprocess.run([str(command), "build"], cwd=work, capture_output=True,
                               text=True, env=clean_env, check=False)
    assert build_run.returncode == 0, build_run.stderr
    assert (work / "out" / "partners.parquet").is_file()
    # the word lists in data/'s subfolders are installed too: a common word is corrected
    clean_run = subprocess.run([str(command), "clean-names"], cwd=work, capture_output=True,
                               text=True, env=clean_env, input="Ohio Swtate University\n",
                               check=False)
    assert clean_run.returncode == 0, clean_run.stderr
    assert "Ohio State University" in clean_run.stdout


def test_clean_names_reads_stdin_as_one_page(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(
        "Chulalongkorn Univeristy\nTechnical Univeristy of Munich\n\nKorea Polytechnics\n"))
    assert main(["clean-names"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == ["name_raw", "name", "institution", "unit", "changes"]
    assert [r["name"] for r in rows] == [
        "Chulalongkorn University", "Technical University of Munich", "Korea Polytechnics"]
    assert rows[0]["changes"] == "spelling: Univeristy -> University"
    assert rows[2]["changes"] == ""


def test_clean_names_reads_a_csv_column(tmp_path, capsys):
    source = tmp_path / "partners.csv"
    source.write_text('id,institution\n1,"Faculty of Science, Mahidol Univeristy"\n',
                      encoding="utf-8")
    assert main(["clean-names", str(source), "--column", "institution"]) == 0
    (row,) = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert (row["name"], row["institution"], row["unit"]) == (
        "Faculty of Science, Mahidol University", "Mahidol University", "Faculty of Science")


def test_clean_names_unknown_column_is_one_error_line(tmp_path, capsys):
    source = tmp_path / "names.csv"
    source.write_text("id,name\n1,Mahidol University\n", encoding="utf-8")
    assert main(["clean-names", str(source), "--column", "institution"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: no column 'institution'") and err.count("\n") == 1


def test_metadata_names_the_source_profile(built_2024):
    metadata = json.loads((built_2024 / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["source"]["profile"] == "naist"


# --- history and diff never write into raw/ or over a file ------------------------------------

def _raw_copy(tmp_path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in SNAPSHOT_2024.parent.glob(SNAPSHOT_2024.stem + ".*"):
        shutil.copy2(path, raw / path.name)
    return raw


def _listing(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_history_into_raw_dir_is_refused_in_one_line(tmp_path, capsys):
    raw = _raw_copy(tmp_path)
    before = _listing(raw)
    assert main(["history", "--raw-dir", str(raw), "--out", str(raw)]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and "--raw-dir" in err
    assert _listing(raw) == before


def test_diff_out_naming_a_file_is_refused_in_one_line(tmp_path, capsys):
    target = tmp_path / "diff.txt"
    target.write_text("kept\n", encoding="utf-8")
    code = main(["diff", str(SNAPSHOT_2024), str(SNAPSHOT_2024), "--out", str(target)])
    err = capsys.readouterr().err
    assert code == 1 and len(err.splitlines()) == 1 and err.startswith("error: ")
    assert "is a file" in err and target.read_text(encoding="utf-8") == "kept\n"


def test_diff_out_into_raw_dir_is_refused(tmp_path, capsys):
    raw = _raw_copy(tmp_path)
    before = _listing(raw)
    snapshot = next(raw.glob("*.html"))
    code = main(["diff", str(snapshot), str(snapshot), "--raw-dir", str(raw), "--out", str(raw)])
    assert code == 1 and len(capsys.readouterr().err.splitlines()) == 1
    assert _listing(raw) == before


def test_package_data_covers_every_data_file():
    """setuptools' package-data globs match one folder level each: every file the cleaner
    reads, in data/'s subfolders too, must be matched by a pattern of the same depth."""
    import fnmatch
    import tomllib

    patterns = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["package-data"]["pipeline"]
    package = REPO / "pipeline"
    missed = [
        rel for path in (package / "data").rglob("*") if path.is_file()
        for rel in [path.relative_to(package).as_posix()]
        if not any(fnmatch.fnmatch(rel, p) and rel.count("/") == p.count("/") for p in patterns)
    ]
    assert not missed, f"not installed: {missed[:5]}"
