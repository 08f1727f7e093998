"""What the end-to-end benchmarks measure with: the no-op client's process, the bot's
database and process, CPU time, log times."""

from __future__ import annotations

import asyncio
import io
import os
import pstats
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from scripts.devstack import StackInfo
from scripts.devstack.procs import terminate

CLK_TCK = os.sysconf("SC_CLK_TCK")
ROOT = Path(__file__).resolve().parents[1]


async def start_observer(script: Path, log: Path) -> asyncio.subprocess.Process:
    """The no-op client's process, `script --observe` in the log's directory with its
    stderr in `log`; its spec goes on its stdin, its reports come on its stdout."""
    with log.open("wb") as err:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            str(script),
            "--observe",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
            cwd=log.parent,
        )


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


def newly_stored(db: Path, tag: str, after: int) -> list[tuple[int, str]]:
    """(rowid, body) of the burst's rows stored after rowid `after`."""
    try:
        connection = sqlite3.connect(db, timeout=5)
    except sqlite3.Error:
        return []
    try:
        sql = "select rowid, body from messages where rowid > ? and body like ?"
        return [(int(r), str(b)) for r, b in connection.execute(sql, (after, f"{tag} %"))]
    except sqlite3.Error:
        return []
    finally:
        connection.close()


def wait_stored(
    db: Path,
    tag: str,
    messages: int,
    poll: float,
    deadline: float,
    bot: subprocess.Popen[bytes],
    stored_at: dict[int, float] | None = None,
) -> float:
    """In a thread: the wall-clock time of the first poll that finds the whole burst;
    `stored_at` gets each message's first poll that found it (late by up to `poll`)."""
    last = 0
    while True:
        if stored_at is not None:
            now = time.time()
            for rowid, body in newly_stored(db, tag, last):
                stored_at.setdefault(int(body.rsplit(" ", 1)[1]), now)
                last = max(last, rowid)
            if len(stored_at) >= messages:
                return now
        elif stored(db, tag) >= messages:
            return time.time()
        if bot.poll() is not None:
            raise RuntimeError(f"the bot exited ({bot.returncode}): stored {stored(db, tag)}")
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


@dataclass
class Figures:
    burst_at: float  # the first send
    t0: float  # live: the first send; catch-up: the last send acknowledged
    sent_at: float  # the last send acknowledged
    bot_done: float
    noop: dict[str, Any]
    bot_cpu: float
    bot_cpu_main: float
    synapse_cpu: float
    load: float
    sent: dict[int, float] = field(default_factory=dict)  # live: message → sent at
    stored: dict[int, float] = field(default_factory=dict)  # live: message → stored at


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
    # This checkout's code (the editable install may point at another worktree)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("ab") as out:
        # cwd: a directory without a `bot/` in it, which would shadow the package
        return subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, cwd=config.parent, env=env
        )


def stop_bot(bot: subprocess.Popen[bytes]) -> None:
    terminate(bot, timeout=120)  # run_bot stops cleanly; pyinstrument then saves


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


def wait_running(bot: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while "capibot running" not in log.read_text(errors="replace"):
        if bot.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the bot did not start")
        time.sleep(0.2)


LOG_TIME = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")


def logged_at(log: Path, needle: str) -> float | None:
    """When the bot logged its first line holding `needle` (its asctime: local, in ms)."""
    for line in log.read_text(errors="replace").splitlines():
        found = LOG_TIME.match(line)
        if found and needle in line:
            return datetime.strptime(found[1], "%Y-%m-%d %H:%M:%S,%f").timestamp()
    return None


def import_seconds(cwd: Path) -> float:
    """Wall time of a fresh interpreter importing the bot (what a start-up pays first)."""
    start = time.monotonic()
    code = "import bot.cli, bot.app"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=cwd)
    return time.monotonic() - start


def backfills(log: Path) -> tuple[int, int]:
    """(back-fills, events back-filled) from the bot's log."""
    found = re.findall(r"back-filled (\d+) events", log.read_text(errors="replace"))
    return len(found), sum(int(n) for n in found)


def lag_figures(
    sent: dict[int, float], stored: dict[int, float], seen: dict[int, float]
) -> dict[str, Any]:
    """Per message: send → stored by the bot, send → seen by the no-op client; the p99s
    and their difference (the bot's own lag, goal <= 100 ms). The bot's are late by up to
    one database poll."""
    bot = [stored[i] - sent[i] for i in sent if i in stored]
    noop = [seen[int(i)] - sent[i] for i in sent if int(i) in seen]

    def pct(lags: list[float], q: int) -> float:
        return statistics.quantiles(lags, n=100)[q - 1] * 1000

    return {
        "lag_p99_ms": round(pct(bot, 99) - pct(noop, 99), 1),
        "bot_lag_p50_ms": round(pct(bot, 50), 1),
        "bot_lag_p99_ms": round(pct(bot, 99), 1),
        "noop_lag_p50_ms": round(pct(noop, 50), 1),
        "noop_lag_p99_ms": round(pct(noop, 99), 1),
        "target_lag_p99_ms": 100,
    }
