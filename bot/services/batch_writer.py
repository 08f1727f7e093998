"""Stores a sync batch's captured messages in bulk, with the cases looked up once.

Runs of plain messages are buffered and written in one statement; anything that may
depend on them (an edit or redaction of a buffered message, a command, a reaction)
flushes the buffer first, so events still take effect in their order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.domain.models import CaseOrigin, Message
from bot.matrix.events import InboundMessage
from bot.storage.repository import Repository

CaseKey = tuple[int, CaseOrigin]


class CaseRoots:
    """Which (room, root event) pairs are captured: a cache that lives across batches.

    Only positive answers are kept: a case never moves or disappears once opened, but
    one may be opened at any moment (a command, the capture job).
    """

    def __init__(self, limit: int = 100_000) -> None:
        self._known: dict[tuple[str, str], CaseKey] = {}
        self._limit = limit

    def lookup(
        self, repo: Repository, pairs: set[tuple[str, str]]
    ) -> dict[tuple[str, str], CaseKey]:
        missing = pairs - self._known.keys()
        if missing:
            if len(self._known) > self._limit:
                self._known.clear()
            self._known.update(repo.case_keys_by_roots(missing))
        return {pair: self._known[pair] for pair in pairs if pair in self._known}


class BatchWriter:
    def __init__(
        self, repo: Repository, roots: CaseRoots, messages: Iterable[InboundMessage]
    ) -> None:
        self.repo = repo
        self.roots = roots
        self._pending: dict[str, Message] = {}
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
            replied = self._pending.get(event.in_reply_to) or self.repo.get_message(
                event.in_reply_to
            )
            if (
                replied is not None
                and replied.case_id is not None
                and self._origin(replied.case_id) is CaseOrigin.REPLY_CHAIN
            ):
                return replied.case_id
        return None

    def holds(self, event_id: str) -> bool:
        return event_id in self._pending

    def add(self, message: Message) -> None:
        self._pending.setdefault(message.event_id, message)

    def flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = list(self._pending.values()), {}
        inserted = self.repo.insert_new_messages(pending)
        activity: dict[int, datetime] = {}
        for message in pending:
            if message.event_id in inserted and message.case_id is not None:
                latest = activity.get(message.case_id)
                if latest is None or message.sent_at > latest:
                    activity[message.case_id] = message.sent_at
        self.repo.touch_cases(activity)

    def _origin(self, case_id: int) -> CaseOrigin | None:
        if case_id not in self._origins:
            case = self.repo.get_case(case_id)
            if case is None:
                return None
            self._origins[case_id] = case.origin
        return self._origins[case_id]
