"""✅ on a review card approves what the card shows, and says why when it cannot."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.models import CaseOrigin, CaseState, FicheField
from bot.matrix.events import InboundReaction, RoomSnapshot
from bot.services import effects as fx
from bot.services.review_cards import on_card_reaction
from bot.settings import Settings
from bot.storage.database import Database
from tests.unit.cases import case_state

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
MODERATION = "!moderation:localhost"
MONA = "@mona:localhost"
SETTINGS = Settings.model_validate(
    {"bot": {"moderators": [MONA]}, "matrix": {"moderation_room": MODERATION}}
)


def _case_with_card(db: Database, versions: int, card_version: int) -> int:
    with db.transaction() as repo:
        case, _ = repo.create_case(
            room_id="!room:localhost",
            root_event_id="$root",
            origin=CaseOrigin.THREAD,
            title="Jardins partagés",
            created_by="@alice:localhost",
            now=NOW,
            state=CaseState.IN_REVIEW,
        )
        for n in range(versions):
            fields = {FicheField.TITLE: "Jardins partagés", FicheField.CONTEXT: f"v{n + 1}"}
            repo.add_fiche_version(case.id, fields, "@alice:localhost", NOW)
        repo.add_review_card("$card", case.id, card_version)
        return case.id


def _react(db: Database, sender: str = MONA) -> list[str]:
    reaction = InboundReaction(MODERATION, "$r1", sender, NOW, target="$card", key="✅")
    rooms = {MODERATION: RoomSnapshot(room_id=MODERATION)}
    with db.transaction() as repo:
        assert on_card_reaction(repo, SETTINGS, rooms, reaction, lambda: NOW)
    with db.transaction() as repo:
        return [i.payload["body"] for i in repo.pending_outbox([fx.NOTICE])]


def test_approving_an_outdated_card_is_refused_with_the_newer_version_named(
    db: Database,
) -> None:
    case_id = _case_with_card(db, versions=2, card_version=1)
    notices = _react(db)
    assert case_state(db, case_id) is CaseState.IN_REVIEW
    assert len(notices) == 1 and "version 1" in notices[0] and "version 2" in notices[0]


def test_approving_the_current_card_approves(db: Database) -> None:
    case_id = _case_with_card(db, versions=2, card_version=2)
    _react(db)
    assert case_state(db, case_id) is CaseState.APPROVED


def test_a_refused_approval_is_answered_to_the_moderator(db: Database) -> None:
    case_id = _case_with_card(db, versions=1, card_version=1)
    with db.transaction() as repo:
        repo.update_case(case_id, state=CaseState.REJECTED)
    notices = _react(db)
    assert case_state(db, case_id) is CaseState.REJECTED
    assert len(notices) == 1 and f"#{case_id}" in notices[0] and "rejeté" in notices[0]


def test_a_non_moderator_reaction_is_neither_applied_nor_answered(db: Database) -> None:
    case_id = _case_with_card(db, versions=1, card_version=1)
    assert _react(db, sender="@mallory:localhost") == []
    assert case_state(db, case_id) is CaseState.IN_REVIEW
