"""Messages of publishing: notices about fiche pages and the edit summaries of fiche and
category pages (FR, EN)."""

from __future__ import annotations

FR: dict[str, str] = {
    "publication.published": "Fiche #{case} publiée sur le wiki : {url}",
    "publication.updated": "Fiche #{case} mise à jour sur le wiki : {url}",
    "publication.withdrawn": "Fiche #{case} retirée du wiki : {url}",
    "publication.conflict": (
        "Conflit sur la page « {title} » (fiche #{case}) : des modifications faites sur"
        " le wiki touchent {parts}. Rien n'a été écrit. Différences : {diff}"
    ),
    "publication.title_refused": "Fiche #{case} non publiée : {reason}",
    "publication.title.empty": "le titre est vide une fois nettoyé.",
    "publication.title.no_alnum": "le titre doit contenir au moins une lettre ou un chiffre.",
    "publication.title.exhausted": "aucun titre libre n'a été trouvé pour cette fiche.",
    "publication.title.namespace": (
        "le wiki placerait ce titre hors de son espace principal, celui des fiches ;"
        " changez son début."
    ),
    "publication.privacy_kept": (
        "Fiche #{case} : extraits et liste « Ont contribué » de la page « {title} » mis à jour"
        " ({reason}) par-dessus des modifications faites sur le wiki ; celles qui"
        " touchent {parts} ont été gardées telles quelles. Différences : {diff}"
    ),
    "publication.privacy_gone": (
        "Fiche #{case} : la page « {title} » n'existe plus sur le wiki ; rien à retirer ({reason})."
    ),
    "publication.summary": (
        "capibot : fiche #{case} (v{version}), validée par {moderator}, salon {room}"
    ),
    "publication.summary_republish": "capibot : fiche #{case} republiée ({reason}), salon {room}",
    "publication.summary_withdraw": "capibot : fiche #{case} retirée par {actor}",
    "publication.summary_category": "capibot : catégorie d'une valeur de la fiche #{case}",
}

EN: dict[str, str] = {
    "publication.published": "Case #{case} published on the wiki: {url}",
    "publication.updated": "Case #{case} updated on the wiki: {url}",
    "publication.withdrawn": "Case #{case} withdrawn from the wiki: {url}",
    "publication.conflict": (
        "Conflict on page “{title}” (case #{case}): edits made on the wiki touch {parts}."
        " Nothing was written. Diff: {diff}"
    ),
    "publication.title_refused": "Case #{case} not published: {reason}",
    "publication.title.empty": "the title is empty once cleaned.",
    "publication.title.no_alnum": "the title must hold at least one letter or digit.",
    "publication.title.exhausted": "no free title was found for this fiche.",
    "publication.title.namespace": (
        "the wiki would put this title outside its main namespace, where the fiches"
        " go; change how it starts."
    ),
    "publication.privacy_kept": (
        "Case #{case}: excerpt and contributors of page “{title}” updated ({reason})"
        " over edits made on the wiki; the edits touching {parts} were kept as they"
        " are. Diff: {diff}"
    ),
    "publication.privacy_gone": (
        "Case #{case}: page “{title}” no longer exists on the wiki; nothing to remove ({reason})."
    ),
    "publication.summary": (
        "capibot: case #{case} (v{version}), approved by {moderator}, room {room}"
    ),
    "publication.summary_republish": "capibot: case #{case} republished ({reason}), room {room}",
    "publication.summary_withdraw": "capibot: case #{case} withdrawn by {actor}",
    "publication.summary_category": "capibot: category of a value of case #{case}",
}
