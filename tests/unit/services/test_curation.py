"""Moderation decisions on SQLite: concurrent approvals, audit and review records."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from bot.domain.lifecycle import LifecycleEvent, Refused
from bot.domain.models import CaseOrigin, CaseState, FicheField, ReviewDecision
from bot.domain.permissions import Role
from bot.services.curation import Decided, decide
from bot.services.publication_requests import PUBLISH, request_publication
from bot.storage.database import Database

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
MODERATORS = frozenset({Role.EVERYONE, Role.MODERATOR})


@pytest.fixture
def db(any_db: Database) -> Database:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db


def _case_in_review(db: Database) -> int:
    with db.transaction() as repo:
        case, _ = repo.create_case(
            room_id="!r:x",
            root_event_id="$root",
            origin=CaseOrigin.THREAD,
            title="T",
            created_by="@a:x",
            now=NOW,
            state=CaseState.IN_REVIEW,
        )
        repo.add_fiche_version(case.id, {FicheField.TITLE: "T"}, "@a:x", NOW)
        return case.id


def test_two_moderators_approving_at_once_make_one_approval(db: Database) -> None:
    case_id = _case_in_review(db)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def approve(moderator: str) -> None:
        barrier.wait()
        with db.transaction() as repo:
            case = repo.get_case(case_id)
            assert case is not None
            outcome = decide(repo, case, LifecycleEvent.APPROVE, moderator, MODERATORS, NOW)
            if isinstance(outcome, Decided):
                request_publication(repo, case_id, moderator, NOW)
            results.append(outcome)

    threads = [threading.Thread(target=approve, args=(m,)) for m in ("@m1:x", "@m2:x")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(r, Decided) for r in results) == 1
    assert sum(isinstance(r, Refused) for r in results) == 1
    with db.transaction() as repo:
        assert [r.decision for r in repo.reviews(case_id)] == [ReviewDecision.APPROVE]
        assert len(repo.pending_outbox([PUBLISH])) == 1
        approvals = [t for t in repo.transitions(case_id) if t.to_state is CaseState.APPROVED]
        assert len(approvals) == 1


def test_a_plain_participant_cannot_approve(db: Database) -> None:
    case_id = _case_in_review(db)
    with db.transaction() as repo:
        case = repo.get_case(case_id)
        assert case is not None
        outcome = decide(
            repo, case, LifecycleEvent.APPROVE, "@a:x", frozenset({Role.EVERYONE}), NOW
        )
        assert isinstance(outcome, Refused)
        assert repo.get_case(case_id).state is CaseState.IN_REVIEW  # type: ignore[union-attr]
        assert repo.reviews(case_id) == []
