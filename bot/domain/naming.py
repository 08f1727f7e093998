"""How a person appears anywhere public (DESIGN §7): one rule for pages, edit summaries,
the digest, the directory and talk pages.

Their display name with consent, else a role label or « Personne N » (N: their
stable rank on that page); never a raw Matrix id, which is what a bot falls back to when
it knows no name. Consent depends on what the person did:

- a participant (wrote in the exchange, submitted a fiche, withdrew it as its author) is
  named only once they said `!consentement oui`;
- a moderator or researcher acting for the network (approving, withdrawing as
  moderator, annotating) is named unless they said `!consentement non` or `!oublier`:
  curating and annotating are the network's acts, signed by default;
- a directory entry is named because the person opted in (`!profil`): the listing is
  that consent.
"""

from __future__ import annotations

import enum
import re

from bot.domain.models import Consent, Participant
from bot.i18n import t

_MATRIX_ID = re.compile(r"@[^\s:]+:\S+")


class Acting(enum.StrEnum):
    """In which capacity a person is named (decides what consent it takes)."""

    PARTICIPANT = "participant"
    AUTHOR = "author"
    MODERATOR = "moderator"
    RESEARCHER = "researcher"
    MEMBER = "member"


#: Named unless consent was refused (acts of the network).
_NAMED_BY_DEFAULT = frozenset({Acting.MODERATOR, Acting.RESEARCHER})


def usable_name(person: Participant | None) -> str:
    """The person's display name, or "" when there is none worth showing (empty, or a
    Matrix id stored where no display name was known)."""
    if person is None:
        return ""
    name = " ".join(person.display_name.split())
    if not name or name == person.user_id or _MATRIX_ID.fullmatch(name):
        return ""
    return name


def may_name(person: Participant | None, acting: Acting) -> bool:
    """Whether `person` may be named publicly when acting so."""
    if person is None:
        return False
    if acting is Acting.MEMBER:
        return person.profile is not None
    if person.consent is Consent.REFUSED:
        return False
    if person.consent is Consent.GRANTED:
        return True
    return acting in _NAMED_BY_DEFAULT


def public_name(
    person: Participant | None, acting: Acting, lang: str, *, number: int | None = None
) -> str:
    """The name to show: display name when allowed, else « Personne N » when a page
    numbers its people, else a role label."""
    name = usable_name(person) if may_name(person, acting) else ""
    if name:
        return name
    if number is not None:
        return t(lang, "naming.numbered", n=number)
    return t(lang, f"naming.{acting.value}")
