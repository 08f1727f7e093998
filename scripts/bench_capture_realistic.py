"""`bench_capture.py --realistic`: the capture path on a network's workload.

Every figure is a ratio measured in the same run, rounds alternating between the sides:
- `ratio_to_floor`: the bot's path (`InboundService.apply`, one transaction per sync
  batch with its token) over a raw Core executemany of the rows it stores, committed at
  the same cadence (batches of 4 and 20 events; the goal is at 20); per batch, also over
  that floor plus the token's upsert (`ratio_to_floor_with_token`);
- `statements_per_event`: SQL statements sent per event (SQLAlchemy's
  `before_cursor_execute`; an executemany counts once, BEGIN counts), counted, not timed;
- `flatness_cases`: throughput with 50,000 cases over throughput with 500;
- `flatness_rows`: throughput with `stored` messages already in the table over an empty
  one (5,000 cases both).
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.inbound import InboundService
from bot.matrix.events import Inbound, RoomSnapshot, SyncBatch
from bot.settings import Settings
from bot.storage.database import Database
from scripts.capture_mix import (
    BOT,
    T0,
    Shape,
    StatementCounter,
    realistic_events,
    room_id,
    seed,
    write_floor,
)


def apply_batches(
    db: Database, events: list[Inbound], batch: int, rooms: int, tag: str = ""
) -> tuple[float, float]:
    """The sync loop's path: each batch applied and committed with its token; (seconds,
    CPU seconds)."""
    settings = Settings.model_validate({"matrix": {"user_id": BOT}})
    service = InboundService(settings, BOT, lambda: T0)
    snapshots = {room_id(r): RoomSnapshot(room_id=room_id(r)) for r in range(rooms)}
    start, cpu = time.perf_counter(), time.process_time()
    for k in range(0, len(events), batch):
        sync = SyncBatch(
            next_batch=f"s{tag}{k}",
            initial=False,
            events=tuple(events[k : k + batch]),
            rooms=snapshots,
        )
        with db.transaction() as repo:
            service.apply(repo, sync)
    return time.perf_counter() - start, time.process_time() - cpu


def template(directory: Path, name: str, shape: Shape) -> Path:
    """A migrated, seeded database file to copy for each run."""
    path = directory / f"{name}.db"
    db = Database.from_url(f"sqlite:///{path}")
    db.migrate()
    seed(db.engine, shape)
    db.close()  # checkpoints the WAL into the file
    return path


def fresh(source: Path, directory: Path, name: str) -> Database:
    path = directory / f"{name}.db"
    shutil.copy(source, path)
    return Database.from_url(f"sqlite:///{path}")


def realistic(n: int, stored: int, rounds: int | None) -> dict[str, Any]:
    rounds = rounds or 5
    base = Shape()
    events = realistic_events(n, base)
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        t = time.perf_counter()
        templates = {
            "base": template(d, "base", base),
            "few": template(d, "few", Shape(cases=500)),
            "many": template(d, "many", Shape(cases=50_000)),
        }
        seeded_s = time.perf_counter() - t
        t = time.perf_counter()
        big = fresh(template(d, "big", Shape(stored=stored)), d, "big-run")
        seed_rows_s = time.perf_counter() - t
        few_events = realistic_events(n, Shape(cases=500))
        many_events = realistic_events(n, Shape(cases=50_000))
        times: dict[str, list[float]] = {}
        cpu_times: dict[str, list[float]] = {}

        def timed(key: str, seconds: tuple[float, float]) -> None:
            times.setdefault(key, []).append(seconds[0])
            cpu_times.setdefault(key, []).append(seconds[1])

        for r in range(rounds):
            for b in (20, 4):
                db = fresh(templates["base"], d, f"bot{b}-{r}")
                timed(f"bot{b}", apply_batches(db, events, b, base.rooms))
                db.close()
                db = fresh(templates["base"], d, f"floor{b}-{r}")
                timed(f"floor{b}", _floor(db, events, b))
                db.close()
                db = fresh(templates["base"], d, f"token{b}-{r}")
                timed(f"token{b}", _floor(db, events, b, token=True))
                db.close()
            for key, shape, evs in (
                ("few", Shape(cases=500), few_events),
                ("many", Shape(cases=50_000), many_events),
            ):
                db = fresh(templates[key], d, f"{key}-{r}")
                timed(key, apply_batches(db, evs, 20, shape.rooms))
                db.close()
            # The big table is reused: each round's events get their own ids.
            timed(
                "big", apply_batches(big, realistic_events(n, base, tag=f"r{r}"), 20, 50, f"r{r}")
            )
        statements = {b: _count(templates["base"], d, events, b) for b in (20, 4)}
        big.close()
    best = {key: n / min(seconds) for key, seconds in times.items()}
    median = {key: n / statistics.median(seconds) for key, seconds in times.items()}
    cpu = {key: n / min(seconds) for key, seconds in cpu_times.items()}
    runs = [
        {
            "batch": b,
            "bot_events_per_s": round(best[f"bot{b}"]),
            "floor_events_per_s": round(best[f"floor{b}"]),
            "ratio_to_floor": round(best[f"bot{b}"] / best[f"floor{b}"], 3),
            "ratio_to_floor_median": round(median[f"bot{b}"] / median[f"floor{b}"], 3),
            "ratio_to_floor_cpu": round(cpu[f"bot{b}"] / cpu[f"floor{b}"], 3),
            # The same floor plus the sync token's upsert, which the bot cannot skip.
            "floor_with_token_events_per_s": round(best[f"token{b}"]),
            "ratio_to_floor_with_token": round(best[f"bot{b}"] / best[f"token{b}"], 3),
            "statements_per_event": statements[b][0],
            "statements": statements[b][1],
        }
        for b in (20, 4)
    ]
    return {
        "benchmark": "capture",
        "mode": "realistic",
        "events": n,
        "rooms": base.rooms,
        "cases": base.cases,
        "ratio_to_floor": runs[0]["ratio_to_floor"],
        "statements_per_event": runs[0]["statements_per_event"],
        "flatness_cases": round(best["many"] / best["few"], 3),
        "flatness_rows": round(best["big"] / best["bot20"], 3),
        "targets": {
            "ratio_to_floor": 0.7,
            "statements_per_event": 0.3,
            "flatness_cases": 0.8,
            "flatness_rows": 0.7,
        },
        "cpu": {  # the same figures from CPU time: less shaken by the machine's other load
            "ratio_to_floor": runs[0]["ratio_to_floor_cpu"],
            "flatness_cases": round(cpu["many"] / cpu["few"], 3),
            "flatness_rows": round(cpu["big"] / cpu["bot20"], 3),
        },
        "runs": runs,
        "events_per_s": {
            "cases_500": round(best["few"]),
            "cases_50000": round(best["many"]),
            "stored_0": round(best["bot20"]),
            f"stored_{stored}": round(best["big"]),
        },
        "stored": stored,
        "seed_seconds": {"cases": round(seeded_s, 1), "stored_rows": round(seed_rows_s, 1)},
        "rounds": rounds,
        "load_1min": [round(load_start, 2), round(os.getloadavg()[0], 2)],
        "python": sys.version.split()[0],
    }


def _floor(
    db: Database, events: list[Inbound], batch: int, token: bool = False
) -> tuple[float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    write_floor(db.engine, events, batch, token)
    return time.perf_counter() - start, time.process_time() - cpu


def _count(source: Path, d: Path, events: list[Inbound], batch: int) -> tuple[float, dict]:
    """Statements per event on a fresh copy (the cache starts cold, as after a restart)."""
    db = fresh(source, d, f"count{batch}")
    counter = StatementCounter(db.engine)
    apply_batches(db, events, batch, 50)
    counter.close()
    db.close()
    kinds = dict(sorted(counter.kinds.items(), key=lambda kv: -kv[1]))
    return round(counter.total / len(events), 3), kinds
