"""One bot per Matrix store: the second one is refused while the first holds the lock."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.matrix.store_lock import LOCK_FILE, StoreLocked, store_lock


def test_a_second_holder_is_refused_with_the_first_ones_pid(tmp_path: Path) -> None:
    store = tmp_path / "matrix"
    with store_lock(store):
        assert (store / LOCK_FILE).read_text().strip() == str(os.getpid())
        with pytest.raises(StoreLocked) as caught, store_lock(store):
            pytest.fail("a second holder got the lock")
        assert f"pid {os.getpid()}" in str(caught.value) and str(store) in str(caught.value)
    with store_lock(store):  # released at the end of the block: a restart gets it
        pass


def test_the_lock_is_released_when_the_block_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), store_lock(tmp_path):
        raise RuntimeError("start-up failed")
    with store_lock(tmp_path):
        pass


def test_the_lock_file_is_private(tmp_path: Path) -> None:
    with store_lock(tmp_path / "matrix"):
        assert (tmp_path / "matrix" / LOCK_FILE).stat().st_mode & 0o077 == 0
        assert (tmp_path / "matrix").stat().st_mode & 0o077 == 0
