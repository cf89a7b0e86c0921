"""`refresh`: fetch the live page into raw/ (politely), then build out/ from the newest snapshot.

The page has several known addresses (the source profile's ``urls``, oldest first): they are
tried in order, moving on when one answers 404/410 or serves a page without partner tables; the
message says which address was used and the snapshot's sidecar records it (``requested_url``).
An explicit ``url`` means only that address. When the site cannot be reached, the build falls
back to the newest stored snapshot unless the caller requires a live page. A page that
downloads but fails to build stays in raw/ as evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pipeline import config
from pipeline.build import BuildResult, build, check_directories
from pipeline.errors import FetchError, StoreError, Unreachable

LOCK_WAIT_SECONDS = 120.0  # a second refresh waits this long for the first, then gives up


@dataclass
class RefreshResult:
    fetch_message: str
    live: bool  # False when the site could not be reached and raw/ was used instead
    build: BuildResult
    url: str | None = None  # the address the page was fetched from


def known_urls() -> tuple[str, ...]:
    """The default source profile's known addresses of the page, in the order they are tried."""
    from pipeline.sources import DEFAULT_PROFILE, get_profile

    return get_profile(DEFAULT_PROFILE).urls


def refresh(url: str | None = None, *, raw_dir: Path = config.RAW_DIR,
            out_dir: Path = config.OUT_DIR, require_live: bool = False, force: bool = False,
            strict_counts: bool = True, policy=None, urls: tuple[str, ...] = (),
            resources=None, report_options: dict | None = None) -> RefreshResult:
    """Fetch ``url`` (None: each known address in turn) into ``raw_dir``, then build.

    ``policy`` is a :class:`pipeline.fetch.FetchPolicy` (default settings when None);
    ``report_options`` (on, within, remind) are passed to the build for the analyst files.
    """
    from pipeline.lock import refresh_lock
    from pipeline.snapshots import newest_snapshot

    check_directories(raw_dir, out_dir)
    urls = (url,) if url else tuple(urls or known_urls())
    try:
        raw_dir.mkdir(parents=True, exist_ok=True)
        with refresh_lock(raw_dir / ".lock", timeout=LOCK_WAIT_SECONDS):
            try:
                message, used = fetch_first(urls, raw_dir, policy)
                live = True
            except Unreachable as error:
                if require_live:
                    raise
                if newest_snapshot(raw_dir) is None:
                    raise Unreachable(f"{error.message}; {raw_dir.name}/ holds no snapshot",
                                      "check the network connection or the --url") from None
                message = f"{error.message}; building from the newest snapshot in {raw_dir}"
                live, used = False, None
    except OSError as exc:
        if exc.errno is None:  # a network library's error, not the file system's
            raise
        raise store_error(raw_dir, exc) from None
    result = build(raw_dir=raw_dir, out_dir=out_dir, force=force, strict_counts=strict_counts,
                   resources=resources, **(report_options or {}))
    return RefreshResult(message, live, result, used)


def fetch_first(urls: tuple[str, ...], raw_dir: Path, policy=None) -> tuple[str, str]:
    """Fetch the first of ``urls`` that serves the partners list: (message, address used).

    An address that answers 404/410 or with a page without partner tables is skipped while
    another remains; the last one's failure is raised, naming what the others answered.
    """
    from pipeline.fetch import Gone, WrongPage, fetch_page

    skipped: list[tuple[object, str]] = []
    for position, url in enumerate(urls):
        try:
            fetched = fetch_page(url, raw_dir, policy, accept=partner_tables_missing)
        except (Gone, WrongPage) as error:
            answer = "no partner tables" if isinstance(error, WrongPage) else error.status
            skipped.append((answer, url))
            if position + 1 < len(urls):
                continue
            if len(skipped) == 1:
                raise
            answers = "; ".join(f"{answer} at {urlsplit(url).path or url}"
                                for answer, url in skipped)  # paths: the line stays short
            raise type(error)(f"no known address serves the partners list: {answers}",
                              "the page may have moved; pass --url") from None
        moved = "; ".join(f"{answer} at {url}" for answer, url in skipped)
        moved = f" (skipped: {moved})" if moved else ""
        return f"{fetched.message} from {url}{moved}", url
    raise FetchError("no address to fetch", "pass --url")


def partner_tables_missing(body: bytes, charset: str | None) -> str | None:
    """Why ``body`` is not the partners list (it has no partner table), or None.

    Any other problem the parser finds (a row cut off, counts that disagree) is left for the
    build to report, with the page kept in raw/ as evidence.
    """
    from pipeline.errors import ParseError
    from pipeline.parse import parse_page

    try:
        parse_page(body, declared_charset=charset)
    except ParseError as error:
        text = error.message.lower()
        if "no partner table" in text or "not an html page" in text or "is empty" in text:
            return "serves a page without partner tables"
    return None


def store_error(raw_dir: Path, exc: OSError) -> StoreError:
    """One line for an OSError while writing raw/: what failed and what to do."""
    import errno

    from pipeline.errors import elide

    hints = {
        errno.ENOSPC: "free some disk space and run again; nothing in raw/ was changed",
        errno.EDQUOT: "free some disk space and run again; nothing in raw/ was changed",
        errno.EROFS: "raw/ is on a read-only file system; pass --raw-dir DIR",
        errno.EACCES: "check the permissions of raw/ or pass --raw-dir DIR",
        errno.EPERM: "check the permissions of raw/ or pass --raw-dir DIR",
        errno.ENOTDIR: "--raw-dir must name a directory, not a file",
        errno.EEXIST: "--raw-dir must name a directory, not a file",
    }
    where = elide(str(exc.filename or raw_dir), 120)
    return StoreError(f"cannot write {where}: {exc.strerror or type(exc).__name__}",
                      hints.get(exc.errno, "check the snapshot directory"))
