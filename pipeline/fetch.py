"""Download the partners page politely and store it in raw/ when it changed.

One call of :func:`fetch_page` does at most one download of the page (plus robots.txt):

* a User-Agent naming the project, its version and homepage; TLS always verified;
* every setting in one frozen :class:`FetchPolicy` (timeouts, retries, backoff, size cap,
  user agent, the clock and sleep it uses, so tests run the retry logic without waiting);
* one overall deadline for the whole call: robots.txt, every attempt, redirect and wait;
* a few retries with exponential backoff on connection errors, timeouts, 429 and 502/503/504
  (and 500), honouring ``Retry-After`` up to a cap;
* redirects followed by hand, at most ``max_redirects``, never from https down to http;
* a conditional request (If-None-Match / If-Modified-Since) from the newest snapshot's
  sidecar when it was taken from the same URL: a 304 stores nothing;
* header values (ETag, Last-Modified, Content-Type, charset) are checked before they are
  stored or sent again: one with control characters or of absurd length is dropped;
* robots.txt of every host on the way is obeyed (when it cannot be fetched, or is 4xx/5xx,
  everything is allowed);
* only text/html or application/xhtml+xml is accepted, and the body is capped at
  ``max_bytes`` while it streams in; a rejected page stores nothing.

Failures to reach the site raise :class:`Unreachable` (the caller may fall back to the newest
snapshot); everything else that goes wrong raises :class:`FetchError`. The caller is expected
to hold :func:`pipeline.lock.refresh_lock` around the call.
"""

from __future__ import annotations

import contextlib
import logging
import math
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
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
from pipeline.errors import FetchError, Unreachable, elide
from pipeline.headers import (
    check_url,
    clean_etag,
    clean_header,
    clean_http_date,
    content_type,
    parse_content_type,
)
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
class FetchPolicy:
    """How politely and how long to try: every setting of a fetch in one value.

    ``deadline`` bounds the whole call (robots.txt, every attempt, redirect and wait between
    attempts); ``connect_timeout`` and ``read_timeout`` bound each network wait inside it.
    A failed attempt is repeated ``retries`` times at most, after ``backoff * 2**n`` seconds
    or the server's Retry-After capped at ``max_retry_after``. ``clock`` (monotonic seconds),
    ``sleep`` and ``wall_clock`` (for Retry-After dates) are injectable.
    """

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0
    retries: int = 3
    backoff: float = 0.5
    max_retry_after: float = 30.0
    max_redirects: int = 5
    max_bytes: int = 10 * 1024 * 1024
    user_agent: str = USER_AGENT
    respect_robots: bool = True
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)
    wall_clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC),
                                               compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout", "deadline"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
        for name in ("backoff", "max_retry_after"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be zero or more seconds, not {value!r}")
        for name in ("retries", "max_redirects", "max_bytes"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 0:
                raise ValueError(f"{name} must be a whole number >= 0")
        if clean_header(self.user_agent) != self.user_agent:
            raise ValueError("user_agent must be printable ASCII")

    @classmethod
    def within(cls, seconds: float, retries: int = 3, **settings) -> FetchPolicy:
        """A policy that gives up after ``seconds`` in all (the command line's --timeout)."""
        return cls(connect_timeout=min(seconds, 10.0), read_timeout=min(seconds, 20.0),
                   deadline=seconds, retries=retries, **settings)


@dataclass(frozen=True)
class FetchResult:
    """What a fetch did: stored a new snapshot, or found the newest one still current."""

    status: Status  # "stored" | "unchanged" (same bytes) | "not_modified" (HTTP 304)
    snapshot: Snapshot  # the new snapshot, or the newest one when nothing was stored
    http_status: int
    message: str  # one line for people


def fetch_page(url: str, raw_dir: Path | str, policy: FetchPolicy | None = None, *,
               session: requests.Session | None = None,
               accept: Callable[[bytes, str | None], str | None] | None = None) -> FetchResult:
    """Fetch ``url`` and store it in ``raw_dir`` unless it is unchanged.

    ``accept(body, charset)`` may look at a downloaded page before it is stored and return a
    reason to refuse it (then :class:`WrongPage` is raised and nothing is stored).
    """
    policy = policy or FetchPolicy()
    raw_dir = Path(raw_dir)
    check_url(url)
    own_session = session is None
    if session is None:
        session = requests.Session()
    elif session.verify is False:
        raise ValueError("fetch_page needs a session that verifies TLS certificates")
    try:
        newest = newest_snapshot(raw_dir)
        conditional = _conditional_headers(newest, url)
        headers = {"User-Agent": policy.user_agent, "Accept": ACCEPT, **conditional}
        clock = _Deadline(policy, url)
        robots = _Robots(session, policy, clock) if policy.respect_robots else None
        download = _download(session, url, headers, policy, clock, robots)
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

    received_type = content_type(download.headers)
    charset = parse_content_type(received_type)[1]
    if accept is not None:
        reason = accept(download.body, charset)
        if reason:
            raise WrongPage(f"{download.final_url} {reason}; nothing stored",
                            "check the URL")
    meta = {
        "requested_url": url,
        "final_url": download.final_url,
        "http_status": download.status,
        "etag": clean_etag(download.headers.get("ETag")),
        "last_modified": clean_http_date(download.headers.get("Last-Modified")),
        "content_type": received_type,
        "charset": charset,
        "obtained": "fetched",
        "note": None,
    }
    snapshot, stored = store_snapshot(raw_dir, download.body, meta)
    if stored:
        message = f"stored {_display(snapshot.path)} ({len(download.body):,} bytes)"
        return FetchResult("stored", snapshot, download.status, message)
    return FetchResult("unchanged", snapshot, download.status, f"unchanged since {_when(snapshot)}")


class WrongPage(FetchError):
    """The address answered with a page that is not the partners list."""


class _Deadline:
    """The time left for one fetch_page call, on the policy's clock."""

    def __init__(self, policy: FetchPolicy, url: str) -> None:
        self.policy = policy
        self.url = url
        self.ends = policy.clock() + policy.deadline

    def left(self) -> float:
        return self.ends - self.policy.clock()

    def timeout(self) -> tuple[float, float]:
        """(connect, read) for the next request: never past the deadline."""
        left = self.left()
        if left <= 0:
            raise self.expired()
        return min(self.policy.connect_timeout, left), min(self.policy.read_timeout, left)

    def check(self, received: int = 0) -> None:
        if self.left() <= 0:
            raise self.expired(received)

    def expired(self, received: int = 0) -> Unreachable:
        got = f" ({received:,} bytes had arrived)" if received else ""
        return Unreachable(f"cannot reach {self.url}: no complete answer within the "
                           f"{self.policy.deadline:g} s deadline{got}",
                           "try again later or pass a longer --timeout")


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


def _download(session: requests.Session, url: str, headers: dict[str, str],
              policy: FetchPolicy, deadline: _Deadline, robots: _Robots | None) -> _Download:
    attempts = policy.retries + 1
    reason = ""
    for attempt in range(attempts):
        try:
            return _attempt(session, url, headers, policy, deadline, robots)
        except _Retry as failure:
            reason = failure.reason
            if attempt + 1 == attempts:
                break
            delay = failure.delay
            if delay is None:
                delay = policy.backoff * (2**attempt)
            delay = min(max(delay, 0.0), policy.max_retry_after)
            if delay >= deadline.left():
                raise Unreachable(f"cannot reach {url}: {reason}, and the {policy.deadline:g} s "
                                  "deadline leaves no time to try again",
                                  "try again later or pass a longer --timeout") from None
            log.info("%s: %s; retrying in %.1f s (%d/%d)", url, reason, delay, attempt + 1,
                     policy.retries)
            policy.sleep(delay)
    tries = f" (after {attempts} attempts)" if attempts > 1 else ""
    raise Unreachable(
        f"cannot reach {url}: {reason}{tries}", "check the network connection or try again later"
    )


def _attempt(session: requests.Session, url: str, headers: dict[str, str],
             policy: FetchPolicy, deadline: _Deadline, robots: _Robots | None) -> _Download:
    try:
        response, final_url = _follow_redirects(session, url, headers, policy, deadline, robots)
    except requests.exceptions.SSLError as exc:
        # Not worth repeating; a captive portal or an intercepting proxy looks like this too.
        raise Unreachable(
            f"cannot reach {url}: TLS certificate verification failed ({_describe(exc)})",
            "the connection is not trustworthy; check the network",
        ) from None
    except (requests.ConnectionError, requests.Timeout) as exc:
        deadline.check()
        raise _Retry(_describe(exc)) from None
    except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
            requests.exceptions.MissingSchema, requests.exceptions.InvalidHeader,
            ValueError) as exc:
        raise FetchError(f"cannot request {url}: {elide(str(exc), 100)}", "check the URL") from None

    with contextlib.closing(response):
        status = response.status_code
        if status in RETRY_STATUSES:
            raise _Retry(f"HTTP {status} {_reason(response)}".strip(),
                         _retry_after(response, policy))
        if status >= 500:
            raise Unreachable(f"cannot reach {url}: HTTP {status} {_reason(response)}".strip())
        if status == 304:
            return _Download(304, final_url, response.headers, b"")
        if status in (404, 410):
            raise Gone(f"{final_url} answered HTTP {status} {_reason(response)}".strip(),
                       "check the URL", status=status)
        if status != 200:
            raise FetchError(f"{final_url} answered HTTP {status} {_reason(response)}".strip())
        mime, _ = parse_content_type(content_type(response.headers))
        if mime not in HTML_TYPES:
            shown = mime or "no Content-Type"
            raise FetchError(
                f"{final_url} is {elide(shown, 60)}, not an HTML page; nothing stored",
                "check the URL",
            )
        declared = _content_length(response)
        if declared is not None and declared > policy.max_bytes:
            raise FetchError(
                f"{final_url} is {declared:,} bytes, over the {policy.max_bytes:,}-byte limit; "
                "nothing stored"
            )
        body = _read_capped(response, final_url, policy.max_bytes, deadline)
    if not body:
        raise FetchError(f"{final_url} answered with an empty page; nothing stored")
    return _Download(200, final_url, response.headers, body)


class Gone(FetchError):
    """The address answered 404 Not Found or 410 Gone: the page is not (or no longer) there."""

    def __init__(self, message: str, hint: str = "", *, status: int = 404) -> None:
        super().__init__(message, hint)
        self.status = status


def _follow_redirects(session: requests.Session, url: str, headers: dict[str, str],
                      policy: FetchPolicy, deadline: _Deadline,
                      robots: _Robots | None) -> tuple[requests.Response, str]:
    current = url
    seen = [url]
    while True:
        if robots is not None:
            robots.check(current)
        response = session.get(current, headers=headers, timeout=deadline.timeout(),
                               stream=True, allow_redirects=False)
        target = session.get_redirect_target(response)
        if target is None:
            return response, current
        response.close()
        following = urljoin(current, clean_header(target, limit=2000) or "")
        scheme = urlsplit(following).scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError(f"{current} redirects to {elide(following, 100)}, which is not "
                             "http(s)")
        if urlsplit(current).scheme.lower() == "https" and scheme == "http":
            raise FetchError(f"{current} redirects from https down to {following}; refused")
        if len(seen) > policy.max_redirects:
            loop = " (a redirect loop)" if following in seen else ""
            raise FetchError(
                f"too many redirects fetching {url}: more than {policy.max_redirects}{loop}",
                f"last went to {elide(following, 100)}",
            )
        seen.append(following)
        current = following


def _read_capped(response: requests.Response, url: str, max_bytes: int,
                 deadline: _Deadline) -> bytes:
    """The (decoded) body, refused as soon as it grows past ``max_bytes``.

    Reads whatever has arrived (``read1``) rather than waiting for full chunks, so the overall
    deadline also stops a server that trickles the page in byte by byte.
    """
    chunks: list[bytes] = []
    total = 0
    for chunk in _body_chunks(response, url):
        total += len(chunk)
        if total > max_bytes:
            raise FetchError(f"{url} is over the {max_bytes:,}-byte limit; nothing stored")
        chunks.append(chunk)
        deadline.check(total)
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
    """robots.txt of each host on the way, fetched once per call within the same deadline."""

    def __init__(self, session: requests.Session, policy: FetchPolicy,
                 deadline: _Deadline) -> None:
        self.session = session
        self.policy = policy
        self.deadline = deadline
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
        """The parsed file, or None (everything allowed) when there is no usable robots.txt.

        Raises :class:`Unreachable` when the deadline passes while it arrives.
        """
        try:
            response = self.session.get(robots_url, headers={"User-Agent": self.policy.user_agent},
                                        timeout=self.deadline.timeout(), stream=True)
        except requests.RequestException as exc:
            self.deadline.check()
            log.info("robots.txt unavailable (%s); proceeding", _describe(exc))
            return None
        with contextlib.closing(response):
            if response.status_code != 200:
                # RFC 9309: 4xx means there are no rules; an unreachable file is treated
                # as no rules too, and the page request itself will then fail or succeed.
                return None
            data = bytearray()
            try:
                for chunk in _body_chunks(response, robots_url):
                    data += chunk
                    self.deadline.check(len(data))
                    if len(data) >= MAX_ROBOTS_BYTES:
                        break
            except (_Retry, FetchError) as exc:
                if isinstance(exc, Unreachable):
                    raise
                log.info("robots.txt unreadable; proceeding")
                return None
        parser = RobotFileParser(robots_url)
        parser.parse(bytes(data[:MAX_ROBOTS_BYTES]).decode("utf-8", "replace").splitlines())
        return parser


# --- small helpers ------------------------------------------------------------------------


def _conditional_headers(newest: Snapshot | None, url: str) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the newest sidecar, re-checked before sending."""
    if newest is None:
        return {}
    sidecar = newest.sidecar
    if url not in (sidecar.get("requested_url"), sidecar.get("final_url")):
        return {}
    headers = {}
    etag = clean_etag(sidecar.get("etag"))
    if etag:
        headers["If-None-Match"] = etag
    modified = clean_http_date(sidecar.get("last_modified"))
    if modified:
        headers["If-Modified-Since"] = modified
    return headers


def _content_length(response: requests.Response) -> int | None:
    try:
        return int(response.headers["Content-Length"])
    except (KeyError, ValueError):
        return None


def _retry_after(response: requests.Response, policy: FetchPolicy) -> float | None:
    value = clean_header(response.headers.get("Retry-After"), limit=64) or ""
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - policy.wall_clock()).total_seconds())


def _reason(response: requests.Response) -> str:
    return elide(clean_header(response.reason, limit=100) or "", 60)


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
