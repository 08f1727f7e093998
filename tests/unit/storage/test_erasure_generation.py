"""The erasure count jobs compare when they record (`!oublier` wins over a job in
flight): it starts at 0, each erasure adds one, in the erasing transaction only, and
an erasure rolled back counts nothing."""

from __future__ import annotations

import pytest

from bot.storage.database import Database


def test_each_committed_erasure_counts_once(db: Database) -> None:
    assert db.run_sync(lambda repo: repo.erasure_generation()) == 0
    assert [db.run_sync(lambda repo: repo.mark_erasure()) for _ in range(3)] == [1, 2, 3]

    def rolled_back(repo: object) -> None:
        repo.mark_erasure()  # type: ignore[attr-defined]
        raise RuntimeError("the forget failed")

    with pytest.raises(RuntimeError):
        db.run_sync(rolled_back)
    assert db.run_sync(lambda repo: repo.erasure_generation()) == 3
    # The sync token shares the table: neither disturbs the other.
    db.run_sync(lambda repo: repo.set_sync_token("s123"))
    assert db.run_sync(lambda repo: (repo.get_sync_token(), repo.erasure_generation())) == (
        "s123",
        3,
    )
