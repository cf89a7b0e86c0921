"""out/ is replaced as one unit: killed at any step of a commit, on a full or read-only disk,
out/ still shows one whole build (every file listed in metadata.json with its hash)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import pytest

from pipeline import config, write
from pipeline.cli import main
from pipeline.errors import OutputError
from pipeline.write import BUILDS, CURRENT, commit_files, current_dir
from tests.conftest import SNAPSHOT_2024


def fake_build(number: int) -> dict[str, str]:
    """The files of build ``number``: its own contents and a file set that changes."""
    files = {"partners.csv": f"build {number}\r\n" * 50, "partners.parquet": f"PAR{number}",
             f"extra{number % 2}.csv": f"only in builds like {number}"}
    digests = {name: hashlib.sha256(text.encode()).hexdigest() for name, text in files.items()}
    return {**files, "metadata.json": json.dumps({"build": number, "files": digests})}


def shown_build(out: Path) -> int:
    """The build out/ shows, read through the stable names; fails unless it is whole."""
    metadata = json.loads((out / "metadata.json").read_text())
    for name, digest in metadata["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    assert (out / "history.csv").read_text() == "kept"  # written by another command
    return metadata["build"]


def commit_killed_at(out: Path, step: int, number: int) -> subprocess.CompletedProcess:
    """Commit build ``number`` in a child process (a fork of this one) that SIGKILLs itself at
    the ``step``-th checkpoint of write.commit_files (never, for 0): a real process dies there."""
    stale = [f"extra{(number + 1) % 2}.csv"]
    files = {name: text.encode() for name, text in fake_build(number).items()}
    with tempfile.TemporaryFile() as errors:
        pid = os.fork()
        if pid == 0:  # the child: commit, die at the step, and never return into the tests
            os._exit(_commit_and_die(out, files, stale, step, errors))
        _, status = os.waitpid(pid, 0)
        errors.seek(0)
        stderr = errors.read().decode()
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    return subprocess.CompletedProcess([str(out), step, number], code, "", stderr)


def _commit_and_die(out: Path, files: dict, stale: list, step: int, errors) -> int:
    """In the child: commit, SIGKILLed at the ``step``-th checkpoint; 1 and the traceback on
    ``errors`` if the commit raised."""
    steps = [0]

    def checkpoint(_name):
        steps[0] += 1
        if steps[0] == step:
            os.kill(os.getpid(), signal.SIGKILL)

    try:
        write._checkpoint = checkpoint
        write.commit_files(out, files, remove=stale)
    except BaseException:
        errors.write(traceback.format_exc().encode())
        errors.flush()
        return 1
    return 0


def leftovers(out: Path) -> list[str]:
    names = os.listdir(out) + os.listdir(out / BUILDS)
    return [name for name in names if ".tmp" in name]


def test_a_commit_killed_at_any_step_leaves_one_whole_build(tmp_path):
    out = tmp_path / "out"
    commit_files(out, {"history.csv": b"kept"})
    commit_files(out, {name: text.encode() for name, text in fake_build(1).items()})
    shown, number, kills = 1, 1, 0
    for step in range(1, 60):
        number += 1
        result = commit_killed_at(out, step, number)
        if result.returncode == 0:  # the commit ran past its last step
            break
        assert result.returncode == -9, result.stderr
        kills += 1
        now = shown_build(out)
        assert now in (shown, number)  # the old build or the new one, never a mix
        shown = now
    assert kills >= 12  # every step was reached once
    assert shown_build(out) == number
    assert leftovers(out) == []  # the finished commit removed what the killed ones left
    assert len(os.listdir(out / BUILDS)) <= 2  # current and previous generations only
    assert not (out / f"extra{(number + 1) % 2}.csv").exists()  # removed names lose links


def test_converting_plain_files_killed_at_any_step_shows_the_same_build(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    for name, text in {**fake_build(1), "history.csv": "kept"}.items():
        (plain / name).write_text(text)
    conversion_steps = 2 * len(os.listdir(plain)) + 2  # carry and link each file, switch
    for step in range(1, conversion_steps + 1):
        out = tmp_path / f"out{step}"
        shutil.copytree(plain, out)
        assert commit_killed_at(out, step, 2).returncode == -9
        assert shown_build(out) == 1
    assert commit_killed_at(out, 0, 2).returncode == 0  # finishes what the last one began
    assert shown_build(out) == 2 and leftovers(out) == []


def test_files_of_other_commands_survive_a_build_and_modes_follow_the_umask(tmp_path):
    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        commit_files(out, {"history.csv": b"kept"})
        generation = commit_files(out, {"partners.csv": b"p"}, remove=["absent.csv"])
    finally:
        os.umask(old)
    assert current_dir(out) == generation.resolve()
    assert (out / "history.csv").read_bytes() == b"kept"
    assert (out / "partners.csv").read_bytes() == b"p"
    assert (generation / "partners.csv").stat().st_mode & 0o777 == 0o644
    assert os.readlink(out / CURRENT) == f"{BUILDS}/{generation.name}"


def test_a_commit_refuses_names_that_are_not_plain_files(tmp_path):
    with pytest.raises(ValueError):
        commit_files(tmp_path, {"../x": b""})
    with pytest.raises(ValueError):
        commit_files(tmp_path, {".current": b""})


# --- the command line on real file systems ---------------------------------------------------


def snapshot_of(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert len(lines[0]) <= 320 and "Traceback" not in err
    return lines[0]


@pytest.fixture
def tmpfs(tmp_path):
    """A 600 kB tmpfs mounted for this test (needs root and mount)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "mnt"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"mount -t tmpfs failed: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(directory: Path, leave: int) -> None:
    """Fill the file system of ``directory`` until at most ``leave`` bytes are free."""
    stats = os.statvfs(directory)
    free = stats.f_bavail * stats.f_frsize
    with contextlib.suppress(OSError), open(directory / "filler", "wb") as handle:
        handle.write(b"\0" * max(0, free - leave))


def test_a_full_disk_keeps_the_last_build(tmpfs, capsys):
    out = tmpfs / "out"
    assert main(["build", "--snapshot", str(SNAPSHOT_2024), "--out", str(out)]) == 0
    capsys.readouterr()
    before = snapshot_of(out)
    fill(tmpfs, leave=20_000)
    assert main(["build", "--snapshot", str(SNAPSHOT_2024), "--out", str(out), "--force"]) == 1
    assert "no space left on device" in one_error_line(capsys).lower()
    assert snapshot_of(out) == before
    assert [name for name in os.listdir(out / BUILDS) if ".tmp" in name] == []


def test_a_read_only_out_keeps_the_last_build(tmpfs, capsys):
    out = tmpfs / "out"
    assert main(["build", "--snapshot", str(SNAPSHOT_2024), "--out", str(out)]) == 0
    capsys.readouterr()
    before = snapshot_of(out)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    assert main(["build", "--snapshot", str(SNAPSHOT_2024), "--out", str(out), "--force"]) == 1
    assert "read-only" in one_error_line(capsys).lower()
    assert snapshot_of(out) == before


def test_out_naming_a_file_is_one_line(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_bytes(b"not a directory")
    assert main(["build", "--snapshot", str(SNAPSHOT_2024), "--out", str(target)]) == 1
    assert "is a file" in one_error_line(capsys)
    assert target.read_bytes() == b"not a directory"
    with pytest.raises(OutputError):  # the API says the same without the command line
        commit_files(target, {"x.csv": b""})


def test_a_symlink_at_the_lock_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    (out / ".lock").symlink_to(victim)
    assert main(["build", "--snapshot", str(SNAPSHOT_2024), "--out", str(out)]) == 1
    assert ".lock is not a plain lock file" in one_error_line(capsys)
    assert victim.read_bytes() == b"precious"
    assert sorted(os.listdir(out)) == [".lock"]


def test_raw_dir_equal_to_out_is_refused(raw_dir, capsys):
    before = snapshot_of(raw_dir)
    assert main(["build", "--raw-dir", str(raw_dir), "--out", str(raw_dir)]) == 1
    assert "--raw-dir and --out both name" in one_error_line(capsys)
    assert snapshot_of(raw_dir) == before and sorted(os.listdir(raw_dir)) == sorted(before)


def test_no_permission_to_write_out_keeps_the_last_build(tmp_path):
    """Root ignores permissions, so the build runs without CAP_DAC_OVERRIDE (setpriv)."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv to drop the capability that ignores permissions")
    out = tmp_path / "out"
    assert main(["build", "--snapshot", str(SNAPSHOT_2024), "--out", str(out)]) == 0
    before = snapshot_of(out)
    out.chmod(0o555)
    caps = "-dac_override,-dac_read_search,-fowner"
    try:
        result = subprocess.run(
            [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}", sys.executable, "-m",
             "pipeline", "build", "--snapshot", str(SNAPSHOT_2024), "--out", str(out), "--force"],
            capture_output=True, text=True, cwd=config.PROJECT_ROOT, check=False, timeout=120)
    finally:
        out.chmod(0o755)
    if "setpriv:" in result.stderr:
        pytest.skip(f"setpriv cannot drop capabilities here: {result.stderr.strip()}")
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: cannot write") and "Permission denied" in line
    assert snapshot_of(out) == before
    assert sorted(os.listdir(out / BUILDS)) == ["000001"]  # the unpublished one was removed


@pytest.mark.parametrize("copy", ["copytree", "copytree-symlinks", "copytree-hardlinks", "cp-r"])
def test_a_copied_out_dir_takes_the_next_commit(tmp_path, copy):
    """An out/ copied by the usual tools (links followed or kept) accepts the next commit."""
    import shutil
    import subprocess

    original = tmp_path / "out"
    commit_files(original, {"a.csv": b"1\n", "b.csv": b"2\n"})
    copied = tmp_path / "copy"
    if copy == "cp-r":
        subprocess.run(["cp", "-r", str(original), str(copied)], check=True)
    elif copy == "copytree-hardlinks":  # links to files kept as links, .current a real dir
        shutil.copytree(original, copied, copy_function=os.link)
    else:
        shutil.copytree(original, copied, symlinks=copy == "copytree-symlinks")
    commit_files(copied, {"b.csv": b"3\n"})
    assert (copied / "a.csv").read_bytes() == b"1\n"
    assert (copied / "b.csv").read_bytes() == b"3\n"
    assert (copied / ".current").is_symlink()
    assert (original / "b.csv").read_bytes() == b"2\n"
