"""FetchPolicy: the retry and deadline logic on a fake clock (no real waiting), and hostile
servers on 127.0.0.1: trickling robots.txt, control characters in headers, 410, bad URLs."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pytest_httpserver import HTTPServer

from pipeline import config
from pipeline.errors import FetchError, Unreachable
from pipeline.fetch import FetchPolicy, Gone, fetch_page
from pipeline.headers import clean_etag, clean_header
from pipeline.snapshots import list_snapshots, store_snapshot

PAGE = "/list.html"
HTML = "text/html; charset=utf-8"


class FakeClock:
    """Monotonic seconds that move only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def policy(fake: FakeClock, **settings) -> FetchPolicy:
    return FetchPolicy(clock=fake.clock, sleep=fake.sleep, respect_robots=False,
                       connect_timeout=2, read_timeout=2, **settings)


def test_backoff_doubles_and_stops_when_the_deadline_leaves_no_time(httpserver, tmp_path):
    httpserver.expect_request(PAGE).respond_with_data("busy", status=503)
    fake = FakeClock()
    with pytest.raises(Unreachable, match="deadline leaves no time"):
        fetch_page(httpserver.url_for(PAGE), tmp_path / "raw",
                   policy(fake, retries=10, backoff=1.0, deadline=10.0))
    assert fake.slept == [1.0, 2.0, 4.0]  # 8 more would end past the 10 s deadline
    assert len(httpserver.log) == 4


def test_all_retries_within_the_deadline(httpserver, tmp_path):
    httpserver.expect_request(PAGE).respond_with_data("busy", status=503)
    fake = FakeClock()
    with pytest.raises(Unreachable, match="after 3 attempts"):
        fetch_page(httpserver.url_for(PAGE), tmp_path / "raw",
                   policy(fake, retries=2, backoff=0.5, deadline=60.0))
    assert fake.slept == [0.5, 1.0]


def test_retry_after_seconds_and_dates_are_honoured_and_capped(httpserver, tmp_path):
    wall = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    httpserver.expect_ordered_request(PAGE).respond_with_data(
        "", status=429, headers={"Retry-After": "7"})
    httpserver.expect_ordered_request(PAGE).respond_with_data(
        "", status=503, headers={"Retry-After": "Thu, 01 Jan 2026 12:00:03 GMT"})
    httpserver.expect_ordered_request(PAGE).respond_with_data(
        "", status=503, headers={"Retry-After": "86400"})
    httpserver.expect_ordered_request(PAGE).respond_with_data("<p>ok</p>", content_type=HTML)
    fake = FakeClock()
    result = fetch_page(httpserver.url_for(PAGE), tmp_path / "raw",
                        policy(fake, retries=3, max_retry_after=5.0, deadline=60.0,
                               wall_clock=lambda: wall))
    assert result.status == "stored"
    assert fake.slept == [5.0, 3.0, 5.0]  # capped, from the date, capped


def test_a_retry_after_beyond_the_deadline_gives_up_at_once(httpserver, tmp_path):
    httpserver.expect_request(PAGE).respond_with_data("", status=429,
                                                      headers={"Retry-After": "50"})
    fake = FakeClock()
    with pytest.raises(Unreachable, match="deadline"):
        fetch_page(httpserver.url_for(PAGE), tmp_path / "raw",
                   policy(fake, retries=3, max_retry_after=60.0, deadline=20.0))
    assert fake.slept == []


@pytest.mark.parametrize("settings", [
    {"deadline": 0}, {"deadline": float("nan")}, {"read_timeout": -1},
    {"connect_timeout": float("inf")}, {"retries": -1}, {"user_agent": "x\r\ny"},
])
def test_a_policy_refuses_nonsense(settings):
    with pytest.raises(ValueError):
        FetchPolicy(**settings)


def test_within_derives_every_timeout_from_one_number():
    fast = FetchPolicy.within(2, retries=1)
    assert (fast.connect_timeout, fast.read_timeout, fast.deadline, fast.retries) == (2, 2, 2, 1)
    slow = FetchPolicy.within(300)
    assert (slow.connect_timeout, slow.read_timeout, slow.deadline) == (10, 20, 300)


# --- a hostile server -------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
            self.server.app(self)  # type: ignore[attr-defined]
        self.close_connection = True

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture
def hostile() -> Iterator[Callable[[Callable[[_Handler], None]], str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    stop = threading.Event()
    server.stop = stop  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()

    def serve(app: Callable[[_Handler], None]) -> str:
        server.app = app  # type: ignore[attr-defined]
        return f"http://127.0.0.1:{server.server_address[1]}{PAGE}"

    try:
        yield serve
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def _page(handler: _Handler, headers: dict[str, str] | None = None) -> None:
    body = b"<html><p>page</p></html>"
    handler.send_response(200)
    headers = {"Content-Type": "text/html", **(headers or {})}
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    # The handler closes every connection after one response: saying so keeps the client
    # from sending its next request (the page after robots.txt) on a connection being closed.
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body)


def test_a_trickling_robots_txt_cannot_hold_the_fetch_past_its_deadline(hostile, tmp_path):
    def app(handler: _Handler) -> None:
        if handler.path != "/robots.txt":
            return _page(handler)
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.end_headers()
        while not handler.server.stop.wait(0.05):  # a byte every 50 ms, for ever
            handler.wfile.write(b"#")
            handler.wfile.flush()
        return None

    url = hostile(app)
    with pytest.raises(Unreachable, match=r"within the 0\.5 s deadline"):
        fetch_page(url, tmp_path / "raw", FetchPolicy.within(0.5, retries=3))
    assert not (tmp_path / "raw").exists()


def test_control_characters_in_headers_are_not_stored(hostile, tmp_path):
    url = hostile(lambda h: _page(h, {"ETag": '"v1\x01\x7f"', "Last-Modified": "yesterday\x1b[2J",
                                      "Content-Type": 'text/html; charset="utf-8\x01"'}))
    result = fetch_page(url, tmp_path / "raw", FetchPolicy.within(5, retries=0))
    sidecar = result.snapshot.sidecar
    assert sidecar["etag"] is None and sidecar["last_modified"] is None
    assert sidecar["content_type"] == 'text/html; charset="utf-8"'
    assert sidecar["charset"] == "utf-8"


def test_a_stored_etag_with_control_characters_does_not_break_the_next_fetch(
        httpserver: HTTPServer, tmp_path):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request(PAGE).respond_with_data("<p>new</p>", content_type=HTML)
    url = httpserver.url_for(PAGE)
    raw = tmp_path / "raw"
    # a sidecar written by an older version that kept the header as received
    store_snapshot(raw, b"<p>old</p>", {"requested_url": url, "etag": '"v1"\r\nX-Evil: 1',
                                        "last_modified": "Mon, 01 Apr 2024\n00:00:00 GMT"})
    result = fetch_page(url, raw, FetchPolicy.within(5, retries=0))
    assert result.status == "stored"
    [request] = [r for r, _ in httpserver.log if r.path == PAGE]
    assert "If-None-Match" not in request.headers and "If-Modified-Since" not in request.headers


def test_clean_header_keeps_good_values_only():
    assert clean_etag('W/"abc"') == 'W/"abc"' and clean_etag("abc") is None
    assert clean_header("x" * 300) is None and clean_header("é") is None


def test_410_gone_is_a_fetch_error_naming_the_status(httpserver: HTTPServer, tmp_path):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request(PAGE).respond_with_data("gone", status=410)
    with pytest.raises(Gone, match="410"):
        fetch_page(httpserver.url_for(PAGE), tmp_path / "raw", FetchPolicy.within(5))
    assert not (tmp_path / "raw").exists()


@pytest.mark.parametrize("url", ["http://[::1", "http://127.0.0.1:99999/x", "ftp://x/y",
                                 "http:///nohost", "http://exa mple.org/"])
def test_an_invalid_url_is_one_fetch_error(url, tmp_path):
    with pytest.raises(FetchError, match="invalid URL"):
        fetch_page(url, tmp_path / "raw", FetchPolicy.within(5))


@pytest.mark.parametrize(("option", "value", "says"), [
    ("--timeout", "0", "above 0"), ("--timeout", "nan", "above 0"),
    ("--timeout", "-3", "above 0"), ("--timeout", "inf", "above 0"),
    ("--retries", "-1", "whole number"), ("--url", "http://[::1", "not a valid URL"),
    ("--url", "file:///etc/passwd", "only http"),
])
def test_bad_arguments_are_one_clear_line(option, value, says, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "refresh", f"{option}={value}",
         "--raw-dir", str(tmp_path / "raw"), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, cwd=config.PROJECT_ROOT, check=False, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = result.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith("error: "), result.stderr
    assert says in errors[0] and option in errors[0], result.stderr
    assert not (tmp_path / "raw").exists() and not (tmp_path / "out").exists()
    assert list_snapshots(tmp_path / "raw") == []
