"""Search quality (issue 17): recall@3 of capibot's `!chercher` (the local French index
of the published fiches merged with the wiki's search) against MediaWiki's default
search (what `!chercher` relayed before: `list=search`, `srwhat=text`, three results),
on the same real wiki, over the test set of tests/data/search (104 fiches of the
politique de la ville, the questions practitioners ask, the fiches that answer them).

Brings the local stack up in a state directory of its own (a fresh temporary one unless
--state is given), publishes the fiches through the bot's production path (outbox
dispatcher + Publisher), flushes the wiki's job queue and waits until the wiki's search
finds every page by its title, then asks every question both ways. Also measures the
index's build (database read + index) for --build fiches stored in a database of their
own, and the search latency. Prints one JSON line.

Usage: .venv/bin/python scripts/bench_search.py [--build 5000] [--state DIR]
Target: ratio (capibot recall@3 over MediaWiki's) >= 1.5.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.domain.models import (  # noqa: E402
    CaseOrigin,
    CaseState,
    FicheField,
    Publication,
    PublicationStatus,
    Review,
    ReviewDecision,
    Room,
    RoomKind,
    Transition,
)
from bot.services.knowledge import KnowledgeBase, merge, page_key  # noqa: E402
from bot.services.outbox import OutboxDispatcher  # noqa: E402
from bot.services.publication_requests import KINDS, request_publication  # noqa: E402
from bot.services.publisher import Publisher  # noqa: E402
from bot.services.research import SEARCH_RESULTS, WIKI_RESULTS  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from bot.storage.repository import Repository  # noqa: E402
from bot.wiki import WikiWorker, wiki_config  # noqa: E402
from scripts.bench_stack import bench_stack, unpaced_settings  # noqa: E402
from scripts.devstack import mediawiki  # noqa: E402
from tests.data.search.corpus import Fiche, fiches, questions  # noqa: E402
from wiki_sync.client import WikiClient  # noqa: E402
from wiki_sync.setup import apply_setup, setup_pages  # noqa: E402

TARGET_RATIO = 1.5
AUTHOR = "@alice:localhost"
MODERATOR = "@mona:localhost"
ROOM = Room("!politique-ville:localhost", RoomKind.THEME, "Politique de la ville")


def utcnow() -> datetime:
    return datetime.now(UTC)


def seed(db: Database, made: list[Fiche], now: datetime, *, published: bool) -> dict[int, str]:
    """Cases as curation leaves them (approved, publication queued), or, `published`, as
    the publisher leaves them (a live page of that title). Returns case id → fiche key."""

    def work(repo: Repository) -> dict[int, str]:
        repo.save_room(ROOM)
        keys = {}
        for fiche in made:
            case, _ = repo.create_case(
                room_id=ROOM.room_id,
                root_event_id=f"${uuid.uuid4().hex}",
                origin=CaseOrigin.THREAD,
                title=fiche.fields["title"],
                created_by=AUTHOR,
                now=now,
            )
            fields = {FicheField(k): v for k, v in fiche.fields.items()}
            repo.add_fiche_version(case.id, fields, AUTHOR, now)
            repo.add_review(Review(case.id, 1, MODERATOR, ReviewDecision.APPROVE, "", now))
            repo.add_transition(Transition(case.id, case.state, CaseState.APPROVED, MODERATOR, now))
            repo.update_case(case.id, state=CaseState.APPROVED)
            if published:
                title = fiche.fields["title"]
                repo.save_publication(
                    Publication(case.id, title, 1, PublicationStatus.PUBLISHED, now)
                )
            else:
                request_publication(repo, case.id, MODERATOR, now)
            keys[case.id] = fiche.key
        return keys

    return db.run_sync(work)


def page_keys(db: Database, keys: dict[int, str]) -> dict[str, str]:
    """page_key(title written on the wiki) → fiche key."""

    def work(repo: Repository) -> dict[str, str]:
        found = {}
        for case_id, key in keys.items():
            publication = repo.get_publication(case_id)
            if publication is None or publication.status is not PublicationStatus.PUBLISHED:
                raise RuntimeError(f"case {case_id} not published: {publication}")
            found[page_key(publication.page_title)] = key
        return found

    return db.run_sync(work)


def wait_indexed(client: WikiClient, titles: dict[str, str], timeout: float) -> tuple[int, float]:
    """Until the wiki's search finds every page by its own title (MediaWiki updates its
    search index after the save, through its job queue). Returns (found, seconds)."""
    start = time.perf_counter()
    waiting = set(titles)
    while waiting and time.perf_counter() - start < timeout:
        for title in sorted(waiting):
            hits = client.search(title, limit=10)
            if any(page_key(str(h.get("title", ""))) == title for h in hits):
                waiting.discard(title)
        if waiting:
            time.sleep(1.0)
    return len(titles) - len(waiting), time.perf_counter() - start


async def ask_all(
    base: KnowledgeBase, client: WikiClient, titles: dict[str, str]
) -> dict[str, Any]:
    asked = questions()
    ours = theirs = 0
    latencies: list[float] = []
    misses: list[str] = []
    for question, expected in asked:
        start = time.perf_counter()
        snapshot, local = await base.search(question)
        wiki = client.search(question, limit=WIKI_RESULTS)
        results = merge(snapshot, question, local, wiki, SEARCH_RESULTS)
        latencies.append(time.perf_counter() - start)
        got = {titles.get(page_key(r.title)) for r in results}
        default = client.search(question, limit=SEARCH_RESULTS)
        got_default = {titles.get(page_key(str(r.get("title", "")))) for r in default}
        ours += bool(got & set(expected))
        theirs += bool(got_default & set(expected))
        if not got & set(expected):
            misses.append(question)
    n = len(asked)
    return {
        "questions": n,
        "capibot_recall_at_3": round(ours / n, 3),
        "mediawiki_recall_at_3": round(theirs / n, 3),
        "capibot_found": ours,
        "mediawiki_found": theirs,
        "ratio": round(ours / theirs, 2) if theirs else None,
        "search_ms_median": round(1000 * statistics.median(latencies), 1),
        "capibot_misses": misses,
    }


async def build_time(tmp: Path, count: int) -> dict[str, Any]:
    """The index built from a database of `count` published fiches (the test set's,
    repeated with numbered titles): the read and the build, as a search after a change."""
    db = Database.from_url(f"sqlite:///{tmp}/build.db")
    db.migrate()
    base_set = fiches()
    made = []
    for n in range(count):
        fiche = base_set[n % len(base_set)]
        title = f"{fiche.fields['title']} ({n // len(base_set) + 1})"
        made.append(Fiche(f"{fiche.key}-{n}", {**fiche.fields, "title": title}))
    seed(db, made, utcnow(), published=True)
    base = KnowledgeBase(db)
    start = time.perf_counter()
    snapshot = await base.snapshot()
    first = time.perf_counter() - start
    question = "comment mobiliser les habitants d'un QPV pour un diagnostic en marchant ?"
    start = time.perf_counter()
    await base.search(question)
    search_s = time.perf_counter() - start

    def withdraw_one(repo: Repository) -> None:
        """What `!retirer` stores: the next search rebuilds (one fiche fewer)."""
        repo.add_transition(
            Transition(1, CaseState.PUBLISHED, CaseState.WITHDRAWN, AUTHOR, utcnow())
        )
        repo.update_case(1, state=CaseState.WITHDRAWN)

    db.run_sync(withdraw_one)
    start = time.perf_counter()
    _, hits = await base.search(question)
    rebuild_s = time.perf_counter() - start
    assert all(hit.case_id != 1 for hit in hits)
    db.close()
    return {
        "build_fiches": len(snapshot.index),
        "build_s": round(first, 2),
        "build_search_after_ms": round(1000 * search_s, 1),
        "rebuild_after_withdrawal_s": round(rebuild_s, 2),
    }


def bench(
    settings: Settings, stack_local: Path, tmp: Path, args: argparse.Namespace
) -> dict[str, Any]:
    lang = settings.bot.language
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    apply_setup(WikiClient(wiki_config(settings)), setup_pages(settings.wiki.mapping(lang)), lang)
    db = Database.from_url(f"sqlite:///{tmp}/capibot.db")
    db.migrate()
    made = fiches()
    keys = seed(db, made, utcnow(), published=False)
    client = WikiClient(wiki_config(settings))
    publisher = Publisher(db, WikiWorker(client, settings), settings, utcnow)
    dispatcher = OutboxDispatcher(db, utcnow)
    publisher.register(dispatcher)

    async def publish() -> float:
        start = time.perf_counter()
        while await dispatcher.run_once(list(KINDS)):
            pass
        return time.perf_counter() - start

    try:
        publish_s = asyncio.run(publish())
    finally:
        publisher.worker.close()
    titles = page_keys(db, keys)
    mediawiki.run_jobs(stack_local)
    indexed, wait_s = wait_indexed(client, titles, args.index_timeout)
    figures = asyncio.run(ask_all(KnowledgeBase(db), client, titles))
    db.close()
    build = asyncio.run(build_time(tmp, args.build)) if args.build else {}
    return {
        "benchmark": "search",
        "fiches": len(made),
        "published_s": round(publish_s, 1),
        "wiki_indexed": indexed,
        "wiki_index_wait_s": round(wait_s, 1),
        "baseline": "MediaWiki default search (list=search, srwhat=text, 3 results) on the"
        " same wiki: what !chercher relayed before",
        **figures,
        "target_ratio": TARGET_RATIO,
        **build,
        "load_avg_at_start": load_at_start,
        "load_avg_at_end": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--build", type=int, default=5000, help="fiches of the build timing (0: none)"
    )
    parser.add_argument("--index-timeout", type=float, default=300.0)
    parser.add_argument("--state", help="stack state directory (default: a fresh temporary one)")
    parser.add_argument(
        "--build-only", action="store_true", help="only the build timing (no stack, no recall)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.build_only:
        with tempfile.TemporaryDirectory() as tmp:
            build = asyncio.run(build_time(Path(tmp), args.build))
        load = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps({"benchmark": "search-build", **build, "load_avg_at_end": load}))
        return 0
    state = Path(args.state) if args.state else None
    with bench_stack(state, "bench-search-") as info, tempfile.TemporaryDirectory() as tmp:
        result = bench(unpaced_settings(info), Path(info.local_settings), Path(tmp), args)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
