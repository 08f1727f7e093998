"""Encrypted messages the bot could not read: the room is told once, the case shows
the gap (issue #15).

The sync loop gives up on a message whose room key did not come within
`matrix.key_wait` (`SyncBatch.undecryptable`). Its relations are in clear, so its thread
or reply, and thus its case, are known: it is recorded (once: event ids are unique) and
its room gets one notice in that thread, naming the sender so they can send it again.
A room key that comes later still reads it (`SyncBatch.recovered`): the gap is closed.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.i18n import Translator
from bot.matrix.events import InboundMessage, OutboundNotice, RoomSnapshot, Undecryptable
from bot.services.batch_writer import BatchWriter
from bot.services.effects import mention_html, queue_notice, text_to_html
from bot.storage.repository import Repository, UndecryptableValues

log = logging.getLogger(__name__)
_NAME = "\x00name\x00"  # where the sender's mention goes in the HTML


def as_message(event: Undecryptable) -> InboundMessage:
    """A stand-in with the event's relations, to find its case like a readable one's.

    Without a thread, its own id stands as the thread root: an unreadable message may
    itself be the root of a captured thread."""
    return InboundMessage(
        room_id=event.room_id,
        event_id=event.event_id,
        sender=event.sender,
        sent_at=event.sent_at,
        body="",
        thread_root=event.thread_root or event.event_id,
        in_reply_to=event.in_reply_to,
    )


def record_undecryptable(
    repo: Repository,
    writer: BatchWriter,
    events: Sequence[Undecryptable],
    rooms: Mapping[str, RoomSnapshot],
    tr: Translator,
    bot_user_id: str,
    now: datetime,
) -> None:
    """Keep the given-up messages and tell each room once (not in rooms whose capture
    is off: nothing is kept there, so nothing is missing)."""
    rows: list[UndecryptableValues] = []
    for event in events:
        if event.sender == bot_user_id:
            continue
        room = repo.get_room(event.room_id)
        if room is not None and not room.capture_enabled:
            continue
        rows.append(
            UndecryptableValues(
                event_id=event.event_id,
                room_id=event.room_id,
                sender=event.sender,
                sent_at=event.sent_at,
                session_id=event.session_id,
                thread_root=event.thread_root,
                in_reply_to=event.in_reply_to,
                case_id=writer.case_of(as_message(event)),
                source=event.source,
                notified_at=now,
            )
        )
    new = repo.record_undecryptable(rows)
    by_id = {e.event_id: e for e in events}
    for row in rows:
        if row["event_id"] not in new:
            continue  # told already (a replayed sync)
        event = by_id[row["event_id"]]
        snapshot = rooms.get(event.room_id, RoomSnapshot(room_id=event.room_id))
        name = snapshot.display_names.get(event.sender) or event.sender
        notice = undecryptable_notice(event, name, row["case_id"], tr)
        queue_notice(repo, f"notice:undecryptable:{event.event_id}", notice, now)
        log.warning(
            "told %s that event %s of %s could not be read (case %s)",
            event.room_id,
            event.event_id,
            event.sender,
            row["case_id"],
        )


def undecryptable_notice(
    event: Undecryptable, name: str, case_id: int | None, tr: Translator
) -> OutboundNotice:
    """The notice, in the message's thread (replying to it), mentioning its sender."""

    def render(shown: str) -> str:
        if case_id is None:
            return tr("undecryptable.notice", name=shown, date=event.sent_at)
        return tr("undecryptable.notice_case", name=shown, date=event.sent_at, case=case_id)

    body_html = text_to_html(render(_NAME)).replace(
        html.escape(_NAME), mention_html(event.sender, name)
    )
    return OutboundNotice(
        room_id=event.room_id,
        body=render(name),
        html=body_html,
        thread_root=event.thread_root,
        reply_to=event.event_id,
        mentions=(event.sender,),
    )


def gap_line(tr: Translator, count: int) -> str | None:
    """« N messages chiffrés n'ont pas pu être lus », or None when there is no gap."""
    return tr("undecryptable.gap", count=count) if count > 0 else None
