"""Capture throughput: synthetic events through the sync loop's code path into SQLite,
against a raw SQLAlchemy Core executemany of the same rows in one transaction.

Both sides report events/s over all N events (the baseline writes only the captured
rows, so it is the cheaper side). The capture path commits each sync batch with its
token, as the bot does. How big a batch is, is set by the load: a sync returns
everything that arrived since the previous one (Synapse's timeline plus the back-filled
gap), so the busier the rooms, the larger the batch. The headline batch is 1,000 (a
loaded bot); 100 (a calm one) is reported too, with the floor that one commit per batch
sets: the same Core executemany, committed every batch.

`--realistic` replays a network's workload instead (scripts/capture_mix.py): live
batches of 4 and 20 events over 50 rooms, against the same raw floor, with the SQL
statements counted, and the same path timed with 500 and 50,000 cases, and with an empty
table and 2,000,000 stored messages (flatness).

Prints one JSON line. Usage:
    .venv/bin/python scripts/bench_capture.py [--events N] [--batch 1000,100] [--rounds 2]
    .venv/bin/python scripts/bench_capture.py --realistic [--events N] [--stored 2000000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from bot.domain.models import CaseOrigin
from bot.matrix.events import (
    Inbound,
    InboundEdit,
    InboundMessage,
    InboundRedaction,
)
from bot.storage.database import Database
from bot.storage.tables import MessageRow
from scripts.bench_capture_realistic import apply_batches

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
BOT = "@capibot:bench"


def synthetic_events(n: int, rooms: int, threads_per_room: int, seed: int = 7) -> list[Inbound]:
    """80 % messages in captured threads, 20 % noise; some edits and redactions."""
    rng = random.Random(seed)
    events: list[Inbound] = []
    sent: list[InboundMessage] = []
    for i in range(n):
        room = f"!room{rng.randrange(rooms)}:bench"
        sender = f"@user{rng.randrange(200)}:bench"
        at = T0 + timedelta(milliseconds=i)
        roll = rng.random()
        if roll < 0.03 and sent:
            target = rng.choice(sent)
            events.append(
                InboundEdit(
                    target.room_id,
                    f"$edit{i}",
                    target.sender,
                    at,
                    target.event_id,
                    f"{target.body} (corrigé)",
                )
            )
        elif roll < 0.04 and sent:
            target = rng.choice(sent)
            events.append(
                InboundRedaction(target.room_id, f"$red{i}", target.sender, at, target.event_id)
            )
        elif roll < 0.84:
            thread = f"$root-{room}-{rng.randrange(threads_per_room)}"
            message = InboundMessage(
                room,
                f"$m{i}",
                sender,
                at,
                f"Message {i} : retour d'expérience sur l'atelier.",
                thread_root=thread,
            )
            sent.append(message)
            events.append(message)
        else:
            events.append(InboundMessage(room, f"$noise{i}", sender, at, f"Bruit {i}"))
    return events


def seed_cases(db: Database, rooms: int, threads_per_room: int) -> None:
    with db.transaction() as repo:
        for r in range(rooms):
            room = f"!room{r}:bench"
            for t in range(threads_per_room):
                repo.create_case(
                    room_id=room,
                    root_event_id=f"$root-{room}-{t}",
                    origin=CaseOrigin.THREAD,
                    title="",
                    created_by="@u:bench",
                    now=T0,
                )


def run_capture(
    path: Path, events: list[Inbound], batch_size: int, rooms: int, threads: int
) -> tuple[float, int]:
    db = Database.from_url(f"sqlite:///{path}")
    db.migrate()
    seed_cases(db, rooms, threads)
    elapsed, _ = apply_batches(db, events, batch_size, rooms)
    with db.transaction() as repo:
        stored = repo.count_messages()
    db.close()
    return elapsed, stored


def run_baseline(
    path: Path, events: list[Inbound], rooms: int, threads: int, commit_every: int | None
) -> float:
    """Core executemany of the captured message rows: in one transaction (the baseline),
    or committed every `commit_every` rows (the floor a commit per sync batch sets)."""
    db = Database.from_url(f"sqlite:///{path}")
    db.migrate()
    seed_cases(db, rooms, threads)
    with db.transaction() as repo:
        ids = {(c.room_id, c.root_event_id): c.id for c in repo.list_cases()}
    rows = [
        {
            "event_id": e.event_id,
            "room_id": e.room_id,
            "case_id": ids[(e.room_id, e.thread_root)],
            "sender": e.sender,
            "sent_at": e.sent_at,
            "body": e.body,
            "in_reply_to": None,
            "thread_root": e.thread_root,
            "edited": False,
            "redacted": False,
        }
        for e in events
        if isinstance(e, InboundMessage) and e.thread_root
    ]
    step = commit_every or len(rows)
    start = time.perf_counter()
    for k in range(0, len(rows), step):
        with db.engine.begin() as connection:
            connection.execute(insert(MessageRow), rows[k : k + step])
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed


def measure(events: list[Inbound], batch: int, rooms: int, threads: int, rounds: int) -> dict:
    """Best of `rounds` for each side, run alternately so both see the same machine."""
    capture_s, baseline_s, floor_s = [], [], []
    stored = 0
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            elapsed, stored = run_capture(
                Path(tmp) / f"capture{r}.db", events, batch, rooms, threads
            )
            capture_s.append(elapsed)
            baseline_s.append(
                run_baseline(Path(tmp) / f"baseline{r}.db", events, rooms, threads, None)
            )
            # One commit per sync batch: the rows of `batch` events (about 80 %).
            floor_s.append(
                run_baseline(
                    Path(tmp) / f"floor{r}.db", events, rooms, threads, max(1, batch * 4 // 5)
                )
            )
    n = len(events)
    capture, baseline, floor = n / min(capture_s), n / min(baseline_s), n / min(floor_s)
    return {
        "batch": batch,
        "stored": stored,
        "capture_events_per_s": round(capture),
        "baseline_events_per_s": round(baseline),
        "ratio": round(capture / baseline, 3),
        "commit_per_batch_floor_events_per_s": round(floor),
        "ratio_to_floor": round(capture / floor, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--realistic", action="store_true", help="the network's mix")
    parser.add_argument("--stored", type=int, default=2_000_000, help="(--realistic)")
    parser.add_argument("--events", type=int, default=None, help="100,000; 20,000 realistic")
    parser.add_argument(
        "--batch",
        default="1000,100",
        help="events per sync batch, comma-separated; the first gives the headline ratio",
    )
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--threads", type=int, default=10, help="captured threads per room")
    parser.add_argument(
        "--rounds", type=int, default=None, help="best of this many (2; 5 realistic)"
    )
    args = parser.parse_args()
    if args.realistic:
        from scripts.bench_capture_realistic import realistic

        print(json.dumps(realistic(args.events or 20_000, args.stored, args.rounds)))
        return 0
    events = synthetic_events(args.events or 100_000, args.rooms, args.threads)
    runs = [
        measure(events, int(b), args.rooms, args.threads, args.rounds)
        for b in args.batch.split(",")
    ]
    head = runs[0]
    print(
        json.dumps(
            {
                "benchmark": "capture",
                "events": len(events),
                "batch": head["batch"],
                "capture_events_per_s": head["capture_events_per_s"],
                "baseline_events_per_s": head["baseline_events_per_s"],
                "ratio": head["ratio"],
                "target_ratio": 0.5,
                "runs": runs,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
