"""Encrypted messages the bot gave up on (issue #15), through the real batch path into
SQLite: one notice in the message's thread, the case's gap in `!voir`, the gap closed by a
late key, nothing said where capture is off, nothing kept after `!oublier`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.check import undecryptable_verdict
from bot.domain.models import CaseOrigin, CaseState, Room
from bot.inbound import InboundService
from bot.matrix.events import InboundMessage, RoomSnapshot, SyncBatch, Undecryptable
from bot.services import effects as fx
from bot.services.batch_writer import stored_message
from bot.services.prompting import Prompting
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository

SENT = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)  # 9 h 00 in Paris
NOW = SENT + timedelta(days=1)
ROOM = "!salon:localhost"
BOT = "@capibot:localhost"
INES = "@ines:localhost"
ROOT = "$root"


def _service(language: str = "fr") -> InboundService:
    settings = Settings.model_validate(
        {
            "bot": {"language": language},
            "matrix": {"user_id": BOT, "allowed_inviters": ["@*:localhost"]},
            "schedule": {"timezone": "Europe/Paris"},
        }
    )
    return InboundService(settings, BOT, lambda: NOW)


def _lost(n: int, *, thread: str | None = ROOT, reply: str | None = None) -> Undecryptable:
    relates: dict[str, Any] = {"rel_type": "m.thread", "event_id": thread} if thread else {}
    return Undecryptable(
        room_id=ROOM,
        event_id=f"$x{n}",
        sender=INES,
        sent_at=SENT,
        session_id="session-1",
        source={
            "type": "m.room.encrypted",
            "event_id": f"$x{n}",
            "sender": INES,
            "origin_server_ts": 0,
            "content": {"session_id": "session-1", "m.relates_to": relates},
        },
        thread_root=thread,
        in_reply_to=reply,
    )


def _batch(
    token: str,
    *events: InboundMessage,
    lost: tuple[Undecryptable, ...] = (),
    recovered: tuple[str, ...] = (),
) -> SyncBatch:
    snapshot = RoomSnapshot(room_id=ROOM, display_names={INES: "Inès Roux"}, member_count=5)
    return SyncBatch(
        next_batch=token,
        initial=False,
        events=events,
        rooms={ROOM: snapshot},
        undecryptable=lost,
        recovered=recovered,
    )


def _apply(db: Database, service: InboundService, batch: SyncBatch) -> None:
    with db.transaction() as repo:
        service.apply(repo, batch)


def _notices(db: Database) -> list[dict[str, Any]]:
    with db.transaction() as repo:
        return [i.payload for i in repo.pending_outbox([fx.NOTICE])]


def _case(db: Database, root: str = ROOT, origin: CaseOrigin = CaseOrigin.THREAD) -> int:
    with db.transaction() as repo:
        case, _ = repo.create_case(
            room_id=ROOM,
            root_event_id=root,
            origin=origin,
            title="Accueil",
            created_by=INES,
            now=SENT,
            state=CaseState.CAPTURING,
        )
        return case.id


def _show(db: Database, service: InboundService, case_id: int) -> str:
    command = InboundMessage(
        ROOM, f"$show{case_id}-{len(_notices(db))}", INES, NOW, f"!voir {case_id}"
    )
    _apply(db, service, _batch("t-show", command))
    return str(_notices(db)[-1]["body"])


def test_a_lost_message_of_a_case_is_told_once_in_its_thread_and_shown_in_the_case(
    db: Database,
) -> None:
    case_id = _case(db)
    service = _service()
    _apply(db, service, _batch("t1", lost=(_lost(1),)))
    # The same sync replayed (a crash before the token moved on), then a restarted bot
    # giving up on the same event again: still one notice.
    _apply(db, service, _batch("t1", lost=(_lost(1),)))
    _apply(db, _service(), _batch("t2", lost=(_lost(1),)))
    notices = _notices(db)
    assert len(notices) == 1
    notice = notices[0]
    assert notice["body"] == (
        "Je n'ai pas pu lire le message chiffré envoyé par Inès Roux le lundi 3 mars 2025 à "
        f"9 h 00 : sa clé de chiffrement ne m'est jamais parvenue, il manque donc à l'échange "
        f"#{case_id}. Inès Roux, vous pouvez le renvoyer. Si cela se reproduit, vérifiez ma "
        "session dans votre application ou partagez-moi vos clés de chiffrement."
    )
    assert notice["thread_root"] == ROOT and notice["reply_to"] == "$x1"
    assert notice["mentions"] == [INES]
    assert notice["html"].count('href="https://matrix.to/#/@ines:localhost"') == 2
    assert "\x00" not in notice["html"] and "\x00" not in notice["body"]

    assert "1 message chiffré n'a pas pu être lu." in _show(db, service, case_id)
    with db.transaction() as repo:
        assert repo.undecryptable_summary() == (1, SENT)


def test_two_lost_messages_read_in_the_plural_and_in_english(db: Database) -> None:
    case_id = _case(db)
    service = _service("en")
    _apply(db, service, _batch("t1", lost=(_lost(1), _lost(2))))
    assert len(_notices(db)) == 2
    assert "is missing from exchange #" in _notices(db)[0]["body"]
    assert "2 encrypted messages could not be read." in _show(db, service, case_id)


def test_a_late_key_closes_the_gap_and_the_message_joins_its_case(db: Database) -> None:
    case_id = _case(db)
    service = _service()
    _apply(db, service, _batch("t1", lost=(_lost(1),)))
    read = InboundMessage(ROOM, "$x1", INES, SENT, "Le livret d'accueil.", thread_root=ROOT)
    _apply(db, service, _batch("t2", read, recovered=("$x1",)))
    with db.transaction() as repo:
        assert [m.body for m in repo.case_messages(case_id)] == ["Le livret d'accueil."]
        assert repo.count_undecryptable(case_id) == 0
        assert repo.undecryptable_summary() == (0, None)
        # A key arriving again finds nothing left to read.
        assert repo.undecryptable_in_sessions({"session-1"}) == []
    show = _show(db, service, case_id)
    assert "chiffré" not in show
    assert len(_notices(db)) == 2  # the first notice and the answer to !voir: no other


def test_outside_a_case_the_notice_says_it_would_be_missing(db: Database) -> None:
    service = _service()
    _apply(db, service, _batch("t1", lost=(_lost(1, thread=None),)))
    (notice,) = _notices(db)
    assert "S'il fait partie d'un échange gardé pour le wiki, il y manquera" in notice["body"]
    assert notice["thread_root"] is None and notice["reply_to"] == "$x1"


def test_a_reply_chain_case_counts_a_lost_reply(db: Database) -> None:
    with db.transaction() as repo:
        case, _ = repo.create_case(
            room_id=ROOM,
            root_event_id="$q",
            origin=CaseOrigin.REPLY_CHAIN,
            title="",
            created_by=INES,
            now=SENT,
        )
    service = _service()
    question = InboundMessage(ROOM, "$q", INES, SENT, "Une question ?")
    with db.transaction() as repo:
        repo.add_messages([stored_message(question, case.id)])
    _apply(db, service, _batch("t1", lost=(_lost(1, thread=None, reply="$q"),)))
    with db.transaction() as repo:
        assert repo.count_undecryptable(case.id) == 1
    assert f"#{case.id}" in _notices(db)[0]["body"]


def test_a_thread_captured_later_takes_its_lost_messages(db: Database) -> None:
    service = _service()
    _apply(db, service, _batch("t1", lost=(_lost(1), _lost(2, thread=None))))
    case_id = _case(db)
    with db.transaction() as repo:
        repo.attach_undecryptable(ROOM, ROOT, case_id)
        assert repo.count_undecryptable(case_id) == 1  # not the one outside the thread


def test_the_bots_own_messages_and_rooms_without_capture_get_no_notice(db: Database) -> None:
    with db.transaction() as repo:
        repo.save_room(Room(room_id=ROOM, capture_enabled=False, joined_at=SENT))
    service = _service()
    _apply(db, service, _batch("t1", lost=(_lost(1),)))
    assert _notices(db) == []
    with db.transaction() as repo:
        repo.save_room(Room(room_id=ROOM, capture_enabled=True, joined_at=SENT))
    mine = Undecryptable(ROOM, "$mine", BOT, SENT, "s", {}, thread_root=ROOT)
    _apply(db, service, _batch("t2", lost=(mine,)))
    assert _notices(db) == []
    with db.transaction() as repo:
        assert repo.undecryptable_summary() == (0, None)


def test_forgetting_a_person_drops_their_unread_ciphertext(db: Database) -> None:
    _apply(db, _service(), _batch("t1", lost=(_lost(1),)))
    with db.transaction() as repo:
        repo.erase_sender(INES)
    with db.transaction() as repo:
        assert repo.undecryptable_summary() == (0, None)
        assert repo.undecryptable_in_sessions({"session-1"}) == []


def test_check_verdicts_say_how_many_and_since_when() -> None:
    assert undecryptable_verdict(0, None).line() == (
        "OK   undecryptable: every encrypted message was read"
    )
    line = undecryptable_verdict(3, SENT).line()
    assert line.startswith("WARN undecryptable: 3 messages could not be decrypted (oldest sent ")
    assert "2025-03-03 08:00 UTC" in line
    assert undecryptable_verdict(3, SENT).ok  # a warning: the exit code stays 0


def test_the_fiche_prompt_says_its_draft_lacks_what_could_not_be_read(db: Database) -> None:
    case_id = _case(db)
    prompting = Prompting(_service().settings, display_names=lambda _room: {})

    def prompt() -> str:
        def work(repo: Repository) -> str:
            case = repo.get_case(case_id)
            assert case is not None
            return prompting.prompt_notice(repo, case).body

        return db.run_sync(work)

    assert "chiffré" not in prompt()
    _apply(db, _service(), _batch("t1", lost=(_lost(1), _lost(2))))
    assert "2 messages chiffrés n'ont pas pu être lus." in prompt()


def test_a_command_read_by_a_late_key_is_not_run(db: Database) -> None:
    """Its sender was told it was lost, and may have sent it again meanwhile."""
    service = _service()
    _apply(db, service, _batch("t1", lost=(_lost(1, thread=None),)))
    late = InboundMessage(ROOM, "$x1", INES, SENT, "!aide")
    _apply(db, service, _batch("t2", late, recovered=("$x1",)))
    assert len(_notices(db)) == 1  # the notice that it was lost; no help
    _apply(db, service, _batch("t3", InboundMessage(ROOM, "$again", INES, NOW, "!aide")))
    assert len(_notices(db)) == 2  # sent again: answered
