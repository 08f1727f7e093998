"""Knowledge from the exchange (issue 17) through the real Synapse and MediaWiki: the
prompt's draft, made by the language model, proposes the territory and themes the
network's published fiches already use and the sentences that answer each field; the
capture's answer, the prompt and the review card name the published fiches like it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nio import AsyncClient, RoomCreateResponse

from bot.app import Bot
from bot.domain.fiche import FicheDraft, parse_fiche, split_list
from bot.domain.models import FicheField, PublicationStatus
from bot.i18n import Translator
from scripts.devstack import StackInfo
from tests.integration.helpers import eventually
from tests.integration.test_capture import bot_messages, bot_settings, room_with_bot, send
from tests.integration.wiki_support import fiche_fields, seed_case, unique

pytestmark = pytest.mark.integration
F = FicheField
DATA = Path(__file__).resolve().parents[1] / "data" / "drafts"
EXCHANGE = DATA / "03_job_dating_vaulx.json"


def reference_fields(name: str) -> dict[str, str]:
    """A hand-written fiche of the test set, as fiche fields."""
    ref = json.loads((DATA / name).read_text(encoding="utf-8"))["reference"]
    keys = ("context", "action", "results", "lessons", "territory")
    return {key: ref[key] for key in keys} | {"themes": ", ".join(ref["themes"])}


async def publish_fiche(bot: Bot, name: str, **fields: str) -> str:
    """A fiche approved and published on the real wiki by the running bot: its title."""
    title = unique(name)
    case_id = seed_case(
        bot.db, fiche_fields(title, **fields), now=datetime.now(UTC) - timedelta(days=30)
    )
    bot.dispatcher.nudge()

    async def published() -> bool:
        publication = await bot.db.run(lambda repo: repo.get_publication(case_id))
        return publication is not None and publication.status is PublicationStatus.PUBLISHED

    await eventually(published, within=60)
    return title


async def test_drafts_and_related_fiches_from_what_the_wiki_already_has(
    wiki_ready: StackInfo, tmp_path: Path, people: dict[str, AsyncClient]
) -> None:
    alice, bruno, mona = people["practitioner"], people["practitioner2"], people["moderator"]
    created = await mona.room_create(name="Modération", invite=[wiki_ready.user("bot").user_id()])
    assert isinstance(created, RoomCreateResponse)
    moderation = created.room_id
    settings = bot_settings(
        wiki_ready, tmp_path, matrix={"moderation_room": moderation}, language_model=True
    )
    settings.schedule.summary_after = timedelta(seconds=5)
    settings.schedule.digest_cron = "0 9 29 2 *"
    tr = Translator(settings.bot.language)
    bot = Bot(settings)
    await bot.start()
    try:
        near = await publish_fiche(bot, "Job dating", **reference_fields(EXCHANGE.name))
        far = await publish_fiche(bot, "Bus santé", **reference_fields("06_sante_marseille.json"))
        near_url, far_url = bot.wiki.page_url(near), bot.wiki.page_url(far)
        room = await room_with_bot(alice, bot, guests=(bruno,))
        messages = json.loads(EXCHANGE.read_text(encoding="utf-8"))["messages"]
        opener = messages[0]["sender"]
        root = await send(alice, room, messages[0]["body"])
        for message in messages[1:]:
            sender = alice if message["sender"] == opener else bruno
            await send(sender, room, message["body"], thread=root)
        await send(alice, room, "!capturer Job dating au pied des tours", thread=root)

        async def notice_with(room_id: str, text: str) -> str | None:
            for source in await bot_messages(alice if room_id == room else mona, room_id):
                body = str(source["content"].get("body", ""))
                if source["content"].get("msgtype") == "m.notice" and text in body:
                    return body
            return None

        async def answered() -> bool:
            return await notice_with(room, tr("related.heading")) is not None

        # The capture's answer names the published fiche like the exchange, not the other.
        await eventually(answered, within=180, interval=1.0)
        answer = await notice_with(room, tr("related.heading"))
        assert answer is not None and "#" in answer
        assert near_url in answer and far_url not in answer

        async def prompted() -> bool:
            return await notice_with(room, tr("prompt.draft")) is not None

        await eventually(prompted, within=180, interval=1.0)
        prompt = await notice_with(room, tr("prompt.draft"))
        assert prompt is not None
        block = prompt.split(tr("prompt.draft"), 1)[1].split("\n\n", 1)[0]
        command, draft_text = block.strip().split("\n", 1)
        draft = parse_fiche(draft_text)
        assert isinstance(draft, FicheDraft), draft_text
        fields = draft.fields
        assert fields[F.TERRITORY] == "Vaulx-en-Velin"  # as the published fiche spells it
        assert "Emploi" in split_list(fields[F.THEMES])
        assert "job dating en plein air" in fields[F.ACTION]
        assert "320 jeunes venus" in fields[F.RESULTS]
        assert "suivi derrière par la mission locale" in fields[F.LESSONS]
        assert "Merci" not in draft_text.split("\n", 1)[1]
        assert tr("related.heading") in prompt and near_url in prompt and far_url not in prompt

        # The draft sent as is makes a complete fiche; its review card warns of the twin.
        await send(alice, room, f"{command}\n{draft_text}", thread=root)

        async def carded() -> bool:
            return await notice_with(moderation, tr("related.card_heading")) is not None

        await eventually(carded, within=180, interval=1.0)
        card = await notice_with(moderation, tr("related.card_heading"))
        assert card is not None and near_url in card and far_url not in card
    finally:
        await bot.stop()
