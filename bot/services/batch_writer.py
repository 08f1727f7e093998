"""Stores a sync batch's captured messages in bulk, with the cases looked up once.

Messages, edits and redactions are buffered and written as a few executemany
statements: the new messages first (an edit or redaction only changes a stored message,
so its target is then stored), then the edits, then the redactions. Anything that may
read them (a command, a reaction) flushes the buffer first, so events still take effect
in their order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import event
from sqlalchemy.orm import Session

from bot.domain.models import CaseOrigin, Message
from bot.matrix.events import InboundMessage
from bot.storage.repository import MessageValues, Repository, message_values

CaseKey = tuple[int, CaseOrigin]


class CaseRoots:
    """Which (room, root event) pairs are captured: a cache that lives across batches.

    Only positive answers are kept: a case never moves or disappears once opened, but
    one may be opened at any moment (a command, the capture job). What a transaction
    finds is kept only once it commits (`watch`): a case opened by a batch whose commit
    failed does not exist, and its retry may open it under another id.
    """

    def __init__(self, limit: int = 100_000) -> None:
        self._known: dict[tuple[str, str], CaseKey] = {}
        self._unsure: dict[tuple[str, str], CaseKey] = {}  # found by an uncommitted one
        self._limit = limit

    def watch(self, session: Session) -> None:
        """Learn from this session's transaction once it commits; forget what an earlier
        one found if it never did."""
        self._unsure = {}
        event.listen(session, "after_commit", self._committed)

    def _committed(self, session: Session) -> None:
        if session.in_nested_transaction():  # a savepoint released (a command): not yet
            return
        if len(self._known) > self._limit:
            self._known.clear()
        self._known.update(self._unsure)
        self._unsure = {}

    def lookup(
        self, repo: Repository, pairs: set[tuple[str, str]]
    ) -> dict[tuple[str, str], CaseKey]:
        missing = pairs - self._known.keys() - self._unsure.keys()
        if missing:
            self._unsure.update(repo.case_keys_by_roots(missing))
        found = {pair: self._known[pair] for pair in pairs if pair in self._known}
        found.update({pair: self._unsure[pair] for pair in pairs if pair in self._unsure})
        return found


class BatchWriter:
    """One batch's buffered writes; `on_redacted(case_ids)` hears of the cases whose stored
    messages were erased (their published pages must be rebuilt)."""

    def __init__(
        self,
        repo: Repository,
        roots: CaseRoots,
        messages: Iterable[InboundMessage],
        on_redacted: Callable[[set[int]], object] = lambda _case_ids: None,
    ) -> None:
        self.repo = repo
        self.roots = roots
        self.on_redacted = on_redacted
        self._pending: dict[str, MessageValues] = {}
        #: (room, target, sender, new body), in order
        self._edits: list[tuple[str, str, str, str]] = []
        self._redactions: list[tuple[str, str]] = []  # (room, target)
        wanted = {(m.room_id, m.thread_root) for m in messages if m.thread_root}
        self._by_root = roots.lookup(repo, wanted)
        self._origins: dict[int, CaseOrigin] = dict(self._by_root.values())

    def case_of(self, event: InboundMessage) -> int | None:
        """The case a message belongs to: its thread's, or its replied message's."""
        if event.thread_root:
            key = (event.room_id, event.thread_root)
            found = self._by_root.get(key) or self.roots.lookup(self.repo, {key}).get(key)
            if found is not None:
                self._by_root[key] = found
                return found[0]
        if event.in_reply_to:
            # Scoped to the event's room: a reply from another room to a case's message
            # (its id is public) must not join that case.
            pending = self._pending.get(event.in_reply_to)
            if pending is not None:
                replied_case = pending["case_id"] if pending["room_id"] == event.room_id else None
            else:
                replied = self.repo.message_in_room(event.room_id, event.in_reply_to)
                replied_case = replied.case_id if replied is not None else None
            if replied_case is not None and self._origin(replied_case) is CaseOrigin.REPLY_CHAIN:
                return replied_case
        return None

    def add(self, event: InboundMessage, case_id: int) -> None:
        """Store this message in the case (at the next flush)."""
        self._pending.setdefault(event.event_id, captured_values(event, case_id))

    def edit(self, room_id: str, target: str, sender: str, new_body: str) -> None:
        self._edits.append((room_id, target, sender, new_body))

    def redact(self, room_id: str, target: str) -> None:
        self._redactions.append((room_id, target))

    def flush(self) -> None:
        """New messages, then edits in order, then redactions.

        Edits may all go before redactions: a redaction is final (an edit of a redacted
        message is ignored), so the stored result is the same in any interleaving.
        """
        if self._pending:
            self._store_pending()
        if self._edits:
            edits, self._edits = self._edits, []
            self.repo.apply_edits(edits)
        if self._redactions:
            redactions, self._redactions = self._redactions, []
            erased = self.repo.redact_messages(redactions)
            cases = {case_id for case_id in erased.values() if case_id is not None}
            if cases:
                self.on_redacted(cases)

    def _store_pending(self) -> None:
        pending, self._pending = list(self._pending.values()), {}
        self.repo.store_message_rows(pending)

    def _origin(self, case_id: int) -> CaseOrigin | None:
        if case_id not in self._origins:
            case = self.repo.get_case(case_id)
            if case is None:
                return None
            self._origins[case_id] = case.origin
        return self._origins[case_id]


def captured_values(event: InboundMessage, case_id: int) -> MessageValues:
    """The stored form of a captured message (the batch, and `stored_message` for the
    capture job): one mapping from the Matrix event."""
    return message_values(
        event_id=event.event_id,
        room_id=event.room_id,
        sender=event.sender,
        sent_at=event.sent_at,
        body=event.body,
        case_id=case_id,
        in_reply_to=event.in_reply_to,
        thread_root=event.thread_root,
    )


def stored_message(event: InboundMessage, case_id: int) -> Message:
    """The stored form of a captured message, as a domain object (the capture job)."""
    return Message(**captured_values(event, case_id))
