"""Messages of research and diffusion: search, directory, annotations, digest (FR, EN)."""

from __future__ import annotations

FR: dict[str, str] = {
    # --- !chercher
    "search.header": "Fiches et pages du wiki pour « {query} » :",
    "search.line": "{n}. {title} — {snippet}\n   {url}",
    "search.none": "Aucune page du wiki ne répond à « {query} ». Si vous avez vécu une "
    "situation semblable, gardez l'échange avec {prefix}capturer dans son fil : il "
    "deviendra peut-être une fiche !",
    "search.unavailable": "Le wiki ne répond pas pour le moment : réessayez « {query} » "
    "un peu plus tard.",
    # --- !profil / !experts
    "profile.show": "Votre fiche dans l'annuaire — fonction : {function} · structure : "
    "{structure} · territoire : {territory} · expertises : {expertise}.",
    "profile.none": "Vous ne figurez pas dans l'annuaire. Pour vous y inscrire : {usage}",
    "profile.saved": "Votre fiche est enregistrée ; la page « {page} » du wiki va être "
    "mise à jour.",
    "profile.deleted": "Votre fiche est retirée de l'annuaire et de la page « {page} ».",
    "profile.not_listed": "Vous ne figurez pas dans l'annuaire : rien à supprimer.",
    "profile.unset": "à préciser",
    "experts.header": "Dans l'annuaire, pour « {topic} » :",
    "experts.line": "• {name} — {details}",
    "experts.contributors": "Ont contribué à des fiches publiées sur « {topic} » :",
    "experts.contributed": "a contribué à : {fiches}",
    "experts.none": "Personne dans l'annuaire ne correspond à « {topic} ». Toute personne "
    "peut s'y inscrire avec {prefix}profil.",
    "directory.title": "Annuaire du réseau",
    "directory.summary.zero": "capibot : mise à jour de l'annuaire (vide)",
    "directory.summary.one": "capibot : mise à jour de l'annuaire ({count} personne)",
    "directory.summary.other": "capibot : mise à jour de l'annuaire ({count} personnes)",
    # --- !annoter
    "annotate.not_published": "La fiche #{case} n'est pas publiée sur le wiki : elle ne "
    "peut pas encore être annotée.",
    "annotate.queued": "Annotation n° {number} de la fiche #{case} enregistrée ; elle va "
    "être ajoutée à la page de discussion du wiki.",
    "annotate.notice": "{researcher} a annoté la fiche #{case} « {title} » : « {text} » "
    "— la discussion continue ici ou sur le wiki : {url}",
    "annotate.summary": "capibot : {researcher} annote la fiche #{case}",
    # --- digest
    "digest.title": "Lettre d'information {period}",
    "period": "du {start} au {end}",
    "digest.notice": "La lettre d'information {period} est parue ({contents}) : {url}",
    "digest.fiches.zero": "aucune fiche",
    "digest.fiches.one": "{count} fiche",
    "digest.fiches.other": "{count} fiches",
    "digest.annotations.zero": "aucune annotation",
    "digest.annotations.one": "{count} annotation",
    "digest.annotations.other": "{count} annotations",
    "digest.summary": "capibot : lettre d'information {period}",
}

EN: dict[str, str] = {
    "search.header": "Fiches and wiki pages for “{query}”:",
    "search.line": "{n}. {title} — {snippet}\n   {url}",
    "search.none": "No wiki page answers “{query}”. If you have lived through something "
    "similar, keep the exchange with {prefix}capture in its thread: it may become a fiche!",
    "search.unavailable": "The wiki is not answering right now: try “{query}” again a "
    "little later.",
    "profile.show": "Your directory entry — function: {function} · organisation: "
    "{structure} · territory: {territory} · expertise: {expertise}.",
    "profile.none": "You are not in the directory. To be listed: {usage}",
    "profile.saved": "Your entry is saved; the wiki page “{page}” is being updated.",
    "profile.deleted": "Your entry is removed from the directory and the page “{page}”.",
    "profile.not_listed": "You are not in the directory: nothing to delete.",
    "profile.unset": "to be given",
    "experts.header": "In the directory, for “{topic}”:",
    "experts.line": "• {name} — {details}",
    "experts.contributors": "Contributed to published fiches on “{topic}”:",
    "experts.contributed": "contributed to: {fiches}",
    "experts.none": "Nobody in the directory matches “{topic}”. Anyone can be listed "
    "with {prefix}profile.",
    "directory.title": "Annuaire du réseau",
    "directory.summary.zero": "capibot: directory update (empty)",
    "directory.summary.one": "capibot: directory update ({count} person)",
    "directory.summary.other": "capibot: directory update ({count} people)",
    "annotate.not_published": "Fiche #{case} is not published on the wiki: it cannot be "
    "annotated yet.",
    "annotate.queued": "Annotation no. {number} of fiche #{case} saved; it is being added "
    "to the wiki talk page.",
    "annotate.notice": "{researcher} annotated fiche #{case} “{title}”: “{text}” — the "
    "discussion goes on here or on the wiki: {url}",
    "annotate.summary": "capibot: annotation by {researcher} on fiche #{case}",
    "digest.title": "Newsletter {period}",
    "period": "from {start} to {end}",
    "digest.notice": "The newsletter {period} is out ({contents}): {url}",
    "digest.fiches.zero": "no fiche",
    "digest.fiches.one": "{count} fiche",
    "digest.fiches.other": "{count} fiches",
    "digest.annotations.zero": "no annotation",
    "digest.annotations.one": "{count} annotation",
    "digest.annotations.other": "{count} annotations",
    "digest.summary": "capibot: newsletter {period}",
}
