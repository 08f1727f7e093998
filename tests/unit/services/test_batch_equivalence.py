"""The batch writer buffers messages, edits and redactions and writes them grouped; the
stored result must be the same as applying the events one at a time, in any order."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.inbound import InboundService
from bot.matrix.events import (
    Inbound,
    InboundEdit,
    InboundMessage,
    InboundRedaction,
    RoomSnapshot,
    SyncBatch,
)
from bot.settings import Settings
from bot.storage.database import Database

BOT = "@capibot:localhost"
ROOM = "!room:localhost"
SENDERS = ["@alice:localhost", "@bruno:localhost"]
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# An event: ("msg", sender index) | ("edit", target index, sender index) | ("redact", target)
event_specs = st.lists(
    st.one_of(
        st.tuples(st.just("msg"), st.integers(0, 1)),
        st.tuples(st.just("edit"), st.integers(0, 11), st.integers(0, 1)),
        st.tuples(st.just("redact"), st.integers(0, 11)),
    ),
    max_size=30,
)


def _events(specs: list[tuple[object, ...]]) -> list[Inbound]:
    """Events of a captured thread; an edit or redaction targets an earlier event, as in
    Matrix (a message, or something else: then it changes nothing)."""
    events: list[Inbound] = []
    for n, spec in enumerate(specs):
        at = NOW + timedelta(seconds=n + 10)
        if spec[0] == "msg":
            events.append(
                InboundMessage(
                    ROOM, f"$m{n}", SENDERS[int(spec[1])], at, f"message {n}", thread_root="$root"
                )
            )
        elif spec[0] == "edit":
            target, sender = int(spec[1]) % max(n, 1), int(spec[2])
            events.append(
                InboundEdit(ROOM, f"$ed{n}", SENDERS[sender], at, f"$m{target}", f"édité {n}")
            )
        else:
            target = int(spec[1]) % max(n, 1)
            events.append(InboundRedaction(ROOM, f"$rd{n}", SENDERS[0], at, f"$m{target}"))
    return events


_MIGRATED: list[Path] = []


def _fresh_database(path: Path) -> Database:
    """A migrated database, copied from one migrated once (migrating costs 0.3 s)."""
    if not _MIGRATED:
        template = Path(tempfile.mkdtemp()) / "template.db"
        template_db = Database.from_url(f"sqlite:///{template}")
        template_db.migrate()
        template_db.close()  # the last connection's close moves the WAL into the file
        _MIGRATED.append(template)
    shutil.copy(_MIGRATED[0], path)
    return Database.from_url(f"sqlite:///{path}")


def _stored(events: list[Inbound], batch_size: int, directory: Path) -> list[tuple[object, ...]]:
    db = _fresh_database(directory / f"capibot-{batch_size}.db")
    settings_ = Settings.model_validate({"matrix": {"user_id": BOT}})
    service = InboundService(settings_, BOT, lambda: NOW)
    rooms = {ROOM: RoomSnapshot(room_id=ROOM)}
    opening = [
        InboundMessage(ROOM, "$root", SENDERS[0], NOW, "racine"),
        InboundMessage(ROOM, "$cmd", SENDERS[0], NOW, "!capturer", thread_root="$root"),
    ]
    with db.transaction() as repo:
        service.apply(repo, SyncBatch("s0", False, tuple(opening), rooms))
    token = "s0"
    for k in range(0, len(events), batch_size):
        chunk = tuple(events[k : k + batch_size])
        token = f"s{k + 1}"
        with db.transaction() as repo:
            service.apply(repo, SyncBatch(token, False, chunk, rooms))
    with db.transaction() as repo:
        (case,) = repo.list_cases()
        rows = [
            (m.event_id, m.body, m.edited, m.redacted, m.sender)
            for m in repo.case_messages(case.id)
        ]
        assert repo.get_sync_token() == token
    db.close()
    return rows


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event_specs)
def test_one_batch_stores_what_one_event_per_batch_stores(specs: list[tuple[object, ...]]) -> None:
    events = _events(specs)
    with tempfile.TemporaryDirectory() as tmp:
        one_by_one = _stored(events, 1, Path(tmp))
        all_at_once = _stored(events, max(1, len(events)), Path(tmp))

    # Only the edited flag of a message edited after its redaction may differ: both
    # have an empty body and the redacted flag.
    def visible(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
        return [(e, b, r, s) if r else (e, b, ed, r, s) for e, b, ed, r, s in rows]

    assert visible(all_at_once) == visible(one_by_one)
