"""Retention of finished timers (issue 14: `timers` grew forever): a case's prompts,
reminders and escalations go once finished for longer than `schedule.timer_retention`;
pending ones and the digest's (they bound each digest's period) stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.models import CaseOrigin, CaseState
from bot.services.diffusion import DIGEST, digest_period
from bot.services.prompting import ESCALATE, PROMPT, REMINDER, on_case_opened, on_fiche_submitted
from bot.services.retention import purge_once
from bot.settings import Settings
from bot.storage.database import Database

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _settings(retention: str = "30d") -> Settings:
    return Settings.model_validate(
        {
            "matrix": {"user_id": "@capibot:localhost"},
            "schedule": {"timer_retention": retention},
        }
    )


def _case(db: Database, n: int) -> int:
    with db.transaction() as repo:
        case, _ = repo.create_case(
            room_id="!r:x",
            root_event_id=f"$root{n}",
            origin=CaseOrigin.THREAD,
            title="t",
            created_by="@a:x",
            now=T0,
            state=CaseState.CAPTURING,
        )
        return case.id


async def test_finished_case_timers_are_deleted_after_the_retention(db: Database) -> None:
    settings, clock = _settings(), Clock()
    old, recent, waiting = _case(db, 1), _case(db, 2), _case(db, 3)
    with db.transaction() as repo:
        for case_id in (old, recent, waiting):
            case = repo.get_case(case_id)
            assert case is not None
            on_case_opened(repo, case, settings, T0)  # a prompt timer each
        on_fiche_submitted(repo, old, T0)  # cancelled: finished at T0
        repo.add_timer(REMINDER, T0 - timedelta(days=1), old)
        (reminder,) = repo.pending_timers([REMINDER])
        assert repo.complete_timer(reminder.id, T0)  # done at T0
        repo.add_timer(ESCALATE, T0, recent)
        (escalate,) = repo.pending_timers([ESCALATE])
        assert repo.complete_timer(escalate.id, T0 + timedelta(days=20))
        repo.add_timer(DIGEST, T0 - timedelta(days=7))
        (digest,) = repo.pending_timers([DIGEST])
        assert repo.complete_timer(digest.id, T0)
    clock.now = T0 + timedelta(days=31)
    assert await purge_once(db, settings, clock) == 2
    with db.transaction() as repo:
        left = {(t.kind, t.case_id) for t in repo.pending_timers()}
        assert left == {(PROMPT, recent), (PROMPT, waiting)}  # pending: kept, however old
        assert repo.get_timer(escalate.id) is not None  # finished 11 days ago: kept
        assert repo.get_timer(reminder.id) is None
        # the digest's timer stays: the next digest still starts where that one ended
        repo.add_timer(DIGEST, T0 + timedelta(days=35))
        (upcoming,) = repo.pending_timers([DIGEST])
        assert digest_period(repo, settings, upcoming)[0] == T0 - timedelta(days=7)
    assert await purge_once(db, settings, clock) == 0


@pytest.mark.parametrize("value", ["0s", "-1d"])
def test_the_retention_must_be_positive(value: str) -> None:
    with pytest.raises(ValueError, match="timer_retention"):
        _settings(value)
