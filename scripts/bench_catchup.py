"""Catch-up after downtime, against the real Synapse: events missed across many rooms.

The bot is joined to `--rooms` rooms (default 50), each with a captured thread. It is
stopped (SIGTERM: its stored sync token is the starting point), a no-op nio client
(bruno, its own process) takes its own starting point, then Alice sends `--events`
messages into the threads, spread evenly over the rooms, 10 in flight. At t0 the bot is
started again and the no-op client told to resume; both do what `SyncLoop` does after a
restart (a first sync with `full_state`, limited timelines back-filled with /messages in
pages of 100, then long polls). bot = t0 until its database holds every message; no-op =
t0 until it has seen them all.

Keys:
- `peak_rss_ratio`: the restarted bot's peak resident memory (VmHWM, start-up and
  catch-up) over the resident memory of the same bot idle before it was stopped
  (VmRSS after start-up, capture and `--settle` seconds). Target <= 1.3.
- `ratio`: catch-up throughput after start-up over the no-op client's:
  no-op seconds / (bot seconds - bot start-up), start-up being t0 until its log says
  "capibot running". Target >= 0.9.

Scaling. The issue's figure is 100,000 missed events. Synapse (SQLite, one process)
accepts about 30 messages/s on the reference machine, so 100,000 would take about an hour
to send for one run; the default is 5,000 (`--events`), and the JSON says so
(`scaled_from`). What the scale changes: the old code held the whole catch-up in one
batch (memory growing with the events missed); the streamed one holds one room's gap and
one batch of at most 500 events, which 5,000 events over 50 rooms already exercises
(100 per room: a limited timeline and a back-fill in every room, 10 batches).

Prints one JSON line. Usage:
    .venv/bin/python scripts/bench_catchup.py [--events 5000] [--rooms 50] [--rounds 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import time
from pathlib import Path
from statistics import median
from typing import Any

SCRIPT = Path(__file__).resolve()
sys.path.insert(0, str(SCRIPT.parents[1]))

from nio import SyncResponse  # noqa: E402

from scripts.bench_e2e import eventually, send, user_client  # noqa: E402
from scripts.bench_rooms import bot_config_for, create_rooms, join_rooms, pooled, vm_mb  # noqa: E402
from scripts.bench_stack import bench_stack, scratch, tail  # noqa: E402
from scripts.devstack import StackInfo  # noqa: E402
from scripts.e2e_noop_client import SYNC_TIMEOUT_MS, _backfill, command, noop_client  # noqa: E402
from scripts.e2e_support import (  # noqa: E402
    logged_at,
    query,
    start_bot,
    start_observer,
    stop_bot,
    wait_running,
    wait_stored,
)

ISSUE_EVENTS = 100_000
COMMAND_BURST = 10  # CommandRateLimit: a burst of 10 per user, then 0.5 per second


async def observe(spec: dict[str, Any]) -> None:
    """The no-op client: sync once, say "ready", wait for "go", then sync from that token
    as `SyncLoop` does after a restart until every tagged message of every room is seen."""
    client = await noop_client(spec, "bench-catchup-noop", request_timeout=120)
    try:
        first = await client.sync(timeout=0)
        if not isinstance(first, SyncResponse):
            raise RuntimeError(f"no-op initial sync: {first}")
        since: str = first.next_batch
        print("ready", flush=True)
        await command("go")
        prefix, total = spec["tag"] + " ", int(spec["events"])
        seen: set[str] = set()
        syncs = backfilled = 0
        cpu0 = time.process_time()
        while len(seen) < total:
            response = await client.sync(
                timeout=0 if syncs == 0 else SYNC_TIMEOUT_MS,
                since=since,
                full_state=True if syncs == 0 else None,
            )
            if not isinstance(response, SyncResponse):
                raise RuntimeError(f"no-op sync: {response}")
            syncs += 1
            for room_id, info in response.rooms.join.items():
                timeline = list(info.timeline.events)
                if info.timeline.limited and info.timeline.prev_batch:
                    gap = await _backfill(client, room_id, info.timeline.prev_batch, since)
                    backfilled += len(gap)
                    timeline = gap + timeline
                for event in timeline:
                    content = getattr(event, "source", {}).get("content", {})
                    body = content.get("body") if isinstance(content, dict) else None
                    if isinstance(body, str) and body.startswith(prefix):
                        seen.add(event.event_id)
            since = response.next_batch
        report = {
            "seen_at": time.time(),
            "cpu_seconds": time.process_time() - cpu0,
            "syncs": syncs,
            "backfilled": backfilled,
        }
        print(json.dumps(report), flush=True)
    finally:
        await client.close()


async def setup(stack: StackInfo, db: Path, rooms: int) -> tuple[list[str], list[str]]:
    """Rooms joined by the bot (running) and bruno, each with a thread the bot captured."""
    alice = await user_client(stack, "practitioner")
    try:
        room_ids = await create_rooms(alice, rooms, "Rattrapage")
        await join_rooms(stack, stack.user("bot"), room_ids)
        await join_rooms(stack, stack.user("practitioner2"), room_ids)

        roots = await pooled(room_ids, lambda room_id: send(alice, room_id, "Fil à rattraper"))
        for n, (room_id, root) in enumerate(zip(room_ids, roots, strict=True)):
            if n >= COMMAND_BURST:  # the bot's command rate limit: 10, then one per 2 s
                await asyncio.sleep(2.1)
            await send(alice, room_id, "!capturer Rattrapage", thread=root)

        async def captured() -> bool:
            return int(query(db, "select count(*) from cases") or 0) >= rooms

        await eventually(captured, "every thread to be captured", within=300)
        return room_ids, roots
    finally:
        await alice.close()


async def missed_burst(
    stack: StackInfo, room_ids: list[str], roots: list[str], tag: str, events: int
) -> None:
    alice = await user_client(stack, "practitioner")
    try:

        async def one(i: int) -> None:
            r = i % len(room_ids)
            await send(alice, room_ids[r], f"{tag} {i}", thread=roots[r])

        await pooled(range(events), one, in_flight=10)
    finally:
        await alice.close()


async def one_round(
    stack: StackInfo,
    tmp: Path,
    config: Path,
    db: Path,
    bot: Any,
    rooms: tuple[list[str], list[str]],
    args: argparse.Namespace,
    n: int,
) -> tuple[dict[str, Any], Any]:
    """Idle figure of the running bot, stop, burst, restart: the round's figures and the
    restarted bot (running)."""
    await asyncio.sleep(args.settle)
    idle_rss = vm_mb(bot.pid, "VmRSS")
    await asyncio.to_thread(stop_bot, bot)
    tag = f"catchup-{secrets.token_hex(4)}"
    noop_log = tmp / f"noop-{n}.log"
    noop = await start_observer(SCRIPT, noop_log)
    assert noop.stdin is not None and noop.stdout is not None
    observer = stack.user("practitioner2")
    spec = {
        "homeserver": stack.homeserver,
        "user_id": observer.user_id(),
        "password": observer.password,
        "tag": tag,
        "events": args.events,
    }
    noop.stdin.write(json.dumps(spec).encode() + b"\n")
    await noop.stdin.drain()
    if (await asyncio.wait_for(noop.stdout.readline(), 120)).strip() != b"ready":
        raise RuntimeError(f"no-op client did not start: {tail(noop_log)}")
    sent0 = time.time()
    await missed_burst(stack, *rooms, tag, args.events)
    send_seconds = time.time() - sent0
    load = os.getloadavg()[0]
    log = tmp / f"bot-{n}.log"
    t0 = time.time()
    noop.stdin.write(b"go\n")
    await noop.stdin.drain()
    noop.stdin.close()
    bot = start_bot(config, log, None)
    deadline = time.monotonic() + args.timeout
    bot_done = await asyncio.to_thread(wait_stored, db, tag, args.events, 0.05, deadline, bot)
    peak = vm_mb(bot.pid, "VmHWM")
    after = vm_mb(bot.pid, "VmRSS")
    line = await asyncio.wait_for(noop.stdout.readline(), timeout=args.timeout)
    if not line:
        raise RuntimeError(f"no-op client failed: {tail(noop_log)}")
    report = json.loads(line)
    await noop.wait()
    running_at = logged_at(log, "capibot running")
    assert running_at is not None
    startup = running_at - t0
    bot_s, noop_s = bot_done - t0, report["seen_at"] - t0
    return {
        "idle_rss_mb": round(idle_rss, 1),
        "peak_rss_mb": round(peak, 1),
        "rss_after_mb": round(after, 1),
        "peak_rss_ratio": round(peak / idle_rss, 3),
        "send_seconds": round(send_seconds, 1),
        "bot_seconds": round(bot_s, 2),
        "bot_startup_seconds": round(startup, 2),
        "noop_seconds": round(noop_s, 2),
        "ratio": round(noop_s / (bot_s - startup), 3),
        "noop_backfilled": report["backfilled"],
        "bot_backfills": log.read_text(errors="replace").count("back-filled"),
        "load_1min_at_t0": round(load, 2),
    }, bot


async def run(stack: StackInfo, tmp: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    config, db = bot_config_for(stack, tmp / "bot")
    bot = start_bot(config, tmp / "bot-0.log", None)
    try:
        await asyncio.to_thread(wait_running, bot, tmp / "bot-0.log")
        rooms = await setup(stack, db, args.rooms)
        rounds = []
        for n in range(1, args.rounds + 1):
            figures, bot = await one_round(stack, tmp, config, db, bot, rooms, args, n)
            rounds.append(figures)
        return rounds
    finally:
        stop_bot(bot)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--settle", type=float, default=5.0, help="idle seconds before stopping")
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--observe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.observe:
        asyncio.run(observe(json.loads(sys.stdin.readline())))
        return 0
    with (
        bench_stack(None, "capibot-catchup-stack-") as info,
        scratch("capibot-catchup-") as tmp,
    ):
        rounds = asyncio.run(run(info, tmp, args))
    result = {
        "benchmark": "catchup",
        "events": args.events,
        "rooms": args.rooms,
        "scaled_from": ISSUE_EVENTS,
        "rounds": args.rounds,
        "peak_rss_ratio": median(r["peak_rss_ratio"] for r in rounds),
        "target_peak_rss_ratio": 1.3,
        "ratio": median(r["ratio"] for r in rounds),
        "target_ratio": 0.9,
        "runs": rounds,
        "python": sys.version.split()[0],
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
