"""`!oublier` while a wiki job is in flight (DESIGN §7: forgetting wins). The job has
read the person's words and written them to the real MediaWiki when the forget commits;
when it records, it finds the erasure count changed: a page is written again from what is
stored now before anything is recorded, an annotation's notice is not queued. The
interleaving is forced: the forget runs inside the job's wiki write."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from bot.domain.models import CaseState, Consent, PublicationStatus
from bot.services.effects import NOTICE
from bot.services.forgetting import forget
from bot.services.outbox import OutboxDispatcher
from bot.services.page_building import PagePlan
from bot.services.prompting import Prompting
from bot.services.publication_requests import KINDS, WITHDRAW, request_withdrawal
from bot.services.publisher import Publisher
from bot.services.research import ANNOTATE, UNANNOTATE, ResearchJobs, reply_context
from bot.storage.database import Database
from bot.storage.tables import Base
from tests.integration.publishing_fixtures import clock, publisher
from tests.integration.wiki_support import (
    ALICE,
    MODERATOR,
    Clock,
    Speaker,
    fiche_fields,
    revisions,
    seed_case,
    unique,
)
from wiki_sync.pages import talk_title
from wiki_sync.writer import Written

pytestmark = pytest.mark.integration

CLAIRE = Speaker("@claire:localhost", "Claire Petit", Consent.GRANTED)


__all__ = ["clock", "publisher"]  # fixtures, used by name


@pytest.fixture
def dispatcher(db: Database, clock: Clock, publisher: Publisher) -> OutboxDispatcher:
    """The publisher's dispatcher, with the research jobs (annotations) too."""
    disp = OutboxDispatcher(db, clock, backoff_base=1.0, backoff_cap=30.0)
    publisher.register(disp)
    ResearchJobs(db, publisher.worker, publisher.settings, clock).register(disp)
    return disp


def _forget_claire(db: Database, publisher: Publisher, clock: Clock) -> Callable[[], None]:
    """`!oublier confirmer` by Claire, committed from wherever it is called."""
    settings = publisher.settings

    def run() -> None:
        db.run_sync(
            lambda repo: forget(
                repo,
                CLAIRE.user_id,
                names=[CLAIRE.display_name],
                settings=settings,
                prompting=Prompting(settings),
                now=clock(),
            )
        )

    return run


def _cells_holding(db: Database, *needles: str) -> list[str]:
    """`table.column: text` of every cell holding one of `needles`."""

    def scan(repo: Any) -> list[str]:
        found = []
        for table in Base.metadata.sorted_tables:
            for row in repo.connection.execute(sa.select(table)).mappings():
                for column, value in row.items():
                    text = value if isinstance(value, str) else json.dumps(value, default=str)
                    if any(n in text for n in needles):
                        found.append(f"{table.name}.{column}: {text[:200]}")
        return found

    return db.run_sync(scan)


def _page(publisher: Publisher, title: str) -> str:
    return publisher.worker.client.read(title).text or ""


async def test_a_publication_written_before_the_forget_is_written_again_and_never_recorded(
    db: Database,
    dispatcher: OutboxDispatcher,
    publisher: Publisher,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    words = unique("Mots de Claire sur le soir")
    title = unique("Accueil du soir")
    case_id = seed_case(db, fiche_fields(title), messages=((ALICE, "Question ?"), (CLAIRE, words)))
    write, forget_claire = publisher._write, _forget_claire(db, publisher, clock)
    texts: list[str] = []

    def write_then_forget(plan: PagePlan) -> Written:
        written = write(plan)
        texts.append(plan.text)
        if len(texts) == 1:  # the page holds her words: she is forgotten now
            assert words in _page(publisher, written.title)
            forget_claire()
        return written

    monkeypatch.setattr(publisher, "_write", write_then_forget)
    await dispatcher.run_once(list(KINDS))

    page = _page(publisher, title)
    assert words not in page and "Claire" not in page and "Un contexte." in page
    assert _cells_holding(db, words, CLAIRE.display_name) == []
    assert len(texts) == 2 and words in texts[0] and words not in texts[1]
    publication = db.run_sync(lambda repo: repo.get_publication(case_id))
    assert publication is not None and publication.page_title == title
    assert publication.last_revid == revisions(publisher.worker.client, title)[0]["revid"]
    # Announced once, as the first publication it is.
    notices = db.run_sync(lambda repo: repo.pending_outbox([NOTICE]))
    bodies = [str(n.payload["body"]) for n in notices]
    assert any("publiée" in b for b in bodies), bodies
    assert not any("mise à jour" in b for b in bodies), bodies


async def test_an_annotation_written_before_the_forget_queues_no_notice_and_leaves_the_page(
    db: Database,
    dispatcher: OutboxDispatcher,
    publisher: Publisher,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    words = unique("Comment accueillir le soir selon Claire")
    note = unique("Piste à suivre")
    title = unique("Accueil des familles")
    case_id = seed_case(db, fiche_fields(title), messages=((CLAIRE, words), (ALICE, "Le mardi.")))
    db.run_sync(lambda repo: repo.update_case(case_id, title=words))  # derived from her words
    await dispatcher.run_once(list(KINDS))  # published, quoting her (she consented)
    assert words in _page(publisher, title)

    def annotate(repo: Any) -> None:
        annotation = repo.add_annotation(case_id, CLAIRE.user_id, note, clock())
        context = reply_context("!r:localhost", "$a", None, CLAIRE.user_id, CLAIRE.display_name)
        payload = {**context, "annotation_id": annotation.id, "case_id": case_id}
        repo.enqueue(ANNOTATE, f"annotate:{annotation.id}", payload, clock())

    db.run_sync(annotate)
    writer, forget_claire = publisher.worker.writer, _forget_claire(db, publisher, clock)
    add_section = writer.add_section

    def add_then_forget(title: str, section: str, marker: str, summary: str) -> Written:
        written = add_section(title, section, marker, summary)
        forget_claire()  # the section is on the talk page; the job has not recorded yet
        return written

    monkeypatch.setattr(writer, "add_section", add_then_forget)
    await dispatcher.run_once([ANNOTATE])
    monkeypatch.undo()
    notices = db.run_sync(lambda repo: repo.pending_outbox([NOTICE]))
    assert not [n for n in notices if note in json.dumps(n.payload, ensure_ascii=False)]

    await dispatcher.run_once([UNANNOTATE, *KINDS])  # what the forget queued
    talk = _page(publisher, talk_title(title))
    assert note not in talk and "Claire" not in talk
    assert words not in _page(publisher, title)
    assert _cells_holding(db, words, note, CLAIRE.display_name) == []


async def test_the_stored_page_text_forgets_at_once_and_the_rebuild_still_merges(
    db: Database, dispatcher: OutboxDispatcher, publisher: Publisher, clock: Clock
) -> None:
    words = unique("Mots de Claire sur le mardi")
    title = unique("Accueil le mardi")
    case_id = seed_case(db, fiche_fields(title), messages=((ALICE, "Question ?"), (CLAIRE, words)))
    await dispatcher.run_once(list(KINDS))
    assert words in _page(publisher, title)
    _forget_claire(db, publisher, clock)()
    # Committed: no table holds her words, though the page still does (its rebuild waits).
    assert _cells_holding(db, words, CLAIRE.display_name) == []
    assert words in _page(publisher, title)
    await dispatcher.run_once(list(KINDS))
    page = _page(publisher, title)
    assert words not in page and "Claire" not in page and "Un contexte." in page
    text = db.run_sync(lambda repo: repo.publication_text(case_id))
    assert text is not None and text.strip() == page.strip()
    assert _cells_holding(db, words, CLAIRE.display_name) == []


async def test_a_withdrawal_notice_written_before_the_forget_is_written_again_without_her_title(
    db: Database,
    dispatcher: OutboxDispatcher,
    publisher: Publisher,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    words = unique("Claire demande un accueil le soir")
    title = unique("Accueil tardif")
    case_id = seed_case(db, fiche_fields(title), messages=((CLAIRE, words), (ALICE, "Le mardi.")))
    db.run_sync(lambda repo: repo.update_case(case_id, title=words))  # derived from her words
    await dispatcher.run_once(list(KINDS))

    def withdraw(repo: Any) -> None:
        repo.update_case(case_id, state=CaseState.WITHDRAWN)
        request_withdrawal(repo, case_id, MODERATOR, clock(), reason="Doublon")

    db.run_sync(withdraw)
    writer, forget_claire = publisher.writer, _forget_claire(db, publisher, clock)
    replace = writer.replace
    texts: list[str] = []

    def replace_then_forget(page_title: str, text: str, summary: str) -> Written | None:
        written = replace(page_title, text, summary)
        texts.append(text)
        if len(texts) == 1:  # the notice shows the title she gave: she is forgotten now
            assert words in _page(publisher, page_title)
            forget_claire()
        return written

    monkeypatch.setattr(writer, "replace", replace_then_forget)
    await dispatcher.run_once([WITHDRAW])
    monkeypatch.undo()

    assert len(texts) == 2 and words in texts[0] and words not in texts[1]
    page = _page(publisher, title)
    assert words not in page and "Doublon" in page
    publication = db.run_sync(lambda repo: repo.get_publication(case_id))
    assert publication is not None and publication.status is PublicationStatus.WITHDRAWN
    assert publication.last_revid == revisions(publisher.worker.client, title)[0]["revid"]
    await dispatcher.run_once(list(KINDS))  # what the forget queued: nothing to write
    assert words not in _page(publisher, title)
    assert _cells_holding(db, words, CLAIRE.display_name) == []
    notices = db.run_sync(lambda repo: repo.pending_outbox([NOTICE]))
    withdrawn = [str(n.payload["body"]) for n in notices if "retirée" in str(n.payload["body"])]
    assert len(withdrawn) == 2, withdrawn  # told once, in the thread and to the moderators
