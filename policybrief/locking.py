"""One writer at a time per project; readers never wait.

Commands that change the index or briefings (ingest, add, generate, regenerate, each round of
watch) hold an exclusive lock on ``<index>/write.lock``. A second writer waits, saying who it is
waiting for, or with ``--no-wait`` fails at once. Readers (ask, status) take no lock: the catalog
publishes each sync in one transaction, so they see the index before or after a sync.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from policybrief.errors import Busy

WRITE_LOCK_FILE = "write.lock"
HOLDER_FILE = "write.lock.holder"


def holder(state_dir: Path) -> str:
    """Who holds the lock, as its holder recorded it ("" if unknown)."""
    try:
        return (state_dir / HOLDER_FILE).read_text("utf-8").strip()
    except OSError:
        return ""


@contextmanager
def write_lock(
    state_dir: Path,
    *,
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
    what: str = "brief",
) -> Iterator[None]:
    """Hold the project's write lock for the duration of the block."""
    state_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(state_dir / WRITE_LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        who = holder(state_dir) or "another brief process"
        if not wait:
            raise Busy(f"{who} is writing to this project; try again later") from None
        if on_wait is not None:
            on_wait(f"waiting for {who} to finish…")
        lock.acquire()
    try:
        (state_dir / HOLDER_FILE).write_text(
            f"{what} (pid {os.getpid()} on {socket.gethostname()})", "utf-8"
        )
        yield
    finally:
        (state_dir / HOLDER_FILE).unlink(missing_ok=True)
        lock.release()
