"""`!fiches` at 500 and at 50,000 cases, inside the sync transaction (issue 14).

Fills two SQLite databases shaped like a network (50 rooms, every case with a fiche,
themes and territory), then times `!fiches` through `InboundService.apply` — the sync
loop's code path, in the transaction that stalls capture while it runs — for a member of
a practice room, and for a moderator in the moderation room (every room), plain and with
a theme filter. Side by side, in the same run: the listing as it was (every case of the
network read into Python, then filtered), on the same databases.

Prints one JSON line: `ms` per listing for each shape and size, `flatness` (the worst
listing at 50,000 cases over the same at 500; 1.0 is flat), `old_ms` and the machine's
load average (the machine is shared; take the figures as taken under load).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bot.i18n import Translator  # noqa: E402
from bot.inbound import InboundService  # noqa: E402
from bot.matrix.events import InboundMessage, RoomSnapshot, SyncBatch  # noqa: E402
from bot.services.ratelimit import CommandRateLimit  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from bot.storage.tables import CaseRow, CaseTagRow, FicheVersionRow, RoomRow  # noqa: E402

T0 = datetime(2022, 1, 3, 9, 0, tzinfo=UTC)
BOT, ALICE, MONA = "@capibot:localhost", "@alice:localhost", "@mona:localhost"
MODERATION = "!moderation:localhost"
ROOMS = [f"!room{n}:localhost" for n in range(50)]
THEMES = ["logement", "jeunesse", "santé", "emploi", "mobilité", "culture", "jardins"]
STATES = ["published", "in_review", "awaiting_summary", "capturing", "rejected"]
SHAPES = {
    "room": (ROOMS[0], ALICE, "!fiches"),
    "room_theme": (ROOMS[0], ALICE, "!fiches thème:logement"),
    "network": (MODERATION, MONA, "!fiches"),
    "network_theme": (MODERATION, MONA, "!fiches thème:logement état:publiée page 2"),
}


def fill(url: str, cases: int) -> Database:
    db = Database.from_url(url)
    db.migrate()
    at = [T0 + timedelta(minutes=n) for n in range(cases)]
    with db.engine.begin() as conn:
        conn.execute(insert(RoomRow), [{"room_id": r, "label": r[1:7]} for r in ROOMS])
        conn.execute(
            insert(CaseRow),
            [
                {
                    "id": n + 1,
                    "room_id": ROOMS[n % 50],
                    "root_event_id": f"$root{n}",
                    "origin": "thread",
                    "title": f"Expérience {n}",
                    "state": STATES[n % 5],
                    "created_by": f"@p{n % 3000}:localhost",
                    "created_at": at[n],
                    "last_activity_at": at[n],
                }
                for n in range(cases)
            ],
        )
        themes = [(THEMES[n % 7], THEMES[(n // 7) % 7]) for n in range(cases)]
        conn.execute(
            insert(FicheVersionRow),
            [
                {
                    "case_id": n + 1,
                    "version": 1,
                    "fields": {"title": f"Expérience {n}", "themes": ", ".join(themes[n])},
                    "submitted_by": f"@p{n % 3000}:localhost",
                    "submitted_at": at[n],
                }
                for n in range(cases)
            ],
        )
        conn.execute(
            insert(CaseTagRow),
            [
                {"case_id": n + 1, "kind": "themes", "key": key}
                for n in range(cases)
                for key in sorted({t.replace("é", "e") for t in themes[n]})
            ],
        )
    return db


def settings() -> Settings:
    return Settings.model_validate(
        {
            "bot": {"moderators": [MONA]},
            "matrix": {
                "user_id": BOT,
                "allowed_inviters": ["@*:localhost"],
                "moderation_room": MODERATION,
            },
        }
    )


_ids = itertools.count(1)


def listing(db: Database, service: InboundService, room: str, sender: str, body: str) -> float:
    """One `!fiches` through the sync path, in its own transaction; seconds."""
    event = InboundMessage(room, f"$b{next(_ids)}", sender, T0, body)
    snapshots = {r: RoomSnapshot(room_id=r, member_count=3) for r in (room, MODERATION)}
    batch = SyncBatch(next_batch="t", initial=False, events=(event,), rooms=snapshots)
    start = time.perf_counter()
    with db.transaction() as repo:
        service.apply(repo, batch)
    return time.perf_counter() - start


def old_listing(db: Database, room: str | None) -> float:
    """The listing as it was: every case read, then filtered and cut in Python."""
    tr = Translator("fr")
    start = time.perf_counter()
    with db.transaction() as repo:
        cases = repo.list_cases(room_id=room)
        needle = "publiée"
        kept = [c for c in cases if needle in tr(f"state.{c.state.value}").casefold()]
        "\n".join(f"#{c.id} {c.title}" for c in kept[-30:])
    return time.perf_counter() - start


def measure(db: Database, rounds: int) -> dict[str, float]:
    service = InboundService(settings(), BOT, lambda: T0)
    service.rate_limit = CommandRateLimit(burst=10**9)  # the same two users, many times
    times: dict[str, list[float]] = {name: [] for name in [*SHAPES, "old_room", "old_network"]}
    for _ in range(rounds):
        for name, (room, sender, body) in SHAPES.items():
            times[name].append(listing(db, service, room, sender, body))
        times["old_room"].append(old_listing(db, ROOMS[0]))
        times["old_network"].append(old_listing(db, None))
    return {name: round(statistics.median(ts) * 1000, 2) for name, ts in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--large", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        small = fill(f"sqlite:///{tmp}/small.db", args.small)
        large = fill(f"sqlite:///{tmp}/large.db", args.large)
        # alternate the two databases round by round: the machine's noise hits both
        runs: dict[str, list[dict[str, float]]] = {"small": [], "large": []}
        for _ in range(3):
            runs["small"].append(measure(small, args.rounds))
            runs["large"].append(measure(large, args.rounds))
        small.close()
        large.close()
    best = {size: {k: min(r[k] for r in rs) for k in rs[0]} for size, rs in runs.items()}
    flatness = max(best["large"][k] / best["small"][k] for k in SHAPES)
    print(
        json.dumps(
            {
                "benchmark": "listing",
                "cases": [args.small, args.large],
                "ms": best,
                "flatness": round(flatness, 2),
                "old_ms": {k: best["large"][k] for k in ("old_room", "old_network")},
                "loadavg": [round(x, 2) for x in load],
                "python": sys.version.split()[0],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
