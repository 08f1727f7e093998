"""Privacy through the real Synapse and MediaWiki (DESIGN §7): a reply's fallback never
carries a non-consenting participant's words anywhere, and after `!oublier confirmer` no
table, job or current page holds the person's words or name."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from nio import AsyncClient, RoomCreateResponse, RoomSendResponse

from bot.app import Bot
from bot.domain.models import CaseState, Publication
from bot.services.export import case_record, prepare, to_string
from bot.storage.tables import Base
from scripts.devstack import StackInfo
from tests.integration.helpers import eventually, user_client
from tests.integration.test_capture import bot_messages, bot_settings, case_of, room_with_bot, send
from tests.integration.wiki_support import run_setup

pytestmark = pytest.mark.integration

FICHE = """!fiche
Titre: Accueil des familles {tag}
Contexte: Des familles arrivent sans rendez-vous le soir.
Action: Une permanence sans rendez-vous le mardi soir.
Enseignements: Ouvrir quand les familles sont disponibles.
Thèmes: accueil"""


async def reply_with_fallback(
    client: AsyncClient,
    room: str,
    *,
    thread: str,
    parent: str,
    parent_sender: str,
    quoted: str,
    answer: str,
) -> str:
    """A reply in a thread as clients without MSC2781 send it: the parent quoted in
    `body` and in an `<mx-reply>` block of `formatted_body`."""
    content = {
        "msgtype": "m.text",
        "body": f"> <{parent_sender}> {quoted}\n\n{answer}",
        "format": "org.matrix.custom.html",
        "formatted_body": (
            f'<mx-reply><blockquote><a href="https://matrix.to/#/{room}/{parent}">In reply to'
            f'</a> <a href="https://matrix.to/#/{parent_sender}">{parent_sender}</a><br>'
            f"{quoted}</blockquote></mx-reply>{answer}"
        ),
        "m.relates_to": {
            "rel_type": "m.thread",
            "event_id": thread,
            "is_falling_back": False,
            "m.in_reply_to": {"event_id": parent},
        },
    }
    response = await client.room_send(room, "m.room.message", content)
    assert isinstance(response, RoomSendResponse), response
    return response.event_id


async def _bot_moderated_by(mona: AsyncClient, stack: StackInfo, tmp_path: Path) -> tuple[Bot, str]:
    """The bot started, the wiki set up, and the moderation room Mona made for it."""
    created = await mona.room_create(name="Modération", invite=[stack.user("bot").user_id()])
    assert isinstance(created, RoomCreateResponse)
    run_setup(stack)
    bot = Bot(bot_settings(stack, tmp_path, matrix={"moderation_room": created.room_id}))
    await bot.start()
    return bot, created.room_id


async def until_notice(client: AsyncClient, room: str, needle: str) -> None:
    async def seen() -> bool:
        return any(
            needle in s["content"].get("body", "")
            for s in await bot_messages(client, room)
            if s["type"] == "m.room.message"
        )

    await eventually(seen, within=30)


async def test_a_reply_fallback_never_carries_a_non_consenting_participant_s_words(
    stack: StackInfo, tmp_path: Path, people: dict[str, AsyncClient]
) -> None:
    alice, bruno, mona = people["practitioner"], people["practitioner2"], people["moderator"]
    bot, moderation = await _bot_moderated_by(mona, stack, tmp_path)
    tag = uuid.uuid4().hex[:8]
    words = f"Les mots de Bruno {tag}"
    try:
        room = await room_with_bot(alice, bot, guests=(bruno,))
        await send(bruno, room, "!consentement non")
        await until_notice(bruno, room, "consentement")
        await send(alice, room, "!consentement oui")
        root = await send(alice, room, "Comment accueillir les familles le soir ?")
        said = await send(bruno, room, words, thread=root)

        async def answer_bruno(answer: str) -> None:
            """Alice answers Bruno in the thread, quoting him as clients without threads do."""
            await reply_with_fallback(
                alice,
                room,
                thread=root,
                parent=said,
                parent_sender=bruno.user_id,
                quoted=words,
                answer=answer,
            )

        # Before the capture (the capture job reads it back through /relations) …
        await answer_bruno("Nous ouvrons le mardi soir.")
        await send(alice, room, "!capturer", thread=root)
        await eventually(lambda: _stored(bot, room, root, 3), within=30)
        # … and after it (live sync).
        await answer_bruno("Et nous prévenons les écoles.")
        await eventually(lambda: _stored(bot, room, root, 4), within=30)
        case = await case_of(bot, room, root)
        assert case is not None
        bodies = await bot.db.run(lambda repo: [m.body for m in repo.case_messages(case.id)])
        assert "Nous ouvrons le mardi soir." in bodies and "Et nous prévenons les écoles." in bodies
        assert sum(tag in body for body in bodies) == 1  # Bruno's own message only

        publication = await _published(
            bot, case.id, author=alice, room=room, root=root, moderator=mona, moderation=moderation
        )
        page = bot.wiki.client.read(publication.page_title).text or ""
        assert "Nous ouvrons le mardi soir." in page  # Alice's words are quoted …
        assert tag not in page  # … Bruno's are not, not even inside hers
        # The approving moderator is named by the display name seen when she approved.
        assert "Mona Dupont" in page and "@mona" not in page

        secret = "test-secret"
        record = await bot.db.run(lambda repo: case_record(repo, case.id, prepare(repo, secret)))
        for fmt in ("jsonl", "csv"):
            exported = to_string([record], fmt)
            assert "Nous ouvrons le mardi soir." in exported
            assert tag not in exported
    finally:
        await bot.stop()


async def _published(
    bot: Bot,
    case_id: int,
    *,
    author: AsyncClient,
    room: str,
    root: str,
    moderator: AsyncClient,
    moderation: str,
) -> Publication:
    """The case's fiche written by `author` in its thread, approved by `moderator` in the
    moderation room, published: its publication."""
    await send(author, room, FICHE.format(tag=uuid.uuid4().hex[:8]), thread=root)
    await eventually(lambda: _state_is(bot, room, root, CaseState.IN_REVIEW), within=30)
    await send(moderator, moderation, f"!valider {case_id}")
    await eventually(lambda: _state_is(bot, room, root, CaseState.PUBLISHED), within=60)
    publication = await bot.db.run(lambda repo: repo.get_publication(case_id))
    assert publication is not None
    return publication


async def _stored(bot: Bot, room: str, root: str, count: int) -> bool:
    case = await case_of(bot, room, root)
    if case is None:
        return False
    return len(await bot.db.run(lambda repo: repo.case_messages(case.id))) >= count


async def _state_is(bot: Bot, room: str, root: str, state: CaseState) -> bool:
    case = await case_of(bot, room, root)
    return case is not None and case.state is state


#: Where a forgotten person's Matrix id may stay: the keys of the decisions they took and
#: of their refusal (see bot.services.forgetting).
ID_KEEPING_COLUMNS = {
    ("messages", "sender"),
    ("cases", "created_by"),
    ("fiche_versions", "submitted_by"),
    ("reviews", "moderator"),
    ("transitions", "actor"),
    ("participants", "user_id"),
}


def _cells(repo: Any) -> list[tuple[str, str, Any, str]]:
    """(table, column, the row's outbox payload if any, text) of every cell of every table."""
    found: list[tuple[str, str, Any, str]] = []
    for table in Base.metadata.sorted_tables:
        for row in repo.connection.execute(sa.select(table)).mappings():
            for column, value in row.items():
                if isinstance(value, str):
                    text = value
                else:
                    text = json.dumps(value, default=str, ensure_ascii=False)
                found.append((table.name, column, row.get("payload"), text))
    return found


async def test_forget_leaves_no_word_nor_name_in_any_table_job_or_page(
    stack: StackInfo, tmp_path: Path
) -> None:
    roles = ("practitioner", "researcher", "moderator")
    clients = {role: await user_client(stack, role) for role in roles}
    alice, claire, mona = clients["practitioner"], clients["researcher"], clients["moderator"]
    bot, moderation = await _bot_moderated_by(mona, stack, tmp_path)
    mark, note_mark = f"Marqueur{uuid.uuid4().hex[:8]}", f"Note{uuid.uuid4().hex[:8]}"
    try:
        room = await room_with_bot(alice, bot, guests=(claire,))
        await send(claire, room, "!consentement oui")
        await until_notice(claire, room, "C'est noté")
        await send(alice, room, "!consentement oui")
        root = await send(claire, room, f"Comment ouvrir le soir {mark} ? Je cherche des idées.")
        await send(alice, room, "Nous ouvrons le mardi soir, sans rendez-vous.", thread=root)
        await send(claire, room, f"Merci, et les écoles {mark} prévenues ?", thread=root)
        await send(alice, room, "!capturer", thread=root)
        await eventually(lambda: _stored(bot, room, root, 3), within=30)
        case = await case_of(bot, room, root)
        assert case is not None and mark in case.title  # derived from Claire's message
        publication = await _published(
            bot, case.id, author=alice, room=room, root=root, moderator=mona, moderation=moderation
        )
        wiki = bot.wiki.client
        assert mark in (wiki.read(publication.page_title).text or "")  # quoted with consent
        await send(claire, room, f"!annoter {case.id} Piste à suivre {note_mark}.", thread=root)
        talk = f"Talk:{publication.page_title}"
        await eventually(lambda: _page_has(bot, talk, note_mark), within=30)

        await send(claire, room, "!oublier confirmer", thread=root)
        await eventually(lambda: _page_lacks(bot, publication.page_title, mark), within=60)
        await eventually(lambda: _page_lacks(bot, talk, note_mark), within=60)
        await until_notice(claire, room, "C'est fait")

        # No current page holds her words or her name.
        for title in (publication.page_title, talk):
            text = wiki.read(title).text or ""
            assert "Claire" not in text and "@claire" not in text, title
        assert "Piste à suivre" not in (wiki.read(talk).text or "")
        # No table, no job (pending or done): not her words, not her name; her id only
        # as the key of what she did and of her refusal.
        for table, column, payload, text in await bot.db.run(_cells):
            where = f"{table}.{column}: {text[:200]}"
            assert mark not in text and note_mark not in text, where
            assert "Claire Petit" not in text, where
            if claire.user_id in text and (table, column) not in ID_KEEPING_COLUMNS:
                # … and in the confirmation sent to her (its mention addresses her).
                assert table == "outbox" and "C'est fait" in str(payload), where
        renamed = await case_of(bot, room, root)
        assert renamed is not None and renamed.title.startswith("Accueil des familles")
    finally:
        await bot.stop()
        for client in clients.values():
            await client.close()


async def _page_has(bot: Bot, title: str, needle: str) -> bool:
    page = await asyncio.to_thread(bot.wiki.client.read, title)
    return needle in (page.text or "")


async def _page_lacks(bot: Bot, title: str, needle: str) -> bool:
    return not await _page_has(bot, title, needle)
