"""An annotation made between approval and publication waits for the page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.models import CaseOrigin, CaseState
from bot.services.research import PageNotPublishedYet, ResearchJobs
from bot.storage.database import Database

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _annotated_case(db: Database, state: CaseState) -> int:
    with db.transaction() as repo:
        case, _ = repo.create_case(
            room_id="!room:localhost",
            root_event_id="$root",
            origin=CaseOrigin.THREAD,
            title="Médiation",
            created_by="@alice:localhost",
            now=NOW,
            state=state,
        )
        return repo.add_annotation(case.id, "@claire:localhost", "À comparer.", NOW).id


def test_an_annotation_of_an_approved_case_waits_for_its_page(db: Database) -> None:
    annotation_id = _annotated_case(db, CaseState.APPROVED)
    with pytest.raises(PageNotPublishedYet), db.transaction() as repo:
        ResearchJobs._annotation_plan(repo, annotation_id)


def test_an_annotation_of_a_case_that_will_have_no_page_is_dropped(db: Database) -> None:
    annotation_id = _annotated_case(db, CaseState.REJECTED)
    with db.transaction() as repo:
        assert ResearchJobs._annotation_plan(repo, annotation_id) is None
