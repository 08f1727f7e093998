"""How long one prompt / one capture holds the database's worker thread (issue 18).

The DB worker thread also stores every synced event, so whatever a prompt or a capture
does inside `Database.run` delays everyone's messages. This measures the time spent in
`run_sync` (the writer's units of work) while one prompt timer runs and while one capture
job of a ~40-message exchange runs, with the language model loaded and 0 / 1,000 / 5,000
published fiches, and once while the model is still loading (0 fiches).

Small: SQLite in a temporary directory, the test set's exchanges (tests/data/drafts).
Prints one JSON line per situation.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from bot.domain.models import CaseOrigin, FicheField, Message
from bot.knowledge.drafting import Drafter
from bot.knowledge.nlp import FrenchPipeline
from bot.knowledge.related import Candidate, RelatedFiches
from bot.matrix.events import Inbound, InboundMessage
from bot.scheduling import Scheduler
from bot.services.capture import CaptureJob
from bot.services.prompting import Prompting, on_case_opened
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository
from scripts.bench_drafts import load_set
from tests.unit.cases import published_case

T = TypeVar("T")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROOM = "!salon:localhost"
MESSAGES = 40
SETTINGS = Settings.model_validate(
    {"bot": {"language": "fr"}, "matrix": {"user_id": "@capibot:localhost"}}
)


class TimedDatabase(Database):
    """A Database that records how long each writer unit of work took (seconds)."""

    held: list[float]

    def run_sync(self, work: Callable[[Repository], T]) -> T:
        start = time.perf_counter()
        try:
            return super().run_sync(work)
        finally:
            self.held.append(time.perf_counter() - start)


def exchange() -> list[tuple[str, str]]:
    """~40 (sender, body) pairs: the test set's exchanges, one after the other."""
    pairs = [(m["sender"], m["body"]) for case in load_set() for m in case["messages"]]  # type: ignore[index,union-attr]
    return pairs[:MESSAGES]


def fiche_fields(n: int, cases: list[dict[str, Any]]) -> dict[FicheField, str]:
    ref = cases[n % len(cases)]["reference"]
    return {
        FicheField.TITLE: f"Fiche {n} — {ref['territory']}",
        FicheField.CONTEXT: ref["context"],
        FicheField.ACTION: ref["action"],
        FicheField.RESULTS: ref["results"],
        FicheField.LESSONS: ref["lessons"],
        FicheField.THEMES: ", ".join(ref["themes"]),
        FicheField.TERRITORY: ref["territory"],
    }


def seed(db: Database, fiches: int) -> None:
    cases = load_set()
    for start in range(0, fiches, 500):
        db.run_sync(
            lambda repo, s=start: [  # type: ignore[misc]
                published_case(repo, n, "!wiki:localhost", fiche_fields(n, cases),
                               published_at=T0 + timedelta(seconds=n))
                for n in range(s, min(s + 500, fiches))
            ]
        )


def open_case(db: Database, root: str) -> None:
    def work(repo: Repository) -> None:
        case, _ = repo.create_case(room_id=ROOM, root_event_id=root, origin=CaseOrigin.THREAD,
                                   title="Échange", created_by="@a:localhost", now=T0)
        repo.add_messages([
            Message(event_id=f"{root}.{i}", room_id=ROOM, sender=sender,
                    sent_at=T0 + timedelta(minutes=i), body=body, case_id=case.id)
            for i, (sender, body) in enumerate(exchange())
        ])
        on_case_opened(repo, case, SETTINGS, T0)

    db.run_sync(work)


class Source:
    """The Matrix side of a capture: a thread of ~40 messages."""

    async def fetch_event(self, room_id: str, event_id: str) -> Inbound | None:
        return InboundMessage(room_id, event_id, "@a:localhost", T0, "Une question ?")

    async def fetch_thread(self, room_id: str, root_id: str) -> list[Inbound]:
        return [
            InboundMessage(room_id, f"{root_id}.{i}", sender, T0 + timedelta(minutes=i), body,
                           thread_root=root_id)
            for i, (sender, body) in enumerate(exchange())
        ]


async def measure(db: TimedDatabase, pipeline: FrenchPipeline, tag: str) -> dict[str, float]:
    related = RelatedFiches(pipeline, lambda title: f"https://wiki.example/{title}")
    prompting = Prompting(SETTINGS, drafter=Drafter(pipeline), related=related)
    clock = type("Clock", (), {"now": T0 + timedelta(days=30)})()
    scheduler = Scheduler(db, lambda: clock.now)
    prompting.register(scheduler)
    if pipeline.loaded:  # as the bot does after its warm-up: the fiches read ahead
        fiches = db.read_sync(lambda repo: [
            Candidate(f.case_id, f.page_title, f.fields) for f in repo.published_fiches()
        ])
        related.prime(fiches)
    open_case(db, f"$prompt{tag}")
    db.held = []
    start = time.perf_counter()
    assert await scheduler.run_due() == 1
    prompt_wall, prompt_held = time.perf_counter() - start, list(db.held)
    job = CaptureJob(db, Source(), SETTINGS, "@capibot:localhost", lambda: T0,
                     is_command=lambda body: body.startswith("!"), related=related)
    db.held = []
    payload = {"room_id": ROOM, "root": f"$capture{tag}", "sender": "@a:localhost",
               "command_event": f"$capture{tag}"}
    start = time.perf_counter()
    await job(1, payload)
    capture_wall, capture_held = time.perf_counter() - start, list(db.held)
    return {
        "prompt_held_ms": round(sum(prompt_held) * 1000, 1),
        "prompt_longest_unit_ms": round(max(prompt_held) * 1000, 1),
        "prompt_wall_ms": round(prompt_wall * 1000, 1),
        "capture_held_ms": round(sum(capture_held) * 1000, 1),
        "capture_longest_unit_ms": round(max(capture_held) * 1000, 1),
        "capture_wall_ms": round(capture_wall * 1000, 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fiches", type=int, nargs="*", default=[0, 1000, 5000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # While the model loads: a fresh pipeline, its load started just before.
        db = TimedDatabase.from_url(f"sqlite:///{Path(tmp) / 'loading.db'}")
        db.held = []
        db.migrate()
        pipeline = FrenchPipeline()
        loader = threading.Thread(target=pipeline.load)
        loader.start()
        await asyncio.sleep(0.05)
        print(json.dumps({"situation": "model loading", "fiches": 0,
                          **await measure(db, pipeline, "load")}), flush=True)
        loader.join()
        db.close()
        for count in args.fiches:
            db = TimedDatabase.from_url(f"sqlite:///{Path(tmp) / f'f{count}.db'}")
            db.held = []
            db.migrate()
            seed(db, count)
            print(json.dumps({"situation": "model loaded", "fiches": count,
                              **await measure(db, pipeline, str(count))}), flush=True)
            db.close()


if __name__ == "__main__":
    asyncio.run(main())
