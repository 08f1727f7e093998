"""Stores a sync batch's captured messages in bulk, with what its events ask of the
database (their threads' cases, replied messages, review cards) read once.

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
from bot.matrix.events import Inbound, InboundMessage, InboundReaction
from bot.storage.repo.cases import CaseOpenings, case_openings
from bot.storage.repository import MessageValues, Repository, message_values

CaseKey = tuple[int, CaseOrigin]
_WATCHING = "capibot.case_roots"


class CaseRoots:
    """Which (room, root event) pairs are captured: a cache that lives across batches.

    It keeps both answers: a root's case, and that a root has none (most threads are
    never captured, and each of their messages asked again). A case never moves or
    disappears once opened, but one may be opened at any moment (a command in this
    batch, the capture job in another transaction): every opening moves the database's
    `CaseOpenings` count, and the "no case" answers are dropped when it moved. What a
    transaction finds is kept only once it commits (`watch`): a case opened by a batch
    whose commit failed does not exist, and its retry may open it under another id; a
    "no case" found by a transaction during which a case was opened is not kept at all
    (it may have read before that case's commit).
    """

    def __init__(self, limit: int = 100_000) -> None:
        self._known: dict[tuple[str, str], CaseKey | None] = {}
        #: found by the transaction under way, not committed yet
        self._unsure: dict[tuple[str, str], CaseKey | None] = {}
        self._limit = limit
        self._openings = CaseOpenings()  # the watched database's count, once watched
        self._seen = 0  # "no case" answers hold as of this count
        self._began = 0  # the count when the watched transaction began

    def watch(self, session: Session) -> None:
        """Learn from this session's transaction once it commits; forget what an earlier
        one found if it never did (or everything, if it was another database's)."""
        openings = case_openings(session)
        if openings is not self._openings:
            self._openings = openings
            self._known = {}
            self._seen = openings.generation
        self._unsure = {}
        self._began = openings.generation
        session.info[_WATCHING] = self  # cheaper than a listener of its own per session

    def _committed(self, session: Session) -> None:
        if session.in_nested_transaction():  # a savepoint released (a command): not yet
            return
        if len(self._known) > self._limit:
            self._known.clear()
        if self._openings.generation == self._began:
            self._known.update(self._unsure)
        else:
            self._known.update((k, v) for k, v in self._unsure.items() if v is not None)
        self._unsure = {}

    def _drop_stale(self) -> None:
        """Forget every "no case" once a case was opened anywhere since they were found."""
        if self._openings.generation == self._seen:
            return
        self._seen = self._openings.generation
        self._known = {k: v for k, v in self._known.items() if v is not None}
        self._unsure = {k: v for k, v in self._unsure.items() if v is not None}

    def missing(self, pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
        """The pairs whose answer is not known: what `learn` must be told."""
        self._drop_stale()
        known, unsure = self._known, self._unsure
        return {pair for pair in pairs if pair not in known and pair not in unsure}

    def learn(self, asked: set[tuple[str, str]], found: dict[tuple[str, str], CaseKey]) -> None:
        """What the transaction under way read for `asked`: `found` are those with a case."""
        self._unsure.update((pair, found.get(pair)) for pair in asked)

    def lookup(
        self, repo: Repository, pairs: set[tuple[str, str]]
    ) -> dict[tuple[str, str], CaseKey]:
        """The cases of those pairs that have one; one query for the pairs not known."""
        missing = self.missing(pairs)
        if missing:
            self.learn(missing, repo.case_keys_by_roots(missing))
        known, unsure = self._known, self._unsure
        result: dict[tuple[str, str], CaseKey] = {}
        for pair in pairs:
            key = known[pair] if pair in known else unsure[pair]
            if key is not None:
                result[pair] = key
        return result


@event.listens_for(Session, "after_commit")
def _watched_committed(session: Session) -> None:
    roots = session.info.get(_WATCHING)
    if roots is not None:
        roots._committed(session)


class BatchWriter:
    """One batch's buffered writes; `on_redacted(case_ids)` hears of the cases whose stored
    messages were erased (their published pages must be rebuilt).

    What the batch's events ask of the database is asked once for all of them, in one
    statement: the cases of its threads (those `CaseRoots` does not know), the stored
    messages its replies answer, the review cards its reactions (those whose key
    `may_act`) may name. The last two are read again, when next needed, after a flush (a
    command or a reaction that acts may have changed them), so each event sees the
    database as it would alone.
    """

    def __init__(
        self,
        repo: Repository,
        roots: CaseRoots,
        events: Iterable[Inbound],
        on_redacted: Callable[[set[int]], object] = lambda _case_ids: None,
        may_act: Callable[[str], bool] = lambda _key: True,
    ) -> None:
        self.repo = repo
        self.roots = roots
        self.on_redacted = on_redacted
        self._pending: dict[str, MessageValues] = {}
        #: (room, target, sender, new body), in order
        self._edits: list[tuple[str, str, str, str]] = []
        self._redactions: list[tuple[str, str]] = []  # (room, target)
        wanted: set[tuple[str, str]] = set()
        self._reply_targets: set[str] = set()
        self._reaction_targets: set[str] = set()
        for e in events:
            if isinstance(e, InboundMessage):
                if e.thread_root:
                    wanted.add((e.room_id, e.thread_root))
                if e.in_reply_to:
                    self._reply_targets.add(e.in_reply_to)
            elif isinstance(e, InboundReaction) and may_act(e.key):
                self._reaction_targets.add(e.target)
        unknown = roots.missing(wanted)
        read = repo.batch_reads(unknown, self._reply_targets, self._reaction_targets)
        roots.learn(unknown, read.cases)
        self._by_root = roots.lookup(repo, wanted)  # known now: no query
        self._origins: dict[int, CaseOrigin] = dict(self._by_root.values())
        #: None once a flush made them stale: read again when next needed
        self._replied: dict[str, tuple[str, int | None, CaseOrigin | None]] | None = read.replied
        self._cards: set[str] | None = read.cards

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
            replied_case: int | None = None
            pending = self._pending.get(event.in_reply_to)
            if pending is not None:
                if pending["room_id"] == event.room_id:
                    replied_case = pending["case_id"]
            else:
                replied = self._stored_replied().get(event.in_reply_to)
                if replied is not None and replied[0] == event.room_id:
                    replied_case = replied[1]
                    if replied_case is not None and replied[2] is not None:
                        self._origins[replied_case] = replied[2]
            if replied_case is not None and self._origin(replied_case) is CaseOrigin.REPLY_CHAIN:
                return replied_case
        return None

    def is_review_card(self, event_id: str) -> bool:
        """Whether a reaction of this batch names a review card."""
        if self._cards is None:
            self._cards = self.repo.review_cards_among(self._reaction_targets)
        return event_id in self._cards

    def _stored_replied(self) -> dict[str, tuple[str, int | None, CaseOrigin | None]]:
        if self._replied is None:
            self._replied = self.repo.replied_messages(self._reply_targets)
        return self._replied

    def add(self, event: InboundMessage, case_id: int) -> None:
        """Store this message in the case (at the next flush)."""
        self._pending.setdefault(event.event_id, captured_values(event, case_id))

    def edit(self, room_id: str, target: str, sender: str, new_body: str) -> None:
        self._edits.append((room_id, target, sender, new_body))

    def redact(self, room_id: str, target: str) -> None:
        self._redactions.append((room_id, target))

    def flush(self) -> None:
        """New messages, then edits in order, then redactions; what was read for the batch
        is read again when next needed (whoever flushes is about to act on the database).

        Edits may all go before redactions: a redaction is final (an edit of a redacted
        message is ignored), so the stored result is the same in any interleaving.
        """
        self._replied = None
        self._cards = None
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
