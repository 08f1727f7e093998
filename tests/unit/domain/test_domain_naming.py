"""The one consent-aware naming rule of everything public (DESIGN §7)."""

from __future__ import annotations

import pytest

from bot.domain.models import Consent, DirectoryProfile, Participant
from bot.domain.naming import Acting, public_name

ID = "@alice:localhost"
GRANTED = Participant(ID, "Alice Martin", Consent.GRANTED)
UNKNOWN = Participant(ID, "Alice Martin", Consent.UNKNOWN)
REFUSED = Participant(ID, "Alice Martin", Consent.REFUSED)
FORGOTTEN = Participant(ID, "", Consent.REFUSED)  # what `!oublier` leaves
NAMED_BY_ID = Participant(ID, ID, Consent.GRANTED)  # a name that was only the id
LISTED = Participant(ID, "Alice Martin", Consent.REFUSED, profile=DirectoryProfile("CESF"))


@pytest.mark.parametrize(
    ("person", "acting", "number", "lang", "expected"),
    [
        # participants (exchange, fiche): named only with consent
        (GRANTED, Acting.PARTICIPANT, 2, "fr", "Alice Martin"),
        (UNKNOWN, Acting.PARTICIPANT, 2, "fr", "Personne 2"),
        (REFUSED, Acting.PARTICIPANT, 2, "en", "Participant 2"),
        (None, Acting.PARTICIPANT, 3, "fr", "Personne 3"),
        (NAMED_BY_ID, Acting.PARTICIPANT, 1, "fr", "Personne 1"),
        (UNKNOWN, Acting.PARTICIPANT, None, "fr", "une personne participante"),
        # authors (withdrawing their fiche): as participants, with a role label
        (GRANTED, Acting.AUTHOR, None, "fr", "Alice Martin"),
        (UNKNOWN, Acting.AUTHOR, None, "fr", "une personne ayant rédigé la fiche"),
        (REFUSED, Acting.AUTHOR, None, "en", "an author"),
        # moderators and researchers: the network's acts, named unless refused
        (UNKNOWN, Acting.MODERATOR, None, "fr", "Alice Martin"),
        (REFUSED, Acting.MODERATOR, None, "fr", "l'équipe de modération"),
        (None, Acting.MODERATOR, None, "en", "a moderator"),
        (UNKNOWN, Acting.RESEARCHER, None, "fr", "Alice Martin"),
        (REFUSED, Acting.RESEARCHER, None, "fr", "l'équipe de recherche"),
        (FORGOTTEN, Acting.RESEARCHER, None, "fr", "l'équipe de recherche"),
        (NAMED_BY_ID, Acting.RESEARCHER, None, "en", "a researcher"),
        # the directory: listing is the opt-in
        (LISTED, Acting.MEMBER, None, "fr", "Alice Martin"),
        (GRANTED, Acting.MEMBER, None, "fr", "une personne membre du réseau"),
        (
            Participant(ID, "", profile=DirectoryProfile()),
            Acting.MEMBER,
            None,
            "en",
            "a network member",
        ),
    ],
)
def test_public_name(
    person: Participant | None, acting: Acting, number: int | None, lang: str, expected: str
) -> None:
    name = public_name(person, acting, lang, number=number)
    assert name == expected
    assert "@" not in name and ID not in name


def test_whitespace_in_a_display_name_is_collapsed() -> None:
    person = Participant(ID, "  Alice \n Martin ", Consent.GRANTED)
    assert public_name(person, Acting.PARTICIPANT, "fr", number=1) == "Alice Martin"
