"""The fixed wording of the pages the bot writes (fiche pages, withdrawal notices, talk
pages, directory, digest, setup pages) and of the edit summaries `wiki_sync` writes
itself: one catalogue per language, the same keys and placeholders in each (a unit test
checks it, as for the bot's chat messages in `bot.i18n`).

`wiki_sync` does not import the bot, hence a catalogue of its own. An unknown language
is refused (`ValueError` naming the supported ones) everywhere alike: it can only be a
programming error, since the bot's configuration accepts only these languages. Labels
are raw text: escape them before they go into wikitext.
"""

from __future__ import annotations

from collections.abc import Mapping

FR: dict[str, str] = {
    # -- fiche page: bot-owned blocks
    "page.excerpt": "Extrait de l'échange",
    "page.no_excerpt": "Aucun extrait publiable.",
    "page.contributors": "Ont contribué",
    "page.thread": "Fil de discussion",
    "page.thread_link": "Voir l'échange dans Matrix",
    "page.room": "salon :",
    "page.centre": "Fiche partagée par le centre {link}.",
    # -- withdrawal notice
    "withdrawal.notice": "Cette fiche (cas n° {case}) a été retirée.",
    "withdrawal.reason": "Motif :",
    # -- category names
    "category.withdrawn": "Fiches retirées",
    "category.theme": "Thèmes",
    "category.territory": "Territoires",
    "category.function": "Fonctions",
    "category.centres": "Centres",
    # -- talk-page annotations
    "talk.annotation_title": "Annotation de {name} ({date})",
    "talk.annotation_signature": "— {name}, équipe de recherche, le {date} (via capibot)",
    "talk.annotation_removed_title": "Annotation retirée",
    "talk.annotation_removed": "''Annotation retirée à la demande de la personne qui"
    " l'a écrite (via capibot).''",
    # -- directory and digest
    "directory.intro": "Annuaire des personnes du réseau qui ont choisi d'y "
    "figurer (commande <code>!profil</code> dans Matrix). Page tenue à jour par "
    "capibot : les modifications faites ici seront remplacées.",
    "directory.empty": "Personne n'a encore choisi de figurer dans l'annuaire.",
    "directory.function": "Fonction",
    "directory.structure": "Structure",
    "directory.expertise": "Expertises",
    "directory.contact": "contacter sur Matrix",
    "list.no_territory": "Sans territoire précisé",
    "digest.intro": "Lettre d'information du réseau pour la période du {start} au {end}.",
    "digest.new": "Nouvelles fiches",
    "digest.updated": "Fiches mises à jour",
    "digest.annotations": "Annotations de la période",
    "digest.no_theme": "Sans thème",
    "digest.annotation_line": "{name} sur {page} ({date}) : {text}",
    # -- setup: the fiche template's parameters, its doc, categories and index pages
    "param.titre": "Titre",
    "param.contexte": "Contexte",
    "param.action": "Action",
    "param.resultats": "Résultats",
    "param.enseignements": "Enseignements",
    "param.themes": "Thèmes",
    "param.territoire": "Territoire",
    "param.ressources": "Ressources",
    "param.salon": "Salon",
    "param.fiche": "Cas",
    "param.version": "Version",
    "param.validee_par": "Validée par",
    "param.validee_le": "Validée le",
    "param.centre": "Centre",
    "setup.doc": (
        "Modèle des fiches d'expérience publiées par capibot à partir des échanges"
        " Matrix. Les pages sont écrites par le robot ; vous pouvez les compléter"
        " sous le modèle, le robot conserve vos ajouts."
    ),
    "setup.params": "Paramètres",
    "setup.fiche_category": (
        "Fiches d'expérience issues des échanges du réseau, validées par l'équipe de modération."
    ),
    "setup.kind_category": "Catégories de fiches d'expérience, une par valeur.",
    "setup.withdrawn_category": (
        "Fiches d'expérience retirées par les personnes qui les ont rédigées ou par"
        " l'équipe de modération."
    ),
    "setup.index": "Index – {name}",
    "setup.index_body": "Toutes les catégories de ce type sont listées dans {link}.",
    "setup.index_fiches": "La liste des fiches se trouve dans {link}.",
    "setup.centres_category": "Les centres du réseau, une catégorie par centre : les "
    "fiches qu'il partage sur ce wiki.",
    "setup.centre_category": "Les fiches que le centre {link} partage sur ce wiki.",
    "setup.centre_page": "Page du centre {name}. Ses fiches partagées sur ce wiki sont "
    "dans {link}.",
    # -- the word of a disambiguated title: "Jardins (fiche 12)"
    "title.case": "fiche",
    # -- edit summaries
    "summary.setup": "capibot : mise en place du wiki",
}

EN: dict[str, str] = {
    # -- fiche page: bot-owned blocks
    "page.excerpt": "Excerpt of the exchange",
    "page.no_excerpt": "No publishable excerpt.",
    "page.contributors": "Contributors",
    "page.thread": "Discussion thread",
    "page.thread_link": "See the exchange in Matrix",
    "page.room": "room:",
    "page.centre": "Fiche shared by the centre {link}.",
    # -- withdrawal notice
    "withdrawal.notice": "This fiche (case {case}) has been withdrawn.",
    "withdrawal.reason": "Reason:",
    # -- category names
    "category.withdrawn": "Withdrawn fiches",
    "category.theme": "Themes",
    "category.territory": "Territories",
    "category.function": "Functions",
    "category.centres": "Centres",
    # -- talk-page annotations
    "talk.annotation_title": "Annotation by {name} ({date})",
    "talk.annotation_signature": "— {name}, researcher, {date} (via capibot)",
    "talk.annotation_removed_title": "Annotation removed",
    "talk.annotation_removed": "''Annotation removed at its author's request (via capibot).''",
    # -- directory and digest
    "directory.intro": "Directory of the network's professionals who chose to be "
    "listed (<code>!profile</code> command in Matrix). Maintained by capibot: edits "
    "made here will be replaced.",
    "directory.empty": "Nobody has chosen to be listed in the directory yet.",
    "directory.function": "Function",
    "directory.structure": "Organisation",
    "directory.expertise": "Expertise",
    "directory.contact": "contact on Matrix",
    "list.no_territory": "No territory given",
    "digest.intro": "Newsletter of the network for the period from {start} to {end}.",
    "digest.new": "New fiches",
    "digest.updated": "Updated fiches",
    "digest.annotations": "Annotations of the period",
    "digest.no_theme": "No theme",
    "digest.annotation_line": "{name} on {page} ({date}): {text}",
    # -- setup: the fiche template's parameters, its doc, categories and index pages
    "param.titre": "Title",
    "param.contexte": "Context",
    "param.action": "Action",
    "param.resultats": "Results",
    "param.enseignements": "Lessons",
    "param.themes": "Themes",
    "param.territoire": "Territory",
    "param.ressources": "Resources",
    "param.salon": "Room",
    "param.fiche": "Case",
    "param.version": "Version",
    "param.validee_par": "Approved by",
    "param.validee_le": "Approved on",
    "param.centre": "Centre",
    "setup.doc": (
        "Template of the experience fiches that capibot publishes from Matrix"
        " exchanges. The bot writes these pages; you may add text below the"
        " template, the bot keeps your additions."
    ),
    "setup.params": "Parameters",
    "setup.fiche_category": (
        "Experience fiches from the network's exchanges, approved by moderators."
    ),
    "setup.kind_category": "Categories of experience fiches, one per value.",
    "setup.withdrawn_category": "Experience fiches withdrawn by their authors or the moderators.",
    "setup.index": "Index – {name}",
    "setup.index_body": "Every category of this kind is listed in {link}.",
    "setup.index_fiches": "The list of fiches is in {link}.",
    "setup.centres_category": "The network's centres, one category per centre: the "
    "fiches it shares on this wiki.",
    "setup.centre_category": "The fiches the centre {link} shares on this wiki.",
    "setup.centre_page": "Page of the centre {name}. The fiches it shares on this wiki "
    "are in {link}.",
    # -- the word of a disambiguated title: "Jardins (fiche 12)" (a loanword, as above)
    "title.case": "fiche",
    # -- edit summaries
    "summary.setup": "capibot: wiki setup",
}

CATALOGUES: Mapping[str, Mapping[str, str]] = {"fr": FR, "en": EN}
LANGUAGES: tuple[str, ...] = tuple(CATALOGUES)


def catalogue(language: str) -> Mapping[str, str]:
    """The labels of ``language``; ``ValueError`` for a language there is none for."""
    try:
        return CATALOGUES[language]
    except KeyError:
        raise ValueError(
            f"unsupported language {language!r}; use one of {list(LANGUAGES)}"
        ) from None


def label(language: str, key: str, /, **values: object) -> str:
    """One label, its ``{placeholders}`` filled with ``values`` (raw text: escape it)."""
    text = catalogue(language)[key]
    return text.format(**values) if values else text
