"""The publishing service against the real MediaWiki: approval → page → revision stored,
human edits kept, conflicts reported, outages survived, consent respected, exactly once."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.domain.models import (
    CaseState,
    OutboxStatus,
    PublicationStatus,
)
from bot.services.effects import NOTICE
from bot.services.outbox import OutboxDispatcher
from bot.services.publication_requests import (
    KINDS,
    request_publication,
    request_republish,
    request_withdrawal,
)
from bot.services.publisher import Publisher
from bot.storage.database import Database
from scripts.devstack import StackInfo
from tests.integration.publishing_fixtures import (
    bot_text,
    clock,
    dispatcher,
    last_summary,
    publisher,
)
from tests.integration.wiki_support import (
    ALICE,
    BRUNO,
    CAROL,
    MODERATION_ROOM,
    Clock,
    HumanEditor,
    amend,
    fiche_fields,
    revisions,
    seed_case,
    unique,
    wiki_down,
)

pytestmark = pytest.mark.integration
FAR = datetime(2099, 1, 1, tzinfo=UTC)

__all__ = ["clock", "dispatcher", "publisher"]  # fixtures, used by name


async def test_approval_publishes_once_with_notices_and_state(
    db: Database, dispatcher: OutboxDispatcher, publisher: Publisher
) -> None:
    title = unique("Accueil de jour")
    case_id = seed_case(db, fiche_fields(title))
    publisher.worker.client.connect()
    before = publisher.worker.client.requests_made
    assert await dispatcher.run_once(list(KINDS))
    requests = publisher.worker.client.requests_made - before

    pub = db.run_sync(lambda repo: repo.get_publication(case_id))
    assert pub is not None and pub.status is PublicationStatus.PUBLISHED
    assert pub.page_title == title
    assert [r["user"] for r in revisions(publisher.worker.client, title)] == ["Capibot"]
    assert revisions(publisher.worker.client, title)[0]["revid"] == pub.last_revid
    case = db.run_sync(lambda repo: repo.get_case(case_id))
    assert case is not None and case.state is CaseState.PUBLISHED
    moves = db.run_sync(lambda repo: repo.transitions(case_id))
    assert (moves[-1].from_state, moves[-1].to_state) == (CaseState.APPROVED, CaseState.PUBLISHED)
    notices = db.run_sync(lambda repo: repo.pending_outbox([NOTICE]))
    rooms = sorted((n.payload["room_id"], n.payload["thread_root"]) for n in notices)
    assert rooms == sorted([(case.room_id, case.root_event_id), (MODERATION_ROOM, None)])
    assert all(publisher.worker.page_url(title) in n.payload["body"] for n in notices)
    # The same version approved again (a replayed command) is not queued twice.
    assert not db.run_sync(lambda repo: request_publication(repo, case_id, "@x:y", case.created_at))
    # Edit summary names the case, the moderator and the room: the moderator by role,
    # since the bot knows no name of hers, and never by Matrix id (DESIGN §7).
    summary = last_summary(publisher, title)
    assert f"#{case_id}" in summary and "l'équipe de modération" in summary
    assert "@" not in summary
    assert "Travailleurs sociaux" in summary
    print(f"API requests for a first publication: {requests}")
    # read + csrf token + edit, then per category value (4 here) a read and maybe a create
    assert requests <= 3 + 2 * 4


async def test_human_edit_below_the_template_survives_republishing(
    wiki_ready: StackInfo,
    db: Database,
    dispatcher: OutboxDispatcher,
    publisher: Publisher,
    clock: Clock,
) -> None:
    title = unique("Médiation numérique")
    case_id = seed_case(db, fiche_fields(title))
    await dispatcher.run_once(list(KINDS))
    human = HumanEditor(wiki_ready)
    human.edit(title, lambda text: text + "\n\n== Notes ==\nAjout humain sous le modèle.")

    clock.advance(60)
    amend(db, case_id, clock(), action="Une action révisée.")
    before = publisher.worker.client.requests_made
    await dispatcher.run_once(list(KINDS))
    print(f"API requests for a merged update: {publisher.worker.client.requests_made - before}")
    text = bot_text(publisher, title)
    assert "Ajout humain sous le modèle." in text
    assert "Une action révisée." in text
    pub = db.run_sync(lambda repo: repo.get_publication(case_id))
    assert pub is not None and pub.status is PublicationStatus.PUBLISHED
    users = [r["user"] for r in revisions(publisher.worker.client, title)]
    assert users == ["Capibot", "Admin", "Capibot"]

    # A second update (a redaction republish) still keeps the human's text.
    clock.advance(60)
    amend(db, case_id, clock(), lessons="Des enseignements révisés.")
    await dispatcher.run_once(list(KINDS))
    text = bot_text(publisher, title)
    assert "Ajout humain sous le modèle." in text and "Des enseignements révisés." in text
    # Nothing changed: a republish writes nothing.
    db.run_sync(lambda repo: request_republish(repo, case_id, "test", clock()))
    await dispatcher.run_once(list(KINDS))
    assert len(revisions(publisher.worker.client, title)) == 4


async def test_human_edit_of_a_parameter_the_bot_changes_is_a_conflict(
    wiki_ready: StackInfo,
    db: Database,
    dispatcher: OutboxDispatcher,
    publisher: Publisher,
    clock: Clock,
) -> None:
    title = unique("Permanence logement")
    case_id = seed_case(db, fiche_fields(title))
    await dispatcher.run_once(list(KINDS))
    first = db.run_sync(lambda repo: repo.get_publication(case_id))
    assert first is not None
    human = HumanEditor(wiki_ready)
    human_rev = human.edit(
        title, lambda text: text.replace("Un contexte.", "Contexte corrigé par un humain.")
    )
    clock.advance(60)
    amend(db, case_id, clock(), context="Contexte revu par les auteurs.")
    await dispatcher.run_once(list(KINDS))

    page = publisher.worker.client.read(title)
    assert page.revid == human_rev  # nothing overwritten
    assert "Contexte corrigé par un humain." in (page.text or "")
    pub = db.run_sync(lambda repo: repo.get_publication(case_id))
    assert pub is not None and pub.status is PublicationStatus.CONFLICT
    assert pub.last_revid == first.last_revid
    notices = db.run_sync(lambda repo: repo.pending_outbox([NOTICE]))
    conflict = [n for n in notices if "diff=cur" in n.payload["body"]]
    assert len(conflict) == 1 and conflict[0].payload["room_id"] == MODERATION_ROOM
    assert f"oldid={first.last_revid}" in conflict[0].payload["body"]
    assert "contexte" in conflict[0].payload["body"]
    # The job itself is done: a conflict waits for people, not for retries.
    done = db.run_sync(lambda repo: repo.pending_outbox(list(KINDS)))
    assert done == []


async def test_outage_five_approvals_then_exactly_one_revision_each(
    wiki_ready: StackInfo,
    db: Database,
    dispatcher: OutboxDispatcher,
    publisher: Publisher,
    clock: Clock,
) -> None:
    started = time.monotonic()
    titles = [unique(f"Fiche en panne {n}") for n in range(5)]
    with wiki_down(wiki_ready):
        case_ids = [seed_case(db, fiche_fields(t), now=clock()) for t in titles]
        for _ in range(3):
            assert await dispatcher.run_once(list(KINDS))
            clock.advance(120)
        pending = db.run_sync(lambda repo: repo.pending_outbox(list(KINDS)))
        assert len(pending) == 5
        assert all(item.attempts == 3 for item in pending)
        assert all("WikiUnavailable" in item.last_error for item in pending)
        assert all(db.run_sync(lambda repo, c=c: repo.get_publication(c)) is None for c in case_ids)
    clock.advance(600)
    assert await dispatcher.run_once(list(KINDS))
    assert db.run_sync(lambda repo: repo.pending_outbox(list(KINDS))) == []
    for case_id, title in zip(case_ids, titles, strict=True):
        pub = db.run_sync(lambda repo, c=case_id: repo.get_publication(c))
        assert pub is not None and pub.status is PublicationStatus.PUBLISHED
        assert pub.page_title == title
        revs = revisions(publisher.worker.client, title)
        assert [r["user"] for r in revs] == ["Capibot"]
        assert revs[0]["revid"] == pub.last_revid
    assert time.monotonic() - started < 60


async def test_only_consenting_participants_are_quoted_and_named(
    db: Database, dispatcher: OutboxDispatcher, publisher: Publisher, clock: Clock
) -> None:
    title = unique("Consentement")
    messages = [
        (ALICE, "Texte d'Alice qui consent AAA111."),
        (BRUNO, "Texte de Bruno qui refuse BBB222."),
        (CAROL, "Texte de Carole sans réponse CCC333."),
        (ALICE, "Second message d'Alice AAA444."),
    ]
    case_id = seed_case(db, fiche_fields(title), messages=messages)
    await dispatcher.run_once(list(KINDS))
    text = bot_text(publisher, title)
    assert "AAA111" in text and "AAA444" in text and "Alice Martin" in text
    for secret in ("BBB222", "CCC333", "Bruno", "Leroy", "Carole", "bruno", "carol"):
        assert secret not in text
    assert "Personne 2" in text and "Personne 3" in text

    # A redaction removes the message from the page (republish).
    event_id = db.run_sync(lambda repo: repo.case_messages(case_id)[0].event_id)

    def redact(repo: object) -> None:
        assert repo.redact_message(event_id) == case_id  # type: ignore[attr-defined]
        request_republish(repo, case_id, "redaction", clock())  # type: ignore[arg-type]

    db.run_sync(redact)
    await dispatcher.run_once(list(KINDS))
    text = bot_text(publisher, title)
    assert "AAA111" not in text and "AAA444" in text


async def test_crash_between_wiki_write_and_commit_gives_one_revision(
    db: Database,
    dispatcher: OutboxDispatcher,
    publisher: Publisher,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    title = unique("Reprise après panne")
    case_id = seed_case(db, fiche_fields(title))

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("process killed before the commit")

    with monkeypatch.context() as patch:
        patch.setattr(publisher, "_record", crash)
        await dispatcher.run_once(list(KINDS))
    assert len(revisions(publisher.worker.client, title)) == 1  # the write happened
    assert db.run_sync(lambda repo: repo.get_publication(case_id)) is None  # not recorded
    clock.advance(60)
    await dispatcher.run_once(list(KINDS))
    revs = revisions(publisher.worker.client, title)
    assert len(revs) == 1
    pub = db.run_sync(lambda repo: repo.get_publication(case_id))
    assert pub is not None and pub.last_revid == revs[0]["revid"]
    assert pub.page_title == title  # not "(fiche N)": the page was recognised as ours

    # The same for an update: one new revision, not two.
    clock.advance(60)
    amend(db, case_id, clock(), results="Des résultats mesurés.")
    with monkeypatch.context() as patch:
        patch.setattr(publisher, "_record", crash)
        await dispatcher.run_once(list(KINDS))
    clock.advance(60)
    await dispatcher.run_once(list(KINDS))
    revs = revisions(publisher.worker.client, title)
    assert len(revs) == 2
    pub = db.run_sync(lambda repo: repo.get_publication(case_id))
    assert pub is not None and pub.last_revid == revs[0]["revid"]
    assert db.run_sync(lambda repo: repo.pending_outbox(list(KINDS))) == []
    notices = db.run_sync(lambda repo: repo.pending_outbox([NOTICE]))
    assert len(notices) == 4  # published + updated, each in the thread and moderation room


async def test_taken_title_is_disambiguated_and_withdrawal_replaces_the_page(
    wiki_ready: StackInfo,
    db: Database,
    dispatcher: OutboxDispatcher,
    publisher: Publisher,
    clock: Clock,
) -> None:
    title = unique("Titre déjà pris")
    human = HumanEditor(wiki_ready)
    token = human.site.get_token("csrf")
    human.site.api("edit", "POST", title=title, text="Page d'un humain.", createonly=1, token=token)
    case_id = seed_case(db, fiche_fields(title))
    await dispatcher.run_once(list(KINDS))
    pub = db.run_sync(lambda repo: repo.get_publication(case_id))
    assert pub is not None and pub.page_title == f"{title} (fiche {case_id})"
    assert bot_text(publisher, title) == "Page d'un humain."

    db.run_sync(
        lambda repo: request_withdrawal(repo, case_id, "@mona:localhost", clock(), "doublon")
    )
    await dispatcher.run_once(list(KINDS))
    text = bot_text(publisher, pub.page_title)
    assert "retirée" in text and "doublon" in text and "{{" not in text
    assert len(revisions(publisher.worker.client, pub.page_title)) == 2
    after = db.run_sync(lambda repo: repo.get_publication(case_id))
    assert after is not None and after.status is PublicationStatus.WITHDRAWN
    # The summary names the withdrawer under the consent rules, never by Matrix id.
    summary = last_summary(publisher, pub.page_title)
    assert "retirée par l'équipe de modération" in summary and "@" not in summary


@pytest.mark.parametrize(
    ("author", "shown"), [(ALICE, "Alice Martin"), (BRUNO, "une personne ayant rédigé la fiche")]
)
async def test_an_author_s_withdrawal_is_signed_only_with_their_consent(
    db: Database,
    dispatcher: OutboxDispatcher,
    publisher: Publisher,
    clock: Clock,
    author: Any,
    shown: str,
) -> None:
    title = unique("Retrait par son autrice")
    case_id = seed_case(db, fiche_fields(title), messages=((author, "Notre pratique."),))
    await dispatcher.run_once(list(KINDS))
    db.run_sync(lambda repo: request_withdrawal(repo, case_id, author.user_id, clock()))
    await dispatcher.run_once(list(KINDS))
    summary = last_summary(publisher, title)
    assert f"retirée par {shown}" in summary and "@" not in summary


def test_cli_publish_retries_now_and_reports_pending(wiki_ready: StackInfo, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    db = Database.from_url(url)
    db.migrate()
    title = unique("Publication en ligne de commande")
    try:
        case_id = seed_case(db, fiche_fields(title))
        # Pretend an earlier attempt failed and was put off far into the future.
        item = db.run_sync(lambda repo: repo.pending_outbox(list(KINDS)))[0]
        db.run_sync(lambda repo: repo.outbox_retry(item.id, "WikiUnavailable()", FAR))
        runner = CliRunner()
        env = {"CAPIBOT__DATABASE__URL": url, "CAPIBOT__WIKI__MAX_RETRIES": "0"}
        with wiki_down(wiki_ready):
            down = runner.invoke(app, ["publish", "--config", str(wiki_ready.config_path)], env=env)
        assert down.exit_code == 3, down.output  # the wiki is unreachable
        assert f"case #{case_id}" in down.output and "attempts=2" in down.output
        up = runner.invoke(app, ["publish", "--config", str(wiki_ready.config_path)], env=env)
        assert up.exit_code == 0, up.output
        assert "nothing pending" in up.output
        pub = db.run_sync(lambda repo: repo.get_publication(case_id))
        assert pub is not None and pub.status is PublicationStatus.PUBLISHED
        rows = db.run_sync(lambda repo: repo.pending_outbox())
        assert [r.kind for r in rows] == [NOTICE]  # the thread notice, for the bot to send
        assert rows[0].status is OutboxStatus.PENDING
    finally:
        db.close()


# -- privacy rebuilds over human edits (DESIGN §7) ------------------------------------------


def test_cli_publish_with_a_refused_login_keeps_the_job_waiting_and_exits_4(
    wiki_ready: StackInfo, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    db = Database.from_url(url)
    db.migrate()
    try:
        case_id = seed_case(db, fiche_fields(unique("Mot de passe refusé")))
        runner = CliRunner()
        env = {
            "CAPIBOT__DATABASE__URL": url,
            "CAPIBOT__WIKI__MAX_RETRIES": "0",
            "CAPIBOT__WIKI__PASSWORD": "1" * 32,
        }
        refused = runner.invoke(app, ["publish", "--config", str(wiki_ready.config_path)], env=env)
        assert refused.exit_code == 4, refused.output
        assert f"pending: publish case #{case_id}" in refused.output
        assert "WikiAuthError" in refused.output and "1" * 32 not in refused.output
        [row] = db.run_sync(lambda repo: repo.pending_outbox(list(KINDS)))
        assert row.status is OutboxStatus.PENDING  # waits for the operator, never failed
        del env["CAPIBOT__WIKI__PASSWORD"]  # the BotPassword is fixed
        fixed = runner.invoke(app, ["publish", "--config", str(wiki_ready.config_path)], env=env)
        assert fixed.exit_code == 0, fixed.output
        pub = db.run_sync(lambda repo: repo.get_publication(case_id))
        assert pub is not None and pub.status is PublicationStatus.PUBLISHED
    finally:
        db.close()
