"""Privacy rebuilds against the real MediaWiki: a redaction, a consent withdrawal or a
forget rewrites what the bot wrote, even under human edits, and a deleted page stays
deleted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain.models import (
    CaseState,
    Consent,
    Participant,
    PublicationStatus,
    Transition,
)
from bot.services.effects import NOTICE
from bot.services.forgetting import forget
from bot.services.outbox import OutboxDispatcher
from bot.services.prompting import Prompting
from bot.services.publication_requests import (
    CONSENT_WITHDRAWN,
    KINDS,
    REDACTION,
    request_republish,
    request_republish_for,
    request_withdrawal,
)
from bot.services.publisher import Publisher
from bot.storage.database import Database
from scripts.devstack import StackInfo
from tests.integration.publishing_fixtures import (
    bot_text,
    clock,
    dispatcher,
    publisher,
)
from tests.integration.wiki_support import (
    ALICE,
    BRUNO,
    MODERATION_ROOM,
    Clock,
    HumanEditor,
    amend,
    fiche_fields,
    revisions,
    seed_case,
    unique,
)

pytestmark = pytest.mark.integration
FAR = datetime(2099, 1, 1, tzinfo=UTC)

__all__ = ["clock", "dispatcher", "publisher"]  # fixtures, used by name


async def test_redaction_removes_the_quote_even_from_a_human_edited_excerpt(
    wiki_ready: StackInfo,
    db: Database,
    dispatcher: OutboxDispatcher,
    publisher: Publisher,
    clock: Clock,
) -> None:
    title = unique("Extrait retouché")
    messages = [(ALICE, "Premier message d'Alice PRIV111."), (ALICE, "Second d'Alice PRIV222.")]
    case_id = seed_case(db, fiche_fields(title), messages=messages)
    await dispatcher.run_once(list(KINDS))
    assert "PRIV111" in bot_text(publisher, title)
    human = HumanEditor(wiki_ready)
    human.edit(
        title,
        lambda text: (
            text.replace("PRIV111.", "PRIV111. (souligné par la relecture)").replace(
                "Un contexte.", "Contexte corrigé par un humain."
            )
            + "\n\n== Notes ==\nAjout humain sous le modèle."
        ),
    )
    before = revisions(publisher.worker.client, title)

    clock.advance(60)
    event_id = db.run_sync(lambda repo: repo.case_messages(case_id)[0].event_id)

    def redact(repo: Any) -> None:
        assert repo.redact_message(event_id) == case_id
        request_republish(repo, case_id, REDACTION, clock())

    db.run_sync(redact)
    await dispatcher.run_once(list(KINDS))

    text = bot_text(publisher, title)
    assert "PRIV111" not in text and "souligné par la relecture" not in text
    assert "PRIV222" in text
    assert "Contexte corrigé par un humain." in text  # human edits elsewhere stay
    assert "Ajout humain sous le modèle." in text
    revs = revisions(publisher.worker.client, title)
    assert len(revs) == len(before) + 1 and revs[0]["user"] == "Capibot"
    pub = db.run_sync(lambda repo: repo.get_publication(case_id))
    assert pub is not None and pub.status is PublicationStatus.PUBLISHED
    assert pub.last_revid == revs[0]["revid"]
    assert db.run_sync(lambda repo: repo.pending_outbox(list(KINDS))) == []

    # The next ordinary update still keeps the human's edits, and writes once.
    clock.advance(60)
    amend(db, case_id, clock(), lessons="Des enseignements révisés.")
    await dispatcher.run_once(list(KINDS))
    text = bot_text(publisher, title)
    assert "Des enseignements révisés." in text and "Ajout humain sous le modèle." in text
    assert "Contexte corrigé par un humain." in text and "PRIV111" not in text
    assert len(revisions(publisher.worker.client, title)) == len(before) + 2


async def test_consent_withdrawal_unnames_over_human_edits_and_a_deleted_page_stays_deleted(
    wiki_ready: StackInfo,
    db: Database,
    dispatcher: OutboxDispatcher,
    publisher: Publisher,
    clock: Clock,
) -> None:
    title, other = unique("Consentement retiré"), unique("Page supprimée")
    messages = [(ALICE, "Message d'Alice WDR111."), (BRUNO, "Message de Bruno WDR222.")]
    case_id = seed_case(db, fiche_fields(title), messages=messages)
    gone_id = seed_case(db, fiche_fields(other), messages=messages)
    await dispatcher.run_once(list(KINDS))
    assert "Alice Martin" in bot_text(publisher, title)
    human = HumanEditor(wiki_ready)
    # A human touches the contributors block (and the page's end) of one page...
    human.edit(
        title,
        lambda text: (
            text.replace("* Alice Martin", "* Alice Martin (coordinatrice)")
            + "\n\n== Notes ==\nNote humaine."
        ),
    )
    before = revisions(publisher.worker.client, title)
    # ... and a wiki admin deletes the other one.
    token = human.site.get_token("csrf")
    human.site.api("delete", "POST", title=other, reason="test", token=token)
    notices_before = len(db.run_sync(lambda repo: repo.pending_outbox([NOTICE])))

    clock.advance(60)

    def withdraw_consent(repo: Any) -> list[int]:
        repo.save_participant(
            Participant(ALICE.user_id, ALICE.display_name, Consent.REFUSED, clock())
        )
        return request_republish_for(repo, ALICE.user_id, CONSENT_WITHDRAWN, clock())

    assert sorted(db.run_sync(withdraw_consent)) == sorted([case_id, gone_id])
    await dispatcher.run_once(list(KINDS))

    text = bot_text(publisher, title)
    assert "Alice" not in text and "coordinatrice" not in text and "WDR111" not in text
    assert "Personne 1" in text and "Note humaine." in text
    revs = revisions(publisher.worker.client, title)
    assert len(revs) == len(before) + 1 and revs[0]["user"] == "Capibot"

    assert not publisher.worker.client.read(other).exists  # not recreated: its content is gone
    assert db.run_sync(lambda repo: repo.pending_outbox(list(KINDS))) == []
    notices = db.run_sync(lambda repo: repo.pending_outbox([NOTICE]))[notices_before:]
    assert [n.payload["room_id"] for n in notices if other in n.payload["body"]] == [
        MODERATION_ROOM
    ]


async def test_forget_rewrites_a_withdrawal_notice_showing_a_title_from_their_words(
    db: Database, dispatcher: OutboxDispatcher, publisher: Publisher, clock: Clock
) -> None:
    words = unique("Mots de Bruno sur le soir")
    title = unique("Fiche retirée")
    case_id = seed_case(db, fiche_fields(title), messages=((ALICE, "Question ?"), (BRUNO, words)))
    db.run_sync(lambda repo: repo.update_case(case_id, title=words))  # derived from his words
    await dispatcher.run_once(list(KINDS))

    def withdraw(repo: Any) -> None:
        moved = Transition(
            case_id, CaseState.PUBLISHED, CaseState.WITHDRAWN, ALICE.user_id, clock(), "doublon"
        )
        repo.add_transition(moved)
        request_withdrawal(repo, case_id, ALICE.user_id, clock(), "doublon")

    db.run_sync(withdraw)
    await dispatcher.run_once(list(KINDS))
    assert words in bot_text(publisher, title)
    clock.advance(60)
    settings = publisher.settings
    db.run_sync(
        lambda repo: forget(
            repo,
            BRUNO.user_id,
            names=[BRUNO.display_name],
            settings=settings,
            prompting=Prompting(settings),
            now=clock(),
        )
    )
    await dispatcher.run_once(list(KINDS))
    text = bot_text(publisher, title)
    assert words not in text and "retirée" in text and "doublon" in text
    assert title in text  # the title of Alice's fiche instead
