"""Messages of the network's shared wiki (`[network_wiki]`): `!réseau`, `!salon réseau`,
the fiche's line on the review card and `!voir`, and the publisher's notices (FR, EN)."""

from __future__ import annotations

FR: dict[str, str] = {
    "cmd.network.usage": "{prefix}réseau N [oui|non|salon]",
    "cmd.network.desc": "Partage ou non la fiche du cas N sur le wiki du réseau, quel que "
    "soit le choix de son salon (« salon » : revenir au choix du salon) ; sans valeur, "
    "dit où elle en est. Réservé à l'équipe de modération du réseau.",
    "usage.network_value": "Valeur « {value} » inconnue : oui, non ou salon.",
    "network.not_configured": "Ce bot n'a pas de wiki du réseau (section [network_wiki] "
    "de sa configuration) : rien n'y est partagé.",
    "network.line": "Wiki du réseau : {state} ({source})",
    "network.state.shared": "fiche partagée",
    "network.state.not_shared": "fiche non partagée",
    "network.source.case": "choix propre à la fiche",
    "network.source.room": "choix de son salon",
    "network.status": "Cas #{case} — {line}",
    "network.next.publish": "Sa page y sera publiée ou mise à jour sous peu.",
    "network.next.after_approval": "Elle y sera publiée une fois validée.",
    "network.next.withdraw": "Sa page y sera remplacée par un avis de retrait.",
    "network.page": "Page sur le wiki du réseau : {url}",
    "network.page_withdrawn": "Page retirée du wiki du réseau : {url}",
    "network.room": "Wiki du réseau : {state}",
    "network.room_shared.zero": "Les fiches de ce salon seront partagées sur le wiki du "
    "réseau une fois validées (sauf choix propre d'une fiche).",
    "network.room_shared.one": "Les fiches de ce salon sont partagées sur le wiki du "
    "réseau : {count} fiche déjà validée y sera publiée (sauf choix propre d'une fiche).",
    "network.room_shared.other": "Les fiches de ce salon sont partagées sur le wiki du "
    "réseau : {count} fiches déjà validées y seront publiées (sauf choix propre d'une "
    "fiche).",
    "network.room_unshared.zero": "Les fiches de ce salon ne sont plus partagées sur le "
    "wiki du réseau (sauf choix propre d'une fiche).",
    "network.room_unshared.one": "Les fiches de ce salon ne sont plus partagées sur le "
    "wiki du réseau : {count} page y sera retirée (sauf choix propre d'une fiche).",
    "network.room_unshared.other": "Les fiches de ce salon ne sont plus partagées sur le "
    "wiki du réseau : {count} pages y seront retirées (sauf choix propre d'une fiche).",
    "network.published": "Fiche #{case} publiée aussi sur le wiki du réseau : {url}",
    "network.withdrawn": "Fiche #{case} retirée du wiki du réseau : {url}",
    "network.conflict": "Conflit sur la page « {title} » du wiki du réseau (fiche #{case}) : "
    "des modifications faites là-bas touchent {parts}. Rien n'a été écrit. Différences : "
    "{diff}",
    "network.privacy_kept": "Fiche #{case} : extraits et liste « Ont contribué » de la "
    "page « {title} » du wiki du réseau mis à jour ({reason}) par-dessus des modifications "
    "faites là-bas ; celles qui touchent {parts} ont été gardées telles quelles. "
    "Différences : {diff}",
    "network.privacy_gone": "Fiche #{case} : la page « {title} » n'existe plus sur le wiki "
    "du réseau ; rien à retirer ({reason}).",
    "network.title_refused": "Fiche #{case} non publiée sur le wiki du réseau : {reason}",
    "network.summary": "capibot : fiche #{case} du centre {centre} (v{version}), validée "
    "par {moderator}, salon {room}",
    "network.summary_update": "capibot : fiche #{case} du centre {centre} mise à jour ({reason})",
    "network.summary_withdraw": "capibot : fiche #{case} du centre {centre} retirée du "
    "wiki du réseau ({reason})",
    "network.summary_category": "capibot : catégorie d'une fiche du centre {centre}",
    "outbox.failed.network_page": "La page de la fiche #{case} n'a pas pu être écrite sur "
    "le wiki du réseau : {reason}. Une fois la cause corrigée, « capibot publish » la "
    "réessaie.",
    "network.refused": "Le wiki du réseau refuse le bot pour la fiche #{case} : {reason}. "
    "C'est un problème de configuration (identifiants ou droits de la section "
    "[network_wiki], voir « capibot check ») ; la fiche attend et partira dès qu'il sera "
    "corrigé.",
}

EN: dict[str, str] = {
    "cmd.network.usage": "{prefix}network N [on|off|room]",
    "cmd.network.desc": "Shares the fiche of case N on the network wiki or not, whatever "
    "its room chose (“room”: follow the room's choice again); without a value, tells "
    "where it stands. For the network's moderators.",
    "usage.network_value": "Unknown value “{value}”: on, off or room.",
    "network.not_configured": "This bot has no network wiki (the [network_wiki] section "
    "of its configuration): nothing is shared there.",
    "network.line": "Network wiki: {state} ({source})",
    "network.state.shared": "fiche shared",
    "network.state.not_shared": "fiche not shared",
    "network.source.case": "the fiche's own choice",
    "network.source.room": "its room's choice",
    "network.status": "Case #{case} — {line}",
    "network.next.publish": "Its page there will be published or updated shortly.",
    "network.next.after_approval": "It will be published there once approved.",
    "network.next.withdraw": "Its page there will be replaced by a withdrawal notice.",
    "network.page": "Page on the network wiki: {url}",
    "network.page_withdrawn": "Page withdrawn from the network wiki: {url}",
    "network.room": "Network wiki: {state}",
    "network.room_shared.zero": "This room's fiches will be shared on the network wiki "
    "once approved (unless a fiche has its own choice).",
    "network.room_shared.one": "This room's fiches are shared on the network wiki: "
    "{count} fiche already approved will be published there (unless a fiche has its own "
    "choice).",
    "network.room_shared.other": "This room's fiches are shared on the network wiki: "
    "{count} fiches already approved will be published there (unless a fiche has its own "
    "choice).",
    "network.room_unshared.zero": "This room's fiches are no longer shared on the network "
    "wiki (unless a fiche has its own choice).",
    "network.room_unshared.one": "This room's fiches are no longer shared on the network "
    "wiki: {count} page will be withdrawn there (unless a fiche has its own choice).",
    "network.room_unshared.other": "This room's fiches are no longer shared on the network "
    "wiki: {count} pages will be withdrawn there (unless a fiche has its own choice).",
    "network.published": "Case #{case} published on the network wiki too: {url}",
    "network.withdrawn": "Case #{case} withdrawn from the network wiki: {url}",
    "network.conflict": "Conflict on page “{title}” of the network wiki (case #{case}): "
    "edits made there touch {parts}. Nothing was written. Diff: {diff}",
    "network.privacy_kept": "Case #{case}: excerpt and contributors of page “{title}” of "
    "the network wiki updated ({reason}) over edits made there; the edits touching "
    "{parts} were kept as they are. Diff: {diff}",
    "network.privacy_gone": "Case #{case}: page “{title}” no longer exists on the network "
    "wiki; nothing to remove ({reason}).",
    "network.title_refused": "Case #{case} not published on the network wiki: {reason}",
    "network.summary": "capibot: case #{case} of centre {centre} (v{version}), approved by "
    "{moderator}, room {room}",
    "network.summary_update": "capibot: case #{case} of centre {centre} updated ({reason})",
    "network.summary_withdraw": "capibot: case #{case} of centre {centre} withdrawn from "
    "the network wiki ({reason})",
    "network.summary_category": "capibot: category of a fiche of centre {centre}",
    "outbox.failed.network_page": "The page of the fiche #{case} could not be written on "
    "the network wiki: {reason}. Once the cause is fixed, `capibot publish` retries it.",
    "network.refused": "The network wiki refuses the bot for the fiche #{case}: {reason}. "
    "This is a configuration problem (credentials or rights of the [network_wiki] "
    "section, see `capibot check`); the fiche waits and goes out as soon as it is fixed.",
}
