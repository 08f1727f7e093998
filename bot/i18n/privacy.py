"""Public naming labels (`bot.domain.naming`) and `!oublier`'s neutral texts (FR, EN)."""

from __future__ import annotations

FR: dict[str, str] = {
    "naming.numbered": "Participant·e {n}",
    "naming.participant": "un·e participant·e",
    "naming.author": "un·e auteur·rice",
    "naming.moderator": "un·e modérateur·rice",
    "naming.researcher": "un·e chercheur·e",
    "naming.member": "un·e membre du réseau",
    "forget.neutral_title": "Échange #{case}",
    "forget.erased": "[effacé]",
    "annotate.removed_summary": "capibot : annotation retirée à la demande de son auteur·rice"
    " (fiche #{case})",
}

EN: dict[str, str] = {
    "naming.numbered": "Participant {n}",
    "naming.participant": "a participant",
    "naming.author": "an author",
    "naming.moderator": "a moderator",
    "naming.researcher": "a researcher",
    "naming.member": "a network member",
    "forget.neutral_title": "Exchange #{case}",
    "forget.erased": "[erased]",
    "annotate.removed_summary": "capibot: annotation removed at its author's request"
    " (fiche #{case})",
}
