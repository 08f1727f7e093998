"""Meetings through the batch path (InboundService into SQLite): who may close, edits and
redactions of items, the summary and the page's job, the auto-close timer, `!oublier`.

These rooms publish their compte-rendus directly (`!salon comptes-rendus direct`); the
default, review by the network's moderators, is tested in test_minutes_review.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.meetings import Tag
from bot.domain.models import Consent, Participant, Room, Timer
from bot.inbound import InboundService
from bot.matrix.events import InboundEdit, InboundMessage, InboundRedaction, RoomSnapshot, SyncBatch
from bot.services import effects as fx
from bot.services.forgetting import forget
from bot.services.meetings import AUTO_CLOSE, PUBLISH_MINUTES, auto_close_handler, notify_failure
from bot.services.prompting import Prompting
from bot.settings import Settings
from bot.storage.database import Database

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
ROOM = "!gt:localhost"
BOT = "@capibot:localhost"
ALICE, BOB, EVE, MALLORY, MODO = (
    f"@{n}:localhost" for n in ("alice", "bob", "eve", "mallory", "modo")
)
NAMES = {ALICE: "Alice", BOB: "Bob", EVE: "Eve", MALLORY: "Mallory", MODO: "Modo"}
SETTINGS = Settings.model_validate({"matrix": {"user_id": BOT}, "meetings": {"auto_close": "2h"}})


def _service() -> InboundService:
    return InboundService(SETTINGS, BOT, lambda: NOW)


def _msg(n: int, body: str, sender: str = ALICE) -> InboundMessage:
    return InboundMessage(
        room_id=ROOM,
        event_id=f"$e{n}",
        sender=sender,
        sent_at=NOW + timedelta(seconds=n),
        body=body,
    )


def _apply(db: Database, service: InboundService, *events: object) -> None:
    room = RoomSnapshot(room_id=ROOM, display_names=NAMES, member_count=6, power_levels={MODO: 50})
    batch = SyncBatch(
        next_batch="t",
        initial=False,
        events=tuple(events),  # type: ignore[arg-type]
        rooms={ROOM: room},
        joined_rooms=frozenset({ROOM}),
    )
    with db.transaction() as repo:
        service.apply(repo, batch)


def _notices(db: Database) -> list[str]:
    with db.transaction() as repo:
        return [i.payload["body"] for i in repo.pending_outbox([fx.NOTICE])]


def _direct(db: Database) -> None:
    """The room publishes its compte-rendus without review."""
    with db.transaction() as repo:
        repo.save_room(Room(ROOM, minutes_review=False))


def _consent(db: Database, *users: str) -> None:
    with db.transaction() as repo:
        for user in users:
            repo.save_participant(Participant(user, NAMES[user], Consent.GRANTED, NOW))


def test_a_meeting_collects_items_and_only_the_opener_or_a_moderator_closes_it(
    db: Database,
) -> None:
    service = _service()
    _direct(db)
    _consent(db, ALICE, BOB)
    _apply(
        db,
        service,
        _msg(1, "!réunion début GT jardins"),
        _msg(2, "#sujet Calendrier", BOB),
        _msg(3, "#décision On ouvre le samedi"),
        _msg(4, "#action @Bob réserver la salle"),
        _msg(5, "#info secret d'Eve", EVE),
        _msg(6, "bavardage", BOB),
        _msg(7, "#idée une fête", BOB),
        _msg(8, "!réunion début autre"),
    )
    assert "déjà ouverte" in _notices(db)[-1]
    _apply(
        db,
        service,
        InboundEdit(
            ROOM, "$e9", ALICE, NOW + timedelta(seconds=9), "$e3", "#décision On ouvre le dimanche"
        ),
        InboundEdit(ROOM, "$e10", MALLORY, NOW + timedelta(seconds=10), "$e7", "#décision piratée"),
        InboundRedaction(ROOM, "$e11", BOB, NOW + timedelta(seconds=11), "$e7"),
    )
    with db.transaction() as repo:
        meeting = repo.open_meeting(ROOM)
        assert meeting is not None and meeting.opener == ALICE
        lines = repo.meeting_lines(meeting.id)
    assert [(line.tag, line.text) for line in lines if line.tag] == [
        (Tag.TOPIC, "Calendrier"),
        (Tag.DECISION, "On ouvre le dimanche"),
        (Tag.ACTION, "réserver la salle"),
        (Tag.INFO, "secret d'Eve"),
    ]
    assert lines[2].owner == BOB  # the display name resolved to the member's id
    assert "bavardage" in [line.body for line in lines]

    before = len(_notices(db))
    _apply(db, service, _msg(12, "!réunion fin", MALLORY))
    assert "Seules la personne qui a ouvert la réunion" in _notices(db)[-1]
    assert len(_notices(db)) == before + 1
    with db.transaction() as repo:
        assert repo.open_meeting(ROOM) is not None
        assert repo.pending_outbox([PUBLISH_MINUTES]) == []

    _apply(db, service, _msg(13, "!réunion fin", MODO))
    summary = _notices(db)[-1]
    assert summary.startswith("Compte-rendu de « GT jardins »")
    assert "Personnes présentes : Alice, Bob et 1 autre personne" in summary
    assert "- On ouvre le dimanche" in summary and "- Bob : réserver la salle" in summary
    assert "Eve" not in summary and "secret" not in summary
    with db.transaction() as repo:
        assert repo.open_meeting(ROOM) is None
        jobs = repo.pending_outbox([PUBLISH_MINUTES])
    assert [j.payload["meeting"] for j in jobs] == [meeting.id]
    _apply(db, service, _msg(14, "#info après la fin"), _msg(15, "!réunion fin"))
    assert "Aucune réunion n'est ouverte" in _notices(db)[-1]
    _apply(db, service, _msg(16, "!réunion demain"))
    assert "Écrivez « début »" in _notices(db)[-1]


def test_a_meeting_left_open_closes_itself_once(db: Database) -> None:
    service = _service()
    _direct(db)
    _apply(db, service, _msg(1, "!meeting start"), _msg(2, "#info x"))
    with db.transaction() as repo:
        timers = repo.pending_timers([AUTO_CLOSE])
        assert [t.due_at for t in timers] == [NOW + timedelta(seconds=1, hours=2)]
        handler = auto_close_handler(SETTINGS)
        handler(repo, timers[0], NOW + timedelta(hours=1))  # too early: still open
        assert repo.open_meeting(ROOM) is not None
        later = NOW + timedelta(hours=2, seconds=1)
        handler(repo, timers[0], later)
        handler(repo, timers[0], later)
        assert repo.open_meeting(ROOM) is None
        assert len(repo.pending_outbox([PUBLISH_MINUTES])) == 1
    assert "fermée automatiquement après 2 h" in _notices(db)[-1]
    # The service still thought the room was in a meeting: the next line finds it closed.
    _apply(db, service, _msg(3, "#info après coup"), _msg(4, "!réunion début suite"))
    with db.transaction() as repo:
        first, second = repo.all_meetings()
        assert [line.body for line in repo.meeting_lines(first.id)] == ["#info x"]
        assert second.title == "suite" and second.closed_at is None
    assert isinstance(timers[0], Timer)


def test_forgetting_erases_the_persons_lines_and_rebuilds_the_page(db: Database) -> None:
    service = _service()
    _direct(db)
    _consent(db, ALICE, BOB)
    _apply(
        db,
        service,
        _msg(1, "!réunion début GT"),
        _msg(2, "#décision mot de Bob", BOB),
        _msg(3, "#info mot d'Alice"),
        _msg(4, "!réunion fin"),
    )
    prompting = Prompting(SETTINGS, lambda room: {})
    with db.transaction() as repo:
        before = len(repo.pending_outbox([PUBLISH_MINUTES]))
        forget(repo, BOB, names={"Bob"}, settings=SETTINGS, prompting=prompting, now=NOW)
        meeting = repo.all_meetings()[0]
        assert [line.sender for line in repo.meeting_lines(meeting.id)] == [ALICE]
        assert len(repo.pending_outbox([PUBLISH_MINUTES])) == before + 1
    assert not any("mot de Bob" in n for n in _notices(db))


def test_a_page_that_fails_for_good_is_told_to_the_moderation_room(db: Database) -> None:
    settings = SETTINGS.model_copy(
        update={"matrix": SETTINGS.matrix.model_copy(update={"moderation_room": "!mod:x"})}
    )
    with db.transaction() as repo:
        repo.enqueue(PUBLISH_MINUTES, "k", {"meeting": 7}, NOW)
        item = repo.pending_outbox([PUBLISH_MINUTES])[0]
        notify_failure(settings, repo, item, "page protégée", NOW)
        notify_failure(settings, repo, item, "page protégée", NOW)  # a redone failure
        notify_failure(settings, repo, item, "droits", NOW, refused=True)
        notices = repo.pending_outbox([fx.NOTICE])
    assert [n.payload["room_id"] for n in notices] == ["!mod:x", "!mod:x"]
    assert (
        "compte-rendu n° 7 n'a pas pu être publié sur le wiki : page protégée"
        in (notices[0].payload["body"])
    )
    assert "Le wiki refuse le bot pour le compte-rendu n° 7" in notices[1].payload["body"]
