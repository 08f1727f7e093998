"""Resident memory of an idle bot whose database holds 1,000 rooms and 100,000 messages.

Fills a fresh SQLite database, starts `python -m bot run` against the local stack
(brought up if needed, stopped again if this script started it), waits until it runs and
its first sync is done, then reads VmRSS. Prints one JSON line. Target: <= 150 MB.

`--joined N` (see bench_memory_joined.py): the bot is also actually joined to N rooms of
a fresh real Synapse, and its CPU per event is compared with a second bot joined to 10.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bot.domain.models import CaseOrigin, Room  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from bot.storage.tables import MessageRow  # noqa: E402
from scripts.devstack import Stack  # noqa: E402

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def fill(url: str, rooms: int, messages: int) -> None:
    db = Database.from_url(url)
    db.migrate()
    per_room = max(1, messages // rooms)
    with db.transaction() as repo:
        case_ids = []
        for r in range(rooms):
            room_id = f"!bench{r}:localhost"
            repo.save_room(Room(room_id=room_id, label=f"Salon {r}", joined_at=T0))
            case, _ = repo.create_case(
                room_id=room_id,
                root_event_id=f"$root{r}",
                origin=CaseOrigin.THREAD,
                title=f"Cas {r}",
                created_by="@alice:localhost",
                now=T0,
            )
            case_ids.append((room_id, case.id))
    rows = [
        {
            "event_id": f"$m{n}",
            "room_id": case_ids[n // per_room % rooms][0],
            "case_id": case_ids[n // per_room % rooms][1],
            "sender": f"@user{n % 300}:localhost",
            "sent_at": T0 + timedelta(seconds=n),
            "body": f"Message {n} " + "x" * 120,
            "in_reply_to": None,
            "thread_root": f"$root{n // per_room % rooms}",
            "edited": False,
            "redacted": False,
        }
        for n in range(messages)
    ]
    with db.engine.begin() as connection:
        connection.execute(insert(MessageRow), rows)
    db.close()


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--settle", type=float, default=10.0, help="idle seconds before reading")
    parser.add_argument("--joined", type=int, default=0, help="rooms of the real Synapse joined")
    parser.add_argument("--burst", type=int, default=300, help="--joined: messages per round")
    parser.add_argument("--rounds", type=int, default=3, help="--joined: bursts measured")
    args = parser.parse_args()
    if args.joined:
        from scripts.bench_memory_joined import main_joined

        return main_joined(args, fill)
    stack = Stack()
    started_stack = not all(stack.status().values())
    info = stack.up()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/capibot.db"
            fill(url, args.rooms, args.messages)
            config = Path(tmp) / "capibot.toml"
            text = info.config_path.read_text()
            text = re.sub(r'(?m)^url = ".*"$', f'url = "{url}"', text)
            text = text.replace(str(Path(info.state_dir) / "bot" / "matrix"), f"{tmp}/matrix")
            config.write_text(text)
            log = Path(tmp) / "bot.log"
            with log.open("wb") as out:
                bot = subprocess.Popen(
                    [sys.executable, "-m", "bot", "run", "--config", str(config)],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=tmp,
                )
            try:
                deadline = time.monotonic() + 120
                while "capibot running" not in log.read_text(errors="replace"):
                    if bot.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(log.read_text(errors="replace")[-2000:])
                    time.sleep(0.2)
                time.sleep(args.settle)
                resident = rss_mb(bot.pid)
            finally:
                bot.send_signal(signal.SIGTERM)
                bot.wait(timeout=30)
    finally:
        if started_stack:
            stack.down()
    print(
        json.dumps(
            {
                "benchmark": "memory",
                "rooms": args.rooms,
                "messages": args.messages,
                "rss_mb": round(resident, 1),
                "target_mb": 150,
                "python": sys.version.split()[0],
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
