"""One bot per Matrix store: `<store>/capibot.lock`, held (flock) for the bot's lifetime.

Two bots on one store would share a device and its crypto store (olm sessions, one-time
keys): each would overwrite what the other wrote, and encrypted rooms would stop
decrypting. The kernel drops the lock when the process dies, so a crash leaves nothing to
clean up; the file itself stays and names the last holder's pid.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = "capibot.lock"


class StoreLocked(Exception):
    """Another process holds the store: this one must not start."""


@contextmanager
def store_lock(store_path: Path) -> Iterator[None]:
    """Hold the store's lock until the block ends, or raise StoreLocked at once."""
    store_path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = store_path / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise StoreLocked(
                f"{store_path} is in use by another capibot (pid {holder}): one bot per "
                "Matrix store; stop the other one or give this one its own matrix.store_path"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock
