"""`bench_memory.py --joined N`: the bot actually joined to N rooms of the real Synapse.

On a fresh stack of its own, Alice creates N public rooms; the bot's account joins all of
them, a second bot account (`capibot10`, its own process, database and Matrix store)
joins the first 10. Both bots are started; the big one's database is also filled as in
the default mode (`--rooms` rooms, `--messages` messages). Once both have stored their
first sync (every joined room, with its full state) and `--settle` idle seconds passed,
`rss_mb` is the big bot's VmRSS. Target <= 150.

Then Alice opens a thread in the first room and says `!capturer` (both bots capture
it), and sends `--rounds` bursts of `--burst` messages into it, 10 in flight. For each
burst and each bot: its CPU (utime + stime of the whole process, from /proc) from just
before the burst until its database holds the whole burst, divided by the messages.
`cpu_ratio` is the median over the bursts of (per-event CPU with N idle joined rooms)
over (per-event CPU with 10). Both bots see the same burst at the same time, so the load
of the machine and of Synapse is the same for both. Target <= 1.2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any

from scripts.bench_e2e import eventually, send, user_client
from scripts.bench_rooms import (
    bot_config_for,
    create_rooms,
    extra_bot,
    join_rooms,
    pooled,
    vm_mb,
)
from scripts.bench_stack import bench_stack, scratch
from scripts.devstack import StackInfo
from scripts.e2e_support import (
    cpu_seconds,
    query,
    start_bot,
    stop_bot,
    wait_running,
    wait_stored,
)

SMALL = 10


async def measure(
    stack: StackInfo,
    tmp: Path,
    args: argparse.Namespace,
    fill: Callable[[str, int, int], None],
) -> dict[str, Any]:
    alice = await user_client(stack, "practitioner")
    bots: list[Any] = []
    try:
        started = time.monotonic()
        room_ids = await create_rooms(alice, args.joined, "Salon calme")
        created_s = time.monotonic() - started
        small_user = extra_bot(stack, f"capibot{SMALL}")
        await join_rooms(stack, stack.user("bot"), room_ids)
        await join_rooms(stack, small_user, room_ids[:SMALL])
        joined_s = time.monotonic() - started - created_s

        big_config, big_db = bot_config_for(stack, tmp / "big")
        small_config, small_db = bot_config_for(stack, tmp / "small", small_user)
        await asyncio.to_thread(
            fill, f"sqlite:///{big_db}", args.rooms, args.messages
        )  # as the default mode: the database is not loaded into memory
        logs = [tmp / "big.log", tmp / "small.log"]
        for config, log in zip((big_config, small_config), logs, strict=True):
            bots.append(start_bot(config, log, None))
        for bot, log in zip(bots, logs, strict=True):
            await asyncio.to_thread(wait_running, bot, log)
        for db in (big_db, small_db):

            async def synced(db: Path = db) -> bool:
                return bool(query(db, "select value from sync_state where key = 'next_batch'"))

            await eventually(synced, "a first sync", within=600)
        await asyncio.sleep(args.settle)
        rss = vm_mb(bots[0].pid, "VmRSS")
        small_rss = vm_mb(bots[1].pid, "VmRSS")

        root = await send(alice, room_ids[0], "Fil de mesure")
        await send(alice, room_ids[0], "!capturer Mesure", thread=root)
        for db in (big_db, small_db):

            async def captured(db: Path = db) -> bool:
                return bool(query(db, "select count(*) from messages where event_id = ?", root))

            await eventually(captured, "the thread to be captured", within=120)
        await asyncio.sleep(3)  # acknowledgements sent

        rounds = []
        for _ in range(args.rounds):
            tag = f"mem-{secrets.token_hex(4)}"
            load = os.getloadavg()[0]
            cpu0 = [cpu_seconds(bot.pid) for bot in bots]
            await pooled(
                range(args.burst),
                lambda i, tag=tag: send(alice, room_ids[0], f"{tag} {i}", thread=root),
                in_flight=10,
            )
            cpus = []
            for bot, db, c0 in zip(bots, (big_db, small_db), cpu0, strict=True):
                deadline = time.monotonic() + 300
                await asyncio.to_thread(wait_stored, db, tag, args.burst, 0.05, deadline, bot)
                cpus.append(cpu_seconds(bot.pid) - c0)
            rounds.append(
                {
                    "big_cpu_ms_per_event": round(1000 * cpus[0] / args.burst, 3),
                    "small_cpu_ms_per_event": round(1000 * cpus[1] / args.burst, 3),
                    "cpu_ratio": round(cpus[0] / cpus[1], 3),
                    "load_1min": round(load, 2),
                }
            )
        return {
            "rss_mb": round(rss, 1),
            "small_bot_rss_mb": round(small_rss, 1),
            "cpu_ratio": median(r["cpu_ratio"] for r in rounds),
            "runs": rounds,
            "create_rooms_seconds": round(created_s, 1),
            "join_rooms_seconds": round(joined_s, 1),
        }
    finally:
        for bot in bots:
            stop_bot(bot)
        await alice.close()


def main_joined(args: argparse.Namespace, fill: Callable[[str, int, int], None]) -> int:
    with (
        bench_stack(None, "capibot-memory-stack-") as info,
        scratch("capibot-memory-") as tmp,
    ):
        figures = asyncio.run(measure(info, tmp, args, fill))
    result = {
        "benchmark": "memory",
        "joined": args.joined,
        "compared_with_joined": SMALL,
        "rooms": args.rooms,
        "messages": args.messages,
        "rss_mb": figures.pop("rss_mb"),
        "target_mb": 150,
        "cpu_ratio": figures.pop("cpu_ratio"),
        "target_cpu_ratio": 1.2,
        "burst": args.burst,
        **figures,
        "python": sys.version.split()[0],
    }
    print(json.dumps(result))
    return 0
