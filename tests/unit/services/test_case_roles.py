"""Curating a case is the network's job: moderation room or config (DESIGN §4 "Roles").

Never from the room a command is typed in, nor by default from the case's own room:
anyone may create a room (and be its admin or v12 creator), invite the bot and type
`!valider N` there. `bot.room_moderators_curate` opts the case's room's moderators in.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.models import CaseOrigin, CaseState, FicheField
from bot.domain.permissions import Role
from bot.i18n import Translator
from bot.inbound import InboundService
from bot.matrix.events import InboundMessage, InboundReaction, RoomSnapshot, SyncBatch
from bot.services import effects as fx
from bot.services.roles import network_roles, roles_for_case, roles_in
from bot.settings import Settings
from bot.storage.database import Database
from tests.unit.cases import case_state

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
BOT = "@capibot:localhost"
CASE_ROOM = "!jardins:localhost"
OWN_ROOM = "!mallory-room:localhost"
MODERATION = "!moderation:localhost"
RESEARCH = "!research:localhost"
ALICE = "@alice:localhost"  # author of the case
MALLORY = "@mallory:localhost"  # admin and creator of her own room only
CARL = "@carl:localhost"  # moderator (PL 50) of the case's room, not of the network
MODO = "@modo:localhost"  # moderator of the moderation room
MONA = "@mona:localhost"  # moderator by config
RITA = "@rita:localhost"  # research room member, no display name

SETTINGS = Settings.model_validate(
    {
        "bot": {"language": "en", "moderators": [MONA]},
        "matrix": {
            "user_id": BOT,
            "allowed_inviters": ["@*:localhost"],
            "moderation_room": MODERATION,
            "research_room": RESEARCH,
        },
    }
)
CURATING_ROOMS = SETTINGS.model_copy(
    update={"bot": SETTINGS.bot.model_copy(update={"room_moderators_curate": True})}
)
ROOMS = {
    CASE_ROOM: RoomSnapshot(
        room_id=CASE_ROOM, power_levels={CARL: 50}, member_count=5, members=frozenset({ALICE})
    ),
    OWN_ROOM: RoomSnapshot(
        room_id=OWN_ROOM,
        power_levels={MALLORY: 100},
        creators=frozenset({MALLORY}),
        member_count=3,
    ),
    MODERATION: RoomSnapshot(room_id=MODERATION, power_levels={MODO: 50}, member_count=4),
    RESEARCH: RoomSnapshot(room_id=RESEARCH, member_count=3, members=frozenset({RITA})),
}
tr = Translator("en")
_event_ids = itertools.count(1)


@pytest.fixture
def case_id(db: Database) -> int:
    """A case of CASE_ROOM in review, with a complete fiche and a review card."""
    with db.transaction() as repo:
        case, _ = repo.create_case(
            room_id=CASE_ROOM,
            root_event_id="$root",
            origin=CaseOrigin.THREAD,
            title="Jardins partagés",
            created_by=ALICE,
            now=NOW,
            state=CaseState.IN_REVIEW,
        )
        fields = {
            FicheField.TITLE: "Jardins partagés",
            FicheField.CONTEXT: "Un quartier",
            FicheField.ACTION: "Des bacs",
            FicheField.RESULTS: "Des légumes",
            FicheField.LESSONS: "Arroser",
        }
        repo.add_fiche_version(case.id, fields, ALICE, NOW)
        repo.add_review_card("$card", case.id, 1)
        return case.id


def _command(
    db: Database, body: str, *, sender: str, room: str, settings: Settings = SETTINGS
) -> list[str]:
    """Run one command through the real batch path; returns the notices it queued."""
    service = InboundService(settings, BOT, lambda: NOW)
    event = InboundMessage(
        room_id=room,
        event_id=f"$cmd{next(_event_ids)}",
        sender=sender,
        sent_at=NOW + timedelta(seconds=1),
        body=body,
    )
    batch = SyncBatch(next_batch="t1", initial=False, events=(event,), rooms=dict(ROOMS))
    with db.transaction() as repo:
        service.apply(repo, batch)
    with db.transaction() as repo:
        return [i.payload["body"] for i in repo.pending_outbox([fx.NOTICE])]


DENIED = tr("denied", role=tr("role.moderator"))
NOT_VISIBLE = "Case #{n} does not belong to this room."


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        ("!approve {n}", DENIED),
        ("!reject {n} spam", DENIED),
        ("!changes {n} more detail", DENIED),
        ("!withdraw {n} gone", NOT_VISIBLE),
    ],
)
def test_admin_of_her_own_room_cannot_act_on_a_case_of_another_room(
    db: Database, case_id: int, body: str, refusal: str
) -> None:
    notices = _command(db, body.format(n=case_id), sender=MALLORY, room=OWN_ROOM)
    assert case_state(db, case_id) is CaseState.IN_REVIEW
    # nothing of the case is revealed: neither its title nor its state
    assert notices == [f"{MALLORY}: {refusal.format(n=case_id)}"]
    with db.transaction() as repo:
        assert [t.to_state for t in repo.transitions(case_id)] == [CaseState.IN_REVIEW]


def test_admin_of_her_own_room_cannot_replace_the_fiche_of_another_room(
    db: Database, case_id: int
) -> None:
    text = "!summary {n}\nTitle: Faux\nContext: x\nAction: x\nResults: x\nLessons: x"
    notices = _command(db, text.format(n=case_id), sender=MALLORY, room=OWN_ROOM)
    assert notices == [f"{MALLORY}: {tr('case.not_visible', case=case_id)}"]
    with db.transaction() as repo:
        fiche = repo.latest_fiche(case_id)
        assert fiche is not None and fiche.version == 1


@pytest.mark.parametrize(
    ("sender", "room"),
    [
        (MODO, MODERATION),  # moderator of the moderation room
        (MODO, CASE_ROOM),  # ... wherever they type
        (MONA, OWN_ROOM),  # listed in the config: anywhere
    ],
)
def test_network_moderators_approve_wherever_they_type(
    db: Database, case_id: int, sender: str, room: str
) -> None:
    _command(db, f"!approve {case_id}", sender=sender, room=room)
    assert case_state(db, case_id) is CaseState.APPROVED


@pytest.mark.parametrize(
    "body", ["!approve {n}", "!reject {n} hors sujet", "!changes {n} précisez"]
)
def test_moderator_of_the_case_room_does_not_curate_by_default(
    db: Database, case_id: int, body: str
) -> None:
    notices = _command(db, body.format(n=case_id), sender=CARL, room=CASE_ROOM)
    assert case_state(db, case_id) is CaseState.IN_REVIEW
    assert notices == [f"{CARL}: {DENIED}"]


@pytest.mark.parametrize("room", [CASE_ROOM, MODERATION])
def test_room_moderators_curate_when_the_network_opts_in(
    db: Database, case_id: int, room: str
) -> None:
    _command(db, f"!approve {case_id}", sender=CARL, room=room, settings=CURATING_ROOMS)
    assert case_state(db, case_id) is CaseState.APPROVED


def test_opt_in_covers_the_case_room_only(db: Database, case_id: int) -> None:
    """Mallory moderates her own room: the opt-in gives her nothing on others' cases."""
    notices = _command(
        db, f"!approve {case_id}", sender=MALLORY, room=OWN_ROOM, settings=CURATING_ROOMS
    )
    assert case_state(db, case_id) is CaseState.IN_REVIEW
    assert notices == [f"{MALLORY}: {tr('case.not_visible', case=case_id)}"]


def test_room_moderator_rejects_with_a_reason_when_opted_in(db: Database, case_id: int) -> None:
    _command(
        db, f"!reject {case_id} hors sujet", sender=CARL, room=CASE_ROOM, settings=CURATING_ROOMS
    )
    assert case_state(db, case_id) is CaseState.REJECTED


def test_card_reaction_sent_from_another_room_gives_no_right(db: Database, case_id: int) -> None:
    from bot.services.review_cards import on_card_reaction

    # Relations are not checked by the server: a reaction may name the card from any room.
    reaction = InboundReaction(OWN_ROOM, "$r1", MALLORY, NOW, target="$card", key="✅")
    with db.transaction() as repo:
        assert on_card_reaction(repo, SETTINGS, dict(ROOMS), reaction, lambda: NOW)
    assert case_state(db, case_id) is CaseState.IN_REVIEW
    ok = InboundReaction(MODERATION, "$r2", MODO, NOW, target="$card", key="✅")
    with db.transaction() as repo:
        assert on_card_reaction(repo, SETTINGS, dict(ROOMS), ok, lambda: NOW)
    assert case_state(db, case_id) is CaseState.APPROVED


def test_own_room_admin_does_not_see_all_cases(db: Database, case_id: int) -> None:
    assert _command(db, "!cases", sender=MALLORY, room=OWN_ROOM) == [
        f"{MALLORY}: {tr('cases.empty')}"
    ]
    assert _command(db, f"!show {case_id}", sender=MALLORY, room=OWN_ROOM)[-1] == (
        f"{MALLORY}: {tr('case.not_visible', case=case_id)}"
    )


def test_moderation_room_moderator_lists_all_cases_in_the_moderation_room(
    db: Database, case_id: int
) -> None:
    (notice,) = _command(db, "!cases", sender=MODO, room=MODERATION)
    assert f"#{case_id}" in notice and "Jardins" in notice
    # elsewhere, a listing shows that room's cases only, whoever asks
    assert _command(db, "!cases", sender=MODO, room=OWN_ROOM)[-1] == (
        f"{MODO}: {tr('cases.empty')}"
    )


def test_research_member_without_display_name_is_a_researcher(db: Database, case_id: int) -> None:
    assert RITA not in ROOMS[RESEARCH].display_names
    assert Role.RESEARCHER in network_roles(RITA, ROOMS, SETTINGS)
    assert Role.RESEARCHER in roles_in(RITA, ROOMS[OWN_ROOM], ROOMS, SETTINGS)
    (notice,) = _command(db, "!cases", sender=RITA, room=RESEARCH)
    assert "Jardins" in notice
    assert "Jardins" in _command(db, f"!show {case_id}", sender=RITA, room=OWN_ROOM)[-1]


def test_roles_for_case_ignore_the_room_typed_in(db: Database, case_id: int) -> None:
    with db.transaction() as repo:
        case = repo.get_case(case_id)
    assert case is not None
    assert Role.ROOM_ADMIN in roles_in(MALLORY, ROOMS[OWN_ROOM], ROOMS, SETTINGS)
    assert Role.MODERATOR not in roles_in(MALLORY, ROOMS[OWN_ROOM], ROOMS, SETTINGS)
    assert Role.MODERATOR in roles_in(MALLORY, ROOMS[OWN_ROOM], ROOMS, CURATING_ROOMS)
    assert Role.MODERATOR not in roles_for_case(MALLORY, case, ROOMS, CURATING_ROOMS)
    assert Role.MODERATOR not in network_roles(MALLORY, ROOMS, SETTINGS)
    assert Role.MODERATOR not in roles_for_case(CARL, case, ROOMS, SETTINGS)
    assert Role.MODERATOR in roles_for_case(CARL, case, ROOMS, CURATING_ROOMS)
    assert Role.MODERATOR not in network_roles(CARL, ROOMS, CURATING_ROOMS)
    assert Role.MODERATOR in network_roles(MODO, ROOMS, SETTINGS)
    assert Role.MODERATOR in network_roles(MONA, ROOMS, SETTINGS)
