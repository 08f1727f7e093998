"""The batch path without Matrix: synthetic events through InboundService into SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.models import CaseState, Consent
from bot.inbound import InboundService
from bot.matrix.events import (
    InboundEdit,
    InboundInvite,
    InboundMessage,
    InboundReaction,
    InboundRedaction,
    RoomSnapshot,
    SyncBatch,
)
from bot.services import effects as fx
from bot.settings import Settings
from bot.storage.database import Database

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ROOM = "!salon:localhost"
BOT = "@capibot:localhost"
ALICE = "@alice:localhost"
MALLORY = "@mallory:localhost"


def _service(language: str = "fr") -> InboundService:
    settings = Settings.model_validate(
        {
            "bot": {"language": language, "moderators": ["@mona:localhost"]},
            "matrix": {"user_id": BOT, "allowed_inviters": ["@*:localhost"]},
        }
    )
    return InboundService(settings, BOT, lambda: NOW)


def _msg(
    n: int,
    body: str,
    *,
    sender: str = ALICE,
    thread: str | None = None,
    reply: str | None = None,
    msgtype: str = "m.text",
) -> InboundMessage:
    return InboundMessage(
        room_id=ROOM,
        event_id=f"$e{n}",
        sender=sender,
        sent_at=NOW + timedelta(seconds=n),
        body=body,
        msgtype=msgtype,
        thread_root=thread,
        in_reply_to=reply,
    )


def _batch(token: str, *events: object, initial: bool = False) -> SyncBatch:
    room = RoomSnapshot(room_id=ROOM, display_names={ALICE: "Alice"}, member_count=5)
    return SyncBatch(
        next_batch=token,
        initial=initial,
        events=tuple(events),  # type: ignore[arg-type]
        rooms={ROOM: room},
        joined_rooms=frozenset({ROOM}),
    )


def _apply(db: Database, service: InboundService, batch: SyncBatch) -> None:
    with db.transaction() as repo:
        service.apply(repo, batch)


def _notices(db: Database) -> list[str]:
    with db.transaction() as repo:
        return [i.payload["body"] for i in repo.pending_outbox([fx.NOTICE])]


def test_capture_in_a_thread_opens_a_case_and_later_messages_join_it(db: Database) -> None:
    service = _service()
    _apply(
        db,
        service,
        _batch(
            "t1",
            _msg(1, "Comment mobiliser les habitants ?"),
            _msg(2, "Avec des ateliers.", thread="$e1"),
        ),
    )
    _apply(db, service, _batch("t2", _msg(3, "!capturer Mobiliser", thread="$e1")))
    with db.transaction() as repo:
        (case,) = repo.list_cases()
        assert (case.root_event_id, case.title, case.state) == (
            "$e1",
            "Mobiliser",
            CaseState.CAPTURING,
        )
        (job,) = repo.pending_outbox([fx.CAPTURE])
        assert job.payload["case_id"] == case.id and job.payload["root"] == "$e1"
        assert repo.count_messages(case.id) == 0  # earlier ones come from the capture job
        assert repo.get_sync_token() == "t2"
    _apply(
        db,
        service,
        _batch("t3", _msg(4, "Et des cafés-débats.", thread="$e1"), _msg(5, "hors sujet")),
    )
    with db.transaction() as repo:
        assert [m.event_id for m in repo.case_messages(case.id)] == ["$e4"]
        assert repo.get_message("$e5") is None  # not captured: not stored


def test_replayed_batch_stores_nothing_twice_and_runs_no_command_twice(db: Database) -> None:
    service = _service()
    _apply(db, service, _batch("t1", _msg(1, "racine"), _msg(2, "!capturer", thread="$e1")))
    batch = _batch("t2", _msg(3, "suite", thread="$e1"), _msg(4, "!fiches", thread="$e1"))
    _apply(db, service, batch)
    _apply(db, service, batch)  # e.g. the token commit was lost in a crash
    with db.transaction() as repo:
        assert repo.count_messages() == 1
        assert len(repo.pending_outbox([fx.NOTICE])) == 1


def test_first_sync_history_runs_no_command(db: Database) -> None:
    service = _service()
    _apply(
        db,
        service,
        _batch("t1", _msg(1, "racine"), _msg(2, "!capturer", thread="$e1"), initial=True),
    )
    with db.transaction() as repo:
        assert repo.list_cases() == [] and repo.pending_outbox() == []
        assert repo.get_sync_token() == "t1"


def test_edits_by_others_are_ignored_and_redactions_erase(db: Database) -> None:
    service = _service()
    _apply(db, service, _batch("t1", _msg(1, "racine"), _msg(2, "!capturer", thread="$e1")))
    _apply(db, service, _batch("t2", _msg(3, "texte initial", thread="$e1")))
    edit = InboundEdit(ROOM, "$x1", MALLORY, NOW, target="$e3", new_body="piraté")
    own = InboundEdit(ROOM, "$x2", ALICE, NOW, target="$e3", new_body="texte corrigé")
    _apply(db, service, _batch("t3", edit, own))
    with db.transaction() as repo:
        message = repo.get_message("$e3")
        assert message is not None and message.body == "texte corrigé" and message.edited
    _apply(db, service, _batch("t4", InboundRedaction(ROOM, "$x3", ALICE, NOW, target="$e3")))
    with db.transaction() as repo:
        message = repo.get_message("$e3")
        assert message is not None and message.redacted and message.body == ""


def test_bot_notices_and_own_messages_are_never_answered(db: Database) -> None:
    service = _service()
    _apply(
        db,
        service,
        _batch("t1", _msg(1, "!aide", msgtype="m.notice"), _msg(2, "!aide", sender=BOT)),
    )
    assert _notices(db) == []


def test_unknown_command_is_ignored_in_a_room_and_answered_in_a_dm(db: Database) -> None:
    service = _service()
    _apply(db, service, _batch("t1", _msg(1, "!meteo")))
    assert _notices(db) == []
    dm = SyncBatch(
        next_batch="t2",
        initial=False,
        events=(_msg(2, "!meteo"),),
        rooms={ROOM: RoomSnapshot(room_id=ROOM, member_count=2)},
    )
    _apply(db, service, dm)
    (notice,) = _notices(db)
    assert "meteo" in notice and "!aide" in notice


def test_plain_participant_cannot_run_a_moderator_command(db: Database) -> None:
    service = _service()
    _apply(db, service, _batch("t1", _msg(1, "!valider 1")))
    (notice,) = _notices(db)
    assert "réservée" in notice


def test_consent_is_stored_with_its_date_in_both_languages(db: Database) -> None:
    for language, expected in (("fr", "C'est noté"), ("en", "Noted")):
        service = _service(language)
        _apply(db, service, _batch(f"t-{language}", _msg(hash(language) % 1000, "!consent yes")))
        with db.transaction() as repo:
            participant = repo.get_participant(ALICE)
            assert participant is not None and participant.consent is Consent.GRANTED
            assert participant.consent_changed_at == NOW
            notices = [i.payload["body"] for i in repo.pending_outbox([fx.NOTICE])]
        assert any(expected in n for n in notices)


def test_usage_error_gives_reason_and_usage_line(db: Database) -> None:
    service = _service()
    _apply(db, service, _batch("t1", _msg(1, "!rejeter")))
    (notice,) = _notices(db)
    assert "Utilisation" in notice and "!rejeter" in notice


def test_invites_follow_the_allowed_inviters(db: Database) -> None:
    service = _service()
    _apply(
        db,
        service,
        _batch(
            "t1",
            InboundInvite("!a:localhost", ALICE),
            InboundInvite("!b:evil.org", "@spam:evil.org"),
        ),
    )
    with db.transaction() as repo:
        kinds = {(i.kind, i.payload["room_id"]) for i in repo.pending_outbox()}
    assert kinds == {(fx.JOIN, "!a:localhost"), (fx.REJECT_INVITE, "!b:evil.org")}


def test_pin_reaction_queues_a_capture_of_the_pinned_message(db: Database) -> None:
    service = _service()
    _apply(
        db,
        service,
        _batch(
            "t1",
            _msg(1, "racine"),
            InboundReaction(ROOM, "$r1", ALICE, NOW, target="$e1", key="📌"),
        ),
    )
    with db.transaction() as repo:
        (job,) = repo.pending_outbox([fx.CAPTURE])
    assert job.payload["root"] == "$e1" and job.payload["case_id"] is None


def test_room_profile_is_set_and_capture_can_be_turned_off(db: Database) -> None:
    service = _service()
    snapshot = RoomSnapshot(room_id=ROOM, power_levels={ALICE: 100}, member_count=5)
    batch = SyncBatch(
        next_batch="t1",
        initial=False,
        events=(
            _msg(1, "!salon type thème"),
            _msg(2, "!salon capture non"),
            _msg(3, "racine"),
            _msg(4, "!capturer", thread="$e3"),
        ),
        rooms={ROOM: snapshot},
    )
    _apply(db, service, batch)
    with db.transaction() as repo:
        room = repo.get_room(ROOM)
        assert room is not None and room.kind is not None and room.kind.value == "theme"
        assert not room.capture_enabled
        assert repo.list_cases() == []


def test_redacting_a_message_of_a_published_case_queues_a_republish(db: Database) -> None:
    from bot.domain.models import Publication, PublicationStatus
    from bot.services.publication_requests import REPUBLISH

    service = _service()
    _apply(db, service, _batch("t1", _msg(1, "racine"), _msg(2, "!capturer", thread="$e1")))
    _apply(db, service, _batch("t2", _msg(3, "à retirer", thread="$e1")))
    with db.transaction() as repo:
        (case,) = repo.list_cases()
        repo.save_publication(Publication(case.id, "Page", 7, PublicationStatus.PUBLISHED, NOW))
    _apply(db, service, _batch("t3", InboundRedaction(ROOM, "$x", ALICE, NOW, target="$e3")))
    with db.transaction() as repo:
        (job,) = repo.pending_outbox([REPUBLISH])
    assert job.payload["case_id"] == case.id


def test_forget_asks_to_confirm_then_erases_and_republishes(db: Database) -> None:
    from bot.domain.models import Publication, PublicationStatus
    from bot.services.publication_requests import REPUBLISH

    service = _service()
    _apply(db, service, _batch("t1", _msg(1, "racine"), _msg(2, "!capturer", thread="$e1")))
    _apply(
        db,
        service,
        _batch("t2", _msg(3, "mon témoignage", thread="$e1"), _msg(4, "!consentement oui")),
    )
    with db.transaction() as repo:
        (case,) = repo.list_cases()
        repo.save_publication(Publication(case.id, "Page", 7, PublicationStatus.PUBLISHED, NOW))
    _apply(db, service, _batch("t3", _msg(5, "!oublier")))
    with db.transaction() as repo:
        assert repo.get_message("$e3").body == "mon témoignage"  # type: ignore[union-attr]
        assert repo.pending_outbox([REPUBLISH]) == []
    _apply(db, service, _batch("t4", _msg(6, "!oublier confirmer")))
    with db.transaction() as repo:
        message = repo.get_message("$e3")
        assert message is not None and message.redacted and message.body == ""
        participant = repo.get_participant(ALICE)
        assert participant is not None and participant.consent is Consent.REFUSED
        assert participant.display_name == "" and participant.profile is None
        (job,) = repo.pending_outbox([REPUBLISH])
    assert job.payload["case_id"] == case.id


def test_a_command_flood_gets_one_rate_limit_reply_and_others_are_still_answered(
    db: Database,
) -> None:
    service = _service()
    flood = [
        InboundMessage(
            room_id=ROOM,
            event_id=f"$f{n}",
            sender=MALLORY,
            sent_at=NOW + timedelta(milliseconds=10 * n),
            body="!aide",
        )
        for n in range(1000)  # 1,000 commands in 10 s
    ]
    other = InboundMessage(
        room_id=ROOM,
        event_id="$alice",
        sender=ALICE,
        sent_at=NOW + timedelta(seconds=5),
        body="!consentement statut",
    )
    _apply(db, service, _batch("t1", *flood[:500], other, *flood[500:]))
    notices = _notices(db)
    answered = sum("Les commandes utiles ici" in n for n in notices)
    assert 10 <= answered <= 10 + 5  # the burst, then 0.5 per second over 10 s
    assert 1 <= sum("beaucoup de commandes" in n for n in notices) <= 5
    assert any(n.startswith("Alice: Votre consentement") for n in notices)
