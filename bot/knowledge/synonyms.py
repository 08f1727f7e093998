"""The network's own vocabulary: acronyms and the phrases practitioners use for the same
thing in the politique de la ville. Each group is one concept; a query naming it in any
form finds a fiche that names it in another (« ANRU » ~ « renouvellement urbain »).

Written by hand on purpose: a general thesaurus knows neither « GUSP » nor « adulte-relais ».
Phrases are matched after folding, stop-word removal and stemming, so plurals, accents
and « de la » do not matter.
"""

from __future__ import annotations

SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("ANRU", "NPNRU", "PRU", "renouvellement urbain", "rénovation urbaine"),
    ("QPV", "quartier prioritaire", "quartier politique de la ville", "ZUS"),
    ("GUSP", "gestion urbaine de proximité"),
    ("adulte-relais", "médiation sociale", "médiateur social", "médiatrice sociale"),
    ("PDV", "politique de la ville"),
    ("contrat de ville", "CDV"),
    ("CLSM", "conseil local de santé mentale"),
    ("ASV", "atelier santé ville"),
    ("CLS", "contrat local de santé"),
    ("PRE", "programme de réussite éducative", "réussite éducative"),
    ("cité éducative", "cités éducatives"),
    ("CLSPD", "CISPD", "conseil local de sécurité et de prévention de la délinquance"),
    ("TFPB", "abattement de taxe foncière", "taxe foncière sur les propriétés bâties"),
    ("bailleur social", "bailleur", "office HLM", "HLM", "organisme HLM"),
    ("conseil citoyen", "conseils citoyens"),
    ("diagnostic en marchant", "marche exploratoire", "balade urbaine", "diagnostic marchant"),
    ("décrochage scolaire", "décrocheur", "décrocheuse", "rupture scolaire"),
    ("NEET", "invisibles", "ni en emploi ni en formation"),
    ("Pôle emploi", "France Travail"),
    ("IAE", "insertion par l'activité économique", "chantier d'insertion", "SIAE"),
    ("clause d'insertion", "clauses sociales", "clause sociale"),
    ("habitants", "résidents", "riverains"),
    ("participation habitante", "participation des habitants", "implication des habitants"),
    ("tranquillité publique", "sécurité du quotidien"),
    ("TZCLD", "territoire zéro chômeur"),
    ("PMI", "protection maternelle et infantile"),
    ("CCAS", "centre communal d'action sociale"),
    ("PIJ", "point information jeunesse", "BIJ"),
    ("FTM", "foyer de travailleurs migrants"),
    ("numérique", "fracture numérique", "illectronisme", "inclusion numérique"),
)
