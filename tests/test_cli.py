"""The command line's own behaviour: help, version, argument errors, expected failures."""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from pipeline import __version__
from pipeline.cli import main
from tests.conftest import SNAPSHOT_2024


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["publish"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


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
        ("dates are real calendar dates", "2011.02.30"),
        ("dates are real calendar dates", "2005.13.01"),
    ]


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
