"""End to end, against the real Synapse: a burst of messages into a captured thread.

Alice posts `--messages` messages (default 2,000) into a thread the bot captures, keeping
`--in-flight` sends outstanding at any moment (default 10: a pool of workers, each sending
its next message as soon as the previous one is acknowledged). From the same wall-clock
t0 (just before the first send), two times are measured:

- bot: the first moment the bot's database holds every message of the burst. A thread
  polls the SQLite file (WAL mode) every `--poll` seconds with a short-lived connection,
  so this figure is late by at most one poll interval;
- no-op: the moment a nio client that does nothing but sync the same room (user bruno,
  in its own process) has seen every message of the burst.

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
worker thread shows up as awaited time) and writes a text report to FILE.

Prints one JSON line. Usage:
    .venv/bin/python scripts/bench_e2e.py [--messages 2000] [--in-flight 10]
        [--state-dir DIR [--keep-stack]] [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import pstats
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parents[1]
sys.path.insert(0, str(ROOT))

from nio import (  # noqa: E402
    AsyncClient,
    AsyncClientConfig,
    JoinResponse,
    LoginResponse,
    MessageDirection,
    RoomCreateResponse,
    RoomMessagesResponse,
    RoomSendResponse,
    SyncResponse,
)

from scripts.devstack import Stack, StackInfo  # noqa: E402

SYNC_TIMEOUT_MS = 30_000  # SyncLoop's default long poll
BACKFILL_PAGE = 100  # SyncLoop's default back-fill page
CLK_TCK = os.sysconf("SC_CLK_TCK")


# -- the no-op client (runs in its own process: `bench_e2e.py --observe`) -------------------


async def _backfill(client: AsyncClient, room_id: str, prev_batch: str, since: str) -> list[Any]:
    """The events between `since` and a limited timeline's start, oldest first: the same
    requests as `SyncLoop._backfill`."""
    newest_first: list[Any] = []
    start = prev_batch
    while True:
        response = await client.room_messages(
            room_id, start=start, end=since, direction=MessageDirection.back, limit=BACKFILL_PAGE
        )
        if not isinstance(response, RoomMessagesResponse):
            raise RuntimeError(f"back-fill of {room_id}: {response}")
        newest_first.extend(response.chunk)
        if not response.chunk or not response.end or response.end == start:
            break
        start = response.end
    newest_first.reverse()
    return newest_first


async def observe(spec: dict[str, Any]) -> None:
    """Join the room, sync once, say "ready", then sync until every burst message is seen."""
    client = AsyncClient(
        spec["homeserver"],
        spec["user_id"],
        config=AsyncClientConfig(store_sync_tokens=False, max_timeouts=3, request_timeout=60),
    )
    try:
        login = await client.login(spec["password"], device_name="bench-e2e-noop")
        if not isinstance(login, LoginResponse):
            raise RuntimeError(f"no-op login: {login}")
        joined = await client.join(spec["room_id"])
        if not isinstance(joined, JoinResponse):
            raise RuntimeError(f"no-op join: {joined}")
        first = await client.sync(timeout=0)
        if not isinstance(first, SyncResponse):
            raise RuntimeError(f"no-op initial sync: {first}")
        since: str = first.next_batch
        print("ready", flush=True)

        prefix = spec["tag"] + " "
        total = int(spec["messages"])
        seen: set[str] = set()
        syncs = limited = backfilled = 0
        cpu0 = time.process_time()
        while len(seen) < total:
            response = await client.sync(timeout=SYNC_TIMEOUT_MS, since=since)
            if not isinstance(response, SyncResponse):
                raise RuntimeError(f"no-op sync: {response}")
            syncs += 1
            for room_id, info in response.rooms.join.items():
                timeline = list(info.timeline.events)
                if info.timeline.limited and info.timeline.prev_batch:
                    limited += 1
                    gap = await _backfill(client, room_id, info.timeline.prev_batch, since)
                    backfilled += len(gap)
                    timeline = gap + timeline
                if room_id != spec["room_id"]:
                    continue
                for event in timeline:
                    content = getattr(event, "source", {}).get("content", {})
                    body = content.get("body") if isinstance(content, dict) else None
                    if isinstance(body, str) and body.startswith(prefix):
                        seen.add(event.event_id)
            since = response.next_batch
        done = time.time()
        report = {
            "seen_at": done,
            "cpu_seconds": time.process_time() - cpu0,
            "syncs": syncs,
            "limited": limited,
            "backfilled": backfilled,
        }
        print(json.dumps(report), flush=True)
    finally:
        await client.close()


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
    content: dict[str, Any] = {"msgtype": "m.text", "body": body}
    if thread:
        content["m.relates_to"] = {
            "rel_type": "m.thread",
            "event_id": thread,
            "is_falling_back": True,
            "m.in_reply_to": {"event_id": thread},
        }
    response = await client.room_send(
        room_id, "m.room.message", content, ignore_unverified_devices=True
    )
    if not isinstance(response, RoomSendResponse):
        raise RuntimeError(f"send: {response}")
    return str(response.event_id)


async def burst(
    client: AsyncClient, room_id: str, root: str, tag: str, messages: int, in_flight: int
) -> None:
    """`in_flight` workers share one counter: a send starts as soon as any one ends."""
    indices = iter(range(messages))

    async def worker() -> None:
        for i in indices:
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


def query(db: Path, sql: str, *params: object) -> Any:
    """One value, read with a short-lived connection (None if the table is not there yet)."""
    try:
        connection = sqlite3.connect(db, timeout=5)
    except sqlite3.Error:
        return None
    try:
        row = connection.execute(sql, params).fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return row[0] if row else None


def stored(db: Path, tag: str) -> int:
    count = query(db, "select count(*) from messages where body like ?", f"{tag} %")
    return int(count or 0)


def wait_stored(db: Path, tag: str, messages: int, poll: float, deadline: float) -> float:
    """In a thread: the wall-clock time of the first poll that finds the whole burst."""
    while True:
        if stored(db, tag) >= messages:
            return time.time()
        if time.monotonic() > deadline:
            raise TimeoutError(f"bot stored {stored(db, tag)}/{messages}")
        time.sleep(poll)


def cpu_seconds(pid: int | None, task: int | None = None) -> float:
    """utime + stime of a live process, or of one of its threads (0 if it is gone)."""
    if pid is None:
        return 0.0
    path = f"/proc/{pid}/task/{task}/stat" if task is not None else f"/proc/{pid}/stat"
    try:
        fields = Path(path).read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


# -- the run -----------------------------------------------------------------------------------


@dataclass
class Figures:
    t0: float
    sent_at: float
    bot_done: float
    noop: dict[str, Any]
    bot_cpu: float
    bot_cpu_main: float
    synapse_cpu: float
    load: float


def bot_config(stack: StackInfo, tmp: Path) -> tuple[Path, Path]:
    data = tmp / "data"
    data.mkdir()
    db = data / "capibot.db"
    text = stack.config_path.read_text()
    text = text.replace(str(Path(stack.state_dir) / "bot"), str(data))
    text = re.sub(r'(?m)^url = ".*"$', f'url = "sqlite:///{db}"', text)
    config = tmp / "capibot.toml"
    config.write_text(text)
    config.chmod(0o600)
    return config, db


def start_bot(config: Path, log: Path, profile: Path | None) -> subprocess.Popen[bytes]:
    argv = [sys.executable]
    if profile is not None:
        session = profile.with_suffix(".pyisession")
        argv += ["-m", "pyinstrument", "-r", "pyisession", "-o", str(session)]
    argv += ["-m", "bot", "run", "--config", str(config)]
    with log.open("ab") as out:
        # cwd: a directory without a `bot/` in it, which would shadow the package
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=config.parent)


def stop_bot(bot: subprocess.Popen[bytes]) -> None:
    if bot.poll() is None:
        bot.send_signal(signal.SIGTERM)  # run_bot stops cleanly; pyinstrument then saves
        try:
            bot.wait(timeout=120)
        except subprocess.TimeoutExpired:
            bot.kill()
            bot.wait()


def render_profile(profile: Path) -> None:
    """pyinstrument's own text report, then the 40 heaviest calls by cumulative time (the
    text report folds library frames away; they matter here). The session file is kept
    next to FILE for `pyinstrument --load=...` with other options."""
    session = profile.with_suffix(".pyisession")
    if not session.exists():
        raise RuntimeError(f"pyinstrument wrote no session to {session}")
    stats = profile.with_suffix(".pstats")
    load = [sys.executable, "-m", "pyinstrument", f"--load={session}"]
    with profile.open("w") as out:
        subprocess.run([*load, "-r", "text", "--no-color"], stdout=out, check=True)
    subprocess.run([*load, "-r", "pstats", "-o", str(stats)], stdout=subprocess.DEVNULL, check=True)
    listing = io.StringIO()
    pstats.Stats(str(stats), stream=listing).sort_stats("cumulative").print_stats(40)
    with profile.open("a") as out:
        out.write("\nHeaviest calls, cumulative seconds (pyinstrument counts no calls):\n")
        out.write(listing.getvalue())
    stats.unlink()


async def run(
    stack: StackInfo,
    tmp: Path,
    db: Path,
    bot: subprocess.Popen[bytes],
    args: argparse.Namespace,
) -> Figures:
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
        with noop_log.open("wb") as noop_err:
            noop = await asyncio.create_subprocess_exec(
                sys.executable,
                str(SCRIPT),
                "--observe",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=noop_err,
                cwd=tmp,
            )
        assert noop.stdin is not None and noop.stdout is not None
        spec = {
            "homeserver": stack.homeserver,
            "user_id": observer.user_id(),
            "password": observer.password,
            "room_id": room,
            "tag": tag,
            "messages": args.messages,
        }
        noop.stdin.write(json.dumps(spec).encode() + b"\n")
        await noop.stdin.drain()
        noop.stdin.close()
        ready = await asyncio.wait_for(noop.stdout.readline(), timeout=60)
        if ready.strip() != b"ready":
            raise RuntimeError(f"no-op client did not start: {ready!r} ({tail(noop_log)})")

        root = await send(alice, room, "Fil de la rafale")
        await send(alice, room, "!capturer Rafale", thread=root)

        async def captured() -> bool:
            return bool(query(db, "select count(*) from messages where event_id = ?", root))

        await eventually(captured, "the thread to be captured")
        await asyncio.sleep(args.settle)  # the bot's acknowledgement and capture job

        deadline = time.monotonic() + args.timeout
        bot_cpu0 = cpu_seconds(bot.pid)
        bot_main0 = cpu_seconds(bot.pid, bot.pid)  # the event loop's thread
        synapse_cpu0 = cpu_seconds(stack.synapse_pid)
        load = os.getloadavg()[0]
        t0 = time.time()
        bot_task = asyncio.create_task(
            asyncio.to_thread(wait_stored, db, tag, args.messages, args.poll, deadline)
        )
        await burst(alice, room, root, tag, args.messages, args.in_flight)
        sent_at = time.time()
        line = await asyncio.wait_for(noop.stdout.readline(), timeout=args.timeout)
        if not line:
            raise RuntimeError(f"no-op client failed ({tail(noop_log)})")
        noop_report = json.loads(line)
        bot_done = await bot_task
        bot_cpu = cpu_seconds(bot.pid) - bot_cpu0
        bot_main = cpu_seconds(bot.pid, bot.pid) - bot_main0
        synapse_cpu = cpu_seconds(stack.synapse_pid) - synapse_cpu0
        await noop.wait()
        return Figures(t0, sent_at, bot_done, noop_report, bot_cpu, bot_main, synapse_cpu, load)
    finally:
        if noop is not None and noop.returncode is None:
            noop.terminate()
            await noop.wait()
        await alice.close()


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


def wait_running(bot: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while "capibot running" not in log.read_text(errors="replace"):
        if bot.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the bot did not start")
        time.sleep(0.2)


def backfills(log: Path) -> tuple[int, int]:
    """(back-fills, events back-filled) from the bot's log."""
    found = re.findall(r"back-filled (\d+) events", log.read_text(errors="replace"))
    return len(found), sum(int(n) for n in found)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=10)
    parser.add_argument("--poll", type=float, default=0.05, help="database poll interval (s)")
    parser.add_argument("--settle", type=float, default=3.0, help="idle seconds before t0")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up after (s)")
    parser.add_argument("--state-dir", type=Path, help="stack state dir (default: a fresh one)")
    parser.add_argument("--keep-stack", action="store_true", help="leave the stack running")
    parser.add_argument("--profile", type=Path, help="run the bot under pyinstrument")
    parser.add_argument("--observe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.observe:  # the no-op client's process; its spec comes on stdin
        asyncio.run(observe(json.loads(sys.stdin.readline())))
        return 0

    own_state = args.state_dir is None
    state_dir = Path(tempfile.mkdtemp(prefix="capibot-e2e-stack-")) if own_state else args.state_dir
    stack = Stack(state_dir)
    started_stack = not all(stack.status().values())
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries the JSON line only
        info = stack.up()
    figures: Figures | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="capibot-e2e-") as tmp:
            config, db = bot_config(info, Path(tmp))
            log = Path(tmp) / "bot.log"
            profile = args.profile.resolve() if args.profile else None
            bot = start_bot(config, log, profile)
            try:
                wait_running(bot, log)
                figures = asyncio.run(run(info, Path(tmp), db, bot, args))
            except BaseException:
                sys.stderr.write(tail(log))
                raise
            finally:
                stop_bot(bot)
            bot_backfills, bot_backfilled = backfills(log)
            if profile is not None:
                render_profile(profile)
    finally:
        if started_stack and not (args.keep_stack and not own_state):
            stack.down()
        if own_state:
            shutil.rmtree(state_dir, ignore_errors=True)
    assert figures is not None
    bot_s = figures.bot_done - figures.t0
    noop_s = figures.noop["seen_at"] - figures.t0
    result: dict[str, Any] = {
        "benchmark": "e2e",
        "messages": args.messages,
        "in_flight": args.in_flight,
        "send_seconds": round(figures.sent_at - figures.t0, 2),
        "bot_seconds": round(bot_s, 2),
        "noop_seconds": round(noop_s, 2),
        "bot_messages_per_s": round(args.messages / bot_s, 1),
        "noop_messages_per_s": round(args.messages / noop_s, 1),
        "ratio": round(bot_s / noop_s, 3),
        "target_ratio": 1.1,
        # after the last send was acknowledged (the bot's figure includes up to one poll)
        "bot_lag_seconds": round(figures.bot_done - figures.sent_at, 3),
        "noop_lag_seconds": round(figures.noop["seen_at"] - figures.sent_at, 3),
        # CPU from t0 to done: the bot's event-loop thread and the rest (database worker)
        "bot_cpu_seconds": round(figures.bot_cpu, 2),
        "bot_cpu_loop_seconds": round(figures.bot_cpu_main, 2),
        "noop_cpu_seconds": round(figures.noop["cpu_seconds"], 2),
        "synapse_cpu_seconds": round(figures.synapse_cpu, 2),
        "bot_backfills": bot_backfills,
        "bot_backfilled": bot_backfilled,
        "noop_syncs": figures.noop["syncs"],
        "noop_backfills": figures.noop["limited"],
        "noop_backfilled": figures.noop["backfilled"],
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
