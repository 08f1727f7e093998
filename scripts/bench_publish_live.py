"""`bench_publish.py`'s live part: the running bot (in-process, `bot.app.Bot`) behind the
real Synapse and MediaWiki, driven by the stack's users.

- `valider_to_page_s`: from a moderator sending `!valider N` to the page answering on
  the wiki, minus one raw mwclient create edit's latency (measured alongside), median.
- `search_while_bulk_s`: `!chercher` sent while --bulk republishes are queued (a
  participant who refused consent grants it: every page quoting them is rebuilt) until
  the bot's answer is in the room; also measured with nothing queued.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import mwclient
from nio import AsyncClient, LoginResponse, RoomCreateResponse, RoomSendResponse

from bot.app import Bot
from bot.domain.models import CaseState, Publication, PublicationStatus, Room, RoomKind
from bot.services.publication_requests import REPUBLISH
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository
from scripts.chat import text_content
from scripts.devstack import StackInfo

POLL = 0.02  # seconds between two looks at the wiki or the room
FICHE = """!fiche
Titre: {title}
Contexte: Des familles arrivent sans rendez-vous le soir.
Action: Une permanence sans rendez-vous le mardi soir.
Enseignements: Ouvrir quand les familles sont disponibles.
Thèmes: accueil"""


async def login(info: StackInfo, role: str) -> AsyncClient:
    user = info.user(role)
    client = AsyncClient(info.homeserver, user.user_id())
    response = await client.login(user.password, device_name=f"bench-{role}")
    assert isinstance(response, LoginResponse), response
    return client


async def send(client: AsyncClient, room: str, body: str, thread: str | None = None) -> str:
    response = await client.room_send(room, "m.room.message", text_content(body, thread=thread))
    assert isinstance(response, RoomSendResponse), response
    return response.event_id


async def until(probe: Any, within: float = 120.0) -> None:
    deadline = time.monotonic() + within
    while not await probe():
        if time.monotonic() > deadline:
            raise RuntimeError(f"not met within {within}s: {probe}")
        await asyncio.sleep(POLL)


async def joined(client: AsyncClient, room: str, user_id: str) -> None:
    async def member() -> bool:
        members = await client.joined_members(room)
        return user_id in [m.user_id for m in getattr(members, "members", [])]

    await until(member)


async def answered(client: AsyncClient, room: str, needle: str) -> bool:
    """Whether the bot's latest messages in the room hold `needle`."""
    response = await client.room_messages(room, start="", limit=50)
    return any(
        e.source.get("sender", "").startswith("@capibot:")
        and needle in e.source.get("content", {}).get("body", "")
        for e in getattr(response, "chunk", [])
    )


def seed_published(
    db: Database,
    site: mwclient.Site,
    settings: Settings,
    room: str,
    roots: list[str],
    seed: Any,
    texts: Any,
) -> None:
    """`count` cases of `room` quoting Bruno (consent refused), their pages created on the
    wiki by raw edits of the bot's own rendering and recorded as the bot records them."""
    now = time_now()
    tag = uuid.uuid4().hex[:6]
    titles = [f"Vrac {tag} fiche {n:04d}" for n in range(len(roots))]
    rooms = (Room(room, RoomKind.THEME, "Logement"),)
    for first in range(0, len(roots), 100):
        chunk = titles[first : first + 100]
        case_ids = seed(db, chunk, now, rooms, roots[first : first + 100])
        rendered = texts(db, settings, case_ids, now)
        revids = []
        for title, text in zip(chunk, rendered, strict=True):
            result = site.api(
                "edit", "POST", title=title, text=text, summary="bench", bot=1,
                createonly=1, token=site.get_token("csrf"),
            )["edit"]  # fmt: skip
            revids.append(int(result["newrevid"]))

        rows = list(zip(case_ids, chunk, rendered, revids, strict=True))

        def record(repo: Repository, rows: list[tuple[int, str, str, int]] = rows) -> None:
            for case_id, title, text, revid in rows:
                repo.save_publication(
                    Publication(case_id, title, revid, PublicationStatus.PUBLISHED, now),
                    last_text=text,
                )
                repo.update_case(case_id, state=CaseState.PUBLISHED)
            for item in repo.pending_outbox():
                repo.outbox_done(item.id, now)  # published already (by the raw edits)

        db.run_sync(record)


def time_now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def raw_edit_seconds(site: mwclient.Site, count: int = 5) -> float:
    """The median latency of one raw create edit, the floor of any publication."""
    times = []
    for _ in range(count):
        start = time.perf_counter()
        site.api(
            "edit", "POST", title=f"Brut {uuid.uuid4().hex[:10]}", text="Une page brute.",
            summary="bench", bot=1, createonly=1, token=site.get_token("csrf"),
        )  # fmt: skip
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def raw_search_seconds(site: mwclient.Site, query: str) -> float:
    start = time.perf_counter()
    site.api("query", list="search", srsearch=query, srlimit=3)
    return time.perf_counter() - start


def page_answers(site: mwclient.Site, title: str) -> bool:
    pages = site.api("query", titles=title)["query"]["pages"]
    return all("missing" not in page for page in pages.values())


async def live(
    info: StackInfo, settings: Settings, tmp: Path, site: mwclient.Site, args: Any, seed: Any,
    texts: Any,
) -> dict[str, Any]:  # fmt: skip
    bot_id = info.user("bot").user_id()
    alice, bruno, mona = [
        await login(info, r) for r in ("practitioner", "practitioner2", "moderator")
    ]
    created = await mona.room_create(name="Modération", invite=[bot_id])
    assert isinstance(created, RoomCreateResponse), created
    moderation = created.room_id
    settings = settings.model_copy(
        update={
            "matrix": settings.matrix.model_copy(
                update={"store_path": tmp / "matrix", "moderation_room": moderation}
            ),
            "database": settings.database.model_copy(update={"url": f"sqlite:///{tmp}/live.db"}),
        }
    )
    # The pages' cases are in a room the bot is in: their notices go out as they would.
    created = await alice.room_create(name="Bench", invite=[bot_id, bruno.user_id])
    assert isinstance(created, RoomCreateResponse), created
    room = created.room_id
    await bruno.join(room)
    db = Database.from_url(settings.database.url)
    db.migrate()
    roots = await _roots(alice, room, args.bulk)  # real events: the bot's notices thread there
    await asyncio.to_thread(seed_published, db, site, settings, room, roots, seed, texts)
    db.close()
    bot = Bot(settings)
    await bot.start()
    try:
        await joined(alice, room, bot_id)
        await joined(mona, moderation, bot_id)
        # -- !valider to the page, one case at a time -------------------------------
        cases: list[tuple[int, str]] = []
        for _ in range(args.valider):
            title = f"Accueil du soir {uuid.uuid4().hex[:8]}"
            root = await send(alice, room, "Comment accueillir les familles le soir ?")
            await send(alice, room, "!capturer", thread=root)
            await send(alice, room, FICHE.format(title=title), thread=root)

            async def in_review(root: str = root) -> bool:
                case = await bot.db.run(lambda repo: repo.case_by_root(room, root))
                return case is not None and case.state is CaseState.IN_REVIEW

            await until(in_review)
            case = await bot.db.run(lambda repo, root=root: repo.case_by_root(room, root))
            assert case is not None
            cases.append((case.id, title))
        valider, raw_edit = [], []
        for case_id, _title in cases:
            raw_edit.append(await asyncio.to_thread(raw_edit_seconds, site, 3))
            start = time.perf_counter()
            await send(mona, moderation, f"!valider {case_id}")

            async def on_wiki(case_id: int = case_id) -> bool:
                publication = await bot.db.run(lambda repo: repo.get_publication(case_id))
                return publication is not None and await asyncio.to_thread(
                    page_answers, site, publication.page_title
                )

            await until(on_wiki)
            valider.append(time.perf_counter() - start)
        # -- !chercher, idle then behind the bulk of republishes -------------------
        idle = await _search(alice, room, "accueil")
        start_bulk = time.perf_counter()
        await send(bruno, room, "!consentement oui")  # every page quoting Bruno: rebuilt

        async def queued() -> bool:
            pending = await bot.db.run(lambda repo: len(repo.pending_outbox([REPUBLISH])))
            return pending >= args.bulk * 0.9

        await until(queued)
        queued_s = time.perf_counter() - start_bulk
        searches, raw_searches = [], []
        for query in ("accueil", "familles", "permanence"):
            searches.append(await _search(alice, room, query))
            raw_searches.append(await asyncio.to_thread(raw_search_seconds, site, query))
            await asyncio.sleep(1.0)
        left = await bot.db.run(lambda repo: len(repo.pending_outbox([REPUBLISH])))
        rebuilt_s = time.perf_counter() - start_bulk
    finally:
        await bot.stop()
        for client in (alice, bruno, mona):
            await client.close()
    raw = statistics.median(raw_edit)
    return {
        "valider_to_page_s": round(statistics.median(valider) - raw, 3),
        "valider_runs_s": [round(v, 3) for v in valider],
        "valider_raw_edit_s": round(raw, 3),
        "target_valider_to_page_s": 1.0,
        "search_while_bulk_s": round(statistics.median(searches), 3),
        "search_while_bulk_runs_s": [round(s, 3) for s in searches],
        "search_idle_s": round(idle, 3),
        # the wiki's own search request, alone, between the bot's searches
        "search_raw_wiki_s": round(statistics.median(raw_searches), 3),
        "target_search_while_bulk_s": 5.0,
        "bulk_republishes": args.bulk,
        "bulk_queued_s": round(queued_s, 2),
        "bulk_left_after_searches": left,
        "bulk_rebuilt_per_s": round((args.bulk - left) / rebuilt_s, 2),
    }


async def _roots(client: AsyncClient, room: str, count: int) -> list[str]:
    roots: list[str] = [""] * count
    numbers = iter(range(count))

    async def worker() -> None:
        for n in numbers:
            roots[n] = await send(client, room, f"Fil {n} : comment faites-vous ?")

    await asyncio.gather(*(worker() for _ in range(10)))
    return roots


async def _search(client: AsyncClient, room: str, query: str) -> float:
    word = f"{query}{uuid.uuid4().hex[:4]}"  # the answer names the query: ours only
    start = time.perf_counter()
    await send(client, room, f"!chercher {word}")
    await until(lambda: answered(client, room, word))
    return time.perf_counter() - start
