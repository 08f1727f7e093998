"""Knowledge from the exchange (issue 17) through the real Synapse and MediaWiki: the
prompt's draft, made by the language model, proposes the territory and themes the
network's published fiches already use, and the sentences that answer each field."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient

from bot.app import Bot
from bot.domain.fiche import FicheDraft, parse_fiche, split_list
from bot.domain.models import FicheField, PublicationStatus
from bot.i18n import Translator
from scripts.devstack import StackInfo
from tests.integration.helpers import eventually, user_client
from tests.integration.test_capture import bot_messages, bot_settings, room_with_bot, send
from tests.integration.wiki_support import fiche_fields, seed_case, unique

pytestmark = pytest.mark.integration
F = FicheField
EXCHANGE = Path(__file__).resolve().parents[1] / "data" / "drafts" / "03_job_dating_vaulx.json"


@pytest.fixture
async def people(stack: StackInfo) -> AsyncIterator[dict[str, AsyncClient]]:
    clients = {role: await user_client(stack, role) for role in ("practitioner", "practitioner2")}
    try:
        yield clients
    finally:
        for client in clients.values():
            await client.close()


async def publish_fiche(bot: Bot, **fields: str) -> str:
    """A fiche approved and published on the real wiki by the running bot: its title."""
    title = unique("Forum emploi")
    case_id = seed_case(
        bot.db, fiche_fields(title, **fields), now=datetime.now(UTC) - timedelta(days=30)
    )
    bot.dispatcher.nudge()

    async def published() -> bool:
        publication = await bot.db.run(lambda repo: repo.get_publication(case_id))
        return publication is not None and publication.status is PublicationStatus.PUBLISHED

    await eventually(published, within=60)
    return title


async def test_the_prompt_drafts_with_the_networks_territories_and_themes(
    wiki_ready: StackInfo, tmp_path: Path, people: dict[str, AsyncClient]
) -> None:
    settings = bot_settings(wiki_ready, tmp_path, language_model=True)
    settings.schedule.summary_after = timedelta(seconds=5)
    settings.schedule.digest_cron = "0 9 29 2 *"
    tr = Translator(settings.bot.language)
    bot = Bot(settings)
    await bot.start()
    try:
        await publish_fiche(
            bot, themes="Emploi, Jeunesse", territory="Vaulx-en-Velin", context="Des jeunes."
        )
        alice, bruno = people["practitioner"], people["practitioner2"]
        room = await room_with_bot(alice, bot)
        await alice.room_invite(room, bruno.user_id)
        await bruno.join(room)
        messages = json.loads(EXCHANGE.read_text(encoding="utf-8"))["messages"]
        opener = messages[0]["sender"]
        root = await send(alice, room, messages[0]["body"])
        for message in messages[1:]:
            await send(alice if message["sender"] == opener else bruno, room, message["body"],
                       thread=root)
        await send(alice, room, "!capturer Job dating au pied des tours", thread=root)

        async def prompt() -> dict[str, Any] | None:
            for source in await bot_messages(alice, room):
                content = source["content"]
                if content.get("msgtype") == "m.notice" and tr("prompt.draft") in content["body"]:
                    return dict(content)
            return None

        async def prompted() -> bool:
            return await prompt() is not None

        await eventually(prompted, within=180, interval=1.0)
        found = await prompt()
        assert found is not None
        draft_text = found["body"].split(tr("prompt.draft"), 1)[1].split("\n", 2)[2]
        draft = parse_fiche(draft_text)
        assert isinstance(draft, FicheDraft), draft_text
        fields = draft.fields
        assert fields[F.TERRITORY] == "Vaulx-en-Velin"
        assert "Emploi" in split_list(fields[F.THEMES])
        assert "job dating en plein air" in fields[F.ACTION]
        assert "320 jeunes venus" in fields[F.RESULTS]
        assert "suivi derrière par la mission locale" in fields[F.LESSONS]
        assert "Merci" not in draft_text.split("\n", 1)[1]
    finally:
        await bot.stop()
