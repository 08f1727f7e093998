"""Messages about the bot's own operation: the version closing its introduction, outbox
jobs that failed for good or that the wiki refuses (FR, EN)."""

from __future__ import annotations

FR: dict[str, str] = {
    "intro.version": "— capibot {version}",
    "outbox.failed.publish": "La fiche #{case} n'a pas pu être publiée sur le wiki : "
    "{reason}. Une fois la cause corrigée, « capibot publish » la réessaie.",
    "outbox.failed.republish": "La page de la fiche #{case} n'a pas pu être mise à jour "
    "sur le wiki : {reason}. Une fois la cause corrigée, « capibot publish » la réessaie.",
    "outbox.failed.withdraw_page": "La page de la fiche #{case} n'a pas pu être retirée "
    "du wiki : {reason}. Une fois la cause corrigée, « capibot publish » la réessaie.",
    "outbox.refused": "Le wiki refuse le bot pour la fiche #{case} : {reason}. C'est un "
    "problème de configuration (identifiants ou droits, voir « capibot check ») ; la fiche "
    "attend et partira dès qu'il sera corrigé.",
}

EN: dict[str, str] = {
    "intro.version": "— capibot {version}",
    "outbox.failed.publish": "The fiche #{case} could not be published on the wiki: "
    "{reason}. Once the cause is fixed, `capibot publish` retries it.",
    "outbox.failed.republish": "The page of the fiche #{case} could not be updated on the "
    "wiki: {reason}. Once the cause is fixed, `capibot publish` retries it.",
    "outbox.failed.withdraw_page": "The page of the fiche #{case} could not be withdrawn "
    "from the wiki: {reason}. Once the cause is fixed, `capibot publish` retries it.",
    "outbox.refused": "The wiki refuses the bot for the fiche #{case}: {reason}. This is a "
    "configuration problem (credentials or rights, see `capibot check`); the fiche waits "
    "and goes out as soon as it is fixed.",
}
