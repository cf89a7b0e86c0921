"""history's per-snapshot cache (pipeline.history_cache): a warm run equals a cold one byte for
byte, reads only new snapshots, and any change to the code or reference data, or a damaged
entry, makes it compute again."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from pagegen import Page, edit_2025

from pipeline import build as build_module
from pipeline import config, history_cache
from pipeline.history import build_history
from pipeline.snapshots import list_snapshots, store_snapshot

BROKEN = b"<html><body><p>The page is under maintenance.</p></body></html>"


def store(raw: Path, body: bytes, day: dt.date) -> None:
    moment = dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC)
    store_snapshot(raw, body, {"charset": "utf-8"}, now=moment)


def asset_stamped(html: str, day: dt.date) -> str:
    """The page as served on ``day``: same partners, a different file (a comment changes)."""
    return html.replace("</body>", f"<!-- served {day.isoformat()} --></body>", 1)


@pytest.fixture(scope="session")
def raw(tmp_path_factory, snapshot_2024) -> Path:
    """Seven snapshots: the 2024 page on three days (three files, one content), a broken page,
    the 2025 page, and the 2025 page without Mahidol University on two days."""
    html_2024 = snapshot_2024.read_text(encoding="utf-8")
    html_2025 = edit_2025(Page(html_2024)).html()
    without = Page(html_2025)
    without.remove("Mahidol University")
    without.set_as_of(dt.date(2025, 3, 1))
    raw = tmp_path_factory.mktemp("raw")
    day = dt.date(2024, 4, 1)
    plan = [asset_stamped(html_2024, day), asset_stamped(html_2024, day + dt.timedelta(1)),
            asset_stamped(html_2024, day + dt.timedelta(2)), BROKEN, html_2025,
            asset_stamped(without.html(), dt.date(2025, 3, 2)),
            asset_stamped(without.html(), dt.date(2025, 3, 3))]
    for i, body in enumerate(plan):
        store(raw, body if isinstance(body, bytes) else body.encode("utf-8"),
              day + dt.timedelta(days=30 * i))
    return raw


@pytest.fixture(scope="session")
def warm_out(tmp_path_factory, raw) -> Path:
    """An output directory after one history run over ``raw`` (outputs and cache; copy it)."""
    out = tmp_path_factory.mktemp("warm") / "out"
    build_history(raw, out)
    return out


@pytest.fixture
def prepared(monkeypatch) -> list[str]:
    """The sha256 of every snapshot that goes through build.prepare (is parsed and built)."""
    calls: list[str] = []
    real = build_module.prepare

    def counting(path, data, **options):
        calls.append(hashlib.sha256(data).hexdigest())
        return real(path, data, **options)

    monkeypatch.setattr(build_module, "prepare", counting)
    return calls


def outputs(out: Path) -> dict[str, bytes]:
    """Every file history published in out/, read as a user reads it (the cache aside; the
    generations under out/.builds/ are how write.commit_files publishes them)."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())
            if p.is_file() and not p.name.startswith(".")}


# Pages already normalized and validated by a reference run, by what the parser read (the
# key of build.prepare's memo): the reference runs of this module share it.
FRESH_MEMO: dict = {}


def fresh(raw: Path, out: Path, monkeypatch) -> dict[str, bytes]:
    """History computed with the cache turned off (nothing read from or written to disk but
    raw/ and the outputs). A page the parser reads as an earlier reference run read it is not
    normalized and validated again: ``build.prepare``'s own memo, as within one run, shared by
    the reference runs (what the cache is tested for is how it stores, reads and replays)."""
    real = build_module.prepare

    def remembering(path, data, **options):
        return real(path, data, **{**options, "memo": FRESH_MEMO})

    monkeypatch.setenv(history_cache.DISABLE_VARIABLE, "off")
    monkeypatch.setattr(build_module, "prepare", remembering)
    build_history(raw, out)
    monkeypatch.setattr(build_module, "prepare", real)
    monkeypatch.delenv(history_cache.DISABLE_VARIABLE)
    assert not (out / history_cache.CACHE_DIR).exists()
    return outputs(out)


def test_warm_history_equals_cold_and_fresh_byte_for_byte(raw, tmp_path, prepared, monkeypatch):
    raw_before = sorted((p.name, p.read_bytes()) for p in raw.iterdir())
    expected = fresh(raw, tmp_path / "fresh", monkeypatch)
    prepared.clear()

    out = tmp_path / "out"
    cold = build_history(raw, out)
    cold_files = outputs(out)
    assert len(prepared) == 7  # every distinct file is read once (the broken one too)
    prepared.clear()
    warm = build_history(raw, out)
    assert prepared == [hashlib.sha256(BROKEN).hexdigest()]  # failures are not kept
    assert outputs(out) == cold_files == expected
    assert set(cold_files) == {"history.parquet", "history.csv", "events.csv"}
    assert (warm.versions, warm.periods, warm.events) == (cold.versions, cold.periods,
                                                          cold.events)
    assert warm.skipped == cold.skipped and len(warm.skipped) == 1
    assert sorted((p.name, p.read_bytes()) for p in raw.iterdir()) == raw_before


def test_only_a_new_snapshot_is_read(raw, tmp_path, prepared, monkeypatch):
    mine = tmp_path / "raw"
    shutil.copytree(raw, mine)
    out = tmp_path / "out"
    build_history(mine, out)
    newest = list_snapshots(mine)[-1].path.read_text(encoding="utf-8")
    page = Page(newest)
    page.set_cell("Kasetsart University", "expiration", "2035.03.31")
    body = page.html().encode("utf-8")
    store(mine, body, dt.date(2025, 6, 1))
    prepared.clear()
    build_history(mine, out)
    assert prepared == [hashlib.sha256(BROKEN).hexdigest(), hashlib.sha256(body).hexdigest()]
    assert outputs(out) == fresh(mine, tmp_path / "fresh", monkeypatch)


def test_a_changed_reference_file_invalidates_the_cache(raw, warm_out, tmp_path, prepared,
                                                        monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(warm_out, out)
    cached = history_cache.SnapshotCache.for_out_dir(out)
    assert all(cached.load(s, dict) is not None for s in list_snapshots(raw)
               if s.path.read_bytes() != BROKEN)
    # The same code with one reference file edited (a copy of the package, since the
    # fingerprint reads the files themselves).
    package = tmp_path / "pipeline"
    shutil.copytree(config.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    reference = sorted((package / "data").glob("*.csv"))[0]
    reference.write_bytes(reference.read_bytes() + b"\n")
    monkeypatch.setattr(config, "PACKAGE_DIR", package)
    assert build_module.code_fingerprint() != cached.fingerprint
    prepared.clear()
    build_history(raw, out)
    assert len(prepared) == 7  # nothing was taken from the entries of the other version


def test_a_changed_fingerprint_gives_other_keys(raw):
    snapshot = list_snapshots(raw)[0]
    assert (history_cache.snapshot_key(snapshot, "code-a")
            != history_cache.snapshot_key(snapshot, "code-b"))
    assert (history_cache.snapshot_key(snapshot, "code-a", strict_counts=False)
            != history_cache.snapshot_key(snapshot, "code-a"))
    sha = snapshot.sha256
    base = dict(charset="utf-8", taken_on="2024-04-01")
    assert history_cache.entry_key(sha, "f", **base) != history_cache.entry_key(
        sha, "f", **{**base, "charset": "windows-1252"})  # decoded differently
    assert history_cache.entry_key(sha, "f", **base) != history_cache.entry_key(
        sha, "f", **{**base, "taken_on": "2024-04-02"})  # dated differently without "As of"


@pytest.mark.parametrize("damage", ["truncated table", "garbled table", "garbled entry",
                                    "entry cut short", "deleted table", "deleted cache"])
def test_a_damaged_cache_is_ignored_and_rebuilt(raw, warm_out, tmp_path, prepared, damage):
    out = tmp_path / "out"
    shutil.copytree(warm_out, out)
    expected = outputs(out)
    cache = out / history_cache.CACHE_DIR
    (cache / history_cache.RUN_FILE).unlink()  # the per-snapshot entries are read, then
    tables = sorted((cache / "tables").iterdir())
    entries = cache / history_cache.ENTRIES_FILE
    lines = [line for line in entries.read_bytes().split(b"\n") if line]
    first = json.loads(lines[0])
    if damage == "truncated table":
        tables[0].write_bytes(tables[0].read_bytes()[:100])
    elif damage == "garbled table":
        data = bytearray(tables[0].read_bytes())
        for i in range(200, len(data) - 200, 97):
            data[i] ^= 0x5A
        tables[0].write_bytes(bytes(data))
    elif damage == "garbled entry":
        garbled = {**first, "content": "0000", "headline": {}}
        with entries.open("ab") as handle:  # the later line of a key wins
            handle.write(b"\n" + json.dumps(garbled).encode())
    elif damage == "entry cut short":  # a run stopped while writing its last entry
        data = entries.read_bytes()
        entries.write_bytes(data[: len(data) - len(lines[-1]) // 2])
    elif damage == "deleted table":
        tables[0].unlink()
    else:
        shutil.rmtree(out / ".cache")
    prepared.clear()
    build_history(raw, out)
    assert 2 <= len(prepared) <= 7  # the damaged part (and the broken page) computed again
    assert outputs(out) == expected
    prepared.clear()
    build_history(raw, out)  # and the cache is whole again
    assert prepared == [hashlib.sha256(BROKEN).hexdigest()]


def test_rows_that_would_not_read_back_equal_are_not_kept(tmp_path, raw):
    from pipeline.diff import Version

    cache = history_cache.SnapshotCache(tmp_path / "cache", "f")
    snapshot = list_snapshots(raw)[0]
    token = cache.store(snapshot, [{"a": 1}, {"a": "one"}], Version(kind="html"))
    assert cache.stored == 0 and token is not None
    assert cache.load(snapshot, Version) is None
    rows = [{"a": 1, "b": dt.date(2024, 4, 1), "c": None, "d": True}]
    same = cache.store(snapshot, rows, Version(kind="html", as_of=dt.date(2024, 4, 1)))
    loaded_rows, version, loaded_token = cache.load(snapshot, Version)
    assert (loaded_rows, version.as_of, version.source) == (rows, dt.date(2024, 4, 1),
                                                            str(snapshot.path))
    assert loaded_token is same


def test_a_snapshot_tampered_after_caching_stops_the_history(raw, warm_out, tmp_path, capsys):
    from pipeline.cli import main

    mine, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(raw, mine)
    shutil.copytree(warm_out, out)
    target = list_snapshots(mine)[-1].path
    data = bytearray(target.read_bytes())
    data[data.index(b"Mahidol") if b"Mahidol" in data else 200] ^= 0x20  # same size
    target.chmod(0o644)
    target.write_bytes(bytes(data))
    assert main(["history", "--raw-dir", str(mine), "--out", str(out)]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert target.name in err and "damaged" in err and "--skip-damaged" in err


# --- the run's state (run.json): resuming the replay ----------------------------------------


def renewed(html: str, name: str, expiration: str) -> bytes:
    page = Page(html)
    page.set_cell(name, "expiration", expiration)
    return page.html().encode("utf-8")


def newest_html(raw: Path) -> str:
    return list_snapshots(raw)[-1].path.read_text(encoding="utf-8")


def test_each_new_snapshot_is_folded_into_the_kept_replay(raw, warm_out, tmp_path, prepared,
                                                          monkeypatch):
    """After every kind of addition the files equal a run without any cache, byte for byte."""
    mine, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(raw, mine)
    shutil.copytree(warm_out, out)
    versions = build_history(mine, out).versions
    html = newest_html(mine)

    def run_and_check(name: str):
        prepared.clear()
        result = build_history(mine, out)
        result.prepared = list(prepared)  # the pages built by this run
        assert outputs(out) == fresh(mine, tmp_path / f"fresh-{name}", monkeypatch), name
        return result

    # the same partners on a new day, in a new file: parsed, not built again; nothing written
    body = asset_stamped(html, dt.date(2025, 4, 1)).encode("utf-8")
    store(mine, body, dt.date(2025, 4, 1))
    same = run_and_check("same")
    assert same.resumed == versions and not same.written
    assert same.prepared == [hashlib.sha256(BROKEN).hexdigest()]
    assert (same.versions, same.last) == (versions + 1, dt.date(2025, 4, 1))
    # a renewal: one version folded in, the files rewritten
    store(mine, renewed(html, "Kasetsart University", "2035.03.31"), dt.date(2025, 5, 1))
    renewal = run_and_check("renewal")
    assert renewal.resumed == versions + 1 and renewal.written
    assert renewal.events["renewed"] == same.events["renewed"] + 1
    # a page that does not build, then two versions on one day: the later one stands
    store(mine, BROKEN, dt.date(2025, 6, 1))
    run_and_check("broken")
    store(mine, renewed(html, "Kasetsart University", "2036.03.31"), dt.date(2025, 7, 1))
    run_and_check("first of the day")
    moment = dt.datetime(2025, 7, 1, 18, tzinfo=dt.UTC)
    store_snapshot(mine, renewed(html, "Kasetsart University", "2037.03.31"),
                   {"charset": "utf-8"}, now=moment)
    later = run_and_check("later that day")
    assert later.resumed < later.versions  # the day's version was replaced: replayed again
    assert hashlib.sha256(BROKEN).hexdigest() in later.prepared  # failures: read every run


def test_a_snapshot_older_than_the_kept_state_replays_from_the_start(raw, warm_out, tmp_path,
                                                                      monkeypatch):
    """A snapshot copied into raw/ by hand (not in the index) is placed by the time in its
    name, before the versions kept: the kept replay cannot be used."""
    mine, out, elsewhere = tmp_path / "raw", tmp_path / "out", tmp_path / "elsewhere"
    shutil.copytree(raw, mine)
    shutil.copytree(warm_out, out)
    page = Page(list_snapshots(mine)[0].path.read_text(encoding="utf-8"))
    page.set_cell("Kasetsart University", "expiration", "2034.03.31")
    page.set_as_of(dt.date(2024, 3, 1))
    store(elsewhere, page.html().encode("utf-8"), dt.date(2024, 3, 1))
    for path in elsewhere.glob("2024*"):
        shutil.copy(path, mine / path.name)
    assert list_snapshots(mine)[0].path.name.startswith("20240301")
    result = build_history(mine, out)
    assert result.resumed == 0 and result.written
    assert result.first == dt.date(2024, 3, 1)
    assert outputs(out) == fresh(mine, tmp_path / "fresh", monkeypatch)


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "empty", "not json",
                                    "other format", "edited body"])
def test_a_damaged_run_state_is_ignored_and_rebuilt(raw, warm_out, tmp_path, damage):
    out = tmp_path / "out"
    shutil.copytree(warm_out, out)
    expected = outputs(out)
    path = out / history_cache.CACHE_DIR / history_cache.RUN_FILE
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flipped byte":
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "not json":
        path.write_bytes(b"\x00\xff" * 100)
    else:
        document = json.loads(data)
        if damage == "other format":
            document["format"] += 1
        else:  # a change its digest does not match
            document["body"]["fold"]["events"] = []
        path.write_text(json.dumps(document))
    result = build_history(raw, out)
    assert result.resumed == 0
    assert outputs(out) == expected
    assert build_history(raw, out).resumed == result.versions  # whole again


def test_the_run_state_of_another_code_version_is_not_used(raw, warm_out, tmp_path,
                                                           monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(warm_out, out)
    expected = outputs(out)
    monkeypatch.setattr(build_module, "code_fingerprint", lambda: "another version")
    result = build_history(raw, out)
    assert result.resumed == 0 and outputs(out) == expected


def test_kept_rows_deleted_under_the_run_state_are_built_again(raw, warm_out, tmp_path,
                                                              monkeypatch):
    """run.json kept, the tables it refers to gone (out/.cache deleted in part, or while a
    run read it): the rows a new version is compared with come from the snapshot again."""
    mine, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(raw, mine)
    shutil.copytree(warm_out, out)
    shutil.rmtree(out / history_cache.CACHE_DIR / "tables")
    (out / history_cache.CACHE_DIR / history_cache.ENTRIES_FILE).unlink()
    store(mine, renewed(newest_html(mine), "Kasetsart University", "2035.03.31"),
          dt.date(2025, 5, 1))
    result = build_history(mine, out)
    assert result.resumed > 0 and result.written
    assert outputs(out) == fresh(mine, tmp_path / "fresh", monkeypatch)


def test_nothing_is_written_when_nothing_changed_and_a_lost_file_is_written_again(
        raw, warm_out, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(warm_out, out, symlinks=True)
    expected = outputs(out)
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}
    result = build_history(raw, out)
    assert not result.written and result.resumed == result.versions
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()} == before
    (out / "events.csv").unlink()
    assert build_history(raw, out).written
    assert outputs(out) == expected


def test_the_parse_key_holds_the_date_only_for_pages_without_as_of(snapshot_2024):
    from types import SimpleNamespace

    from pipeline.parse import parse_page

    def snapshot(day: str):
        return SimpleNamespace(sidecar={"fetched_at": f"{day}T06:00:00Z"})

    def key(page, day, strict=True, profile="naist"):
        return history_cache.parse_key(page, snapshot(day), strict, profile)

    dated = parse_page(snapshot_2024.read_bytes(), "utf-8")
    assert dated.as_of is not None
    assert key(dated, "2024-04-01") == key(dated, "2024-04-02")
    assert key(dated, "2024-04-01") != key(dated, "2024-04-01", strict=False)
    assert key(dated, "2024-04-01") != key(dated, "2024-04-01", profile="other")
    undated = parse_page(b"<h3>Asia(1)</h3><table><tr><th>Country</th><th>Type</th>"
                         b"<th>Institution</th><th>Initial date</th><th>Expiration date</th>"
                         b"</tr><tr><td>Korea<td>I<td>Hanbat University<td>2011.07.22"
                         b"<td>2026.07.21</table>")
    assert undated.as_of is None
    assert key(undated, "2024-04-01") != key(undated, "2024-04-02")


def test_an_unchanged_signature_is_trusted_unless_verifying(raw, warm_out, tmp_path,
                                                            monkeypatch, capsys):
    """A file corrupted without its size, times or inode changing (as a failing disk may)
    is only caught by hashing it: PIPELINE_HISTORY_CACHE=verify does."""
    from pipeline.cli import main

    mine, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(raw, mine)
    shutil.copytree(warm_out, out)
    build_history(mine, out)  # run.json now holds the signatures of the files in mine/
    target = list_snapshots(mine)[0].path
    data = bytearray(target.read_bytes())
    data[data.index(b"<table")] ^= 0x20
    target.write_bytes(bytes(data))
    run_file = out / history_cache.CACHE_DIR / history_cache.RUN_FILE
    document = json.loads(run_file.read_bytes())
    body = document["body"]
    body["snapshots"][target.name][2:] = history_cache.file_signature(target)  # as if unseen
    document["digest"] = history_cache._body_digest(body)
    run_file.write_text(json.dumps(document))
    assert build_history(mine, out).resumed > 0  # trusted
    monkeypatch.setenv(history_cache.DISABLE_VARIABLE, "verify")
    assert main(["history", "--raw-dir", str(mine), "--out", str(out)]) != 0
    err = capsys.readouterr().err
    assert err.startswith("error: ") and target.name in err and "damaged" in err


def test_a_copied_raw_dir_is_answered_from_the_entries_without_parsing(raw, warm_out, tmp_path,
                                                                        monkeypatch):
    """Copies have other inodes and times, so the run state's signatures do not match: each
    file is hashed and found in its entry, not parsed again (only the broken page is)."""
    import pipeline.parse

    mine, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(raw, mine)
    shutil.copytree(warm_out, out)
    parsed: list[str] = []
    real = pipeline.parse.parse_page

    def counting(data, *args, **options):
        parsed.append(hashlib.sha256(data).hexdigest())
        return real(data, *args, **options)

    monkeypatch.setattr(pipeline.parse, "parse_page", counting)
    result = build_history(mine, out)
    assert set(parsed) == {hashlib.sha256(BROKEN).hexdigest()}
    assert result.resumed == result.versions and not result.written
    assert outputs(out) == outputs(warm_out)


def test_entries_of_another_code_version_are_dropped_from_the_file(raw, warm_out, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(warm_out, out)
    expected = outputs(out)
    cache = out / history_cache.CACHE_DIR
    (cache / history_cache.RUN_FILE).unlink()  # the entries are read
    entries = cache / history_cache.ENTRIES_FILE
    own = [json.loads(line) for line in entries.read_bytes().split(b"\n") if line]
    foreign = [{**entry, "key": f"{n:064x}", "code": "another version"}
               for n, entry in enumerate(own * 2)]
    with entries.open("ab") as handle:
        handle.write(b"".join(b"\n" + json.dumps(entry).encode() for entry in foreign))
    build_history(raw, out)
    left = [json.loads(line) for line in entries.read_bytes().split(b"\n") if line]
    assert sorted(e["key"] for e in left) == sorted(e["key"] for e in own)
    assert outputs(out) == expected
