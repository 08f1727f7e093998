"""`!experts` also names who wrote the published fiches on the subject — only those who
consented — and `!profil structure=` puts the organisation in the directory."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.models import (
    CaseOrigin,
    CaseState,
    Consent,
    FicheField,
    Message,
    Participant,
)
from bot.storage.database import Database
from tests.unit.services.test_inbound import (
    ALICE,
    NOW,
    ROOM,
    _apply,
    _batch,
    _msg,
    _notices,
    _service,
)

BRUNO, CLAIRE, MONA = "@bruno:localhost", "@claire:localhost", "@mona:localhost"


def _fiche(db: Database, root: str, themes: str, people: list[str], state: CaseState) -> int:
    with db.transaction() as repo:
        case, _ = repo.create_case(
            room_id=ROOM,
            root_event_id=root,
            origin=CaseOrigin.THREAD,
            title=f"Fiche {root}",
            created_by=people[0],
            now=NOW,
        )
        for n, person in enumerate(people):
            repo.add_message(
                Message(f"{root}-{n}", ROOM, person, NOW + timedelta(minutes=n), "…", case.id)
            )
        fields = {FicheField.TITLE: f"Fiche {root}", FicheField.THEMES: themes}
        repo.add_fiche_version(case.id, fields, people[0], NOW)
        repo.update_case(case.id, state=state)
        return case.id


def test_experts_name_the_consenting_authors_of_published_fiches(db: Database) -> None:
    with db.transaction() as repo:
        for user, name, consent in (
            (ALICE, "Alice Martin", Consent.GRANTED),
            (BRUNO, "Bruno Leroy", Consent.REFUSED),
            (CLAIRE, "Claire Petit", Consent.GRANTED),
            (MONA, "Mona Dupont", Consent.GRANTED),
        ):
            repo.save_participant(Participant(user, name, consent))
    published = _fiche(db, "$a", "Emploi des jeunes, Mobilité", [ALICE, BRUNO], CaseState.PUBLISHED)
    _fiche(db, "$b", "Emploi", [CLAIRE], CaseState.IN_REVIEW)  # not published: not shown
    _fiche(db, "$c", "Santé", [MONA], CaseState.PUBLISHED)  # another subject
    _apply(db, _service(), _batch("t1", _msg(1, "!experts emploi")))
    (answer,) = _notices(db)
    assert "Ont contribué à des fiches publiées sur « emploi »" in answer
    assert f"Alice Martin ({ALICE}) — a contribué à : #{published} Fiche $a" in answer
    assert "Bruno" not in answer  # refused consent: his name stays in his case
    assert "Claire" not in answer and "Mona" not in answer
    assert "Personne dans l'annuaire" not in answer


def test_nobody_on_the_subject_still_says_so(db: Database) -> None:
    _apply(db, _service(), _batch("t1", _msg(1, "!experts compostage")))
    (answer,) = _notices(db)
    assert "Personne dans l'annuaire ne correspond à « compostage »" in answer


def test_profile_structure_is_saved_shown_and_found(db: Database) -> None:
    service = _service()
    _apply(
        db,
        service,
        _batch(
            "t1", _msg(1, "!profil\nFonction: médiatrice\nStructure: Association Trait d'union")
        ),
    )
    with db.transaction() as repo:
        person = repo.get_participant(ALICE)
        assert person is not None and person.profile is not None
        assert person.profile.structure == "Association Trait d'union"
        assert person.profile.function == "médiatrice"
    _apply(db, service, _batch("t2", _msg(2, "!profil structure=Ville de Roubaix")))
    _apply(db, service, _batch("t3", _msg(3, "!experts roubaix", sender=MONA)))
    saved, changed, found = _notices(db)
    assert "structure : Association Trait d'union" in saved
    assert "structure : Ville de Roubaix" in changed and "fonction : médiatrice" in changed
    assert "Dans l'annuaire, pour « roubaix »" in found and "Ville de Roubaix" in found


def test_the_directory_page_shows_the_structure() -> None:
    from wiki_sync.pages import DirectoryEntry, render_directory

    page = render_directory(
        [DirectoryEntry(ALICE, "Alice", function="médiatrice", structure="Mairie [[x]]")]
    )
    assert "Fonction : médiatrice · Structure : Mairie &#91;&#91;x&#93;&#93;" in page
    assert "[[x]]" not in page  # a structure's name is text, never a link
