"""Which fiches ask for a page on the network wiki, and what that page is (issue 18 item
2): a fiche's choice over its room's, requests coalescing per fiche, withdrawals and
privacy rebuilds that reach the network page even without a page at home, and the page
itself: the network wiki's names, the centre's category and link, consented words only.
The real wikis are in tests/integration/test_network_wiki.py."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.lifecycle import LifecycleEvent
from bot.domain.models import (
    CaseOrigin,
    CaseState,
    Consent,
    FicheField,
    Message,
    Participant,
    Publication,
    PublicationStatus,
    Review,
    ReviewDecision,
    Room,
    RoomKind,
)
from bot.services.curation import Decided, after_decision
from bot.services.effects import Effects
from bot.services.network_pages import NetworkWithdrawal, plan_network_page
from bot.services.network_requests import (
    NETWORK_KINDS,
    NETWORK_PAGE,
    network_key,
    request_network_page,
    set_case_choice,
    set_room_choice,
)
from bot.services.page_building import PagePlan
from bot.services.publication_requests import CONSENT_WITHDRAWN, request_republish_for
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
ROOM = Room("!habitat:localhost", RoomKind.THEME, "Habitat")
ALICE, BRUNO, MONA = "@alice:localhost", "@bruno:localhost", "@mona:localhost"
SETTINGS = Settings.model_validate(
    {
        "network": {"centre": "crpv-x", "label": "CRPV Exemple"},
        "network_wiki": {
            "api_url": "http://network.example/w/api.php",
            "template": "Fiche du réseau",
            "centre_page": "Le centre CRPV Exemple",
        },
    }
)


def _case(repo: Repository, title: str, *, room: Room = ROOM, approved: bool = True) -> int:
    """A captured exchange (Alice consents, Bruno refused) with a fiche, approved."""
    repo.save_room(room)
    case, _ = repo.create_case(
        room_id=room.room_id,
        root_event_id=f"${title}",
        origin=CaseOrigin.THREAD,
        title=title,
        created_by=ALICE,
        now=NOW,
    )
    for n, (who, consent, body) in enumerate(
        [(ALICE, Consent.GRANTED, "Alice raconte."), (BRUNO, Consent.REFUSED, "Bruno refuse.")]
    ):
        repo.save_participant(Participant(who, who[1:6].title(), consent))
        repo.add_message(Message(f"${title}{n}", room.room_id, who, NOW, body, case_id=case.id))
    fields = {
        FicheField.TITLE: title,
        FicheField.CONTEXT: "Un contexte.",
        FicheField.THEMES: "Logement",
    }
    fiche = repo.add_fiche_version(case.id, fields, ALICE, NOW)
    if approved:
        repo.add_review(Review(case.id, fiche.version, MONA, ReviewDecision.APPROVE, "", NOW))
        repo.update_case(case.id, state=CaseState.APPROVED)
    return case.id


def _approve(repo: Repository, case_id: int) -> None:
    """What `!valider` does once the move is made."""
    case = repo.get_case(case_id)
    assert case is not None
    effects = Effects(repo, f"test:{case_id}", NOW)
    decided = Decided(case, CaseState.IN_REVIEW)
    after_decision(repo, SETTINGS, effects, decided, LifecycleEvent.APPROVE, MONA, "Mona", NOW)


def _jobs(repo: Repository) -> dict[int, dict[str, object]]:
    """The pending network jobs, on either lane, by case."""
    return {int(j.payload["case_id"]): j.payload for j in repo.pending_outbox(NETWORK_KINDS)}


def test_a_room_that_shares_nothing_asks_nothing_of_the_network_wiki(db: Database) -> None:
    with db.transaction() as repo:
        case_id = _case(repo, "Jardins")
        _approve(repo, case_id)
        assert _jobs(repo) == {}
        assert repo.outbox_by_key(f"publish:{case_id}:v1") is not None  # home: as ever


def test_a_fiche_s_choice_wins_over_its_room_s(db: Database) -> None:
    with db.transaction() as repo:
        first, second = _case(repo, "Jardins"), _case(repo, "Compost")
        unapproved = _case(repo, "Brouillon", approved=False)
        case = repo.get_case(second)
        assert case is not None
        assert set_case_choice(repo, case, False, NOW) is False  # kept home, whatever the room
        assert set_room_choice(repo, ROOM.room_id, True, NOW) == [first]
        assert set(_jobs(repo)) == {first}  # second is not shared, and has no page there
        assert unapproved not in _jobs(repo)
        assert set_room_choice(repo, ROOM.room_id, True, NOW) == []  # no change, no request
        assert set_case_choice(repo, case, None, NOW) is True  # the room's choice again


def test_requests_coalesce_into_one_pending_job_per_fiche_and_keep_privacy(
    db: Database,
) -> None:
    with db.transaction() as repo:
        case_id = _case(repo, "Jardins")
        set_room_choice(repo, ROOM.room_id, True, NOW)
        request_network_page(repo, case_id, NOW, reason="redaction", privacy=True)
        request_network_page(repo, case_id, NOW, reason="consent_granted")
        (job,) = repo.pending_outbox([NETWORK_PAGE])
        assert job.payload["privacy"] is True and job.payload["reason"] == "consent_granted"
        assert job.payload["requests"] == 3  # the room's choice, then two
        repo.outbox_done(job.id, NOW)
        assert request_network_page(repo, case_id, NOW)  # a new job once that one is done
        assert repo.outbox_by_key(network_key(case_id)).id != job.id  # type: ignore[union-attr]


def test_a_page_there_only_is_still_withdrawn_and_rebuilt_for_privacy(db: Database) -> None:
    with db.transaction() as repo:
        case_id = _case(repo, "Jardins", room=Room("!interne:localhost"))
        page = Publication(case_id, "Jardins", 3, PublicationStatus.PUBLISHED, NOW)
        repo.save_network_publication(page, "texte")  # shared once, no page at home
        request_republish_for(repo, ALICE, CONSENT_WITHDRAWN, NOW)
        assert _jobs(repo)[case_id]["privacy"] is True
        repo.outbox_done(repo.pending_outbox(NETWORK_KINDS)[0].id, NOW)
        case = repo.get_case(case_id)
        assert case is not None
        effects = Effects(repo, "test:withdraw", NOW)
        repo.update_case(case_id, state=CaseState.WITHDRAWN)
        decided = Decided(repo.get_case(case_id), CaseState.APPROVED)  # type: ignore[arg-type]
        after_decision(repo, SETTINGS, effects, decided, LifecycleEvent.WITHDRAW, MONA, "Mona", NOW)
        assert case_id in _jobs(repo)
        plan = plan_network_page(repo, SETTINGS, case_id, _jobs(repo)[case_id])
    assert isinstance(plan, NetworkWithdrawal)
    assert "Un contexte." not in plan.text and "[[Category:Fiches retirées]]" in plan.text


def test_the_network_page_names_the_centre_and_quotes_only_consenting_people(
    db: Database,
) -> None:
    with db.transaction() as repo:
        case_id = _case(repo, "Jardins")
        assert plan_network_page(repo, SETTINGS, case_id, {}) is None  # not shared
        set_room_choice(repo, ROOM.room_id, True, NOW)
        plan = plan_network_page(repo, SETTINGS, case_id, {"reason": "approve"})
    assert isinstance(plan, PagePlan) and plan.publication is None
    text = plan.text
    assert text.startswith("{{Fiche du réseau\n")  # the network wiki's own names
    assert "| centre = crpv-x" in text
    assert "[[Category:CRPV Exemple]]" in text  # the centre as a category
    assert "[[:Le centre CRPV Exemple|CRPV Exemple]]" in text  # its page, linked
    assert "Alice raconte." in text
    assert "Bruno refuse." not in text and "Bruno" not in text
    assert "CRPV Exemple" in plan.summary and "crpv" not in plan.wanted_title
