"""Cases as the unit tests need them: a published one (the rows `!valider` and the
publisher leave, without running either), and a case's state read back."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.models import (
    CaseOrigin,
    CaseState,
    FicheField,
    Publication,
    PublicationStatus,
    Review,
    ReviewDecision,
    Transition,
)
from bot.storage.database import Database
from bot.storage.repository import Repository

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ALICE, MONA = "@alice:localhost", "@mona:localhost"


def published_case(
    repo: Repository,
    n: int,
    room: str,
    fields: dict[FicheField, str],
    *,
    state: CaseState = CaseState.PUBLISHED,
    status: PublicationStatus | None = PublicationStatus.PUBLISHED,
    revision: int = 10,
    published_at: datetime = T0,
) -> int:
    """Case `n` in `room` by Alice: version 1 of `fields` approved by Mona, in `state`,
    with a publication row of `status` (none when None). Returns the case id."""
    title = fields[FicheField.TITLE]
    case, _ = repo.create_case(
        room_id=room,
        root_event_id=f"$root{n}",
        origin=CaseOrigin.THREAD,
        title=title,
        created_by=ALICE,
        now=T0,
    )
    repo.add_fiche_version(case.id, fields, ALICE, T0)
    repo.add_review(Review(case.id, 1, MONA, ReviewDecision.APPROVE, "", T0))
    repo.add_transition(Transition(case.id, CaseState.CAPTURING, state, MONA, T0))
    repo.update_case(case.id, state=state)
    if status is not None:
        repo.save_publication(Publication(case.id, title, revision, status, published_at))
    return case.id


def case_state(db: Database, case_id: int) -> CaseState:
    """The case's state as stored now (the case must exist)."""
    with db.transaction() as repo:
        case = repo.get_case(case_id)
        assert case is not None
        return case.state
