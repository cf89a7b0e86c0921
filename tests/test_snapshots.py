"""The raw/ store: names, sidecars, verification, append-only writes, the refresh lock."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from pipeline.config import PROJECT_ROOT
from pipeline.errors import LockHeld, SnapshotError
from pipeline.lock import refresh_lock
from pipeline.snapshots import (
    SIDECAR_FIELDS,
    list_snapshots,
    newest_snapshot,
    read_sidecar,
    read_snapshot,
    snapshot_name,
    store_snapshot,
)

T0 = datetime(2024, 4, 1, 0, 0, 0, tzinfo=UTC)
META = {
    "requested_url": "https://example.org/list.html",
    "final_url": "https://example.org/list.html",
    "http_status": 200,
    "etag": '"abc"',
    "last_modified": "Mon, 01 Apr 2024 00:00:00 GMT",
    "content_type": "text/html; charset=UTF-8",
    "charset": "UTF-8",
}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files(raw: Path) -> list[str]:
    return sorted(p.name for p in raw.iterdir()) if raw.exists() else []


def test_store_writes_html_and_sidecar(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    body = "<html>東京 \u00e9</html>".encode("shift_jis", "replace") + b"\x00\xff"
    snap, stored = store_snapshot(raw, body, META, now=T0)

    assert stored
    name = f"20240401T000000Z_{sha(body)[:12]}.html"
    assert snap.path == raw / name
    assert snap.path.read_bytes() == body
    assert snap.sha256 == sha(body)
    assert snap.taken_at == T0
    assert snap.obtained == "fetched"
    sidecar = json.loads((raw / name).with_suffix(".json").read_text("utf-8"))
    assert list(sidecar) == list(SIDECAR_FIELDS)
    assert sidecar == {
        **META,
        "fetched_at": "2024-04-01T00:00:00Z",
        "sha256": sha(body),
        "size": len(body),
        "obtained": "fetched",
        "note": None,
        "sequence": 1,
    }
    assert snap.sidecar == sidecar
    assert read_snapshot(snap.path) == body
    # no temporary files left; the index lists the snapshot
    assert files(raw) == [name, name.replace(".html", ".json"), "index.tsv"]
    assert (raw / "index.tsv").read_text() == f"1\t{name}\t{sha(body)}\n"


def test_missing_meta_fields_are_null_and_times_are_utc(tmp_path: Path) -> None:
    tokyo = datetime(2024, 4, 1, 18, 0, 0, 750000, tzinfo=timezone(timedelta(hours=9)))
    snap, _ = store_snapshot(tmp_path, b"<p>x</p>", {"obtained": "reconstructed"}, now=tokyo)
    assert snap.obtained == "reconstructed"
    assert snap.sidecar["etag"] is None and snap.sidecar["note"] is None
    assert snap.sidecar["fetched_at"] == "2024-04-01T09:00:00Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        store_snapshot(tmp_path, b"<p>y</p>", {}, now=datetime(2024, 4, 1))
    with pytest.raises(ValueError, match="unknown sidecar fields: colour"):
        store_snapshot(tmp_path, b"<p>y</p>", {"colour": "red"}, now=T0)
    with pytest.raises(ValueError, match="obtained"):
        store_snapshot(tmp_path, b"<p>y</p>", {"obtained": "guessed"}, now=T0)


def test_fetched_at_from_meta_names_the_file(tmp_path: Path) -> None:
    snap, _ = store_snapshot(tmp_path, b"<p>a</p>", {"fetched_at": "2019-05-06T07:08:09Z"})
    assert snap.path.name.startswith("20190506T070809Z_")


def test_identical_to_newest_stores_nothing(tmp_path: Path) -> None:
    first, stored = store_snapshot(tmp_path, b"<p>a</p>", META, now=T0)
    assert stored
    again, stored = store_snapshot(tmp_path, b"<p>a</p>", META, now=T0 + timedelta(days=1))
    assert not stored
    assert again == first
    assert len(list_snapshots(tmp_path)) == 1


def test_only_the_newest_counts_so_a_revert_is_stored(tmp_path: Path) -> None:
    store_snapshot(tmp_path, b"<p>a</p>", META, now=T0)
    store_snapshot(tmp_path, b"<p>b</p>", META, now=T0 + timedelta(days=1))
    snap, stored = store_snapshot(tmp_path, b"<p>a</p>", META, now=T0 + timedelta(days=2))
    assert stored
    assert [s.taken_at.day for s in list_snapshots(tmp_path)] == [1, 2, 3]
    assert newest_snapshot(tmp_path) == snap


def test_back_to_back_stores_keep_the_order_stored(tmp_path: Path) -> None:
    stored = [store_snapshot(tmp_path, f"<p>{i}</p>".encode(), META, now=T0)[0]
              for i in range(5)]  # all in the same second: the names cannot tell
    assert list_snapshots(tmp_path) == stored
    assert [s.sequence for s in list_snapshots(tmp_path)] == [1, 2, 3, 4, 5]
    assert newest_snapshot(tmp_path) == stored[-1]


def test_a_snapshot_named_in_the_future_does_not_shadow_later_ones(tmp_path: Path) -> None:
    skewed, _ = store_snapshot(tmp_path, b"<p>old</p>", META, now=T0 + timedelta(days=3650))
    fresh, stored = store_snapshot(tmp_path, b"<p>new</p>", META, now=T0)
    assert stored and newest_snapshot(tmp_path) == fresh
    assert list_snapshots(tmp_path) == [skewed, fresh]
    again, stored = store_snapshot(tmp_path, b"<p>new</p>", META, now=T0 + timedelta(days=1))
    assert not stored and again == fresh  # recognised against the most recently stored one


def test_snapshots_without_a_sequence_are_placed_by_their_name(raw_dir: Path) -> None:
    [legacy] = list_snapshots(raw_dir)  # the stored 2024 snapshot predates the index
    assert legacy.sequence is None
    before = {p.name: p.read_bytes() for p in raw_dir.iterdir()}
    same, stored = store_snapshot(raw_dir, legacy.path.read_bytes(), META, now=T0)
    assert not stored and same == legacy
    new, stored = store_snapshot(raw_dir, b"<p>2026</p>", META, now=T0 + timedelta(days=900))
    assert list_snapshots(raw_dir) == [legacy, new] and new.sequence == 1
    assert {n: (raw_dir / n).read_bytes() for n in before} == before  # raw/ never rewritten


def test_bulk_storing_reads_only_the_index_tail(tmp_path: Path, monkeypatch) -> None:
    store_snapshot(tmp_path, b"<p>0</p>", META, now=T0)
    scans = []
    real_scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path: scans.append(path) or real_scandir(path))
    for i in range(1, 200):
        store_snapshot(tmp_path, f"<p>{i}</p>".encode(), META, now=T0 + timedelta(hours=i))
    assert scans == []  # no directory listing per store: linear in the number stored
    assert len(list_snapshots(tmp_path)) == 200


def test_list_is_ordered_as_stored_and_ignores_strays(tmp_path: Path) -> None:
    earlier, _ = store_snapshot(tmp_path, b"<p>1</p>", META, now=T0)
    later, _ = store_snapshot(tmp_path, b"<p>2</p>", META, now=T0 + timedelta(hours=1))
    (tmp_path / "notes.html").write_text("<p>saved by hand</p>")
    (tmp_path / "README.json").write_text("{}")
    (tmp_path / ".refresh.lock").write_text("")
    (tmp_path / ".20240401T000000Z_0123456789ab.html.1f2e.tmp").write_bytes(b"partial")
    # an html without its sidecar (not yet complete) and a sidecar without html
    (tmp_path / f"20250101T000000Z_{sha(b'x')[:12]}.html").write_bytes(b"x")
    (tmp_path / f"20260101T000000Z_{sha(b'y')[:12]}.json").write_text('{"sha256": "00"}')

    assert list_snapshots(tmp_path) == [earlier, later]
    assert newest_snapshot(tmp_path) == later
    assert list_snapshots(tmp_path / "missing") == []
    assert newest_snapshot(tmp_path / "missing") is None


def test_list_reports_a_damaged_sidecar(tmp_path: Path) -> None:
    snap, _ = store_snapshot(tmp_path, b"<p>a</p>", META, now=T0)
    snap.sidecar_path.write_text("{not json")
    with pytest.raises(SnapshotError, match="not valid JSON"):
        list_snapshots(tmp_path)
    snap.sidecar_path.write_text(json.dumps({"sha256": sha(b"other")}))
    with pytest.raises(SnapshotError, match="file name says"):
        list_snapshots(tmp_path)


def test_read_detects_a_tampered_body(tmp_path: Path) -> None:
    snap, _ = store_snapshot(tmp_path, b"<p>Kyoto University</p>", META, now=T0)
    snap.path.write_bytes(b"<p>Kyoto Universitx</p>")
    with pytest.raises(SnapshotError, match=r"damaged.*file name says") as info:
        read_snapshot(snap.path)
    assert info.value.hint


def test_read_detects_a_body_that_disagrees_with_its_sidecar(tmp_path: Path) -> None:
    # a body whose name was forged to match: only the sidecar can tell
    body = b"<p>forged</p>"
    name = snapshot_name(T0, sha(body))
    (tmp_path / name).write_bytes(body)
    sidecar = {**dict.fromkeys(SIDECAR_FIELDS), "sha256": sha(body)[:12] + "0" * 52}
    (tmp_path / name).with_suffix(".json").write_text(json.dumps(sidecar))
    with pytest.raises(SnapshotError, match="sidecar records"):
        read_snapshot(tmp_path / name)


def test_read_accepts_a_snapshot_name_without_sidecar_and_any_plain_file(tmp_path: Path) -> None:
    body = b"<p>copied</p>"
    named = tmp_path / snapshot_name(T0, sha(body))
    named.write_bytes(body)
    assert read_snapshot(named) == body

    plain = tmp_path / "page.html"
    plain.write_bytes(b"<p>saved by hand</p>")
    (tmp_path / "page.json").write_text('{"unrelated": true}')
    assert read_sidecar(plain) is None
    assert read_snapshot(plain) == b"<p>saved by hand</p>"

    with pytest.raises(SnapshotError, match="no such snapshot"):
        read_snapshot(tmp_path / "missing.html")


def test_never_overwrites_an_existing_html(tmp_path: Path) -> None:
    body = b"<p>new</p>"
    target = tmp_path / snapshot_name(T0, sha(body))
    target.write_bytes(b"<p>something else entirely</p>")
    target.chmod(0o444)
    before = (target.read_bytes(), stat.S_IMODE(target.stat().st_mode), target.stat().st_mtime_ns)

    with pytest.raises(SnapshotError, match="already exists with different content"):
        store_snapshot(tmp_path, body, META, now=T0)

    after = (target.read_bytes(), stat.S_IMODE(target.stat().st_mode), target.stat().st_mtime_ns)
    assert after == before
    assert files(tmp_path) == [target.name]  # our sidecar was taken back, no temp files


def test_never_overwrites_an_existing_sidecar(tmp_path: Path) -> None:
    body = b"<p>new</p>"
    target = (tmp_path / snapshot_name(T0, sha(body))).with_suffix(".json")
    target.write_text(json.dumps({"sha256": sha(b"<p>old</p>")}))
    target.chmod(0o444)
    before = target.read_bytes()
    with pytest.raises(SnapshotError, match="already exists for different content"):
        store_snapshot(tmp_path, body, META, now=T0)
    assert target.read_bytes() == before
    assert files(tmp_path) == [target.name]


def test_an_orphan_sidecar_for_the_same_body_is_completed(tmp_path: Path) -> None:
    # what a crash between the two writes leaves behind: the sidecar, no html
    body = b"<p>a</p>"
    first, _ = store_snapshot(tmp_path, body, META, now=T0)
    first.path.unlink()
    snap, stored = store_snapshot(tmp_path, body, META, now=T0)
    assert stored
    assert read_snapshot(snap.path) == body


def test_concurrent_stores_of_different_bodies_are_all_kept(tmp_path: Path) -> None:
    bodies = [f"<p>{i}</p>".encode() * 5000 for i in range(8)]
    barrier = threading.Barrier(len(bodies))
    results: list[tuple[object, bool]] = []
    errors: list[BaseException] = []

    def store(body: bytes) -> None:
        try:
            barrier.wait()
            results.append(store_snapshot(tmp_path, body, META, now=T0))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=store, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not errors
    snaps = list_snapshots(tmp_path)
    assert sorted(read_snapshot(s.path) for s in snaps) == sorted(bodies)
    assert len(files(tmp_path)) == 2 * len(bodies) + 1  # and the index


def test_concurrent_stores_of_the_same_body_store_it_once(tmp_path: Path) -> None:
    barrier = threading.Barrier(6)
    results: list[bool] = []

    def store() -> None:
        barrier.wait()
        results.append(store_snapshot(tmp_path, b"<p>same</p>", META, now=T0)[1])

    threads = [threading.Thread(target=store) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 6
    assert results.count(True) == 1
    (snap,) = list_snapshots(tmp_path)
    assert read_snapshot(snap.path) == b"<p>same</p>"


def test_lock_second_holder_waits_for_the_first(tmp_path: Path) -> None:
    held = threading.Event()

    def first() -> None:
        with refresh_lock(tmp_path):
            held.set()
            time.sleep(0.3)

    thread = threading.Thread(target=first)
    thread.start()
    held.wait()
    start = time.monotonic()
    with refresh_lock(tmp_path, timeout=5) as lock_path:
        waited = time.monotonic() - start
    thread.join()
    assert lock_path == tmp_path / ".refresh.lock"
    assert 0.1 < waited < 5


def test_lock_second_holder_gives_up_with_lock_held(tmp_path: Path) -> None:
    lock_file = tmp_path / "custom.lock"
    held, release = threading.Event(), threading.Event()

    def first() -> None:
        with refresh_lock(lock_file):
            held.set()
            release.wait(5)

    thread = threading.Thread(target=first)
    thread.start()
    held.wait()
    try:
        with (
            pytest.raises(LockHeld, match="another refresh is running") as info,
            refresh_lock(lock_file, timeout=0.2),
        ):
            pytest.fail("acquired a held lock")
        assert "custom.lock" in info.value.hint
    finally:
        release.set()
        thread.join()
    with refresh_lock(lock_file, timeout=0.2):
        pass  # free again


def test_lock_is_held_across_processes(tmp_path: Path) -> None:
    code = (
        "import sys, time\n"
        "from pipeline.lock import refresh_lock\n"
        "with refresh_lock(sys.argv[1]):\n"
        "    print('held', flush=True)\n"
        "    sys.stdin.readline()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        with pytest.raises(LockHeld), refresh_lock(tmp_path, timeout=0.2):
            pass
    finally:
        proc.communicate("\n", timeout=10)
    with refresh_lock(tmp_path, timeout=2):
        pass


def test_lock_in_a_directory_that_does_not_exist_yet(tmp_path: Path) -> None:
    with refresh_lock(tmp_path / "raw", timeout=1) as lock_path:
        assert lock_path == tmp_path / "raw" / ".refresh.lock"
    assert (tmp_path / "raw").is_dir()
    for name in (".refresh.lock", ".lock", "custom.lock"):
        with refresh_lock(tmp_path / "out" / name, timeout=1) as lock_path:
            assert lock_path == tmp_path / "out" / name
            assert lock_path.is_file()


@pytest.mark.parametrize("damage", [
    b"[" * 100_000 + b"]" * 100_000,  # nested far past the interpreter's recursion limit
    b'{"sha256": "' + b"0" * 2_000_000 + b'"}',  # over the size limit
    b"{not json",
    b"\xff\xfe\x00",
], ids=["deep", "huge", "syntax", "binary"])
def test_a_damaged_sidecar_is_one_clear_error_naming_it(raw_dir: Path, capsys, damage) -> None:
    from pipeline.cli import main

    [snap] = list_snapshots(raw_dir)
    snap.sidecar_path.write_bytes(damage)
    with pytest.raises(SnapshotError, match="damaged sidecar"):
        list_snapshots(raw_dir)
    assert main(["build", "--raw-dir", str(raw_dir), "--out", str(raw_dir.parent / "out")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: damaged sidecar ")
    assert snap.sidecar_path.name in err and "Traceback" not in err and len(err) < 320
    assert not (raw_dir.parent / "out").exists()


def test_a_deeply_nested_metadata_json_only_forces_a_rebuild(raw_dir: Path, capsys) -> None:
    from pipeline.cli import main

    out = raw_dir.parent / "out"
    assert main(["build", "--raw-dir", str(raw_dir), "--out", str(out)]) == 0
    generation = (out / "metadata.json").resolve()
    generation.unlink()
    generation.write_bytes(b"[" * 100_000)
    assert main(["build", "--raw-dir", str(raw_dir), "--out", str(out)]) == 0
    assert json.loads((out / "metadata.json").read_text())["row_count"] == 96
