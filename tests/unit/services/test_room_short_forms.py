"""A room that leaves the English short forms to another bot (issue 16): `!help` there is
that bot's, while the French names and `!capi <commande>` still reach capibot."""

from __future__ import annotations

from bot.domain.models import Room
from bot.inbound import InboundService
from bot.settings import Settings
from bot.storage.database import Database
from tests.unit.services.test_inbound import (
    ALICE,
    BOT,
    NOW,
    ROOM,
    _apply,
    _batch,
    _msg,
    _notices,
    _service,
)


def _answered(db: Database, before: int) -> int:
    return len(_notices(db)) - before


def test_short_forms_off_leaves_help_to_the_other_bot(db: Database) -> None:
    with db.transaction() as repo:
        repo.save_room(Room(room_id=ROOM, short_forms=False))
    service = _service()
    _apply(db, service, _batch("t1", _msg(1, "!help")))
    assert _notices(db) == []  # not ours here: no answer, and nothing else done
    _apply(db, service, _batch("t2", _msg(2, "!list")))
    assert _notices(db) == []
    _apply(db, service, _batch("t3", _msg(3, "!aide")))
    assert _answered(db, 0) == 1
    _apply(db, service, _batch("t4", _msg(4, "!capi help")))
    assert _answered(db, 1) == 1


def test_the_room_admin_turns_them_back_on(db: Database) -> None:
    with db.transaction() as repo:
        repo.save_room(Room(room_id=ROOM, short_forms=False))
    service = _service()
    _apply(db, service, _batch("t1", _msg(1, "!help")))  # cached: the room's setting
    assert _notices(db) == []
    # ALICE is listed in no admin list: she is refused, and nothing changes
    _apply(db, service, _batch("t2", _msg(2, "!salon formes-courtes oui")))
    (refusal,) = _notices(db)
    assert "réservée" in refusal
    with db.transaction() as repo:
        room = repo.get_room(ROOM)
    assert room is not None and not room.short_forms
    # a room admin does it: the next !help is answered (the cached setting was dropped)
    settings = Settings.model_validate(
        {"bot": {"admins": [ALICE]}, "matrix": {"user_id": BOT, "allowed_inviters": ["@*:x"]}}
    )
    admin_service = InboundService(settings, BOT, lambda: NOW)
    _apply(db, admin_service, _batch("t3", _msg(3, "!help")))
    assert len(_notices(db)) == 1  # still off: no answer
    _apply(db, admin_service, _batch("t4", _msg(4, "!salon formes-courtes oui")))
    assert "formes courtes anglaises" in _notices(db)[-1]
    _apply(db, admin_service, _batch("t5", _msg(5, "!help")))
    assert len(_notices(db)) == 3


def test_default_rooms_answer_the_short_forms(db: Database) -> None:
    service = _service()
    _apply(db, service, _batch("t1", _msg(1, "!help", sender=ALICE)))
    assert len(_notices(db)) == 1
