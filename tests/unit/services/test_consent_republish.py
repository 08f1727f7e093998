"""A consent change rebuilds the live pages the participant may be quoted or named on
(DESIGN §7), in the command's own transaction, and nothing else."""

from __future__ import annotations

from bot.domain.models import (
    Consent,
    Participant,
    Publication,
    PublicationStatus,
    Review,
    ReviewDecision,
)
from bot.matrix.events import InboundMessage
from bot.services.page_building import approver_name
from bot.services.publication_requests import CONSENT_GRANTED, CONSENT_WITHDRAWN, REPUBLISH
from bot.storage.database import Database
from tests.unit.services.test_inbound import (
    ALICE,
    MALLORY,
    NOW,
    _apply,
    _batch,
    _msg,
    _service,
)


def _jobs(db: Database) -> list[tuple[int, str]]:
    with db.transaction() as repo:
        return sorted(
            (int(j.payload["case_id"]), str(j.payload["reason"]))
            for j in repo.pending_outbox([REPUBLISH])
        )


def _done(db: Database) -> None:
    with db.transaction() as repo:
        for job in repo.pending_outbox([REPUBLISH]):
            repo.outbox_done(job.id, NOW)


def _alices_threads() -> tuple[InboundMessage, ...]:
    """Two threads Mallory opens and captures, roots $e1 and $e4, where Alice speaks."""
    m = MALLORY
    return (
        _msg(1, "racine A", sender=m),
        _msg(2, "!capturer", sender=m, thread="$e1"),
        _msg(3, "témoignage d'Alice", thread="$e1"),
        _msg(4, "racine B", sender=m),
        _msg(5, "!capturer", sender=m, thread="$e4"),
        _msg(6, "Alice encore", thread="$e4"),
    )


def test_consent_change_republishes_only_live_pages_the_user_took_part_in(
    db: Database,
) -> None:
    service = _service()
    m = MALLORY
    _apply(
        db,
        service,
        _batch(
            "t1",
            *_alices_threads(),
            _msg(7, "racine C", sender=m),
            _msg(8, "!capturer", sender=m, thread="$e7"),
            _msg(9, "racine D", sender=m),
            _msg(10, "!capturer", sender=m, thread="$e9"),
            _msg(11, "Alice dans D", thread="$e9"),
            _msg(12, "Mallory dans C", sender=m, thread="$e7"),
        ),
    )
    with db.transaction() as repo:
        cases = {c.root_event_id: c.id for c in repo.list_cases()}
        a, b, c, d = cases["$e1"], cases["$e4"], cases["$e7"], cases["$e9"]
        # A and C are on the wiki, B was withdrawn, D was never published.
        repo.save_publication(Publication(a, "A", 1, PublicationStatus.PUBLISHED, NOW))
        repo.save_publication(Publication(b, "B", 2, PublicationStatus.WITHDRAWN, NOW))
        repo.save_publication(Publication(c, "C", 3, PublicationStatus.PUBLISHED, NOW))
        assert d not in repo.live_pages_among({a, b, c, d})

    _apply(db, service, _batch("t2", _msg(20, "!consentement oui")))
    assert _jobs(db) == [(a, CONSENT_GRANTED)]
    _done(db)

    _apply(db, service, _batch("t3", _msg(21, "!consentement oui")))  # no change
    assert _jobs(db) == []

    _apply(db, service, _batch("t4", _msg(22, "!consentement non")))
    assert _jobs(db) == [(a, CONSENT_WITHDRAWN)]
    _done(db)

    # From "not asked" to "refused": the pages never showed her; nothing to rebuild.
    _apply(db, service, _batch("t5", _msg(23, "!consentement non", sender=m)))
    assert _jobs(db) == []
    # Granting it puts Mallory's message on C; capturing A, B, C, D shows nowhere.
    _apply(db, service, _batch("t6", _msg(24, "!consentement oui", sender=m)))
    assert _jobs(db) == [(c, CONSENT_GRANTED)]


def test_fiche_submitters_pages_are_republished_too(db: Database) -> None:
    from bot.domain.models import FicheField
    from bot.services.publication_requests import request_republish_for

    service = _service()
    m = MALLORY
    _apply(
        db,
        service,
        _batch("t1", _msg(1, "racine", sender=m), _msg(2, "!capturer", sender=m, thread="$e1")),
    )
    with db.transaction() as repo:
        (case,) = repo.list_cases()
        repo.add_fiche_version(case.id, {FicheField.TITLE: "Titre"}, ALICE, NOW)
        repo.save_publication(Publication(case.id, "P", 1, PublicationStatus.CONFLICT, NOW))
        assert request_republish_for(repo, ALICE, CONSENT_WITHDRAWN, NOW) == [case.id]
        assert request_republish_for(repo, "@nobody:localhost", CONSENT_WITHDRAWN, NOW) == []


def test_a_moderator_who_forgets_is_named_by_role_on_the_pages_they_approved(
    db: Database,
) -> None:
    service = _service()
    mona = "@mona:localhost"  # a moderator in _service()'s settings
    _apply(
        db,
        service,
        _batch("t1", _msg(1, "racine", sender=MALLORY), _msg(2, "!capturer", thread="$e1")),
    )
    with db.transaction() as repo:
        (case,) = repo.list_cases()
        repo.add_review(Review(case.id, 1, mona, ReviewDecision.APPROVE, "", NOW))
        repo.save_publication(Publication(case.id, "A", 1, PublicationStatus.PUBLISHED, NOW))
        repo.save_participant(Participant(mona, "Mona Lisa", Consent.GRANTED))
        assert approver_name(repo.get_participant(mona), "fr") == "Mona Lisa"
    _apply(db, service, _batch("t2", _msg(10, "!oublier confirmer", sender=mona)))
    assert _jobs(db) == [(case.id, "forget")]
    with db.transaction() as repo:
        assert approver_name(repo.get_participant(mona), "fr") == "l'équipe de modération"
        assert approver_name(repo.get_participant(mona), "en") == "a moderator"
        # Never by Matrix id: a moderator the bot knows no name of is named by role.
        assert approver_name(None, "fr") == "l'équipe de modération"


def test_consent_toggled_twice_leaves_one_pending_rebuild_per_page(db: Database) -> None:
    service = _service()
    _apply(db, service, _batch("t1", *_alices_threads()))
    with db.transaction() as repo:
        cases = {c.root_event_id: c.id for c in repo.list_cases()}
        a, b = cases["$e1"], cases["$e4"]
        repo.save_publication(Publication(a, "A", 1, PublicationStatus.PUBLISHED, NOW))
        repo.save_publication(Publication(b, "B", 2, PublicationStatus.PUBLISHED, NOW))
    _apply(db, service, _batch("t2", _msg(20, "!consentement oui")))
    _apply(db, service, _batch("t3", _msg(21, "!consentement non")))
    _apply(db, service, _batch("t4", _msg(22, "!consentement oui")))
    # One rebuild per page, keeping the withdrawal's reason: it forces the privacy blocks.
    assert _jobs(db) == [(a, CONSENT_WITHDRAWN), (b, CONSENT_WITHDRAWN)]
