"""What an address and a server's response headers may be trusted for: an address is checked
before anything is fetched, and a header value is kept (in a sidecar, and sent again in a
conditional request) only when it is short, printable and well-formed.
"""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from pipeline.errors import FetchError, elide


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be fetched (not http(s), no host, bad port, spaces), or None."""
    if not isinstance(url, str) or not url or len(url) > 2000:
        return "not a URL"
    if _UNPRINTABLE.search(url) or " " in url:
        return "a URL cannot contain spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "only http:// and https:// addresses can be fetched"
    if not parts.hostname:
        return "the URL names no host"
    return None


def check_url(url: str) -> None:
    problem = url_problem(url)
    if problem:
        raise FetchError(f"invalid URL {elide(repr(url), 100)}: {problem}",
                         "pass an address such as https://www.example.org/page.html")


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ETAG = re.compile(r'(W/)?"[\x21\x23-\x7e]*"')
_TOKEN = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}")
MAX_HEADER = 256  # longer ETag, Last-Modified or Content-Type values are not kept


def clean_header(value: object, limit: int = MAX_HEADER) -> str | None:
    """A header value fit to store and send again: printable ASCII, at most ``limit``
    characters, stripped; None for anything else (absent, control characters, too long).

    >>> clean_header(" text/html; charset=utf-8 ")
    'text/html; charset=utf-8'
    >>> clean_header('"v1"\\r\\nX-Evil: 1') is None
    True
    """
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > limit or not value.isascii() or _UNPRINTABLE.search(value):
        return None
    return value


def content_type(headers) -> str | None:
    """The Content-Type without control characters (their removal cannot change its type)."""
    value = headers.get("Content-Type")
    return clean_header(_UNPRINTABLE.sub("", value)) if isinstance(value, str) else None


def clean_etag(value: object) -> str | None:
    """An entity tag as RFC 9110 writes it (``"x"`` or ``W/"x"``), else None."""
    value = clean_header(value)
    return value if value is not None and _ETAG.fullmatch(value) else None


def clean_http_date(value: object) -> str | None:
    """A Last-Modified value that parses as an HTTP date, else None."""
    value = clean_header(value, limit=64)
    if value is None:
        return None
    try:
        parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return value


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """("text/html", "utf-8") from "text/html; charset=utf-8"; (None, None) when absent."""
    if not value:
        return None, None
    mime, *params = value.split(";")
    charset = None
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            val = val.strip().strip("\"'")
            charset = val if _TOKEN.fullmatch(val) else None
    return mime.strip().lower() or None, charset
