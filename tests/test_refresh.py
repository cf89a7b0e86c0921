"""`python -m pipeline refresh` end to end against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from pipeline.snapshots import list_snapshots
from tests.conftest import SNAPSHOT_2024
from tests.inprocess import run_cli

PAGE = "/en/international_activities/international_partner_list.html"
GOOD = SNAPSHOT_2024.read_bytes()
HTML = "text/html; charset=utf-8"


def refresh(url: str, raw: Path, out: Path, *extra: str, wait: bool = True,
            process: bool = False):
    """Run ``refresh`` through the CLI: in this process (the same ``cli.main`` the entry point
    calls, output captured), or as a real process with ``process=True`` or ``wait=False``."""
    argv = ["refresh", "--url", url, "--raw-dir", str(raw), "--out", str(out), "--retries", "1",
            "--timeout", "2", *extra]
    if wait and not process:
        return run_cli(argv)
    command = [sys.executable, "-m", "pipeline", *argv]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if not wait:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env)
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120,
                          check=False)


@pytest.fixture
def site(httpserver: HTTPServer) -> HTTPServer:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    return httpserver


def serve(site: HTTPServer, body: bytes, **headers: str) -> str:
    site.expect_request(PAGE).respond_with_data(body, content_type=HTML, headers=headers)
    return site.url_for(PAGE)


def partner_rows(out: Path) -> int:
    return len((out / "partners.csv").read_text(encoding="utf-8").splitlines()) - 1


def test_first_refresh_stores_the_page_and_builds(site, tmp_path):
    url = serve(site, GOOD, ETag='"v1"')
    result = refresh(url, tmp_path / "raw", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "stored" in result.stdout
    [snapshot] = list_snapshots(tmp_path / "raw")
    assert snapshot.path.read_bytes() == GOOD
    assert snapshot.sidecar["obtained"] == "fetched" and snapshot.sidecar["etag"] == '"v1"'
    assert partner_rows(tmp_path / "out") == 96
    metadata = json.loads((tmp_path / "out" / "metadata.json").read_text())
    assert metadata["source"]["sha256"] == snapshot.sha256


def test_second_refresh_is_not_modified_and_does_no_work(site, tmp_path):
    site.expect_request(PAGE, headers={"If-None-Match": '"v1"'}).respond_with_response(
        Response(status=304))
    url = serve(site, GOOD, ETag='"v1"')
    refresh(url, tmp_path / "raw", tmp_path / "out")
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir() if p.is_file()}
    result = refresh(url, tmp_path / "raw", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "unchanged since" in result.stdout and "up to date" in result.stdout
    assert len(list_snapshots(tmp_path / "raw")) == 1
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir() if p.is_file()} == before


def test_changed_page_is_stored_and_rebuilt(site, tmp_path):
    url = serve(site, GOOD)
    refresh(url, tmp_path / "raw", tmp_path / "out")
    site.clear()
    site.expect_request("/robots.txt").respond_with_data("", status=404)
    changed = GOOD.replace(b"2026.07.21", b"2031.07.21", 1)
    serve(site, changed)
    result = refresh(url, tmp_path / "raw", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert len(list_snapshots(tmp_path / "raw")) == 2
    assert "2031-07-21" in (tmp_path / "out" / "partners.csv").read_text(encoding="utf-8")


def test_unreachable_site_falls_back_to_the_newest_snapshot(raw_dir, tmp_path):
    with HTTPServer(host="127.0.0.1", port=0) as server:  # bind a port, then shut it down
        url = server.url_for(PAGE)
    result = refresh(url, raw_dir, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "building from the newest snapshot" in result.stderr
    assert partner_rows(tmp_path / "out") == 96
    assert len(list(raw_dir.glob("*.html"))) == 1


def test_503_forever_falls_back_unless_live_is_required(site, raw_dir, tmp_path):
    site.expect_request(PAGE).respond_with_data("busy", status=503)
    url = site.url_for(PAGE)
    fallback = refresh(url, raw_dir, tmp_path / "out")
    assert fallback.returncode == 0, fallback.stderr
    live = refresh(url, raw_dir, tmp_path / "out2", "--require-live")
    assert live.returncode != 0
    assert "Traceback" not in live.stderr
    assert len(live.stderr.strip().splitlines()) == 1 and "503" in live.stderr
    assert not (tmp_path / "out2" / "partners.csv").exists()


def test_a_broken_download_is_kept_in_raw_and_out_keeps_the_last_build(site, raw_dir, tmp_path):
    out = tmp_path / "out"
    url = serve(site, GOOD[: len(GOOD) // 3])
    assert refresh("http://127.0.0.1:9/unused", raw_dir, out).returncode == 0  # good build
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    result = refresh(url, raw_dir, out)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(list_snapshots(raw_dir)) == 2  # the broken page is evidence
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name in before} == before


def test_two_concurrent_refreshes_do_not_corrupt_raw_or_out(httpserver: HTTPServer, tmp_path):
    """A refresh in a real process and one in this process, started while the first is still
    downloading: two processes, so the lock between them is the cross-process one."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    asked = threading.Event()

    def slow_page(request):
        asked.set()
        time.sleep(1.0)
        return Response(GOOD, content_type=HTML)

    httpserver.expect_request(PAGE).respond_with_handler(slow_page)
    url = httpserver.url_for(PAGE)
    first = refresh(url, tmp_path / "raw", tmp_path / "out", wait=False)
    assert asked.wait(timeout=120), "the first refresh never asked for the page"
    second = refresh(url, tmp_path / "raw", tmp_path / "out")
    results = [(first.wait(timeout=120), *first.communicate()),
               (second.returncode, second.stdout, second.stderr)]
    for code, _, stderr in results:
        assert "Traceback" not in stderr
        assert code == 0 or "another refresh is running" in stderr
    [snapshot] = list_snapshots(tmp_path / "raw")
    assert snapshot.path.read_bytes() == GOOD
    assert partner_rows(tmp_path / "out") == 96


def test_unreachable_site_and_empty_raw_is_one_clear_error(tmp_path):
    result = refresh("http://127.0.0.1:9/page.html", tmp_path / "raw", tmp_path / "out",
                     process=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "cannot reach" in line and "holds no snapshot" in line


# --- known addresses ---------------------------------------------------------------------------


OLD, NEW = "/old/list.html", "/dge/agreement.html"


@pytest.fixture
def addresses(site, monkeypatch):
    """Two known addresses of the page on the local server, the retired one first."""
    from pipeline import refresh

    urls = (site.url_for(OLD), site.url_for(NEW))
    monkeypatch.setattr(refresh, "known_urls", lambda: urls)
    return urls


def refresh_here(tmp_path, url=None):
    from pipeline.fetch import FetchPolicy
    from pipeline.refresh import refresh as run

    return run(url, raw_dir=tmp_path / "raw", out_dir=tmp_path / "out",
               policy=FetchPolicy.within(5, retries=0))


@pytest.mark.parametrize("retired", [
    lambda site: site.expect_request(OLD).respond_with_data("gone", status=410),
    lambda site: site.expect_request(OLD).respond_with_data("no", status=404),
    lambda site: site.expect_request(OLD).respond_with_data(
        b"<html><h1>We moved</h1><p>See the new site.</p></html>", content_type=HTML),
], ids=["410", "404", "no-partner-tables"])
def test_refresh_moves_on_to_the_next_known_address(site, addresses, tmp_path, retired):
    retired(site)
    site.expect_request(NEW).respond_with_data(GOOD, content_type=HTML)
    result = refresh_here(tmp_path)
    assert result.url == addresses[1]
    assert f"from {addresses[1]}" in result.fetch_message and addresses[0] in result.fetch_message
    [snapshot] = list_snapshots(tmp_path / "raw")  # the retired address stored nothing
    assert snapshot.sidecar["requested_url"] == addresses[1]
    assert partner_rows(tmp_path / "out") == 96


def test_the_first_known_address_is_used_while_it_works(site, addresses, tmp_path):
    site.expect_request(OLD).respond_with_data(GOOD, content_type=HTML)
    result = refresh_here(tmp_path)
    assert result.url == addresses[0] and "skipped" not in result.fetch_message
    assert [r.path for r, _ in site.log if r.path != "/robots.txt"] == [OLD]


def test_an_explicit_url_is_the_only_one_tried(site, addresses, tmp_path):
    from pipeline.errors import FetchError

    site.expect_request(OLD).respond_with_data("no", status=404)
    site.expect_request(NEW).respond_with_data(GOOD, content_type=HTML)
    with pytest.raises(FetchError, match="404"):
        refresh_here(tmp_path, addresses[0])
    assert NEW not in [r.path for r, _ in site.log]


def test_no_known_address_serving_the_page_is_one_line_naming_both(site, addresses, tmp_path):
    site.expect_request(OLD).respond_with_data("no", status=404)
    site.expect_request(NEW).respond_with_data("gone", status=410)
    result = refresh(addresses[0], tmp_path / "raw", tmp_path / "out")  # the CLI, explicit
    assert result.returncode == 1
    from pipeline.errors import FetchError

    with pytest.raises(FetchError, match="no known address serves the partners list") as info:
        refresh_here(tmp_path)
    assert "404" in str(info.value) and "410" in str(info.value)


# --- the file system: raw/ and out/ ----------------------------------------------------------


def test_raw_dir_equal_to_out_is_refused_at_once(site, raw_dir):
    url = serve(site, GOOD)
    before = {p.name: p.read_bytes() for p in raw_dir.iterdir()}
    result = refresh(url, raw_dir, raw_dir)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: --raw-dir and --out both name")
    assert "another refresh" not in line
    assert {p.name: p.read_bytes() for p in raw_dir.iterdir()} == before


@pytest.fixture
def small_disk(tmp_path):
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


def test_a_full_raw_dir_is_one_line_and_raw_stays_intact(site, raw_dir, small_disk, tmp_path):
    import shutil

    raw = small_disk / "raw"
    shutil.copytree(raw_dir, raw)
    before = {p.name: p.read_bytes() for p in raw.iterdir()}
    with open(small_disk / "filler", "wb") as handle:  # leave less than the new page needs
        stats = os.statvfs(small_disk)
        handle.write(b"\0" * max(0, stats.f_bavail * stats.f_frsize - 8192))
    url = serve(site, GOOD.replace(b"2024", b"2025", 1))
    result = refresh(url, raw, tmp_path / "out", "--require-live")
    assert result.returncode == 1, result.stdout
    [line] = result.stderr.splitlines()
    assert line.startswith("error: cannot write") and "No space left on device" in line
    assert {p.name: p.read_bytes() for p in raw.iterdir() if p.name != ".lock"} == before
    assert not (tmp_path / "out").exists()


def test_a_read_only_raw_dir_is_one_line(site, raw_dir, small_disk, tmp_path):
    import shutil

    raw = small_disk / "raw"
    shutil.copytree(raw_dir, raw)
    before = {p.name: p.read_bytes() for p in raw.iterdir()}
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = refresh(serve(site, GOOD), raw, tmp_path / "out")
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: cannot write") and "read-only" in line.lower()
    assert {p.name: p.read_bytes() for p in raw.iterdir()} == before
