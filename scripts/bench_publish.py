"""Publishing throughput: approved fiches published to the real MediaWiki by the bot's
production path (outbox dispatcher + Publisher, `wiki.edit_interval = 0`) against a raw
mwclient loop writing the same rendered wikitexts, on distinct titles.

Brings the local stack up in a state directory of its own (a fresh temporary one unless
--state is given) and stops it again if it started it. The wiki setup runs once, then an
untimed warm-up on both sides, then --rounds rounds of --fiches fiches per side; the
figures are the medians over the rounds. Within a round the sides alternate in chunks of
--chunk fiches (and take turns going first), so both see the same background load. Each
side logs in before its clock starts; HTTP requests are counted on each side's
requests.Session. Prints one JSON line.

Then each fiche is changed and approved again: its page updated (read, merge, edit)
against a raw mwclient read + edit loop (`update_ratio`). Then the live part
(`bench_publish_live.py`): the running bot behind the real Synapse, `!valider` to the
page (`valider_to_page_s`) and `!chercher` behind --bulk queued republishes
(`search_while_bulk_s`).

Usage: .venv/bin/python scripts/bench_publish.py [--fiches 100] [--rounds 3] [--chunk 10]
           [--baseline api|page] [--valider 5] [--bulk 1000] [--state DIR] [--profile]
Targets: ratio (bot pages/s over raw pages/s) >= 0.8, update_ratio >= 0.8,
valider_to_page_s <= 1.0, search_while_bulk_s <= 5.
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
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from bot.domain.models import (  # noqa: E402
    CaseOrigin,
    CaseState,
    Consent,
    FicheField,
    Message,
    Participant,
    PublicationStatus,
    Review,
    ReviewDecision,
    Room,
    RoomKind,
    Transition,
)
from bot.services.outbox import OutboxDispatcher  # noqa: E402
from bot.services.page_building import build_entry  # noqa: E402
from bot.services.publication_requests import KINDS, request_publication  # noqa: E402
from bot.services.publisher import Publisher  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from bot.storage.repository import Repository  # noqa: E402
from bot.wiki import WikiWorker, wiki_config  # noqa: E402
from scripts.bench_publish_live import live  # noqa: E402
from scripts.bench_publish_raw import (  # noqa: E402
    RequestCounter,
    raw_loop,
    raw_site,
    raw_update_loop,
)
from scripts.bench_stack import bench_stack, unpaced_settings  # noqa: E402
from wiki_sync.client import WikiClient  # noqa: E402
from wiki_sync.render import render_page  # noqa: E402
from wiki_sync.setup import apply_setup, setup_pages  # noqa: E402

TARGET_RATIO = 0.8
TARGET_UPDATE_RATIO = 0.8
MODERATOR = ("@mona:localhost", "Mona Dupont")
SPEAKERS = (
    ("@alice:localhost", "Alice Martin", Consent.GRANTED),
    ("@bruno:localhost", "Bruno Leroy", Consent.REFUSED),
    ("@carol:localhost", "Carole Inconnue", Consent.UNKNOWN),
)
THEMES = ("Logement", "Santé", "Emploi", "Mobilité", "Numérique")
TERRITORIES = ("Seine-Saint-Denis", "Val-de-Marne", "Essonne", "Yvelines", "Hauts-de-Seine")
ROOMS = (
    Room("!fonction:localhost", RoomKind.FUNCTION, "Travailleurs sociaux"),
    Room("!theme:localhost", RoomKind.THEME, "Logement"),
    Room("!territoire:localhost", RoomKind.TERRITORY, "Seine-Saint-Denis"),
)


def utcnow() -> datetime:
    return datetime.now(UTC)


# -- the bot's side ---------------------------------------------------------------------


def fields_for(title: str, n: int) -> dict[FicheField, str]:
    themes = f"{THEMES[n % len(THEMES)]}, {THEMES[(n + 2) % len(THEMES)]}"
    return {
        FicheField.TITLE: title,
        FicheField.CONTEXT: "Un accueil de jour reçoit des familles sans solution. " * 3,
        FicheField.ACTION: "Une permanence partagée avec le CCAS, deux demi-journées. " * 3,
        FicheField.RESULTS: "Trente familles accompagnées, des délais divisés par deux. " * 2,
        FicheField.LESSONS: "Associer les bénévoles dès le début ; garder un seul dossier.",
        FicheField.THEMES: themes,
        FicheField.TERRITORY: TERRITORIES[n % len(TERRITORIES)],
        FicheField.RESOURCES: "Le guide départemental, la fiche de liaison.",
    }


def seed(
    db: Database,
    titles: list[str],
    now: datetime,
    rooms: tuple[Room, ...] = ROOMS,
    roots: list[str] | None = None,
) -> list[int]:
    """Cases as curation leaves them: messages, a fiche, approved, publication queued.
    `roots`: their thread roots (real events), else made-up event ids."""

    def work(repo: Repository) -> list[int]:
        repo.save_participant(Participant(MODERATOR[0], MODERATOR[1], Consent.GRANTED))
        for user_id, name, consent in SPEAKERS:
            repo.save_participant(Participant(user_id, name, consent))
        ids = []
        for n, title in enumerate(titles):
            room = rooms[n % len(rooms)]
            repo.save_room(room)
            root = roots[n] if roots else f"${uuid.uuid4().hex}"
            case, _ = repo.create_case(
                room_id=room.room_id,
                root_event_id=root,
                origin=CaseOrigin.THREAD,
                title=title,
                created_by=SPEAKERS[0][0],
                now=now,
            )
            for m, (user_id, _, _) in enumerate(SPEAKERS):
                repo.add_message(
                    Message(
                        event_id=root if m == 0 else f"${uuid.uuid4().hex}",
                        room_id=room.room_id,
                        sender=user_id,
                        sent_at=now + timedelta(minutes=m),
                        body=f"Message {m} du cas {n} : voici comment nous avons fait. " * 2,
                        case_id=case.id,
                        thread_root=None if m == 0 else root,
                    )
                )
            repo.add_fiche_version(case.id, fields_for(title, n), SPEAKERS[0][0], now)
            fiche = repo.latest_fiche(case.id)
            assert fiche is not None
            repo.add_review(
                Review(case.id, fiche.version, MODERATOR[0], ReviewDecision.APPROVE, "", now)
            )
            repo.add_transition(
                Transition(case.id, case.state, CaseState.APPROVED, MODERATOR[0], now)
            )
            repo.update_case(case.id, state=CaseState.APPROVED)
            request_publication(repo, case.id, MODERATOR[0], now)
            ids.append(case.id)
        return ids

    return db.run_sync(work)


def amend(db: Database, case_ids: list[int], k: int, now: datetime) -> None:
    """Each fiche changed and approved again: its page is updated (read, merge, edit)."""

    def work(repo: Repository) -> None:
        for case_id in case_ids:
            fiche = repo.latest_fiche(case_id)
            assert fiche is not None
            fields = dict(fiche.fields)
            fields[FicheField.RESULTS] += f" Mise à jour {k} : quarante familles."
            repo.add_fiche_version(case_id, fields, SPEAKERS[0][0], now)
            repo.add_review(
                Review(case_id, fiche.version + 1, MODERATOR[0], ReviewDecision.APPROVE, "", now)
            )
            request_publication(repo, case_id, MODERATOR[0], now)

    db.run_sync(work)


def render_texts(db: Database, settings: Settings, case_ids: list[int], now: datetime) -> list[str]:
    """The wikitexts the Publisher will write, built by the bot's own code."""

    def work(repo: Repository) -> list[str]:
        texts = []
        for case_id in case_ids:
            case = repo.get_case(case_id)
            fiche = repo.latest_fiche(case_id)
            assert case is not None and fiche is not None
            entry = build_entry(
                repo,
                case,
                fiche,
                approved_by=MODERATOR[1],
                approved_at=now,
                lang=settings.bot.language,
            )
            texts.append(render_page(entry, mapping=settings.wiki.mapping(settings.bot.language)))
        return texts

    return db.run_sync(work)


async def drain(dispatcher: OutboxDispatcher) -> None:
    while await dispatcher.run_once(list(KINDS)):
        pass


def check_published(db: Database, case_ids: list[int], texts: list[str]) -> None:
    def work(repo: Repository) -> None:
        for case_id, text in zip(case_ids, texts, strict=True):
            publication = repo.get_publication(case_id)
            if publication is None or publication.status is not PublicationStatus.PUBLISHED:
                raise RuntimeError(f"case {case_id} not published: {publication}")
            if repo.publication_text(case_id) != text:
                raise RuntimeError(f"case {case_id}: the bot wrote other bytes than the raw loop")
        if repo.pending_outbox(list(KINDS)):
            raise RuntimeError("publications still pending after the run")

    db.run_sync(work)


# -- profiling --------------------------------------------------------------------------


class ThreadProfiles:
    """pyinstrument profiles of the main thread and of the two worker threads (wiki, db):
    pyinstrument samples one thread per profiler, and the work happens in the workers."""

    def __init__(self, publisher: Publisher, db: Database) -> None:
        from pyinstrument import Profiler

        self.publisher, self.db = publisher, db
        self.profilers = {name: Profiler(interval=0.001) for name in ("main", "wiki", "db")}

    async def _in_threads(self, method: str) -> None:
        getattr(self.profilers["main"], method)()
        await self.publisher.worker.run(getattr(self.profilers["wiki"], method))
        await self.db.run(lambda _repo: getattr(self.profilers["db"], method)())

    async def start(self) -> None:
        await self._in_threads("start")

    async def stop(self) -> None:
        await self._in_threads("stop")

    def print(self) -> None:
        for name, profiler in self.profilers.items():
            print(f"==== pyinstrument: {name} thread ====", file=sys.stderr)
            print(profiler.output_text(unicode=True, color=False), file=sys.stderr)


# -- the run ----------------------------------------------------------------------------


def timed(work: Callable[[], None]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def bench(settings: Settings, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    lang = settings.bot.language
    setup = setup_pages(settings.wiki.mapping(lang))
    apply_setup(WikiClient(wiki_config(settings)), setup, lang, force=True)

    db = Database.from_url(f"sqlite:///{tmp}/capibot.db")
    db.migrate()
    run_id = uuid.uuid4().hex[:8]
    bot_counter, raw_counter = RequestCounter(), RequestCounter()
    load_at_start = [round(x, 2) for x in os.getloadavg()]

    # The production composition (bot/app.py), with edit_interval = 0 in the settings.
    wiki = WikiClient(wiki_config(settings))
    publisher = Publisher(db, WikiWorker(wiki, settings), settings, utcnow)
    dispatcher = OutboxDispatcher(db, utcnow)
    publisher.register(dispatcher)
    wiki.connect()
    bot_counter.attach(wiki.site.connection)
    site = raw_site(settings)
    raw_counter.attach(site.connection)
    profiles = ThreadProfiles(publisher, db) if args.profile else None

    bot_rates: list[float] = []
    raw_rates: list[float] = []
    ratios: list[float] = []
    http_share: list[float] = []
    update_ratios: list[float] = []
    update_requests = {"bot": 0, "raw": 0}
    raw_update_rates: list[float] = []
    bot_update_rates: list[float] = []

    async def run_bot() -> float:
        if profiles:
            await profiles.start()
        start = time.perf_counter()
        await drain(dispatcher)
        elapsed = time.perf_counter() - start
        if profiles:
            await profiles.stop()
        return elapsed

    async def run_round(k: int, n: int) -> tuple[float, float, float, float]:
        """n fiches per side, in chunks that alternate the sides (and which goes first),
        so that both see the same background load; then each fiche changed and its page
        updated, alternating the same way. Returns (raw, bot, raw update, bot update)
        seconds."""
        raw_s = bot_s = raw_update_s = bot_update_s = 0.0
        for c, first in enumerate(range(0, n, args.chunk)):
            numbers = range(first, min(n, first + args.chunk))
            now = utcnow()
            case_ids = seed(db, [f"Bench {run_id} r{k} fiche {i:03d}" for i in numbers], now)
            texts = render_texts(db, settings, case_ids, now)
            raw_titles = [f"Bench {run_id} r{k} brut {i:03d}" for i in numbers]
            for side in ("raw", "bot") if c % 2 == 0 else ("bot", "raw"):
                if side == "raw":
                    raw_s += timed(lambda: raw_loop(site, args.baseline, raw_titles, texts))  # noqa: B023
                else:
                    bot_s += await run_bot()
            check_published(db, case_ids, texts)
            now = utcnow()
            amend(db, case_ids, k, now)
            texts = render_texts(db, settings, case_ids, now)
            before = {"bot": bot_counter.total, "raw": raw_counter.total}
            for side in ("bot", "raw") if c % 2 == 0 else ("raw", "bot"):
                if side == "raw":
                    raw_update_s += timed(lambda: raw_update_loop(site, raw_titles, texts))  # noqa: B023
                else:
                    bot_update_s += await run_bot()
            update_requests["bot"] += bot_counter.total - before["bot"]
            update_requests["raw"] += raw_counter.total - before["raw"]
            check_published(db, case_ids, texts)
        return raw_s, bot_s, raw_update_s, bot_update_s

    async def rounds() -> None:
        # Round 0 is the warm-up (PHP opcache, tokens, the category pages of every value).
        await run_round(0, args.warmup)
        bot_counter.reset()
        raw_counter.reset()
        update_requests.update(bot=0, raw=0)
        for k in range(1, args.rounds + 1):
            http_before = bot_counter.http_seconds
            raw_s, bot_s, raw_update_s, bot_update_s = await run_round(k, args.fiches)
            update_ratios.append(raw_update_s / bot_update_s)
            raw_update_rates.append(args.fiches / raw_update_s)
            bot_update_rates.append(args.fiches / bot_update_s)
            raw_rates.append(args.fiches / raw_s)
            bot_rates.append(args.fiches / bot_s)
            ratios.append(raw_s / bot_s)
            http_share.append((bot_counter.http_seconds - http_before) / (bot_s + bot_update_s))

    try:
        asyncio.run(rounds())
    finally:
        publisher.worker.close()
        db.close()
    if profiles:
        profiles.print()

    fiches = args.fiches * args.rounds
    return {
        "benchmark": "publish",
        "fiches": args.fiches,
        "rounds": args.rounds,
        "aggregate": f"medians of {args.rounds} rounds; in each round the two sides alternate"
        f" in chunks of {args.chunk} fiches (and which side goes first), after a"
        f" {args.warmup}-fiche warm-up; ratio = median of the per-round ratios",
        "baseline": "mwclient Site.api('edit') loop, cached csrf token"
        if args.baseline == "api"
        else "mwclient site.pages[title].edit(text) loop",
        "edit_interval": settings.wiki.edit_interval,
        "bot_pages_per_s": round(statistics.median(bot_rates), 2),
        "raw_pages_per_s": round(statistics.median(raw_rates), 2),
        "bot_rounds_pages_per_s": [round(r, 2) for r in bot_rates],
        "raw_rounds_pages_per_s": [round(r, 2) for r in raw_rates],
        "rounds_ratio": [round(r, 3) for r in ratios],
        "bot_requests_per_fiche": round((bot_counter.total - update_requests["bot"]) / fiches, 2),
        "raw_requests_per_fiche": round((raw_counter.total - update_requests["raw"]) / fiches, 2),
        "bot_requests_per_update": round(update_requests["bot"] / fiches, 2),
        "raw_requests_per_update": round(update_requests["raw"] / fiches, 2),
        "bot_requests_by_action": dict(sorted(bot_counter.by_action.items())),
        "bot_ms_per_request": bot_counter.ms_per_request(),
        "raw_ms_per_request": raw_counter.ms_per_request(),
        "bot_http_share": round(statistics.median(http_share), 2),
        "profiled": bool(args.profile),
        "load_avg_at_start": load_at_start,
        "same_bytes": True,
        "ratio": round(statistics.median(ratios), 3),
        "target_ratio": TARGET_RATIO,
        "update_ratio": round(statistics.median(update_ratios), 3),
        "update_rounds_ratio": [round(r, 3) for r in update_ratios],
        "bot_update_pages_per_s": round(statistics.median(bot_update_rates), 2),
        "raw_update_pages_per_s": round(statistics.median(raw_update_rates), 2),
        "update_baseline": "mwclient query(revisions ids|content) + edit(baserevid) per page",
        "target_update_ratio": TARGET_UPDATE_RATIO,
        "python": sys.version.split()[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fiches", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--warmup",
        type=int,
        default=10,
        help="untimed fiches per side first (5 or more: every category value)",
    )
    parser.add_argument("--chunk", type=int, default=10, help="fiches per side between switches")
    parser.add_argument(
        "--baseline",
        choices=("api", "page"),
        default="api",
        help="api: one edit request per page; page: mwclient Page.edit (reads first)",
    )
    parser.add_argument("--valider", type=int, default=5, help="`!valider` runs (0: none)")
    parser.add_argument(
        "--bulk", type=int, default=1000, help="republishes queued behind `!chercher` (0: none)"
    )
    parser.add_argument("--state", help="stack state directory (default: a fresh temporary one)")
    parser.add_argument("--profile", action="store_true", help="pyinstrument profile to stderr")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    state = Path(args.state) if args.state else None
    with bench_stack(state, "bench-publish-") as info:
        settings = unpaced_settings(info)
        with tempfile.TemporaryDirectory() as tmp:
            result = bench(settings, Path(tmp), args)
        if args.valider or args.bulk:
            with tempfile.TemporaryDirectory() as tmp:
                figures = asyncio.run(
                    live(info, settings, Path(tmp), raw_site(settings), args, seed, render_texts)
                )
            result = {**result, **figures, "python": result["python"]}
        result["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
