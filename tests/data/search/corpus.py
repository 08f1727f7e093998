"""The search test set: 104 fiches of the politique de la ville and the questions
practitioners ask about them (`questions.tsv`: question, then the expected fiche keys).

Fiches are assembled from hand-written blocks (`blocks_a`, `blocks_b`): each practice
has its own title, action and lessons; the context and results come from its theme's
pools, with a territory, so the fiches of a theme share some words as real ones do.
Deterministic: the same fiches every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.data.search.blocks_a import EMPLOI, MEDIATION, PREVENTION, RENOUVELLEMENT, Practice
from tests.data.search.blocks_b import EDUCATION, GUSP, PARTICIPATION, SANTE

HERE = Path(__file__).resolve().parent

TERRITORIES = (
    "Les Tarterêts, Corbeil-Essonnes",
    "La Grande Borne, Grigny",
    "Le Mirail, Toulouse",
    "Les Minguettes, Vénissieux",
    "Hautepierre, Strasbourg",
    "Bellevue, Nantes",
    "La Paillade, Montpellier",
    "Le Val Fourré, Mantes-la-Jolie",
    "Les Quartiers Nord, Marseille",
    "La Duchère, Lyon",
    "Maurepas, Rennes",
    "Les Aubiers, Bordeaux",
    "Lille-Sud, Lille",
    "Le Chêne Pointu, Clichy-sous-Bois",
    "Planoise, Besançon",
    "Kervénanec, Lorient",
    "Le Chemin Bas d'Avignon, Nîmes",
)


@dataclass(frozen=True)
class Theme:
    label: str
    practices: list[Practice]
    contexts: tuple[str, ...]
    results: tuple[str, ...]
    neighbour: str  # a second theme some fiches carry


THEMES = (
    Theme(
        "Renouvellement urbain",
        RENOUVELLEMENT,
        (
            "Le quartier {place} fait l'objet d'une convention avec l'ANRU signée en 2019 : "
            "démolition de 300 logements, reconstruction et réhabilitation.",
            "À {place}, le projet de renouvellement urbain transforme le quartier depuis "
            "cinq ans et les habitants vivent au rythme des chantiers.",
            "Le NPNRU de {place} prévoit la démolition de deux barres et la recomposition "
            "des espaces publics.",
            "À {place}, quartier prioritaire de 8 000 habitants, la rénovation urbaine est "
            "entrée dans sa phase opérationnelle.",
        ),
        (
            "Les habitants se sont appropriés le projet et les recours ont été évités.",
            "L'opération a tenu son calendrier et le bilan a été présenté au comité de pilotage.",
            "Les retours des locataires, recueillis par enquête, sont majoritairement positifs.",
        ),
        "Habitat",
    ),
    Theme(
        "Emploi et insertion",
        EMPLOI,
        (
            "À {place}, le taux de chômage atteint 28 % et dépasse 40 % chez les moins de 26 ans.",
            "Dans le quartier prioritaire {place}, beaucoup de demandeurs d'emploi ne sont "
            "plus inscrits nulle part.",
            "{place} compte de nombreuses familles monoparentales et des emplois précaires "
            "en horaires décalés.",
        ),
        (
            "Une quarantaine de personnes ont signé un contrat de travail dans l'année.",
            "Deux tiers des participants sont en emploi ou en formation six mois après.",
            "Le service public de l'emploi a revu ses modalités d'accueil à la suite de l'action.",
        ),
        "Jeunesse",
    ),
    Theme(
        "Prévention de la délinquance",
        PREVENTION,
        (
            "Le quartier {place} a connu une série d'incidents l'an dernier : incendies de "
            "poubelles, agressions, tensions avec la police.",
            "À {place}, le conseil local de sécurité et de prévention de la délinquance "
            "avait fait de la jeunesse sa priorité.",
            "Les habitants de {place} exprimaient un fort sentiment d'insécurité dans les "
            "enquêtes de quartier.",
        ),
        (
            "Les faits signalés ont nettement diminué sur l'année.",
            "Les partenaires se connaissent mieux et s'appellent directement.",
            "Plusieurs jeunes ont été orientés vers un accompagnement éducatif durable.",
        ),
        "Tranquillité publique",
    ),
    Theme(
        "Médiation sociale",
        MEDIATION,
        (
            "À {place}, les conflits du quotidien remontaient tous au bailleur et à la "
            "mairie, faute d'intermédiaire.",
            "Le quartier {place} manquait de présence humaine en soirée et le week-end.",
            "À {place}, une association porte des postes d'adultes-relais financés par l'État.",
        ),
        (
            "Plusieurs centaines de situations ont été traitées dans l'année, la plupart "
            "sans suite judiciaire.",
            "Les partenaires sollicitent désormais les médiateurs d'eux-mêmes.",
            "Les habitants identifient les médiateurs et les appellent par leur prénom.",
        ),
        "Lien social",
    ),
    Theme(
        "Santé",
        SANTE,
        (
            "À {place}, la densité de médecins généralistes est deux fois plus faible que "
            "dans le reste de l'agglomération.",
            "Le diagnostic local de santé de {place} pointait le renoncement aux soins et "
            "les maladies chroniques.",
            "Dans le quartier {place}, une partie des habitants n'a ni médecin traitant ni "
            "complémentaire santé.",
        ),
        (
            "La fréquentation a dépassé les objectifs dès la première année.",
            "Les professionnels de santé travaillent désormais en réseau.",
            "Le dispositif a été pérennisé dans le contrat local de santé.",
        ),
        "Accès aux droits",
    ),
    Theme(
        "Éducation",
        EDUCATION,
        (
            "Les écoles et le collège de {place} sont classés en REP+ et les résultats "
            "aux évaluations sont inférieurs à la moyenne.",
            "À {place}, beaucoup de familles ne maîtrisent pas les attendus de l'école.",
            "La cité éducative de {place} réunit écoles, collège, ville et associations.",
        ),
        (
            "Les enseignants constatent une meilleure assiduité des élèves concernés.",
            "Les familles participent davantage aux réunions de l'école.",
            "Le dispositif a été étendu à d'autres écoles du réseau.",
        ),
        "Jeunesse",
    ),
    Theme(
        "Gestion urbaine de proximité",
        GUSP,
        (
            "À {place}, les habitants se plaignaient de la saleté, des pannes et des "
            "délais d'intervention du bailleur.",
            "Le quartier {place} relève de plusieurs propriétaires et personne ne savait qui "
            "entretenait quoi.",
            "La GUSP de {place} était en sommeil depuis le changement d'équipe municipale.",
        ),
        (
            "Le nombre de réclamations a baissé et les délais de réponse se sont réduits.",
            "Les habitants constatent une amélioration visible de leur cadre de vie.",
            "Les services de la ville et des bailleurs travaillent avec un outil commun.",
        ),
        "Cadre de vie",
    ),
    Theme(
        "Participation habitante",
        PARTICIPATION,
        (
            "À {place}, la participation aux instances était faible et toujours les mêmes "
            "personnes venaient.",
            "Le contrat de ville de {place} prévoyait la co-construction des projets avec "
            "les habitants.",
            "Les habitants de {place} se disaient peu écoutés par les institutions.",
        ),
        (
            "De nouveaux habitants se sont engagés, dont plusieurs jeunes.",
            "Les propositions des habitants ont été reprises par la ville.",
            "La démarche a été reconduite l'année suivante.",
        ),
        "Citoyenneté",
    ),
)


@dataclass(frozen=True)
class Fiche:
    key: str
    fields: dict[str, str]  # FicheField values → text


def fiches() -> list[Fiche]:
    made: list[Fiche] = []
    n = 0
    for theme in THEMES:
        for i, (key, title, action, lessons) in enumerate(theme.practices):
            place = TERRITORIES[(n * 7) % len(TERRITORIES)]
            themes = theme.label + (f", {theme.neighbour}" if i % 3 == 0 else "")
            made.append(
                Fiche(
                    key,
                    {
                        "title": title,
                        "context": theme.contexts[i % len(theme.contexts)].format(place=place),
                        "action": action,
                        "results": theme.results[(i + n) % len(theme.results)],
                        "lessons": lessons,
                        "themes": themes,
                        "territory": place.split(", ")[-1],
                    },
                )
            )
            n += 1
    return made


def questions() -> list[tuple[str, tuple[str, ...]]]:
    """(question, expected fiche keys) from `questions.tsv`."""
    pairs = []
    for line in (HERE / "questions.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            question, keys = line.split("\t")
            pairs.append((question, tuple(keys.split(","))))
    return pairs
