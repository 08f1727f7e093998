"""The capture path's SQL, counted (not timed): a batch asks the database once for all its
events, and the answers it caches stay true when a case is opened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from bot.domain.models import CaseOrigin
from bot.inbound import InboundService
from bot.matrix.events import Inbound, InboundMessage, InboundReaction, RoomSnapshot, SyncBatch
from bot.services.batch_writer import CaseRoots
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.tables import CaseRow
from scripts.capture_mix import BOT, Shape, StatementCounter, realistic_events, room_id, seed

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ROOM = "!salon:localhost"
ALICE = "@alice:localhost"


def _service() -> InboundService:
    settings = Settings.model_validate({"matrix": {"user_id": BOT}})
    return InboundService(settings, BOT, lambda: NOW)


def _apply(db: Database, service: InboundService, token: str, events: list[Inbound]) -> None:
    rooms = {r: RoomSnapshot(room_id=r) for r in {e.room_id for e in events} | {ROOM}}
    batch = SyncBatch(next_batch=token, initial=False, events=tuple(events), rooms=rooms)
    with db.transaction() as repo:
        service.apply(repo, batch)


def _msg(n: int, *, thread: str | None = None, reply: str | None = None) -> InboundMessage:
    return InboundMessage(
        ROOM,
        f"$m{n}",
        ALICE,
        NOW + timedelta(seconds=n),
        f"message {n}",
        thread_root=thread,
        in_reply_to=reply,
    )


def _open_case(db: Database, root: str, origin: CaseOrigin = CaseOrigin.THREAD) -> int:
    with db.transaction() as repo:
        case, _ = repo.create_case(
            room_id=ROOM, root_event_id=root, origin=origin, title="", created_by=ALICE, now=NOW
        )
        return case.id


def test_the_realistic_mix_costs_at_most_0_3_statements_per_event(db: Database) -> None:
    """scripts/bench_capture.py --realistic, small: live batches of 20 events over 50
    rooms (captured and uncaptured threads, replies, reactions), counted from a cold
    start (every BEGIN and the token's upsert included)."""
    shape = Shape(cases=500)
    seed(db.engine, shape)
    events = realistic_events(2_000, shape)
    service = _service()
    counter = StatementCounter(db.engine)
    for k in range(0, len(events), 20):
        batch = SyncBatch(
            next_batch=f"s{k}",
            initial=False,
            events=tuple(events[k : k + 20]),
            rooms={room_id(r): RoomSnapshot(room_id=room_id(r)) for r in range(shape.rooms)},
        )
        with db.transaction() as repo:
            service.apply(repo, batch)
    counter.close()
    assert counter.total / len(events) <= 0.3, counter.kinds
    with db.transaction() as repo:
        assert repo.count_messages() > 100  # the captured threads were stored


def test_an_uncaptured_threads_messages_cost_no_query_of_their_own(db: Database) -> None:
    service = _service()
    _apply(db, service, "t1", [_msg(0), _msg(1, thread="$m0")])
    counter = StatementCounter(db.engine)
    _apply(db, service, "t2", [_msg(n, thread="$m0") for n in range(2, 22)])
    counter.close()
    assert counter.kinds == {"BEGIN": 1, "INSERT INTO sync_state": 1}


def test_replies_and_reactions_are_looked_up_once_per_batch(db: Database) -> None:
    """Ten replies to stored messages, reactions among captured messages: one statement
    reads the replied messages and the review cards, one inserts the batch's messages (a
    reaction that cannot act does not split it)."""
    case_id = _open_case(db, "$root")
    service = _service()
    _apply(db, service, "t1", [_msg(n, thread="$root") for n in range(10)])
    events: list[Inbound] = []
    for n in range(10, 20):
        events.append(_msg(n, thread="$root"))
        events.append(_msg(100 + n, reply=f"$m{n - 10}"))
        events.append(InboundReaction(ROOM, f"$r{n}", ALICE, NOW, f"$m{n - 10}", "👍"))
        events.append(InboundReaction(ROOM, f"$h{n}", ALICE, NOW, f"$m{n - 10}", "❤️"))
    counter = StatementCounter(db.engine)
    _apply(db, service, "t2", events)
    counter.close()
    assert counter.kinds == {
        "BEGIN": 1,
        "SELECT cases+messages+review_cards": 1,
        "INSERT INTO messages": 1,
        "INSERT INTO sync_state": 1,
    }
    with db.transaction() as repo:
        assert repo.count_messages(case_id) == 20  # replies to a thread's case stay out


def test_a_reply_chain_still_grows_from_a_batch_lookup(any_db: Database) -> None:
    """A reply to a message of a reply-chain case joins it, whether the replied message
    was stored before the batch, earlier in it, or earlier in it before a command."""
    service = _service()
    _apply(any_db, service, "t1", [_msg(0)])
    case_id = _open_case(any_db, "$m0", CaseOrigin.REPLY_CHAIN)
    _apply(any_db, service, "t2", [_msg(1, reply="$m0")])  # $m0 is not stored: not joined
    with any_db.transaction() as repo:
        assert repo.count_messages(case_id) == 0
    _apply(any_db, service, "t3", [_msg(2, thread="$m0"), _msg(3, reply="$m2")])
    _apply(
        any_db,
        service,
        "t4",
        [
            _msg(4, reply="$m3"),
            InboundMessage(ROOM, "$cmd", ALICE, NOW, "!aide"),
            _msg(5, reply="$m4"),
            _msg(6, reply="$m5"),
        ],
    )
    with any_db.transaction() as repo:
        assert [m.event_id for m in repo.case_messages(case_id)] == [
            "$m2",
            "$m3",
            "$m4",
            "$m5",
            "$m6",
        ]


def test_a_case_opened_by_another_transaction_is_found_by_the_next_batch(any_db: Database) -> None:
    """The capture job opens cases in its own transaction: a thread known to have no
    case must be captured from its next message on."""
    service = _service()
    _apply(any_db, service, "t1", [_msg(0), _msg(1, thread="$m0")])
    _apply(any_db, service, "t2", [_msg(2, thread="$m0")])  # "no case" now cached, committed
    case_id = _open_case(any_db, "$m0")
    _apply(any_db, service, "t3", [_msg(3, thread="$m0")])
    with any_db.transaction() as repo:
        assert [m.event_id for m in repo.case_messages(case_id)] == ["$m3"]


def _insert_case_row(db: Database, root: str) -> int:
    """A case row written behind the cache's back: stands for an opening whose count
    already moved, so only the cache's own rules can make it seen."""
    with db.engine.begin() as connection:
        connection.execute(
            insert(CaseRow).values(
                room_id=ROOM,
                root_event_id=root,
                origin="thread",
                title="",
                state="capturing",
                created_by=ALICE,
                created_at=NOW,
                last_activity_at=NOW,
            )
        )
    return _case_id(db, root)


def _case_id(db: Database, root: str) -> int:
    with db.transaction() as repo:
        case = repo.case_by_root(ROOM, root)
        assert case is not None
        return case.id


def test_no_case_read_while_a_case_was_opened_elsewhere_is_not_kept(any_db: Database) -> None:
    """A transaction may read from a snapshot older than another's commit (PostgreSQL):
    if a case was opened anywhere while it ran, its "no case" answers are not kept,
    even those read after the count moved."""
    _open_case(any_db, "$other")  # the room exists
    roots = CaseRoots()
    with any_db.transaction() as repo:
        roots.watch(repo.session)
        any_db.case_openings.moved()  # another transaction's case committed after this one began
        assert roots.lookup(repo, {(ROOM, "$late")}) == {}  # its snapshot predates it
    case_id = _insert_case_row(any_db, "$late")  # that case
    with any_db.transaction() as repo:
        roots.watch(repo.session)
        assert roots.lookup(repo, {(ROOM, "$late")}) == {(ROOM, "$late"): (case_id, "thread")}


def test_a_rolled_back_transaction_leaves_no_answer_behind(any_db: Database) -> None:
    _open_case(any_db, "$other")
    roots = CaseRoots()
    with pytest.raises(RuntimeError), any_db.transaction() as repo:
        roots.watch(repo.session)
        assert roots.lookup(repo, {(ROOM, "$x")}) == {}
        raise RuntimeError("the database went away before the commit")
    case_id = _insert_case_row(any_db, "$x")
    with any_db.transaction() as repo:
        roots.watch(repo.session)
        assert roots.lookup(repo, {(ROOM, "$x")}) == {(ROOM, "$x"): (case_id, "thread")}


def test_a_case_opened_by_a_command_takes_the_rest_of_its_batch(any_db: Database) -> None:
    """`!capturer` in a thread opens its case inside the batch: the thread's next
    messages of the same batch join it, though the batch had found no case for it."""
    service = _service()
    _apply(
        any_db,
        service,
        "t1",
        [
            _msg(0),
            _msg(1, thread="$m0"),
            InboundMessage(ROOM, "$cmd", ALICE, NOW, "!capturer Mobiliser", thread_root="$m0"),
            _msg(2, thread="$m0"),
        ],
    )
    with any_db.transaction() as repo:
        (case,) = repo.list_cases()
        assert [m.event_id for m in repo.case_messages(case.id)] == ["$m2"]


def test_the_batch_reads_answer_each_question_on_both_engines(any_db: Database) -> None:
    case_id = _open_case(any_db, "$root")
    _apply(any_db, _service(), "t1", [_msg(1, thread="$root")])
    with any_db.transaction() as repo:
        repo.add_review_card("$card", case_id, 1)
    with any_db.transaction() as repo:
        read = repo.batch_reads(
            {(ROOM, "$root"), ("!other:localhost", "$root"), (ROOM, "$none")},
            {"$m1", "$nope"},
            {"$card", "$m1"},
        )
    assert read.cases == {(ROOM, "$root"): (case_id, CaseOrigin.THREAD)}
    assert read.replied == {"$m1": (ROOM, case_id, CaseOrigin.THREAD)}
    assert read.cards == {"$card"}


def test_answers_about_one_database_are_not_taken_for_another(
    db: Database, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Each database counts its own case openings: a cache that moves to another database
    (a test's second bot, a benchmark's other side) starts from nothing there."""
    other = Database.from_url(f"sqlite:///{tmp_path_factory.mktemp('other')}/other.db")
    other.migrate()
    try:
        _open_case(db, "$room")
        _open_case(other, "$room")
        roots = CaseRoots()
        with db.transaction() as repo:
            roots.watch(repo.session)
            assert roots.lookup(repo, {(ROOM, "$x")}) == {}  # no case for $x in the first
        case_id = _insert_case_row(other, "$x")
        with other.transaction() as repo:
            roots.watch(repo.session)
            assert roots.lookup(repo, {(ROOM, "$x")}) == {(ROOM, "$x"): (case_id, "thread")}
        assert other.case_openings is not db.case_openings
    finally:
        other.close()
