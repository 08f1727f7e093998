"""Messages of `!chercher réseau`: the network wiki's answers beside the centre's own
(FR, EN)."""

from __future__ import annotations

FR: dict[str, str] = {
    "search.own_none": "Aucune fiche du centre ne répond à « {query} ».",
    "search.network.header": "Sur le wiki du réseau, fiches des autres centres :",
    "search.network.line": "{n}. {title} ({centre}) — {snippet}\n   {url}",
    "search.network.centre": "centre {centre}",
    "search.network.unknown_centre": "non précisé",
    "search.network.none": "Sur le wiki du réseau, aucune fiche d'un autre centre ne "
    "répond à « {query} ».",
    "search.network.unreachable": "Le wiki du réseau ne répond pas pour le moment : "
    "seules les fiches du centre sont proposées.",
    "search.network.absent": "Ce centre n'est relié à aucun wiki du réseau : la "
    "recherche « réseau » n'est pas possible ici. Pour chercher dans les fiches du "
    "centre : {prefix}chercher {query}",
}

EN: dict[str, str] = {
    "search.own_none": "No fiche of this centre answers “{query}”.",
    "search.network.header": "On the network wiki, fiches of other centres:",
    "search.network.line": "{n}. {title} ({centre}) — {snippet}\n   {url}",
    "search.network.centre": "centre {centre}",
    "search.network.unknown_centre": "not given",
    "search.network.none": "On the network wiki, no fiche of another centre answers “{query}”.",
    "search.network.unreachable": "The network wiki is not answering right now: only "
    "this centre's fiches are listed.",
    "search.network.absent": "This centre is linked to no network wiki: a “network” "
    "search is not possible here. To search this centre's fiches: {prefix}search {query}",
}
