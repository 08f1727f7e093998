"""Public naming labels (`bot.domain.naming`) and `!oublier`'s neutral texts (FR, EN)."""

from __future__ import annotations

FR: dict[str, str] = {
    "naming.numbered": "Participant·e {n}",
    "naming.participant": "un·e participant·e",
    "naming.author": "un·e auteur·rice",
    "naming.moderator": "un·e modérateur·rice",
    "naming.researcher": "un·e chercheur·e",
    "naming.member": "un·e membre du réseau",
}

EN: dict[str, str] = {
    "naming.numbered": "Participant {n}",
    "naming.participant": "a participant",
    "naming.author": "an author",
    "naming.moderator": "a moderator",
    "naming.researcher": "a researcher",
    "naming.member": "a network member",
}
