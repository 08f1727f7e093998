"""`!voir N` as a member reads it: the room by its name, times in the network's timezone
written out (« lundi 3 mars 2025 à 9 h 00 »), counts agreed — never a raw room id or an
unmarked UTC time (issue 16)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from bot.domain.models import CaseOrigin, CaseState, Room
from bot.inbound import InboundService
from bot.matrix.events import InboundMessage, RoomSnapshot, SyncBatch
from bot.services import effects as fx
from bot.settings import Settings
from bot.storage.database import Database

OPENED = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)  # 9 h 00 in Paris
BOT = "@capibot:localhost"
GARDENS = "!AbCdEf:localhost"
ALICE = "@alice:localhost"
_ids = itertools.count(1)


def _ask(db: Database, body: str, snapshot: RoomSnapshot) -> str:
    settings = Settings.model_validate(
        {
            "bot": {"language": "fr"},
            "matrix": {"user_id": BOT, "allowed_inviters": ["@*:localhost"]},
            "schedule": {"timezone": "Europe/Paris"},
        }
    )
    now = OPENED + timedelta(days=1)
    service = InboundService(settings, BOT, lambda: now)
    event = InboundMessage(GARDENS, f"$cmd{next(_ids)}", ALICE, now, body)
    batch = SyncBatch(next_batch="t", initial=False, events=(event,), rooms={GARDENS: snapshot})
    with db.transaction() as repo:
        service.apply(repo, batch)
    with db.transaction() as repo:
        notices = [i for i in repo.pending_outbox([fx.NOTICE]) if i.payload["room_id"] == GARDENS]
    return str(notices[-1].payload["body"])


def _case(db: Database) -> int:
    with db.transaction() as repo:
        case, _ = repo.create_case(
            room_id=GARDENS,
            root_event_id="$root",
            origin=CaseOrigin.THREAD,
            title="Jardin partagé",
            created_by=ALICE,
            now=OPENED,
            state=CaseState.CAPTURING,
        )
        return case.id


def test_show_names_the_room_and_writes_local_times(db: Database) -> None:
    case_id = _case(db)
    snapshot = RoomSnapshot(room_id=GARDENS, member_count=5, name="Jardins partagés")
    answer = _ask(db, f"!voir {case_id}", snapshot)
    assert "Salon « Jardins partagés »" in answer
    assert "le lundi 3 mars 2025 à 9 h 00" in answer
    assert GARDENS not in answer
    assert "2025-03-03" not in answer and "08:00" not in answer
    assert "0 message" in answer and "0 messages" not in answer


def test_show_prefers_the_rooms_label_then_falls_back_to_its_id(db: Database) -> None:
    case_id = _case(db)
    with db.transaction() as repo:
        repo.save_room(Room(room_id=GARDENS, label="Jardins (Lyon)", joined_at=OPENED))
    named = RoomSnapshot(room_id=GARDENS, member_count=5, name="Jardins partagés")
    assert "Salon « Jardins (Lyon) »" in _ask(db, f"!voir {case_id}", named)
    with db.transaction() as repo:
        repo.save_room(Room(room_id=GARDENS, label="", joined_at=OPENED))
    unnamed = RoomSnapshot(room_id=GARDENS, member_count=5)
    assert f"Salon « {GARDENS} »" in _ask(db, f"!voir {case_id}", unnamed)
