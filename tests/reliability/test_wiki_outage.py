"""The wiki down for 60 s while a moderator approves 20 fiches through Matrix: the bot
keeps answering, and once the wiki is back there are 20 pages, one bot revision each."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime
from pathlib import Path

import pytest
from nio import AsyncClient, RoomCreateResponse

from bot.app import Bot
from bot.domain.models import (
    CaseOrigin,
    CaseState,
    FicheField,
    Message,
    PublicationStatus,
    Transition,
)
from bot.storage.repository import Repository
from scripts.devstack import StackInfo
from tests.integration.helpers import eventually, user_client
from tests.integration.test_capture import bot_messages, bot_settings, room_with_bot, send
from tests.integration.wiki_support import (
    client_for,
    fiche_fields,
    revisions,
    run_setup,
    settings_for,
    unique,
    wiki_down,
)

FICHES = 20
OUTAGE = 60.0  # seconds of wall time with the wiki stopped
APPROVALS_WITHIN = 45.0  # the moderator's 20 approvals are spread over this much of it


async def _bodies(client: AsyncClient, room: str) -> list[str]:
    return [
        s["content"].get("body", "")
        for s in await bot_messages(client, room)
        if s["type"] == "m.room.message"
    ]


async def _count(client: AsyncClient, room: str, needles: list[str]) -> int:
    bodies = await _bodies(client, room)
    return sum(any(needle in body for body in bodies) for needle in needles)


def _seed_in_review(
    repo: Repository, room: str, roots: list[str], titles: list[str], author: str, now: datetime
) -> list[int]:
    """What `!capturer` then `!fiche` leave: a case per root, a complete fiche, in review."""
    ids: list[int] = []
    for root, title in zip(roots, titles, strict=True):
        case, _ = repo.create_case(
            room_id=room,
            root_event_id=root,
            origin=CaseOrigin.THREAD,
            title=title,
            created_by=author,
            now=now,
        )
        repo.add_message(
            Message(
                event_id=root, room_id=room, sender=author, sent_at=now, body=title, case_id=case.id
            )
        )
        repo.add_fiche_version(case.id, fiche_fields(title), author, now)
        repo.add_transition(
            Transition(case.id, CaseState.CAPTURING, CaseState.IN_REVIEW, author, now)
        )
        repo.update_case(case.id, state=CaseState.IN_REVIEW)
        ids.append(case.id)
    return ids


async def test_wiki_down_60s_while_20_fiches_are_approved(
    stack: StackInfo, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    run_setup(stack)  # template and categories exist before the fiches come
    wiki = client_for(settings_for(stack))
    bot_name = wiki.whoami()[0]
    alice = await user_client(stack, "practitioner")
    mona = await user_client(stack, "moderator")
    bot_id = stack.user("bot").user_id()
    created = await mona.room_create(name="Modération (panne wiki)", invite=[bot_id])
    assert isinstance(created, RoomCreateResponse), created
    moderation = created.room_id
    settings = bot_settings(stack, tmp_path, matrix={"moderation_room": moderation})
    bot = Bot(settings)
    await bot.start()
    try:
        room = await room_with_bot(alice, bot)

        async def in_moderation() -> bool:
            members = await mona.joined_members(moderation)
            return bot_id in [m.user_id for m in getattr(members, "members", [])]

        await eventually(in_moderation, within=30)
        titles = [unique(f"Panne du wiki, fiche {n}") for n in range(FICHES)]
        roots = [await send(alice, room, f"Notre pratique : {title}") for title in titles]
        author, now = alice.user_id, bot.clock()
        case_ids = await bot.db.run(
            lambda repo: _seed_in_review(repo, room, roots, titles, author, now)
        )
        approved_replies = [f"Cas #{case_id} validé" for case_id in case_ids]
        published = [f"Fiche #{case_id} publiée sur le wiki" for case_id in case_ids]

        async def states() -> list[CaseState]:
            cases = await bot.db.run(lambda repo: [repo.get_case(c) for c in case_ids])
            return [c.state for c in cases if c is not None]

        loop = asyncio.get_running_loop()
        with wiki_down(stack):
            down_at = loop.time()
            for n, case_id in enumerate(case_ids):
                await send(mona, moderation, f"!valider {case_id}")
                # Paced like a person (and under the bot's own command rate limit).
                pause = down_at + (n + 1) * APPROVALS_WITHIN / FICHES - loop.time()
                await asyncio.sleep(max(0.0, pause))

            async def all_approved() -> bool:
                return await states() == [CaseState.APPROVED] * FICHES

            await eventually(all_approved, within=10)

            # The bot keeps talking while the wiki is away: each approval is acknowledged.
            async def all_acknowledged() -> bool:
                return await _count(mona, moderation, approved_replies) == FICHES

            remaining = down_at + OUTAGE - loop.time()
            await eventually(all_acknowledged, within=max(1.0, remaining - 1.0))
            assert await states() == [CaseState.APPROVED] * FICHES
            assert (
                await bot.db.run(lambda repo: [repo.get_publication(c) for c in case_ids])
                == [None] * FICHES
            )
            await asyncio.sleep(max(0.0, down_at + OUTAGE - loop.time()))
        back_at = time.monotonic()

        async def all_published() -> bool:
            return await states() == [CaseState.PUBLISHED] * FICHES

        await eventually(all_published, within=45, interval=0.5)
        delay = time.monotonic() - back_at
        publications = await bot.db.run(lambda repo: [repo.get_publication(c) for c in case_ids])
        assert all(p is not None and p.status is PublicationStatus.PUBLISHED for p in publications)
        pages = [p.page_title for p in publications if p is not None]
        assert len(set(pages)) == FICHES
        for page, title in zip(pages, titles, strict=True):
            assert page == title
            history = revisions(wiki, page)
            assert [r["user"] for r in history] == [bot_name], (page, history)
            text = bot.wiki.client.read(page).text or ""
            assert fiche_fields(title)[FicheField.CONTEXT] in text

        # Moderators, and the authors in the cases' threads, are told: each fiche once.
        async def everyone_told() -> bool:
            return (
                await _count(mona, moderation, published) == FICHES
                and await _count(alice, room, published) == FICHES
            )

        await eventually(everyone_told, within=30)
        for client, where in ((mona, moderation), (alice, room)):
            bodies = await _bodies(client, where)
            for needle in published:
                assert sum(needle in body for body in bodies) == 1, (where, needle)

        async def drained() -> bool:
            return await bot.db.run(lambda repo: repo.pending_outbox()) == []

        await eventually(drained, within=30)
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert errors == [], [r.getMessage() for r in errors]
        print(f"published {FICHES} fiches {delay:.1f}s after the wiki came back")
    finally:
        await bot.stop()
        await alice.close()
        await mona.close()
