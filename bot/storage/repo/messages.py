"""A case's stored messages: the capture hot path, edits and redactions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    bindparam,
    func,
    literal_column,
    null,
    select,
    union_all,
    update,
)

from bot.domain.models import (
    CaseOrigin,
    Message,
)
from bot.domain.replies import strip_reply_fallback
from bot.storage.repo.base import RepositoryBase
from bot.storage.repo.rows import MessageValues, to_message, values_of_message
from bot.storage.tables import (
    CaseRow,
    MessageRow,
    ReviewCardRow,
)


@dataclass(frozen=True, slots=True)
class BatchReads:
    """What a sync batch's events ask of the database (`MessageStore.batch_reads`)."""

    #: (room, root) → (case id, origin), for the roots that have a case
    cases: dict[tuple[str, str], tuple[int, CaseOrigin]]
    #: stored message id → (room, case id, the case's origin)
    replied: dict[str, tuple[str, int | None, CaseOrigin | None]]
    #: the review cards among the targets
    cards: set[str]


# The capture hot path's statements, built once (building a construct costs more than
# running it from SQLAlchemy's compiled cache).
_EDIT_MESSAGE = (
    update(MessageRow)
    .where(
        MessageRow.event_id == bindparam("target"),
        MessageRow.room_id == bindparam("room"),
        MessageRow.sender == bindparam("editor"),
        MessageRow.redacted.is_(False),
    )
    .values(body=bindparam("new_body"), edited=True)
)
_REDACT_MESSAGE = (
    update(MessageRow)
    .where(
        MessageRow.event_id == bindparam("target"),
        MessageRow.room_id == bindparam("room"),
        MessageRow.redacted.is_(False),
    )
    .values(body="", redacted=True)
)
_REPLY_TARGETS = select(MessageRow.event_id).where(
    MessageRow.event_id.in_(bindparam("targets", expanding=True)),
    (MessageRow.in_reply_to.is_not(None)) | (MessageRow.thread_root.is_not(None)),
)
_CASES_ROOTED_AT = select(CaseRow.room_id, CaseRow.root_event_id, CaseRow.id, CaseRow.origin).where(
    CaseRow.root_event_id.in_(bindparam("roots", expanding=True))
)
_REPLIED = (
    select(MessageRow.event_id, MessageRow.room_id, MessageRow.case_id, CaseRow.origin)
    .outerjoin(CaseRow, CaseRow.id == MessageRow.case_id)
    .where(MessageRow.event_id.in_(bindparam("targets", expanding=True)))
)
# What a sync batch asks, in one statement (each part one index seek per key): the cases
# rooted at its threads' roots, the messages its replies answer, the review cards among
# its reactions' targets. Columns: part, key, room, case id, origin.
_BATCH_READS: CompoundSelect[Any] = union_all(
    select(
        literal_column("'root'"), CaseRow.root_event_id, CaseRow.room_id, CaseRow.id, CaseRow.origin
    ).where(CaseRow.root_event_id.in_(bindparam("roots", expanding=True))),
    select(
        literal_column("'replied'"),
        MessageRow.event_id,
        MessageRow.room_id,
        MessageRow.case_id,
        CaseRow.origin,
    )
    .outerjoin(CaseRow, CaseRow.id == MessageRow.case_id)
    .where(MessageRow.event_id.in_(bindparam("replied", expanding=True))),
    select(
        literal_column("'card'"), ReviewCardRow.event_id, null(), ReviewCardRow.case_id, null()
    ).where(ReviewCardRow.event_id.in_(bindparam("cards", expanding=True))),
)
_UNREDACTED_CASES = select(MessageRow.event_id, MessageRow.case_id, MessageRow.room_id).where(
    MessageRow.event_id.in_(bindparam("targets", expanding=True)),
    MessageRow.redacted.is_(False),
)


class MessageStore(RepositoryBase):
    """A case's stored messages: the capture hot path, edits and redactions."""

    def add_message(self, message: Message) -> bool:
        """Store a message once: a replayed event id is ignored (returns False)."""
        return self.add_messages([message]) == 1

    def add_messages(self, messages: Sequence[Message]) -> int:
        return len(self.insert_new_messages(messages))

    def insert_new_messages(self, messages: Sequence[Message]) -> set[str]:
        """Store messages in one statement; returns the event ids that were new."""
        return set(self._insert_ignore_keys(MessageRow, [values_of_message(m) for m in messages]))

    def store_message_rows(self, rows: Sequence[MessageValues]) -> None:
        """Store messages once (a replayed event id is skipped), in one executemany.

        The capture hot path: rows come straight from `message_values` (no dataclass in
        between), and nothing is returned, so the driver runs a plain executemany.
        """
        if rows:
            self.connection.execute(self._insert_ignore_stmt(MessageRow), rows)

    def latest_message_at(self, case_id: int) -> datetime | None:
        """When the case's latest captured message was sent (one index lookup)."""
        return self.connection.scalar(
            select(func.max(MessageRow.sent_at)).where(MessageRow.case_id == case_id)
        )

    def case_keys_by_roots(
        self, room_roots: set[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[int, CaseOrigin]]:
        """(id, origin) of the cases rooted at these (room, root) pairs, in one light query
        (one index seek per root, `ix_cases_root_event_id`; the room is checked here)."""
        roots = {root for _, root in room_roots}
        if not roots:
            return {}
        rows = self.connection.execute(_CASES_ROOTED_AT, {"roots": sorted(roots)})
        found = {(r[0], r[1]): (int(r[2]), CaseOrigin(r[3])) for r in rows}
        return {key: value for key, value in found.items() if key in room_roots}

    def batch_reads(
        self, roots: set[tuple[str, str]], replied: set[str], cards: set[str]
    ) -> BatchReads:
        """`case_keys_by_roots`, `replied_messages` and `review_cards_among` at once: one
        statement for what a sync batch's events ask (none if they ask nothing)."""
        found = BatchReads({}, {}, set())
        if not (roots or replied or cards):
            return found
        params = {
            "roots": sorted({root for _, root in roots}),
            "replied": sorted(replied),
            "cards": sorted(cards),
        }
        for part, key, room, case_id, origin in self.connection.execute(_BATCH_READS, params):
            if part == "root":
                if (room, key) in roots:
                    found.cases[(room, key)] = (int(case_id), CaseOrigin(origin))
            elif part == "replied":
                found.replied[key] = (room, case_id, CaseOrigin(origin) if origin else None)
            else:
                found.cards.add(key)
        return found

    def replied_messages(
        self, event_ids: set[str]
    ) -> dict[str, tuple[str, int | None, CaseOrigin | None]]:
        """(room, case id, case origin) of the stored messages among `event_ids`, in one
        query: what a sync batch's replies may join. The caller checks the room (a reply
        from another room must not join)."""
        if not event_ids:
            return {}
        rows = self.connection.execute(_REPLIED, {"targets": sorted(event_ids)})
        return {r[0]: (r[1], r[2], CaseOrigin(r[3]) if r[3] is not None else None) for r in rows}

    def get_message(self, event_id: str) -> Message | None:
        """A stored message by id, whatever its room: for tests and tools. Anything
        driven by an event uses `message_in_room` (a case belongs to one room)."""
        row = self.session.get(MessageRow, event_id)
        return to_message(row) if row else None

    def message_in_room(self, room_id: str, event_id: str) -> Message | None:
        """The stored message `event_id` if it was sent in `room_id`: a reply or a
        reaction names any event id (they are public, e.g. in every page's matrix.to
        link), and one from another room must never reach that room's case."""
        row = self.session.get(MessageRow, event_id)
        return to_message(row) if row is not None and row.room_id == room_id else None

    def case_messages(self, case_id: int) -> list[Message]:
        rows = self.session.scalars(
            select(MessageRow)
            .where(MessageRow.case_id == case_id)
            .order_by(MessageRow.sent_at, MessageRow.event_id)
        )
        return [to_message(row) for row in rows]

    def count_messages(self, case_id: int | None = None) -> int:
        stmt = select(func.count()).select_from(MessageRow)
        if case_id is not None:
            stmt = stmt.where(MessageRow.case_id == case_id)
        return int(self.session.scalar(stmt) or 0)

    def apply_edit(self, room_id: str, event_id: str, sender: str, new_body: str) -> bool:
        """Replace a stored body; only the original sender's edit, sent in the message's
        own room, counts (DESIGN §9.4)."""
        (row,) = self._edit_rows([(room_id, event_id, sender, new_body)])
        result = self.connection.execute(_EDIT_MESSAGE, row)
        return bool(result.rowcount)

    def apply_edits(self, edits: Sequence[tuple[str, str, str, str]]) -> None:
        """`apply_edit` for (room, target, sender, new body), in order, in one executemany."""
        if edits:
            self.connection.execute(_EDIT_MESSAGE, self._edit_rows(edits))

    def _edit_rows(self, edits: Sequence[tuple[str, str, str, str]]) -> list[dict[str, str]]:
        """The edits' parameters, a reply's new body stripped of its fallback (DESIGN §7):
        `m.new_content` may carry one, and only the stored message tells it is a reply
        (a thread message is a falling-back reply)."""
        replies = set(
            self.connection.scalars(
                _REPLY_TARGETS, {"targets": sorted({target for _, target, _, _ in edits})}
            )
        )
        return [
            {
                "room": r,
                "target": t,
                "editor": s,
                "new_body": strip_reply_fallback(b, is_reply=t in replies),
            }
            for r, t, s, b in edits
        ]

    def redact_message(self, event_id: str) -> int | None:
        """Erase a message's content wherever it is stored (tests, tools); returns its
        case id (to republish) if it was stored. Events use `redact_messages`."""
        row = self.session.get(MessageRow, event_id)
        if row is None:
            return None
        return self.redact_messages([(row.room_id, event_id)]).get(event_id)

    def redact_messages(self, targets: Sequence[tuple[str, str]]) -> dict[str, int | None]:
        """Erase messages' content for (room, event id) pairs; returns {event id: case id}
        of those erased now (stored and not yet redacted), so their pages can be rebuilt.
        A redaction counts only in the room of its target: Matrix takes a redaction of
        any event id, and one sent in another room must not erase anything here."""
        if not targets:
            return {}
        wanted = set(targets)
        connection = self.connection
        rows = connection.execute(_UNREDACTED_CASES, {"targets": sorted({e for _, e in wanted})})
        found = {row[0]: (row[2], row[1]) for row in rows if (row[2], row[0]) in wanted}
        if found:
            connection.execute(
                _REDACT_MESSAGE, [{"target": e, "room": room} for e, (room, _) in found.items()]
            )
        return {event_id: case_id for event_id, (_, case_id) in found.items()}

    def count_messages_of(self, user_id: str) -> int:
        stmt = (
            select(func.count())
            .select_from(MessageRow)
            .where(MessageRow.sender == user_id, MessageRow.redacted.is_(False))
        )
        return int(self.session.scalar(stmt) or 0)
