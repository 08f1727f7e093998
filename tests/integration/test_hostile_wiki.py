"""Hostile user text in every field, name, label and title of real published fiches.

Each fiche carries a batch of HOSTILE_INPUTS everywhere (fields, title, themes,
territory, room label and categories, display names, quotes, the moderator's name),
goes through the Publisher, and the real MediaWiki's parse must show exactly the
categories, templates, links, external links and properties the bot meant, with every
hostile text visible as plain text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

import pytest

from bot.domain.models import Consent, FicheField, Participant, PublicationStatus, Room, RoomKind
from bot.services.outbox import OutboxDispatcher
from bot.services.page_building import build_entry
from bot.services.publication_requests import KINDS
from bot.services.publisher import Publisher
from bot.storage.database import Database
from scripts.devstack import StackInfo
from tests.hostile_inputs import HOSTILE_INPUTS
from tests.integration.wiki_support import (
    MODERATOR,
    Clock,
    Speaker,
    parse,
    seed_case,
    settings_for,
    worker_for,
)
from wiki_sync.escape import clean_text, escape_wikitext_links
from wiki_sync.render import page_categories, safe_matrix_to
from wiki_sync.titles import is_valid_title, page_title_from

pytestmark = pytest.mark.integration

BATCH = 6
_SURROGATE = re.compile("[\ud800-\udfff]")
BATCHES = [HOSTILE_INPUTS[i : i + BATCH] for i in range(0, len(HOSTILE_INPUTS), BATCH)]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible(html_text: str) -> str:
    parser = _Text()
    parser.feed(html_text)
    return " ".join("".join(parser.parts).split())


def shown(text: str) -> str:
    """How a hostile text must read on the page: cleaned, whitespace folded."""
    return " ".join(clean_text(text).split())


def names(items: list[dict[str, Any]], key: str) -> list[str]:
    return sorted(str(item[key]) for item in items)


@pytest.mark.parametrize("batch", BATCHES, ids=[f"{b[0][0]}..{b[-1][0]}" for b in BATCHES])
async def test_hostile_batch_is_plain_text_on_the_real_wiki(
    wiki_ready: StackInfo, db: Database, batch: list[tuple[str, str]]
) -> None:
    texts = [text for _, text in batch]
    # Message bodies, names and labels are TEXT columns: SQLite's driver refuses lone
    # surrogates, so those reach the page only through the fiche fields (JSON column).
    stored = [_SURROGATE.sub("\ufffd", text) for text in texts]
    multi = "\n\n".join(texts)
    title = " ".join(texts)
    fields = {field: multi for field in FicheField}
    fields[FicheField.TITLE] = title
    fields[FicheField.THEMES] = ", ".join(texts)
    fields[FicheField.TERRITORY] = texts[0]
    room = Room(
        room_id="!hostile:localhost",
        kind=RoomKind.FUNCTION,
        label=" ".join(reversed(stored)),
        categories=tuple(stored),
    )
    speakers = [
        Speaker(f"@hostile{n}:localhost", text, Consent.GRANTED) for n, text in enumerate(stored)
    ]
    messages = list(zip(speakers, reversed(stored), strict=True))
    moderator = Participant(MODERATOR, " ".join(stored), Consent.GRANTED)
    db.run_sync(lambda repo: repo.save_participant(moderator))
    case_id = seed_case(db, fields, messages=messages, room=room)

    settings = settings_for(wiki_ready)
    clock = Clock()
    publisher = Publisher(db, worker_for(settings, max_retries=1), settings, clock)
    dispatcher = OutboxDispatcher(db, clock)
    publisher.register(dispatcher)
    try:
        await dispatcher.run_once(list(KINDS))
    finally:
        publisher.worker.close()

    pub = db.run_sync(lambda repo: repo.get_publication(case_id))
    assert pub is not None and pub.status is PublicationStatus.PUBLISHED, db.run_sync(
        lambda repo: repo.pending_outbox()
    )
    assert is_valid_title(pub.page_title)
    assert pub.page_title in (page_title_from(title), f"{page_title_from(title)} (fiche {case_id})")

    def expected_entry(repo: Any) -> Any:
        case = repo.get_case(case_id)
        fiche = repo.latest_fiche(case_id)
        return build_entry(
            repo,
            case,
            fiche,
            approved_by=moderator.display_name,
            approved_at=clock(),
            lang=settings.bot.language,
        )

    entry = db.run_sync(expected_entry)
    categories = page_categories(entry, settings.wiki.category)
    assert len(categories) > len(texts)  # fiche, themes, territory, room, extras

    result = parse(publisher.worker.client, pub.page_title)
    assert names(result["categories"], "category") == sorted(
        c.replace(" ", "_") for c in categories
    )
    assert [(t["ns"], t["title"]) for t in result["templates"]] == [
        (10, "Modèle:Fiche d'expérience")
    ]
    assert result["links"] == []
    # MediaWiki reports the link with its safe characters decoded. Besides the thread
    # link, only the Resources field's addresses are links (re-encoded by safe_url).
    resources = re.findall(r"\[(https?://\S*) ", escape_wikitext_links(entry.fields["resources"]))
    assert sorted({unquote(u) for u in result["externallinks"]}) == sorted(
        {unquote(safe_matrix_to(entry.thread_url)), *(unquote(u) for u in resources)}
    )
    assert result["properties"] == {} or result["properties"] == []
    assert result["langlinks"] == [] and result["iwlinks"] == [] and result["images"] == []

    page_text = visible(result["text"])
    # One quotation per message, each still a tag after the wiki's NFC normalisation
    # (a quote opening with U+0338 once turned "<blockquote>" into "<blockquote≯").
    assert result["text"].count("<blockquote>") == len(messages)
    assert "blockquote" not in page_text
    for name, text in batch:
        assert shown(text) in page_text, name
