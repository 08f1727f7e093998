"""`!lire N|titre` shows a published fiche in the chat, in any room; a withdrawn,
rejected or unpublished one is refused and nothing of it shows (issue 17)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from bot.domain.models import CaseState, FicheField, PublicationStatus
from bot.inbound import InboundService
from bot.matrix.events import InboundMessage, RoomSnapshot, SyncBatch
from bot.services import effects as fx
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository
from tests.unit.cases import ALICE, T0, published_case

BOT = "@capibot:localhost"
CASE_ROOM, OTHER_ROOM = "!quartiers:localhost", "!ailleurs:localhost"
EVE = "@eve:localhost"
_ids = itertools.count(1)


def _settings(language: str = "fr") -> Settings:
    return Settings.model_validate(
        {
            "bot": {"language": language},
            "matrix": {"user_id": BOT, "allowed_inviters": ["@*:localhost"]},
            "wiki": {"api_url": "http://wiki.test/w/api.php"},
        }
    )


def _ask(db: Database, body: str, room: str = OTHER_ROOM, language: str = "fr") -> str:
    now = T0 + timedelta(days=1)
    service = InboundService(_settings(language), BOT, lambda: now)
    event = InboundMessage(room, f"$cmd{next(_ids)}", EVE, now, body)
    snapshot = RoomSnapshot(room_id=room, member_count=3)
    batch = SyncBatch(next_batch="t", initial=False, events=(event,), rooms={room: snapshot})
    with db.transaction() as repo:
        service.apply(repo, batch)
    with db.transaction() as repo:
        notices = [i for i in repo.pending_outbox([fx.NOTICE]) if i.payload["room_id"] == room]
    return str(notices[-1].payload["body"])


def _case(
    repo: Repository,
    n: int,
    title: str,
    *,
    state: CaseState = CaseState.PUBLISHED,
    status: PublicationStatus | None = PublicationStatus.PUBLISHED,
) -> int:
    fields = {
        FicheField.TITLE: title,
        FicheField.CONTEXT: "Les habitants se plaignaient des rodéos.",
        FicheField.ACTION: "Un protocole de signalement et une piste encadrée.",
        FicheField.LESSONS: "La répression seule déplace le problème.",
        FicheField.THEMES: "Prévention, Jeunesse",
    }
    return published_case(repo, n, CASE_ROOM, fields, state=state, status=status)


def test_read_by_number_shows_the_fields_and_the_link_in_another_room(db: Database) -> None:
    with db.transaction() as repo:
        case_id = _case(repo, 1, "Répondre aux rodéos motorisés")
    answer = _ask(db, f"!lire {case_id}")
    assert f"Fiche #{case_id} — Répondre aux rodéos motorisés" in answer
    assert "Action : Un protocole de signalement et une piste encadrée." in answer
    assert "Enseignements : La répression seule déplace le problème." in answer
    assert (
        "http://wiki.test/w/index.php?title=R%C3%A9pondre_aux_rod%C3%A9os_motoris%C3%A9s" in answer
    )
    english = _ask(db, f"!read #{case_id}", language="en")
    assert "Practice: Un protocole" in english and "The whole fiche on the wiki:" in english


def test_read_shows_the_approved_version_not_a_pending_amendment(db: Database) -> None:
    with db.transaction() as repo:
        case_id = _case(repo, 1, "Répondre aux rodéos motorisés")
        repo.add_fiche_version(
            case_id, {FicheField.TITLE: "Brouillon", FicheField.ACTION: "PAS RELU"}, ALICE, T0
        )
    answer = _ask(db, f"!lire {case_id}")
    assert "PAS RELU" not in answer and "Un protocole de signalement" in answer


def test_read_by_approximate_title(db: Database) -> None:
    with db.transaction() as repo:
        case_id = _case(repo, 1, "Répondre aux rodéos motorisés")
        _case(repo, 2, "Médiation sur le marché forain")
        _case(repo, 3, "Médiation de nuit dans les résidences")
    assert f"Fiche #{case_id} — Répondre" in _ask(db, "!lire rodeos motorises")
    listed = _ask(db, "!lire médiation")
    assert "Plusieurs fiches correspondent" in listed
    assert "#2 Médiation sur le marché forain" in listed and "#3 Médiation de nuit" in listed
    assert "Aucune fiche publiée ne s'intitule « tarte aux pommes »" in _ask(
        db, "!lire tarte aux pommes"
    )


def test_a_withdrawn_fiche_is_refused_clearly_and_shows_nothing(db: Database) -> None:
    """Withdrawn at once by `!retirer` (the case), or already on the wiki (the page):
    either way, nobody reads it in the chat, by number or by title."""
    with db.transaction() as repo:
        at_once = _case(repo, 1, "Répondre aux rodéos motorisés", state=CaseState.WITHDRAWN)
        on_wiki = _case(repo, 2, "Jardins partagés", status=PublicationStatus.WITHDRAWN)
    for case_id in (at_once, on_wiki):
        answer = _ask(db, f"!lire {case_id}")
        assert f"La fiche #{case_id} a été retirée du wiki : elle ne peut plus être lue." in answer
        assert "protocole" not in answer and "Action" not in answer
    assert "Aucune fiche publiée" in _ask(db, "!lire rodéos motorisés")
    with db.transaction() as repo:  # nothing changed
        assert repo.get_case(at_once).state is CaseState.WITHDRAWN  # type: ignore[union-attr]
        assert repo.get_publication(on_wiki).status is PublicationStatus.WITHDRAWN  # type: ignore[union-attr]


def test_an_unpublished_case_of_another_room_reveals_nothing(db: Database) -> None:
    """Eve, elsewhere, probes case numbers: a case under review, a rejected one and one
    that does not exist get the same answer, without a title."""
    with db.transaction() as repo:
        review = _case(repo, 1, "Secret en relecture", state=CaseState.IN_REVIEW, status=None)
        rejected = _case(repo, 2, "Secret rejeté", state=CaseState.REJECTED)
    for case_id in (review, rejected, 999):
        answer = _ask(db, f"!lire {case_id}")
        assert answer.endswith(f"Aucune fiche publiée ne porte le numéro #{case_id}.")
        assert "Secret" not in answer


def test_read_without_argument_gives_the_usage(db: Database) -> None:
    assert "!lire N|titre" in _ask(db, "!lire")
