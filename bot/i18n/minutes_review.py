"""Messages of the review of compte-rendus (`!cr`, `!salon comptes-rendus`), in French
and English. The card says « motif » without brackets: the reason is optional, but a
moderator who gives one tells the room why."""

from __future__ import annotations

FR: dict[str, str] = {
    "cmd.minutes.usage": "{prefix}cr [voir N | approuver N | rejeter N [motif]]",
    "cmd.minutes.desc": "Liste les comptes-rendus de réunion à relire, les approuve (ils sont "
    "alors publiés sur le wiki) ou les rejette (rien n'est publié).",
    "usage.minutes_verb": "« {value} » : écrivez voir, approuver ou rejeter, suivi du numéro "
    "du compte-rendu.",
    "usage.missing_minutes_number": "Indiquez le numéro du compte-rendu (par exemple 3).",
    "usage.invalid_minutes_number": "« {value} » n'est pas un numéro de compte-rendu valide.",
    "usage.room_invalid_minutes": "« {value} » : écrivez modération (les comptes-rendus "
    "sont relus avant le wiki) ou direct.",
    "room.minutes_review": "Comptes-rendus des réunions : relus par l'équipe de modération "
    "du réseau avant le wiki.",
    "room.minutes_direct": "Comptes-rendus des réunions : publiés directement sur le wiki.",
    "minutes_review.waiting": "Le compte-rendu sera publié sur le wiki une fois relu par "
    "l'équipe de modération du réseau.",
    "minutes_review.card": "**Compte-rendu à relire** : n° {number} « {title} »\n"
    "Salon « {room} » · réunion du {date}\nPage du wiki : {page}",
    "minutes_review.topic": "**{topic}**",
    "minutes_review.item": "{tag} : {text}",
    "minutes_review.card_commands": "**{prefix}cr approuver {number}** pour le publier sur "
    "le wiki · **{prefix}cr rejeter {number} motif** pour ne rien publier",
    "minutes_review.approved": "✅ Le compte-rendu « {title} » est approuvé par {moderator} : "
    "il va être publié sur le wiki.",
    "minutes_review.approved_reply": "Compte-rendu n° {number} approuvé ; publication en cours.",
    "minutes_review.rejected": "Le compte-rendu « {title} » n'est pas retenu par {moderator} : "
    "il ne sera pas publié sur le wiki (le résumé reste dans ce salon).",
    "minutes_review.rejected_reason": "Le compte-rendu « {title} » n'est pas retenu par "
    "{moderator} : il ne sera pas publié sur le wiki (le résumé reste dans ce salon). "
    "Motif : {reason}",
    "minutes_review.rejected_reply": "Compte-rendu n° {number} rejeté : rien n'est publié, "
    "son salon est prévenu.",
    "minutes_review.not_found": "Il n'y a pas de compte-rendu n° {number}.",
    "minutes_review.still_open": "La réunion n° {number} est encore ouverte : son "
    "compte-rendu sera à relire quand elle sera fermée.",
    "minutes_review.already_approved": "Le compte-rendu n° {number} est déjà approuvé (par "
    "{moderator}) : il n'est pas publié une seconde fois.",
    "minutes_review.already_rejected": "Le compte-rendu n° {number} a été rejeté (par "
    "{moderator}) : il ne sera pas publié.",
    "minutes_review.not_reviewed": "Le compte-rendu n° {number} a été publié directement "
    "(son salon ne demande pas de relecture) : il n'y a rien à décider.",
    "minutes_review.moderation_room_only": "Les comptes-rendus se relisent dans le salon "
    "de modération : envoyez-y la commande.",
    "minutes_review.none_waiting": "Aucun compte-rendu n'attend de relecture.",
    "minutes_review.waiting_header.one": "**{count} compte-rendu à relire** :",
    "minutes_review.waiting_header.other": "**{count} comptes-rendus à relire** :",
    "minutes_review.line": "n° {number} « {title} » — {room}, réunion fermée le {date}",
}

EN: dict[str, str] = {
    "cmd.minutes.usage": "{prefix}minutes [show N | approve N | reject N [reason]]",
    "cmd.minutes.desc": "Lists the meeting minutes waiting for review, approves them (they "
    "are then published on the wiki) or rejects them (nothing is published).",
    "usage.minutes_verb": "“{value}”: write show, approve or reject, then the number of the "
    "minutes.",
    "usage.missing_minutes_number": "Give the number of the minutes (for example 3).",
    "usage.invalid_minutes_number": "“{value}” is not a valid number of minutes.",
    "usage.room_invalid_minutes": "“{value}”: write review (the minutes are reviewed before the "
    "wiki) or direct.",
    "room.minutes_review": "Meeting minutes: reviewed by the network's moderators before the wiki.",
    "room.minutes_direct": "Meeting minutes: published directly on the wiki.",
    "minutes_review.waiting": "The minutes will be published on the wiki once the network's "
    "moderators have reviewed them.",
    "minutes_review.card": "**Minutes to review**: no. {number} “{title}”\n"
    "Room “{room}” · meeting of {date}\nWiki page: {page}",
    "minutes_review.topic": "**{topic}**",
    "minutes_review.item": "{tag}: {text}",
    "minutes_review.card_commands": "**{prefix}minutes approve {number}** to publish them on "
    "the wiki · **{prefix}minutes reject {number} reason** to publish nothing",
    "minutes_review.approved": "✅ The minutes “{title}” were approved by {moderator}: they "
    "will be published on the wiki.",
    "minutes_review.approved_reply": "Minutes no. {number} approved; publishing.",
    "minutes_review.rejected": "The minutes “{title}” were not accepted by {moderator}: they "
    "will not be published on the wiki (the summary stays in this room).",
    "minutes_review.rejected_reason": "The minutes “{title}” were not accepted by "
    "{moderator}: they will not be published on the wiki (the summary stays in this room). "
    "Reason: {reason}",
    "minutes_review.rejected_reply": "Minutes no. {number} rejected: nothing is published, "
    "their room has been told.",
    "minutes_review.not_found": "There are no minutes numbered {number}.",
    "minutes_review.still_open": "Meeting no. {number} is still open: its minutes will be "
    "reviewed once it is closed.",
    "minutes_review.already_approved": "Minutes no. {number} are already approved (by "
    "{moderator}): they are not published a second time.",
    "minutes_review.already_rejected": "Minutes no. {number} were rejected (by "
    "{moderator}): they will not be published.",
    "minutes_review.not_reviewed": "Minutes no. {number} were published directly (their "
    "room asks for no review): there is nothing to decide.",
    "minutes_review.moderation_room_only": "Minutes are reviewed in the moderation room: "
    "send the command there.",
    "minutes_review.none_waiting": "No minutes are waiting for review.",
    "minutes_review.waiting_header.one": "**{count} set of minutes to review**:",
    "minutes_review.waiting_header.other": "**{count} sets of minutes to review**:",
    "minutes_review.line": "no. {number} “{title}” — {room}, meeting closed on {date}",
}
