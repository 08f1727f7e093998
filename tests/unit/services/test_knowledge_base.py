"""The knowledge base reads only what the wiki shows: live pages, in their approved
version. A withdrawn or rejected fiche never reaches a search (nor does its page, from
the wiki's own results), the exchange behind a fiche is never indexed, and the index
follows the database without a restart (issue 17)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.domain.models import (
    CaseState,
    FicheField,
    Message,
    OutboxItem,
    Publication,
    PublicationStatus,
    Transition,
)
from bot.services import effects as fx
from bot.services.knowledge import KnowledgeBase, merge
from bot.services.research import SEARCH, ResearchJobs
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository
from bot.wiki import WikiWorker
from tests.unit.cases import ALICE, MONA, T0, published_case

ROOM = "!quartiers:localhost"


def _fields(title: str, action: str) -> dict[FicheField, str]:
    return {
        FicheField.TITLE: title,
        FicheField.CONTEXT: "Un quartier prioritaire de l'agglomération.",
        FicheField.ACTION: action,
        FicheField.LESSONS: "Prendre le temps.",
    }


def _publish(
    repo: Repository,
    n: int,
    title: str,
    action: str,
    *,
    state: CaseState = CaseState.PUBLISHED,
    status: PublicationStatus = PublicationStatus.PUBLISHED,
) -> int:
    at = T0 + timedelta(minutes=n)
    fields = _fields(title, action)
    return published_case(
        repo, n, ROOM, fields, state=state, status=status, revision=10 + n, published_at=at
    )


def _withdraw(repo: Repository, case_id: int, at: datetime) -> None:
    """What `!retirer` stores at once (the wiki's withdrawal notice comes later)."""
    repo.add_transition(Transition(case_id, CaseState.PUBLISHED, CaseState.WITHDRAWN, MONA, at))
    repo.update_case(case_id, state=CaseState.WITHDRAWN)


def test_only_live_fiches_in_their_approved_version(db: Database) -> None:
    with db.transaction() as repo:
        live = _publish(repo, 1, "Diagnostic en marchant", "Un parcours avec les habitants.")
        withdrawn = _publish(repo, 2, "Rodéos motorisés", "Un protocole de saisie.")
        _withdraw(repo, withdrawn, T0)
        rejected = _publish(repo, 3, "Fiche refusée", "Rien.", state=CaseState.REJECTED)
        pending = _publish(repo, 4, "En attente", "Pas encore écrite.")
        repo.save_publication(
            Publication(pending, "En attente", None, PublicationStatus.PENDING, T0)
        )
        # an amendment waiting for review: the page still shows version 1
        repo.add_fiche_version(live, _fields("Diagnostic en marchant", "BROUILLON"), ALICE, T0)
        knowledge = repo.searchable_fiches()
    assert [(f.case_id, f.version) for f in knowledge.fiches] == [(live, 1)]
    assert knowledge.fiches[0].fields["action"] == "Un parcours avec les habitants."
    assert knowledge.hidden_pages == {"Rodéos motorisés", "Fiche refusée", "En attente"}
    assert rejected not in {f.case_id for f in knowledge.fiches}


async def test_a_withdrawn_fiche_leaves_the_next_search_and_the_wikis_results(
    db: Database,
) -> None:
    with db.transaction() as repo:
        rodeos = _publish(repo, 1, "Répondre aux rodéos motorisés", "Saisie des motos.")
        _publish(repo, 2, "Jardins partagés", "Des parcelles confiées aux locataires.")
    base = KnowledgeBase(db)
    _, hits = await base.search("rodeos de motos")
    assert [h.case_id for h in hits][:1] == [rodeos]
    with db.transaction() as repo:
        _withdraw(repo, rodeos, T0 + timedelta(hours=1))
    snapshot, hits = await base.search("rodeos de motos")
    assert rodeos not in [h.case_id for h in hits]
    # the wiki still holds the page (a withdrawal notice its search may match): dropped
    wiki = [{"title": "Répondre_aux_rodéos_motorisés", "snippet": "rodéos"}]
    assert merge(snapshot, "rodeos de motos", hits, wiki, 3) == []


async def test_a_new_publication_is_found_without_a_restart(db: Database) -> None:
    base = KnowledgeBase(db)
    _, hits = await base.search("jardins partagés")
    assert hits == []
    with db.transaction() as repo:
        case_id = _publish(repo, 1, "Jardins partagés", "Des parcelles confiées aux locataires.")
    _, hits = await base.search("jardin partage")
    assert [h.case_id for h in hits] == [case_id]


async def test_the_exchange_behind_a_fiche_is_never_searched(db: Database) -> None:
    """Only the fiche, as moderated, is indexed: what someone wrote in the thread (and
    may erase with `!oublier` or a redaction) never comes out of a search."""
    with db.transaction() as repo:
        case_id = _publish(repo, 1, "Jardins partagés", "Des parcelles confiées aux locataires.")
        repo.add_message(
            Message("$root1", ROOM, ALICE, T0, "Mon voisin Zorglubovitch est ivre", case_id)
        )
    _, hits = await KnowledgeBase(db).search("Zorglubovitch ivre")
    assert hits == []


def test_merge_interleaves_dedupes_and_keeps_other_wiki_pages() -> None:
    from bot.knowledge.search_index import IndexedFiche, SearchIndex
    from bot.services.knowledge import Snapshot

    fiches = [
        IndexedFiche(
            1,
            "Jardins partagés",
            {
                "title": "Jardins partagés",
                "action": "Des parcelles confiées aux locataires en pied d'immeuble.",
            },
        ),
        IndexedFiche(2, "Potagers", {"title": "Potagers", "action": "Un potager à l'école."}),
    ]
    index = SearchIndex(fiches)
    snapshot = Snapshot(index, frozenset({"Retirée"}), {f.page_title: f for f in fiches})
    local = index.search("jardins partagés parcelles")
    wiki = [
        {"title": "Jardins_partagés", "snippet": "…"},
        {"title": "Guide du jardinage", "snippet": "<span>jardins</span> et parcelles"},
        {"title": "Retirée", "snippet": "jardins"},
    ]
    results = merge(snapshot, "jardins partagés parcelles", local, wiki, 3)
    assert [r.title for r in results] == ["Jardins partagés", "Guide du jardinage"]
    assert results[0].excerpt.startswith("Des parcelles confiées")
    assert results[0].case_id == 1 and results[1].case_id is None
    assert results[1].excerpt == "jardins et parcelles"


class _Wiki:
    """The wiki's search answers nothing (its default search wants every word)."""

    def search(self, query: str, limit: int = 3) -> list[dict[str, Any]]:
        return []


async def _search_notice(db: Database, settings: Settings, query: str, job: int = 1) -> str:
    jobs = ResearchJobs(db, WikiWorker(_Wiki(), settings), settings, lambda: T0)  # type: ignore[arg-type]
    payload = {"query": query, "room_id": ROOM, "sender": ALICE, "sender_name": "Alice"}
    try:
        await jobs.search(OutboxItem(job, SEARCH, f"k{job}", payload))
    finally:
        jobs.wiki.close()
    with db.transaction() as repo:
        notices = repo.pending_outbox([fx.NOTICE])
    return str(notices[-1].payload["body"])


async def test_search_answers_a_french_question_with_the_sentence_that_answers(
    db: Database,
) -> None:
    with db.transaction() as repo:
        _publish(repo, 1, "Diagnostic en marchant", "Un parcours avec les habitants. Un café.")
    body = await _search_notice(db, Settings(), "comment mobiliser les habitants d'un QPV ?")
    assert "Diagnostic en marchant — Un parcours avec les habitants." in body
    assert "Diagnostic_en_marchant" in body  # the link
    assert "question" not in body  # no documentation room: no proposal


async def test_no_good_answer_proposes_the_documentation_team_when_it_has_a_room(
    db: Database,
) -> None:
    with db.transaction() as repo:
        _publish(repo, 1, "Diagnostic en marchant", "Un parcours avec les habitants.")
    documented = Settings.model_validate({"matrix": {"documentation_room": "!doc:localhost"}})
    body = await _search_notice(db, documented, "tarte aux pommes et marmelade")
    assert (
        "Aucune fiche ne répond bien. Posez la question à l'équipe documentation : "
        "!question …" in body
    )
    body = await _search_notice(db, Settings(), "tarte aux pommes et marmelade", job=2)
    assert "question" not in body and "Aucune page du wiki ne répond" in body
