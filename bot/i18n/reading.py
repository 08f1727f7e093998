"""Messages of reading the knowledge base in the chat: `!lire` and the `!chercher`
proposal to ask the documentation team (FR, EN)."""

from __future__ import annotations

FR: dict[str, str] = {
    "cmd.read.usage": "{prefix}lire N|titre",
    "cmd.read.desc": "Affiche ici une fiche publiée, par son numéro ou son titre.",
    "usage.missing_fiche": "Indiquez le numéro de la fiche (par exemple 12) ou son titre.",
    "read.header": "Fiche #{case} — {title}",
    "read.field": "{label} : {value}",
    "read.link": "La fiche complète sur le wiki : {url}",
    "read.not_published": "Aucune fiche publiée ne porte le numéro #{case}.",
    "read.withdrawn": "La fiche #{case} a été retirée du wiki : elle ne peut plus être lue.",
    "read.no_title": "Aucune fiche publiée ne s'intitule « {title} ». Pour chercher dans "
    "leur contenu : {prefix}chercher {title}",
    "read.candidates": "Plusieurs fiches correspondent à « {title} » ; choisissez-en une "
    "avec {prefix}lire N :",
    "read.candidate": "• #{case} {title}",
    "search.ask_team": "Aucune fiche ne répond bien. Posez la question à l'équipe "
    "documentation : {prefix}question …",
}

EN: dict[str, str] = {
    "cmd.read.usage": "{prefix}read N|title",
    "cmd.read.desc": "Shows a published fiche here, by its number or its title.",
    "usage.missing_fiche": "Give the fiche's number (for example 12) or its title.",
    "read.header": "Fiche #{case} — {title}",
    "read.field": "{label}: {value}",
    "read.link": "The whole fiche on the wiki: {url}",
    "read.not_published": "No published fiche has number #{case}.",
    "read.withdrawn": "Fiche #{case} was withdrawn from the wiki: it can no longer be read.",
    "read.no_title": "No published fiche is titled “{title}”. To search their content: "
    "{prefix}search {title}",
    "read.candidates": "Several fiches match “{title}”; pick one with {prefix}read N:",
    "read.candidate": "• #{case} {title}",
    "search.ask_team": "No fiche answers this well. Ask the documentation team: "
    "{prefix}question …",
}
