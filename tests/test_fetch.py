"""fetch_page against real HTTP servers on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import json
import socket
import threading
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pipeline.config import HOMEPAGE
from pipeline.errors import FetchError, Unreachable
from pipeline.fetch import USER_AGENT, FetchPolicy, FetchResult, fetch_page
from pipeline.snapshots import SIDECAR_FIELDS, list_snapshots, read_snapshot

PAGE = "/en/international_activities/international_partner_list.html"
BODY = "<html><body><h2>North America (3)</h2><table><tr><td>東京</td></tr></table>".encode(
    "shift_jis"
)
MB = 1024 * 1024


def fetch(url: str, raw: Path, **settings: Any) -> FetchResult:
    """fetch_page with a policy that keeps the tests fast."""
    options: dict[str, Any] = {"connect_timeout": 2, "read_timeout": 2, "retries": 2,
                               "backoff": 0, "deadline": 30}
    options.update(settings)
    return fetch_page(url, raw, FetchPolicy(**options))


def page_requests(server: HTTPServer) -> list[Request]:
    return [request for request, _ in server.log if request.path == PAGE]


@pytest.fixture
def site(httpserver: HTTPServer) -> HTTPServer:
    """The local server with no robots.txt (404), like most sites."""
    httpserver.expect_request("/robots.txt").respond_with_data("not found", status=404)
    return httpserver


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    return tmp_path / "raw"


# --- a hand-rolled server for slow, huge and malformed responses ----------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _RawServer

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        try:
            if self.path == "/robots.txt":
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            assert self.server.app is not None
            self.server.app(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _RawServer(ThreadingHTTPServer):
    daemon_threads = True
    app: Callable[[_Handler], None] | None = None

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.paths: list[str] = []
        self.stop = threading.Event()

    def url(self, path: str = PAGE) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


@pytest.fixture
def raw_server() -> Iterator[_RawServer]:
    server = _RawServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()


def _stream(handler: _Handler, total: int, chunked: bool = False) -> None:
    block = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>"
    sent = 0
    while sent < total and not handler.server.stop.is_set():
        if chunked:
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
        else:
            handler.wfile.write(block)
        sent += len(block)
    if chunked:
        handler.wfile.write(b"0\r\n\r\n")


# --- first fetch, conditional requests, unchanged and changed pages -------------------------


def test_first_fetch_stores_the_bytes_and_a_full_sidecar(site: HTTPServer, raw: Path) -> None:
    site.expect_request(PAGE).respond_with_data(
        BODY,
        content_type="text/html; charset=Shift_JIS",
        headers={"ETag": '"v1"', "Last-Modified": "Mon, 01 Apr 2024 00:00:00 GMT"},
    )
    url = site.url_for(PAGE)
    result = fetch(url, raw)

    assert result.status == "stored"
    assert result.http_status == 200
    assert result.message.startswith("stored ") and f"({len(BODY):,} bytes)" in result.message
    snap = result.snapshot
    assert list_snapshots(raw) == [snap]
    assert read_snapshot(snap.path) == BODY  # exactly as received, sha verified
    sidecar = json.loads(snap.sidecar_path.read_text("utf-8"))
    assert list(sidecar) == list(SIDECAR_FIELDS)
    assert sidecar["requested_url"] == url
    assert sidecar["final_url"] == url
    assert sidecar["fetched_at"] == snap.taken_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert sidecar["http_status"] == 200
    assert sidecar["etag"] == '"v1"'
    assert sidecar["last_modified"] == "Mon, 01 Apr 2024 00:00:00 GMT"
    assert sidecar["content_type"] == "text/html; charset=Shift_JIS"
    assert sidecar["charset"] == "Shift_JIS"
    assert sidecar["size"] == len(BODY)
    assert sidecar["obtained"] == "fetched"
    assert sidecar["note"] is None

    (request,) = page_requests(site)
    assert request.headers["User-Agent"] == USER_AGENT
    assert f"naist-partners/0.1.0 (+{HOMEPAGE})" == USER_AGENT
    assert "If-None-Match" not in request.headers


def _conditional_handler(body: bytes, **validators: str) -> Callable[[Request], Response]:
    etag = validators.get("etag")
    last_modified = validators.get("last_modified")
    headers = {"ETag": etag} if etag else {"Last-Modified": last_modified or ""}

    def handle(request: Request) -> Response:
        if etag and request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers=headers)
        if last_modified and request.headers.get("If-Modified-Since") == last_modified:
            return Response(status=304, headers=headers)
        return Response(body, content_type="text/html; charset=utf-8", headers=headers)

    return handle


@pytest.mark.parametrize(
    "validators",
    [{"etag": 'W/"abc"'}, {"last_modified": "Mon, 01 Apr 2024 00:00:00 GMT"}],
    ids=["etag", "last-modified"],
)
def test_second_fetch_gets_304_and_stores_nothing(
    site: HTTPServer, raw: Path, validators: dict[str, str]
) -> None:
    site.expect_request(PAGE).respond_with_handler(_conditional_handler(BODY, **validators))
    first = fetch(site.url_for(PAGE), raw)
    files_before = sorted(raw.iterdir())

    second = fetch(site.url_for(PAGE), raw)

    assert second.status == "not_modified"
    assert second.http_status == 304
    assert second.snapshot == first.snapshot
    assert second.message.startswith("unchanged since ")
    assert sorted(raw.iterdir()) == files_before
    sent = page_requests(site)[-1].headers
    if "etag" in validators:
        assert sent["If-None-Match"] == validators["etag"]
    else:
        assert sent["If-Modified-Since"] == validators["last_modified"]


def test_no_conditional_request_for_another_url(site: HTTPServer, raw: Path) -> None:
    site.expect_request(PAGE).respond_with_data(
        BODY, content_type="text/html", headers={"ETag": '"v1"'}
    )
    site.expect_request("/other.html").respond_with_data(b"<p>other</p>", content_type="text/html")
    fetch(site.url_for(PAGE), raw)
    fetch(site.url_for("/other.html"), raw)
    (other,) = [r for r, _ in site.log if r.path == "/other.html"]
    assert "If-None-Match" not in other.headers


def test_identical_body_without_conditional_support_stores_nothing(
    site: HTTPServer, raw: Path
) -> None:
    site.expect_request(PAGE).respond_with_data(
        BODY, content_type="text/html", headers={"ETag": '"v1"'}
    )  # ignores If-None-Match
    first = fetch(site.url_for(PAGE), raw)
    second = fetch(site.url_for(PAGE), raw)

    assert second.status == "unchanged"
    assert second.http_status == 200
    assert second.snapshot == first.snapshot
    assert second.message == f"unchanged since {first.snapshot.taken_at:%Y-%m-%d %H:%M} UTC"
    assert len(list_snapshots(raw)) == 1
    assert page_requests(site)[-1].headers["If-None-Match"] == '"v1"'


def test_a_changed_page_is_stored_as_a_second_snapshot(site: HTTPServer, raw: Path) -> None:
    site.expect_oneshot_request(PAGE).respond_with_data(b"<p>v1</p>", content_type="text/html")
    site.expect_oneshot_request(PAGE).respond_with_data(b"<p>v2</p>", content_type="text/html")
    first = fetch(site.url_for(PAGE), raw)
    second = fetch(site.url_for(PAGE), raw)

    assert (first.status, second.status) == ("stored", "stored")
    assert list_snapshots(raw) == [first.snapshot, second.snapshot]
    assert read_snapshot(second.snapshot.path) == b"<p>v2</p>"
    assert read_snapshot(first.snapshot.path) == b"<p>v1</p>"


def test_redirects_are_followed_and_recorded(site: HTTPServer, raw: Path) -> None:
    site.expect_request("/old.html").respond_with_data("", status=301, headers={"Location": PAGE})
    site.expect_request(PAGE).respond_with_data(BODY, content_type="text/html")
    result = fetch(site.url_for("/old.html"), raw)
    assert result.snapshot.sidecar["requested_url"] == site.url_for("/old.html")
    assert result.snapshot.sidecar["final_url"] == site.url_for(PAGE)


# --- retries --------------------------------------------------------------------------------


def test_500_then_200_is_retried_and_stored(site: HTTPServer, raw: Path) -> None:
    site.expect_oneshot_request(PAGE).respond_with_data("oops", status=500)
    site.expect_request(PAGE).respond_with_data(BODY, content_type="text/html")
    result = fetch(site.url_for(PAGE), raw)
    assert result.status == "stored"
    assert len(page_requests(site)) == 2


def test_429_with_retry_after_is_honoured(site: HTTPServer, raw: Path) -> None:
    site.expect_oneshot_request(PAGE).respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}
    )
    site.expect_request(PAGE).respond_with_data(BODY, content_type="text/html")
    result = fetch(site.url_for(PAGE), raw)
    assert result.status == "stored"  # the waits themselves: test_fetch_policy, fake clock
    assert len(page_requests(site)) == 2


def test_retry_after_is_capped(site: HTTPServer, raw: Path) -> None:
    site.expect_oneshot_request(PAGE).respond_with_data(
        "busy", status=503, headers={"Retry-After": "86400"}
    )
    site.expect_request(PAGE).respond_with_data(BODY, content_type="text/html")
    assert fetch(site.url_for(PAGE), raw, max_retry_after=0.1).status == "stored"
    assert len(page_requests(site)) == 2  # the capped wait: test_fetch_policy, fake clock


def test_503_forever_is_unreachable_after_the_retries(site: HTTPServer, raw: Path) -> None:
    site.expect_request(PAGE).respond_with_data("down", status=503)
    url = site.url_for(PAGE)
    with pytest.raises(Unreachable) as info:
        fetch(url, raw, retries=2, backoff=0.01)
    message = str(info.value)
    assert url in message and "503" in message and "3 attempts" in message
    assert "\n" not in message
    assert len(page_requests(site)) == 3
    assert not raw.exists() or not any(raw.iterdir())


def test_404_is_a_fetch_error_not_unreachable(site: HTTPServer, raw: Path) -> None:
    site.expect_request(PAGE).respond_with_data("gone", status=404)
    with pytest.raises(FetchError, match="HTTP 404") as info:
        fetch(site.url_for(PAGE), raw)
    assert not isinstance(info.value, Unreachable)
    assert len(page_requests(site)) == 1  # not retried


def test_a_server_slower_than_the_read_timeout_is_unreachable(
    raw_server: _RawServer, raw: Path
) -> None:
    raw_server.app = lambda handler: handler.server.stop.wait(5)
    with pytest.raises(Unreachable, match="read timeout"):
        fetch(raw_server.url(), raw, connect_timeout=1, read_timeout=0.5, retries=1)
    assert raw_server.paths.count(PAGE) == 2


def test_a_body_that_stalls_halfway_is_unreachable(raw_server: _RawServer, raw: Path) -> None:
    def stall(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        handler.wfile.write(b"<p>" + b"x" * 100)
        handler.wfile.flush()
        handler.server.stop.wait(5)

    raw_server.app = stall
    with pytest.raises(Unreachable, match="cannot reach"):
        fetch(raw_server.url(), raw, connect_timeout=1, read_timeout=0.5, retries=0)
    assert not raw.exists() or not any(raw.iterdir())


def test_a_body_that_slowly_trickles_hits_the_overall_limit(
    raw_server: _RawServer, raw: Path
) -> None:
    def trickle(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        while not handler.server.stop.wait(0.05):
            handler.wfile.write(b"x")
            handler.wfile.flush()

    raw_server.app = trickle
    with pytest.raises(Unreachable, match=r"within the 0\.5 s deadline"):
        fetch(raw_server.url(), raw, connect_timeout=1, read_timeout=0.5, retries=0, deadline=0.5)
    assert not raw.exists() or not any(raw.iterdir())


def test_connection_refused_is_unreachable(raw: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}{PAGE}"
    with pytest.raises(Unreachable, match="connection refused") as info:
        fetch(url, raw, retries=1)
    assert url in str(info.value)


# --- size cap -------------------------------------------------------------------------------


def _huge(content_length: str | None, chunked: bool = False) -> Callable[[_Handler], None]:
    def send(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        if content_length is not None:
            handler.send_header("Content-Length", content_length)
        if chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        else:
            handler.send_header("Connection", "close")
        handler.end_headers()
        _stream(handler, 50 * MB, chunked=chunked)

    return send


@pytest.mark.parametrize(
    ("content_length", "chunked"),
    [
        (str(50 * MB), False),  # honest Content-Length: refused before reading
        (None, False),  # no Content-Length, body until the connection closes
        (None, True),  # chunked
        ("1000", True),  # a lying Content-Length, overridden by chunked encoding
    ],
    ids=["declared", "close-delimited", "chunked", "lying-length"],
)
def test_a_50_mb_body_is_rejected_and_nothing_stored(
    raw_server: _RawServer, raw: Path, content_length: str | None, chunked: bool
) -> None:
    raw_server.app = _huge(content_length, chunked)
    with pytest.raises(FetchError, match="10,485,760-byte limit") as info:
        fetch(raw_server.url(), raw)
    assert not isinstance(info.value, Unreachable)
    assert not raw.exists() or not any(raw.iterdir())


def test_the_cap_applies_to_decompressed_bytes(raw_server: _RawServer, raw: Path) -> None:
    packer = zlib.compressobj(wbits=31)  # gzip
    compressed = b"".join(packer.compress(bytes(MB)) for _ in range(50)) + packer.flush()
    assert len(compressed) < MB

    def gzip_bomb(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(compressed)))
        handler.end_headers()
        handler.wfile.write(compressed)

    raw_server.app = gzip_bomb
    with pytest.raises(FetchError, match="byte limit"):
        fetch(raw_server.url(), raw)
    assert not raw.exists() or not any(raw.iterdir())


def test_a_small_cap_is_configurable(site: HTTPServer, raw: Path) -> None:
    site.expect_request(PAGE).respond_with_data(b"<p>" + b"x" * 2000, content_type="text/html")
    with pytest.raises(FetchError, match="1,000-byte limit"):
        fetch(site.url_for(PAGE), raw, max_bytes=1000)


# --- redirects, content type, robots.txt ----------------------------------------------------


def test_a_redirect_loop_is_a_fetch_error(site: HTTPServer, raw: Path) -> None:
    site.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    site.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    with pytest.raises(FetchError, match="too many redirects") as info:
        fetch(site.url_for("/a"), raw)
    assert not isinstance(info.value, Unreachable)
    assert len([r for r, _ in site.log if r.path in ("/a", "/b")]) == 6  # 1 + 5 redirects


def test_a_non_html_content_type_is_rejected(site: HTTPServer, raw: Path) -> None:
    site.expect_request(PAGE).respond_with_json({"error": "maintenance"})
    with pytest.raises(FetchError, match="application/json"):
        fetch(site.url_for(PAGE), raw)
    assert not raw.exists() or not any(raw.iterdir())


def test_xhtml_is_accepted(site: HTTPServer, raw: Path) -> None:
    site.expect_request(PAGE).respond_with_data(BODY, content_type="application/xhtml+xml")
    assert fetch(site.url_for(PAGE), raw).status == "stored"


@pytest.mark.parametrize(
    "robots",
    [
        f"User-agent: *\nDisallow: {PAGE}\n",
        "User-agent: Googlebot\nAllow: /\n\nUser-agent: naist-partners\nDisallow: /en/\n",
    ],
    ids=["everyone", "this-agent"],
)
def test_robots_txt_disallowing_the_page_is_obeyed(
    httpserver: HTTPServer, raw: Path, robots: str
) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(robots, content_type="text/plain")
    httpserver.expect_request(PAGE).respond_with_data(BODY, content_type="text/html")
    with pytest.raises(FetchError, match=r"robots\.txt disallows"):
        fetch(httpserver.url_for(PAGE), raw)
    assert page_requests(httpserver) == []
    assert not raw.exists() or not any(raw.iterdir())
    # and it can be overridden
    assert fetch(httpserver.url_for(PAGE), raw, respect_robots=False).status == "stored"


def test_robots_txt_allowing_the_page_or_failing_lets_it_through(
    httpserver: HTTPServer, raw: Path
) -> None:
    httpserver.expect_oneshot_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    httpserver.expect_oneshot_request("/robots.txt").respond_with_data("err", status=500)
    httpserver.expect_request(PAGE).respond_with_data(BODY, content_type="text/html")
    assert fetch(httpserver.url_for(PAGE), raw).status == "stored"
    assert fetch(httpserver.url_for(PAGE), raw).status == "unchanged"


def test_a_session_without_tls_verification_is_refused(raw: Path) -> None:
    import requests

    with requests.Session() as session:
        session.verify = False
        with pytest.raises(ValueError, match="verifies TLS"):
            fetch_page("https://127.0.0.1:9/", raw, session=session)


def test_only_http_urls(raw: Path) -> None:
    with pytest.raises(FetchError, match="only http:// and https://"):
        fetch("file:///etc/passwd", raw)
    assert not raw.exists()
