"""Download the partners page politely and store it in raw/ when it changed.

One call of :func:`fetch_page` does at most one download of the page (plus robots.txt):

* a User-Agent naming the project, its version and homepage; TLS always verified;
* connect/read timeouts, and an overall time limit per attempt;
* a few retries with exponential backoff on connection errors, timeouts, 429 and 502/503/504
  (and 500), honouring ``Retry-After`` up to a cap;
* redirects followed by hand, at most ``max_redirects``, never from https down to http;
* a conditional request (If-None-Match / If-Modified-Since) from the newest snapshot's
  sidecar when it was taken from the same URL: a 304 stores nothing;
* robots.txt of every host on the way is obeyed (when it cannot be fetched, or is 4xx/5xx,
  everything is allowed);
* only text/html or application/xhtml+xml is accepted, and the body is capped at
  ``max_bytes`` while it streams in; a rejected page stores nothing.

Failures to reach the site raise :class:`Unreachable` (the caller may fall back to the newest
snapshot); everything else that goes wrong raises :class:`FetchError`. The caller is expected
to hold :func:`pipeline.snapshots.refresh_lock` around the call.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import requests
import urllib3.exceptions

from pipeline import __version__
from pipeline.config import HOMEPAGE
from pipeline.errors import FetchError, Unreachable
from pipeline.snapshots import Snapshot, newest_snapshot, store_snapshot

log = logging.getLogger(__name__)

USER_AGENT = f"naist-partners/{__version__} (+{HOMEPAGE})"
ROBOTS_AGENT = "naist-partners"  # the product token robots.txt rules are matched against
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_ROBOTS_BYTES = 512 * 1024  # RFC 9309: parse at least 500 KiB; the rest is ignored
CHUNK_SIZE = 64 * 1024

Status = Literal["stored", "unchanged", "not_modified"]


@dataclass(frozen=True)
class FetchResult:
    """What a fetch did: stored a new snapshot, or found the newest one still current."""

    status: Status  # "stored" | "unchanged" (same bytes) | "not_modified" (HTTP 304)
    snapshot: Snapshot  # the new snapshot, or the newest one when nothing was stored
    http_status: int
    message: str  # one line for people


def fetch_page(
    url: str,
    raw_dir: Path | str,
    *,
    timeout: float | tuple[float, float] = (5, 20),
    retries: int = 3,
    max_bytes: int = 10 * 1024 * 1024,
    respect_robots: bool = True,
    session: requests.Session | None = None,
    backoff_factor: float = 0.5,
    max_retry_after: float = 60.0,
    max_redirects: int = 5,
    total_timeout: float = 120.0,
) -> FetchResult:
    """Fetch ``url`` and store it in ``raw_dir`` unless it is unchanged.

    ``timeout`` is (connect, read) in seconds; ``retries`` is how many times a failed attempt
    is repeated (so ``retries + 1`` attempts at most), waiting ``backoff_factor * 2**n``
    seconds, or the server's Retry-After capped at ``max_retry_after``. ``total_timeout``
    bounds one attempt, however slowly the server trickles the body in.
    """
    raw_dir = Path(raw_dir)
    _check_url(url)
    own_session = session is None
    if session is None:
        session = requests.Session()
    elif session.verify is False:
        raise ValueError("fetch_page needs a session that verifies TLS certificates")
    try:
        newest = newest_snapshot(raw_dir)
        conditional = _conditional_headers(newest, url)
        headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT, **conditional}
        robots = _Robots(session, timeout) if respect_robots else None
        download = _download(
            session,
            url,
            headers,
            timeout=timeout,
            retries=retries,
            max_bytes=max_bytes,
            backoff_factor=backoff_factor,
            max_retry_after=max_retry_after,
            max_redirects=max_redirects,
            total_timeout=total_timeout,
            robots=robots,
        )
    finally:
        if own_session:
            session.close()

    if download.status == 304:
        if newest is None or not conditional:
            raise FetchError(f"{url} answered 304 Not Modified to an unconditional request")
        return FetchResult(
            status="not_modified",
            snapshot=newest,
            http_status=304,
            message=f"unchanged since {_when(newest)} (HTTP 304 Not Modified)",
        )

    content_type = download.headers.get("Content-Type")
    meta = {
        "requested_url": url,
        "final_url": download.final_url,
        "http_status": download.status,
        "etag": download.headers.get("ETag"),
        "last_modified": download.headers.get("Last-Modified"),
        "content_type": content_type,
        "charset": _parse_content_type(content_type)[1],
        "obtained": "fetched",
        "note": None,
    }
    snapshot, stored = store_snapshot(raw_dir, download.body, meta)
    if stored:
        message = f"stored {_display(snapshot.path)} ({len(download.body):,} bytes)"
        return FetchResult("stored", snapshot, download.status, message)
    return FetchResult("unchanged", snapshot, download.status, f"unchanged since {_when(snapshot)}")


# --- the download -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Download:
    status: int  # 200 or 304
    final_url: str
    headers: requests.structures.CaseInsensitiveDict
    body: bytes


class _Retry(Exception):
    """One attempt failed in a way worth repeating."""

    def __init__(self, reason: str, delay: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay  # the server's Retry-After, if it gave one


def _download(
    session: requests.Session,
    url: str,
    headers: dict[str, str],
    *,
    timeout: float | tuple[float, float],
    retries: int,
    max_bytes: int,
    backoff_factor: float,
    max_retry_after: float,
    max_redirects: int,
    total_timeout: float,
    robots: _Robots | None,
) -> _Download:
    attempts = max(0, retries) + 1
    reason = ""
    for attempt in range(attempts):
        try:
            return _attempt(
                session,
                url,
                headers,
                timeout=timeout,
                max_bytes=max_bytes,
                max_redirects=max_redirects,
                deadline=time.monotonic() + total_timeout,
                robots=robots,
            )
        except _Retry as failure:
            reason = failure.reason
            if attempt + 1 == attempts:
                break
            delay = failure.delay
            if delay is None:
                delay = backoff_factor * (2**attempt)
            delay = min(max(delay, 0.0), max_retry_after)
            log.info(
                "%s: %s; retrying in %.1f s (%d/%d)", url, reason, delay, attempt + 1, retries
            )
            time.sleep(delay)
    tries = f" (after {attempts} attempts)" if attempts > 1 else ""
    raise Unreachable(
        f"cannot reach {url}: {reason}{tries}", "check the network connection or try again later"
    )


def _attempt(
    session: requests.Session,
    url: str,
    headers: dict[str, str],
    *,
    timeout: float | tuple[float, float],
    max_bytes: int,
    max_redirects: int,
    deadline: float,
    robots: _Robots | None,
) -> _Download:
    try:
        response, final_url = _follow_redirects(
            session, url, headers, timeout=timeout, max_redirects=max_redirects, robots=robots
        )
    except requests.exceptions.SSLError as exc:
        # Not worth repeating; a captive portal or an intercepting proxy looks like this too.
        raise Unreachable(
            f"cannot reach {url}: TLS certificate verification failed ({_describe(exc)})",
            "the connection is not trustworthy; check the network",
        ) from None
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise _Retry(_describe(exc)) from None
    except requests.exceptions.InvalidURL as exc:
        raise FetchError(f"invalid URL {url}: {exc}") from None

    with contextlib.closing(response):
        status = response.status_code
        if status in RETRY_STATUSES:
            raise _Retry(f"HTTP {status} {response.reason or ''}".strip(), _retry_after(response))
        if status >= 500:
            raise Unreachable(f"cannot reach {url}: HTTP {status} {response.reason or ''}".strip())
        if status == 304:
            return _Download(304, final_url, response.headers, b"")
        if status != 200:
            raise FetchError(
                f"{final_url} answered HTTP {status} {response.reason or ''}".strip(),
                "check the URL" if status in (404, 410) else "",
            )
        mime, _ = _parse_content_type(response.headers.get("Content-Type"))
        if mime not in HTML_TYPES:
            shown = mime or "no Content-Type"
            raise FetchError(
                f"{final_url} is {shown}, not an HTML page; nothing stored",
                "check the URL",
            )
        declared = _content_length(response)
        if declared is not None and declared > max_bytes:
            raise FetchError(
                f"{final_url} is {declared:,} bytes, over the {max_bytes:,}-byte limit; "
                "nothing stored"
            )
        body = _read_capped(response, final_url, max_bytes, deadline)
    if not body:
        raise FetchError(f"{final_url} answered with an empty page; nothing stored")
    return _Download(200, final_url, response.headers, body)


def _follow_redirects(
    session: requests.Session,
    url: str,
    headers: dict[str, str],
    *,
    timeout: float | tuple[float, float],
    max_redirects: int,
    robots: _Robots | None,
) -> tuple[requests.Response, str]:
    current = url
    seen = [url]
    while True:
        if robots is not None:
            robots.check(current)
        response = session.get(
            current, headers=headers, timeout=timeout, stream=True, allow_redirects=False
        )
        target = session.get_redirect_target(response)
        if target is None:
            return response, current
        response.close()
        following = urljoin(current, target)
        scheme = urlsplit(following).scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError(f"{current} redirects to {following}, which is not http(s)")
        if urlsplit(current).scheme.lower() == "https" and scheme == "http":
            raise FetchError(f"{current} redirects from https down to {following}; refused")
        if len(seen) > max_redirects:
            loop = " (a redirect loop)" if following in seen else ""
            raise FetchError(
                f"too many redirects fetching {url}: more than {max_redirects}{loop}",
                f"last went to {following}",
            )
        seen.append(following)
        current = following


def _read_capped(response: requests.Response, url: str, max_bytes: int, deadline: float) -> bytes:
    """The (decoded) body, refused as soon as it grows past ``max_bytes``.

    Reads whatever has arrived (``read1``) rather than waiting for full chunks, so the overall
    ``deadline`` also stops a server that trickles the page in byte by byte.
    """
    chunks: list[bytes] = []
    total = 0
    for chunk in _body_chunks(response, url):
        total += len(chunk)
        if total > max_bytes:
            raise FetchError(f"{url} is over the {max_bytes:,}-byte limit; nothing stored")
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise Unreachable(
                f"cannot reach {url}: the page is arriving too slowly "
                f"({total:,} bytes before the time limit)",
                "try again later",
            )
    return b"".join(chunks)


def _body_chunks(response: requests.Response, url: str) -> Iterator[bytes]:
    raw = response.raw
    read1 = getattr(raw, "read1", None)  # urllib3 >= 2.3
    try:
        if read1 is None:
            yield from response.iter_content(chunk_size=CHUNK_SIZE)
            return
        while chunk := read1(CHUNK_SIZE, decode_content=True):
            yield chunk
    except (requests.exceptions.ContentDecodingError, urllib3.exceptions.DecodeError) as exc:
        raise FetchError(f"{url} sent a body that cannot be decompressed ({exc})") from None
    except (
        requests.ConnectionError,
        requests.Timeout,
        requests.exceptions.ChunkedEncodingError,
        urllib3.exceptions.HTTPError,
        OSError,
    ) as exc:
        raise _Retry(_describe(exc)) from None


# --- robots.txt ---------------------------------------------------------------------------


class _Robots:
    """robots.txt of each host on the way, fetched once per call with the same session."""

    def __init__(self, session: requests.Session, timeout: float | tuple[float, float]) -> None:
        self.session = session
        self.timeout = timeout
        self.parsers: dict[str, RobotFileParser | None] = {}

    def check(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.parsers:
            self.parsers[origin] = self._load(origin + "/robots.txt")
        parser = self.parsers[origin]
        if parser is not None and not parser.can_fetch(ROBOTS_AGENT, url):
            raise FetchError(
                f"robots.txt disallows fetching {url} ({origin}/robots.txt)",
                "the site asks crawlers like this one to stay away from the page",
            )

    def _load(self, robots_url: str) -> RobotFileParser | None:
        """The parsed file, or None (everything allowed) when there is no usable robots.txt."""
        try:
            response = self.session.get(
                robots_url,
                headers={"User-Agent": USER_AGENT},
                timeout=self.timeout,
                stream=True,
            )
        except requests.RequestException as exc:
            log.info("robots.txt unavailable (%s); proceeding", _describe(exc))
            return None
        with contextlib.closing(response):
            if response.status_code != 200:
                # RFC 9309: 4xx means there are no rules; an unreachable file is treated
                # as no rules too, and the page request itself will then fail or succeed.
                return None
            data = bytearray()
            try:
                for chunk in response.iter_content(chunk_size=CHUNK_SIZE):
                    data += chunk
                    if len(data) >= MAX_ROBOTS_BYTES:
                        break
            except requests.RequestException as exc:
                log.info("robots.txt unreadable (%s); proceeding", _describe(exc))
                return None
        parser = RobotFileParser(robots_url)
        parser.parse(bytes(data[:MAX_ROBOTS_BYTES]).decode("utf-8", "replace").splitlines())
        return parser


# --- small helpers ------------------------------------------------------------------------


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise FetchError(f"not an http(s) URL: {url!r}")


def _conditional_headers(newest: Snapshot | None, url: str) -> dict[str, str]:
    if newest is None:
        return {}
    sidecar = newest.sidecar
    if url not in (sidecar.get("requested_url"), sidecar.get("final_url")):
        return {}
    headers = {}
    if sidecar.get("etag"):
        headers["If-None-Match"] = str(sidecar["etag"])
    if sidecar.get("last_modified"):
        headers["If-Modified-Since"] = str(sidecar["last_modified"])
    return headers


def _parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """("text/html", "utf-8") from "text/html; charset=utf-8"; (None, None) when absent."""
    if not value:
        return None, None
    mime, *params = value.split(";")
    charset = None
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'") or None
    return mime.strip().lower() or None, charset


def _content_length(response: requests.Response) -> int | None:
    try:
        return int(response.headers["Content-Length"])
    except (KeyError, ValueError):
        return None


def _retry_after(response: requests.Response) -> float | None:
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and everything it wraps (cause, context, exceptions among its args)."""
    stack = [exc]
    seen: set[int] = set()
    while stack and len(seen) < 50:
        current = stack.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        nested = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        nested += [arg for arg in current.args if isinstance(arg, BaseException)]
        stack += [item for item in nested if isinstance(item, BaseException)]


def _describe(exc: BaseException) -> str:
    """A short reason for a network failure: "connection refused", "timed out", …"""
    chain = list(_causes(exc))
    # Most specific first: urllib3's NewConnectionError (refused, DNS) is a ConnectTimeoutError.
    checks: list[tuple[tuple[type[BaseException], ...], str]] = [
        ((urllib3.exceptions.NameResolutionError, socket.gaierror), "DNS lookup failed"),
        ((ConnectionRefusedError,), "connection refused"),
        ((ConnectionResetError,), "connection reset by the server"),
        ((requests.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError), "connection timed out"),
        (
            (requests.ReadTimeout, urllib3.exceptions.ReadTimeoutError, TimeoutError),
            "no answer within the read timeout",
        ),
        (
            (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError),
            "the connection broke off while the page was arriving",
        ),
    ]
    for types, text in checks:
        if any(isinstance(item, types) for item in chain):
            return text
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__


def _when(snapshot: Snapshot) -> str:
    return snapshot.taken_at.strftime("%Y-%m-%d %H:%M UTC")


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
