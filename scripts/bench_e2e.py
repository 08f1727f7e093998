"""End to end, against the real Synapse: a burst of messages into a captured thread.

Alice posts `--messages` messages (default 2,000) into a thread the bot captures, keeping
`--in-flight` sends outstanding at any moment (default 10: a pool of workers, each sending
its next message as soon as the previous one is acknowledged). Two modes:

`--mode live` (the default). From the same wall-clock t0 (just before the first send),
two times are measured:

- bot: the first moment the bot's database holds every message of the burst. A thread
  polls the SQLite file (WAL mode) every `--poll` seconds with a short-lived connection,
  so this figure is late by at most one poll interval;
- no-op: the moment a nio client that does nothing but sync the same room (user bruno,
  in its own process) has seen every message of the burst.

On a small machine Synapse accepts only ~15 messages/s, so both keep up with it (ratio
1.00) and the bot's own limits are not reached: no timeline is limited, batches are a
few events each.

`--mode catch-up`: how fast the bot catches up after downtime. Once the thread is
captured the bot is stopped cleanly (SIGTERM: its stored sync token is the starting
point), the no-op client syncs once more and keeps that `next_batch`, then stays idle
while Alice sends the burst. t0 is when the last send is acknowledged: at t0 the bot
process is started again (same database and Matrix store) and the no-op client is told
(a line on its stdin) to resume from its saved token. Both then do what the bot's
`SyncLoop` does after a restart: a first sync with `timeout=0` and `full_state`, whose
timeline is limited (Synapse's default limit), back-filled with /messages in pages of
100, then long polls. bot = t0 until the database holds the whole burst; no-op = t0
until it has seen it all. The bot's figure includes its process start-up (interpreter,
imports, restoring the Matrix login and crypto store, scheduler): `bot_startup_seconds`
is t0 until its log says "capibot running" (timestamps read from its log lines), and
`bot_backfilled_seconds` t0 until it logged its first back-fill (first sync and back-fill
done, the batch not yet handled); the no-op client reports the matching
`noop_first_sync_seconds` and `noop_backfilled_seconds`. `ratio_after_startup` =
(bot − bot start-up) / no-op. `bot_import_seconds` is measured apart, after the run: the
wall time of a fresh `python -c "import bot.cli, bot.app"`. Both clients start together,
so Synapse serves their back-fills concurrently (whichever asks second may find the
events in Synapse's caches).

The no-op client syncs like the bot's `SyncLoop` (bot/matrix/sync.py), so the comparison
is like for like: no sync filter (the bot passes none, so Synapse's default timeline
limit applies), 30 s long polls from the previous `next_batch`, and every limited
timeline back-filled with /messages from its `prev_batch` back to the previous token, in
pages of 100, exactly as `SyncLoop._backfill` does. It keeps no crypto store (the room is
not encrypted); nio still parses every event as it does for the bot. What the bot does on
top (translation, the database transaction with the sync token, room snapshots, E2EE
housekeeping between syncs) is what is measured.

ratio = bot seconds / no-op seconds. Target: <= 1.1.

The local stack (Synapse + MediaWiki) is brought up in a temporary state directory of
its own and stopped afterwards, unless `--state-dir` names one (then it is started only
if needed, and stopped only if this script started it and `--keep-stack` is not given).
The bot runs as `python -m bot run` in a subprocess with its database in a temporary
directory; `--profile FILE` runs it under pyinstrument (main thread only: the database
worker thread shows up as awaited time) and writes a text report to FILE. In catch-up
mode only the restarted bot is profiled (start-up included).

Prints one JSON line. Usage:
    .venv/bin/python scripts/bench_e2e.py [--mode live|catch-up] [--messages 2000]
        [--in-flight 10] [--state-dir DIR [--keep-stack]] [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parents[1]
sys.path.insert(0, str(ROOT))

from nio import (  # noqa: E402
    AsyncClient,
    AsyncClientConfig,
    LoginResponse,
    RoomCreateResponse,
    RoomSendResponse,
)

from scripts.bench_stack import bench_stack, scratch, tail  # noqa: E402
from scripts.chat import text_content  # noqa: E402
from scripts.devstack import StackInfo  # noqa: E402
from scripts.e2e_support import (  # noqa: E402
    Figures,
    backfills,
    bot_config,
    cpu_seconds,
    import_seconds,
    lag_figures,
    logged_at,
    query,
    render_profile,
    start_bot,
    start_observer,
    stop_bot,
    wait_running,
    wait_stored,
)

SYNC_TIMEOUT_MS = 30_000  # SyncLoop's default long poll
BACKFILL_PAGE = 100  # SyncLoop's default back-fill page
CLK_TCK = os.sysconf("SC_CLK_TCK")


# -- the sender and the probes ------------------------------------------------------------


async def user_client(stack: StackInfo, role: str) -> AsyncClient:
    user = stack.user(role)
    client = AsyncClient(
        stack.homeserver,
        user.user_id(),
        config=AsyncClientConfig(store_sync_tokens=False, request_timeout=60),
    )
    response = await client.login(user.password, device_name=f"bench-e2e-{role}")
    if not isinstance(response, LoginResponse):
        raise RuntimeError(f"login of {user.user_id()}: {response}")
    return client


async def send(client: AsyncClient, room_id: str, body: str, *, thread: str | None = None) -> str:
    content = text_content(body, thread=thread)
    response = await client.room_send(
        room_id, "m.room.message", content, ignore_unverified_devices=True
    )
    if not isinstance(response, RoomSendResponse):
        raise RuntimeError(f"send: {response}")
    return str(response.event_id)


async def burst(
    client: AsyncClient,
    room_id: str,
    root: str,
    tag: str,
    messages: int,
    in_flight: int,
    sent: dict[int, float] | None = None,
) -> None:
    """`in_flight` workers share one counter: a send starts as soon as any one ends;
    `sent` gets each message's send time (just before its request)."""
    indices = iter(range(messages))

    async def worker() -> None:
        for i in indices:
            if sent is not None:
                sent[i] = time.time()
            await send(client, room_id, f"{tag} {i}", thread=root)

    await asyncio.gather(*(worker() for _ in range(in_flight)))


async def eventually(
    probe: Callable[[], Awaitable[bool]], what: str, *, within: float = 60.0
) -> None:
    deadline = time.monotonic() + within
    while not await probe():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


# -- the run -----------------------------------------------------------------------------------


async def run(
    stack: StackInfo,
    tmp: Path,
    db: Path,
    bot: subprocess.Popen[bytes],
    restart: Callable[[], subprocess.Popen[bytes]],
    args: argparse.Namespace,
) -> Figures:
    """Live: `bot` runs throughout. Catch-up: `bot` is stopped before the burst and
    `restart()` starts the one that catches up."""
    catch_up = args.mode == "catch-up"
    bot_id = stack.user("bot").user_id()
    observer = stack.user("practitioner2")
    tag = f"e2e-{secrets.token_hex(4)}"
    alice = await user_client(stack, "practitioner")
    noop: asyncio.subprocess.Process | None = None
    try:
        created = await alice.room_create(name="Rafale e2e", invite=[bot_id, observer.user_id()])
        if not isinstance(created, RoomCreateResponse):
            raise RuntimeError(f"room_create: {created}")
        room = created.room_id

        async def bot_joined() -> bool:
            members = await alice.joined_members(room)
            return bot_id in [m.user_id for m in getattr(members, "members", [])]

        await eventually(bot_joined, "the bot to join")

        noop_log = tmp / "noop.log"
        noop = await start_observer(ROOT / "scripts" / "e2e_noop_client.py", noop_log)
        assert noop.stdin is not None and noop.stdout is not None
        stdin, stdout = noop.stdin, noop.stdout

        async def tell(line: bytes) -> None:
            stdin.write(line + b"\n")
            await stdin.drain()

        async def expect(line: bytes, what: str) -> None:
            got = await asyncio.wait_for(stdout.readline(), timeout=60)
            if got.strip() != line:
                raise RuntimeError(f"no-op client: {what}: {got!r} ({tail(noop_log)})")

        spec = {
            "homeserver": stack.homeserver,
            "user_id": observer.user_id(),
            "password": observer.password,
            "room_id": room,
            "tag": tag,
            "messages": args.messages,
            "mode": args.mode,
        }
        await tell(json.dumps(spec).encode())
        if not catch_up:
            stdin.close()
        await expect(b"ready", "did not start")

        root = await send(alice, room, "Fil de la rafale")
        await send(alice, room, "!capturer Rafale", thread=root)

        async def captured() -> bool:
            return bool(query(db, "select count(*) from messages where event_id = ?", root))

        await eventually(captured, "the thread to be captured")
        await asyncio.sleep(args.settle)  # the bot's acknowledgement and capture job

        if catch_up:  # the bot goes down; the no-op client takes its starting point
            await asyncio.to_thread(stop_bot, bot)
            if not query(db, "select value from sync_state where key = 'next_batch'"):
                raise RuntimeError("the stopped bot left no sync token")
            await tell(b"mark")
            await expect(b"marked", "did not mark its token")

        burst_at = time.time()
        if catch_up:
            await burst(alice, room, root, tag, args.messages, args.in_flight)
            sent_at = time.time()
            load = os.getloadavg()[0]
            synapse_cpu0 = cpu_seconds(stack.synapse_pid)
            t0 = time.time()
            await tell(b"go")
            stdin.close()
            bot = restart()
            bot_cpu0 = bot_main0 = 0.0  # a new process: its CPU from its start
        else:
            bot_cpu0 = cpu_seconds(bot.pid)
            bot_main0 = cpu_seconds(bot.pid, bot.pid)  # the event loop's thread
            synapse_cpu0 = cpu_seconds(stack.synapse_pid)
            load = os.getloadavg()[0]
            t0 = burst_at
        deadline = time.monotonic() + args.timeout
        sent: dict[int, float] = {}
        stored_at: dict[int, float] = {}
        bot_task = asyncio.create_task(
            asyncio.to_thread(
                wait_stored, db, tag, args.messages, args.poll, deadline, bot, stored_at
            )
        )
        if not catch_up:
            await burst(alice, room, root, tag, args.messages, args.in_flight, sent)
            sent_at = time.time()
        line = await asyncio.wait_for(stdout.readline(), timeout=args.timeout)
        if not line:
            raise RuntimeError(f"no-op client failed ({tail(noop_log)})")
        noop_report = json.loads(line)
        bot_done = await bot_task
        bot_cpu = cpu_seconds(bot.pid) - bot_cpu0
        bot_main = cpu_seconds(bot.pid, bot.pid) - bot_main0
        synapse_cpu = cpu_seconds(stack.synapse_pid) - synapse_cpu0
        await noop.wait()
        return Figures(
            burst_at,
            t0,
            sent_at,
            bot_done,
            noop_report,
            bot_cpu,
            bot_main,
            synapse_cpu,
            load,
            sent,
            stored_at,
        )
    finally:
        if noop is not None and noop.returncode is None:
            noop.terminate()
            await noop.wait()
        await alice.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--mode",
        choices=["live", "catch-up"],
        default="live",
        help="live: the bot runs during the burst; catch-up: it is down and restarts after",
    )
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=10)
    parser.add_argument("--poll", type=float, default=0.01, help="database poll interval (s)")
    parser.add_argument("--settle", type=float, default=3.0, help="idle seconds once captured")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up after (s)")
    parser.add_argument("--state-dir", type=Path, help="stack state dir (default: a fresh one)")
    parser.add_argument("--keep-stack", action="store_true", help="leave the stack running")
    parser.add_argument("--profile", type=Path, help="run the bot under pyinstrument")
    args = parser.parse_args()
    catch_up = args.mode == "catch-up"

    keep = args.keep_stack and args.state_dir is not None
    figures: Figures | None = None
    with (
        bench_stack(args.state_dir, "capibot-e2e-stack-", keep=keep) as info,
        scratch("capibot-e2e-") as tmp,
    ):
        config, db = bot_config(info, tmp)
        logs = [tmp / "bot.log", tmp / "bot-restarted.log"]
        profile = args.profile.resolve() if args.profile else None
        bots = [start_bot(config, logs[0], None if catch_up else profile)]

        def restart() -> subprocess.Popen[bytes]:
            bots.append(start_bot(config, logs[1], profile))
            return bots[-1]

        try:
            wait_running(bots[0], logs[0])
            figures = asyncio.run(run(info, tmp, db, bots[0], restart, args))
        finally:
            for bot in bots:
                stop_bot(bot)
        log = logs[1] if catch_up else logs[0]
        bot_backfills, bot_backfilled = backfills(log)
        running_at = logged_at(log, "capibot running")
        backfilled_at = logged_at(log, "back-filled")
        imports = import_seconds(tmp) if catch_up else None
        if profile is not None:
            render_profile(profile)
    assert figures is not None
    noop = figures.noop
    t0 = figures.t0

    def since_t0(at: float | None) -> float | None:
        return None if at is None else round(at - t0, 2)

    bot_s = figures.bot_done - t0
    noop_s = noop["seen_at"] - t0
    result: dict[str, Any] = {
        "benchmark": "e2e",
        "mode": args.mode,
        "messages": args.messages,
        "in_flight": args.in_flight,
        # from the first send to the last acknowledgement (catch-up: all before t0)
        "send_seconds": round(figures.sent_at - figures.burst_at, 2),
        "bot_seconds": round(bot_s, 2),
        "noop_seconds": round(noop_s, 2),
        "bot_messages_per_s": round(args.messages / bot_s, 1),
        "noop_messages_per_s": round(args.messages / noop_s, 1),
        "ratio": round(bot_s / noop_s, 3),
        "target_ratio": 1.1,
    }
    if catch_up:
        assert running_at is not None  # the restarted bot logged it, or wait_stored failed
        startup = running_at - t0
        result |= {
            "ratio_after_startup": round((bot_s - startup) / noop_s, 3),
            # t0 until "capibot running": interpreter, imports, login restored, stores
            "bot_startup_seconds": round(startup, 2),
            "bot_import_seconds": round(imports or 0.0, 2),
            # t0 until the first sync and its back-fill are done (the batch not handled)
            "bot_backfilled_seconds": since_t0(backfilled_at),
            "noop_first_sync_seconds": since_t0(noop.get("first_sync_at")),
            "noop_backfilled_seconds": since_t0(noop.get("backfilled_at")),
        }
    else:
        result |= {
            # after the last send was acknowledged (the bot's figure includes up to one poll)
            "bot_lag_seconds": round(figures.bot_done - figures.sent_at, 3),
            "noop_lag_seconds": round(noop["seen_at"] - figures.sent_at, 3),
        }
        result |= lag_figures(figures.sent, figures.stored, dict(noop["seen_times"]))
    result |= {
        # CPU from t0 to done (catch-up: the restarted bot's from its start): its
        # event-loop thread and the rest (database worker)
        "bot_cpu_seconds": round(figures.bot_cpu, 2),
        "bot_cpu_loop_seconds": round(figures.bot_cpu_main, 2),
        "noop_cpu_seconds": round(noop["cpu_seconds"], 2),
        # the bot's CPU over the no-op client's, for the same burst (goal <= 1.5)
        "cpu_ratio": round(figures.bot_cpu / max(noop["cpu_seconds"], 1e-3), 2),
        "target_cpu_ratio": 1.5,
        "synapse_cpu_seconds": round(figures.synapse_cpu, 2),
        "bot_backfills": bot_backfills,
        "bot_backfilled": bot_backfilled,
        "noop_syncs": noop["syncs"],
        "noop_backfills": noop["limited"],
        "noop_backfilled": noop["backfilled"],
        "poll_seconds": args.poll,
        "load_1min_at_t0": round(figures.load, 2),
        "python": sys.version.split()[0],
    }
    if args.profile:
        result["profile"] = str(args.profile)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
