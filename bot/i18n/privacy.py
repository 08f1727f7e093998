"""Public naming labels (`bot.domain.naming`) and `!oublier`'s neutral texts (FR, EN)."""

from __future__ import annotations

FR: dict[str, str] = {
    "naming.numbered": "Personne {n}",
    "naming.participant": "une personne participante",
    "naming.author": "une personne ayant rédigé la fiche",
    "naming.moderator": "l'équipe de modération",
    "naming.researcher": "l'équipe de recherche",
    "naming.member": "une personne membre du réseau",
    "forget.neutral_title": "Échange #{case}",
    "forget.erased": "[effacé]",
    "annotate.removed_summary": "capibot : annotation retirée à la demande de la personne qui "
    "l'a écrite (fiche #{case})",
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
