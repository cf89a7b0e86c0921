"""The cross-process lock that serialises refreshes and builds (of raw/ and of out/)."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import LockHeld

LOCK_FILE_NAME = ".refresh.lock"
DEFAULT_LOCK_TIMEOUT = 10.0

_held_locks = threading.local()  # lock paths this thread holds, for re-entry


@contextlib.contextmanager
def refresh_lock(path: Path | str, *, timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[Path]:
    """Hold the cross-process lock that serialises refreshes and builds.

    ``path`` is the lock file when its name ends in ``.lock`` (``raw/.lock``,
    ``.refresh.lock``), else a directory (created if missing) holding ``.refresh.lock``. A second
    holder (another process or thread) waits up to ``timeout`` seconds, then raises
    :class:`LockHeld`; the thread that holds it may enter again (a build commits its files
    while holding the lock). The lock is released when the block exits, and by the operating
    system if the process dies. A symlink at the lock's path is refused, never followed.
    """
    lock_path = Path(path)
    if not lock_path.name.endswith(".lock"):
        lock_path = lock_path / LOCK_FILE_NAME
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(lock_path.parent) + os.sep + lock_path.name
    held = _held_locks.__dict__.setdefault("paths", set())
    if key in held:
        yield lock_path
        return
    if lock_path.is_symlink() or (lock_path.exists() and not lock_path.is_file()):
        raise LockHeld(f"{lock_path} is not a plain lock file",
                       "remove it; the lock file is created by the pipeline")
    import filelock  # here, not at module level: an up-to-date build never takes the lock

    lock = filelock.FileLock(lock_path, timeout=timeout)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise LockHeld(
            "another refresh is running",
            f"waited {timeout:g} s for {lock_path}; try again when it has finished",
        ) from None
    held.add(key)
    try:
        yield lock_path
    finally:
        held.discard(key)
        lock.release()
