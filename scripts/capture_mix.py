"""A network's realistic capture workload, for `bench_capture.py --realistic` and the
statement-count test (tests/unit/services/test_capture_statements.py).

50 rooms; 8 % of messages in captured threads, 30 % in uncaptured threads, 15 % replies,
10 % reactions, the rest plain. Threads and replies follow the conversation: a thread
gets a few messages then goes quiet, a reply or a reaction names a recent message of its
room. The database is seeded in raw SQL (recursive CTEs), so 2,000,000 stored messages
take seconds, not the hours the ORM would.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, event, insert, text

from bot.matrix.events import Inbound, InboundMessage, InboundReaction
from bot.storage.tables import MessageRow

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
BOT = "@capibot:bench"
#: Reaction keys as people use them: mostly thanks and approval, a few pins.
REACTION_KEYS = (
    ("👍", 0.45),
    ("❤️", 0.2),
    ("😂", 0.1),
    ("🎉", 0.07),
    ("✅", 0.1),
    ("🙏", 0.06),
    ("📌", 0.02),
)
BODIES = (
    "Retour d'expérience sur l'atelier de jeudi : la grille d'entretien a bien marché.",
    "Est-ce que quelqu'un a un modèle de convention avec la mairie pour le local ?",
    "Merci, je transmets à l'équipe et je reviens vers vous la semaine prochaine.",
    "On a testé la permanence mobile sur trois communes, voici ce qu'on en retient.",
    "Attention, la date limite du dossier a été avancée au 15.",
)


def room_id(r: int) -> str:
    return f"!room{r}:bench"


def case_root(case_id: int) -> str:
    return f"$case{case_id}"


@dataclass(frozen=True)
class Shape:
    """The database a run starts from: rooms, cases spread over them, stored messages."""

    rooms: int = 50
    cases: int = 5_000
    stored: int = 0
    senders: int = 2_000


def seed(engine: Engine, shape: Shape) -> None:
    """Rooms, cases (ids 1..N, case i in room (i-1) % rooms, rooted at `$case{i}`) and
    stored messages, each one INSERT … SELECT over a recursive CTE."""
    at = T0 - timedelta(days=365)
    stamp = at.strftime("%Y-%m-%d %H:%M:%S.000000")
    with engine.begin() as c:
        c.execute(
            text(
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
                "WHERE i + 1 < :rooms) "
                "INSERT INTO rooms (room_id, label, categories, capture_enabled, digest_enabled, "
                "joined_at) SELECT '!room' || i || :sfx, '', '[]', 1, 0, :at FROM n"
            ),
            {"rooms": shape.rooms, "at": stamp, "sfx": ":bench"},
        )
        if shape.cases:
            c.execute(
                text(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                    "WHERE i < :cases) "
                    "INSERT INTO cases (id, room_id, root_event_id, origin, title, state, "
                    "created_by, created_at, last_activity_at) "
                    "SELECT i, '!room' || ((i - 1) % :rooms) || :sfx, '$case' || i, "
                    "'thread', '', 'capturing', '@user' || (i % :senders) || :sfx, :at, :at "
                    "FROM n"
                ),
                {
                    "cases": shape.cases,
                    "rooms": shape.rooms,
                    "senders": shape.senders,
                    "at": stamp,
                    "sfx": ":bench",
                },
            )
        if shape.stored:
            # Old messages of the cases, in time order; `$old…` ids never collide with the
            # workload's.
            c.execute(
                text(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                    "WHERE i < :stored) "
                    "INSERT INTO messages (event_id, room_id, case_id, sender, sent_at, body, "
                    "in_reply_to, thread_root, edited, redacted) "
                    "SELECT '$old' || i || 'x' || hex(randomblob(6)), "
                    "'!room' || (((i % :cases)) % :rooms) || :sfx, (i % :cases) + 1, "
                    "'@user' || (abs(random()) % :senders) || :sfx, "
                    "strftime('%Y-%m-%d %H:%M:%S.000000', '2025-11-27', "
                    "'+' || (i / 8) || ' seconds'), "
                    ":body || ' (' || i || ')', NULL, '$case' || ((i % :cases) + 1), 0, 0 FROM n"
                ),
                {
                    "stored": shape.stored,
                    "cases": max(shape.cases, 1),
                    "rooms": shape.rooms,
                    "senders": shape.senders,
                    "body": BODIES[0],
                    "sfx": ":bench",
                },
            )


def _key(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for key, share in REACTION_KEYS:
        total += share
        if roll < total:
            return key
    return REACTION_KEYS[0][0]


def realistic_events(n: int, shape: Shape, seed_: int = 7, tag: str = "") -> list[Inbound]:
    """`n` events of the mix; `tag` keeps event ids of several runs on one database apart."""
    rng = random.Random(seed_)
    per_room = max(shape.cases // shape.rooms, 1) if shape.cases else 0
    recent: list[deque[str]] = [deque(maxlen=30) for _ in range(shape.rooms)]
    threads: list[deque[str]] = [deque(maxlen=6) for _ in range(shape.rooms)]
    events: list[Inbound] = []
    for i in range(n):
        r = rng.randrange(shape.rooms)
        room = room_id(r)
        sender = f"@user{rng.randrange(shape.senders)}:bench"
        at = T0 + timedelta(milliseconds=50 * i)
        event_id = f"${tag}e{i}"
        body = rng.choice(BODIES)
        roll = rng.random()
        if roll < 0.10 and recent[r]:
            target = rng.choice(recent[r])
            events.append(InboundReaction(room, event_id, sender, at, target, _key(rng)))
            continue
        thread_root = in_reply_to = None
        if roll < 0.18 and per_room:
            # A captured thread: one of the room's 20 most recent cases.
            k = per_room - 1 - rng.randrange(min(20, per_room))
            thread_root = case_root(k * shape.rooms + r + 1)
        elif roll < 0.48:
            # An uncaptured thread: a new one on a recent message, or a running one.
            if not threads[r] or rng.random() < 0.12:
                threads[r].append(rng.choice(recent[r]) if recent[r] else f"${tag}t{i}")
            thread_root = rng.choice(threads[r])
        elif roll < 0.63 and recent[r]:
            in_reply_to = rng.choice(recent[r])
        events.append(
            InboundMessage(
                room, event_id, sender, at, body, thread_root=thread_root, in_reply_to=in_reply_to
            )
        )
        recent[r].append(event_id)
    return events


def captured_rows(events: list[Inbound]) -> list[list[dict[str, object]]]:
    """Per event, the rows a capture stores for it (messages of the seeded cases'
    threads): what the raw floor writes."""
    out: list[list[dict[str, object]]] = []
    for e in events:
        rows: list[dict[str, object]] = []
        if isinstance(e, InboundMessage) and e.thread_root and e.thread_root.startswith("$case"):
            rows.append(
                {
                    "event_id": e.event_id,
                    "room_id": e.room_id,
                    "case_id": int(e.thread_root[5:]),
                    "sender": e.sender,
                    "sent_at": e.sent_at,
                    "body": e.body,
                    "in_reply_to": e.in_reply_to,
                    "thread_root": e.thread_root,
                    "edited": False,
                    "redacted": False,
                }
            )
        out.append(rows)
    return out


def floor_batches(events: list[Inbound], batch: int) -> Iterator[list[dict[str, object]]]:
    rows = captured_rows(events)
    for k in range(0, len(events), batch):
        yield [row for per_event in rows[k : k + batch] for row in per_event]


def write_floor(engine: Engine, events: list[Inbound], batch: int, token: bool = False) -> None:
    """The raw floor: a Core executemany of the captured rows, one transaction per batch;
    with `token`, also the sync token's upsert that DESIGN §9 commits with each batch."""
    stmt = insert(MessageRow)
    upsert = text(
        "INSERT INTO sync_state (key, value) VALUES ('next_batch', :v) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
    for k, rows in enumerate(floor_batches(events, batch)):
        with engine.begin() as connection:
            if rows:
                connection.execute(stmt, rows)
            if token:
                connection.execute(upsert, {"v": f"s{k}"})


class StatementCounter:
    """Counts the statements sent to the database (an executemany counts once), by kind."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.total = 0
        self.kinds: dict[str, int] = {}
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, _conn: object, _cursor: object, statement: str, *_args: object) -> None:
        self.total += 1
        words = statement.split()
        verb = words[0].upper() if words else ""
        if verb == "INSERT":
            kind = " ".join(words[:3])
        elif verb in {"SELECT", "UPDATE", "DELETE"}:
            # Every table read from: "SELECT cases+messages" for a UNION of two.
            tables = [
                words[k + 1]
                for k, w in enumerate(words[:-1])
                if w.upper() in {"FROM", "UPDATE"} and not words[k + 1].startswith("(")
            ]
            kind = f"{words[0]} {'+'.join(dict.fromkeys(tables)) or '?'}"
        else:
            kind = words[0] if words else "?"
        self.kinds[kind] = self.kinds.get(kind, 0) + 1

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)
