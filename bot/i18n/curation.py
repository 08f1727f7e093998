"""Messages of fiche submission and moderation (French and English)."""

from __future__ import annotations

FR: dict[str, str] = {
    "curation.no_case_here": "Je ne trouve pas de cas dans ce fil : indiquez son numéro "
    "({prefix}fiche N …) ou capturez d'abord l'échange ({prefix}capturer).",
    "curation.not_author": "Seules les personnes ayant pris part au cas #{case} (ou l'équipe "
    "de modération) peuvent modifier sa fiche.",
    "curation.submitted": "Fiche du cas #{case} enregistrée (version {version}). Aperçu :\n"
    "{preview}\n\nElle part en relecture auprès de l'équipe de modération ; je vous dirai la suite "
    "ici.",
    "curation.card_outdated": "Cette carte montre la version {card} du cas #{case}, mais la "
    "fiche a changé depuis (version {latest}) : validez la nouvelle carte.",
    "curation.card": "**Fiche à relire** : cas #{case} « {title} » (version {version})\n"
    "{fields}\n\n**Ont contribué** : {contributors}\n**Fil** : {link}\n"
    "✅ ou **{prefix}valider {case}** pour valider · ❌ ou **{prefix}rejeter {case} motif** · "
    "**{prefix}corriger {case} commentaire**",
    "curation.approved": "✅ La fiche du cas #{case} est validée par {moderator} : elle va "
    "être publiée sur le wiki.",
    "curation.approved_reply": "Cas #{case} validé ; publication en cours.",
    "curation.rejected": "La fiche du cas #{case} n'est pas retenue par {moderator}. "
    "Motif : {reason}",
    "curation.rejected_reply": "Cas #{case} rejeté ; les personnes qui ont rédigé sa "
    "fiche sont prévenues.",
    "curation.changes": "{moderator} demande des corrections sur la fiche du cas #{case} : "
    "{comment}\nRenvoyez-la avec {prefix}fiche (seuls les champs indiqués changent).",
    "curation.changes_reply": "Demande de corrections envoyée aux personnes qui ont "
    "rédigé la fiche du cas #{case}.",
    "curation.withdrawn": "Le cas #{case} est retiré par {actor}.{page}",
    "curation.withdrawn_page": " Sa page du wiki sera remplacée par un avis de retrait.",
    "curation.restored": "Le cas #{case} est rétabli par {actor} (état : {state}).{page}",
    "curation.restored_page": " Sa page du wiki va être republiée.",
    "curation.ask_reason": "Pour rejeter le cas #{case}, indiquez le motif : "
    "{prefix}rejeter {case} motif",
    "curation.none": "personne",
    "forget.explain.zero": "{prefix}oublier confirmer effacera votre profil (aucun message "
    "de vous n'est enregistré) ; les pages du wiki qui vous citent seront republiées sans "
    "vous (« Personne N »), et votre consentement sera noté comme refusé.",
    "forget.explain.one": "{prefix}oublier confirmer effacera votre message enregistré et "
    "votre profil ; les pages du wiki qui vous citent seront republiées sans vous "
    "(« Personne N »), et votre consentement sera noté comme refusé.",
    "forget.explain.other": "{prefix}oublier confirmer effacera vos {count} messages "
    "enregistrés et votre profil ; les pages du wiki qui vous citent seront republiées "
    "sans vous (« Personne N »), et votre consentement sera noté comme refusé.",
    "rate_limited": "Vous envoyez beaucoup de commandes : je fais une pause avec vous, "
    "réessayez dans une minute.",
    "forget.done.zero": "C'est fait : vos messages et votre profil sont effacés ; aucun cas "
    "n'est à republier.",
    "forget.done.one": "C'est fait : vos messages et votre profil sont effacés ; le cas qui "
    "vous concerne sera republié sans vous.",
    "forget.done.other": "C'est fait : vos messages et votre profil sont effacés ; les "
    "{count} cas qui vous concernent seront republiés sans vous.",
}

EN: dict[str, str] = {
    "curation.no_case_here": "I find no case in this thread: give its number "
    "({prefix}summary N …) or capture the exchange first ({prefix}capture).",
    "curation.not_author": "Only people who took part in case #{case} (or the moderators) "
    "may change its fiche.",
    "curation.submitted": "Fiche of case #{case} saved (version {version}). Preview:\n"
    "{preview}\n\nIt now goes to the moderators for review; I will tell you here what "
    "happens next.",
    "curation.card_outdated": "This card shows version {card} of case #{case}, but the fiche "
    "has changed since (version {latest}): approve the new card.",
    "curation.card": '**Fiche to review**: case #{case} "{title}" (version {version})\n'
    "{fields}\n\n**Contributors**: {contributors}\n**Thread**: {link}\n"
    "✅ or **{prefix}approve {case}** to approve · ❌ or **{prefix}reject {case} reason** · "
    "**{prefix}changes {case} comment**",
    "curation.approved": "✅ The fiche of case #{case} was approved by {moderator}: it will "
    "be published on the wiki.",
    "curation.approved_reply": "Case #{case} approved; publishing.",
    "curation.rejected": "The fiche of case #{case} was not accepted by {moderator}. "
    "Reason: {reason}",
    "curation.rejected_reply": "Case #{case} rejected; its authors have been told.",
    "curation.changes": "{moderator} asks for changes to the fiche of case #{case}: "
    "{comment}\nSend it again with {prefix}summary (only the fields you give change).",
    "curation.changes_reply": "Change request sent to the authors of case #{case}.",
    "curation.withdrawn": "Case #{case} was withdrawn by {actor}.{page}",
    "curation.restored": "Case #{case} was restored by {actor} (state: {state}).{page}",
    "curation.restored_page": " Its wiki page will be published again.",
    "curation.withdrawn_page": " Its wiki page will be replaced by a withdrawal notice.",
    "curation.ask_reason": "To reject case #{case}, give the reason: {prefix}reject {case} reason",
    "curation.none": "nobody",
    "forget.explain.zero": "{prefix}forget confirm will erase your profile (no message of "
    'yours is stored); wiki pages quoting you will be republished without you ("Participant '
    'N"), and your consent will be recorded as refused.',
    "forget.explain.one": "{prefix}forget confirm will erase your stored message and your "
    'profile; wiki pages quoting you will be republished without you ("Participant N"), '
    "and your consent will be recorded as refused.",
    "forget.explain.other": "{prefix}forget confirm will erase your {count} stored messages "
    'and your profile; wiki pages quoting you will be republished without you ("Participant '
    'N"), and your consent will be recorded as refused.',
    "rate_limited": "You are sending many commands: I am pausing with you, try again in a minute.",
    "forget.done.zero": "Done: your messages and profile are erased; no case needs republishing.",
    "forget.done.one": "Done: your messages and profile are erased; the case concerning you "
    "will be republished without you.",
    "forget.done.other": "Done: your messages and profile are erased; the {count} cases "
    "concerning you will be republished without you.",
}
