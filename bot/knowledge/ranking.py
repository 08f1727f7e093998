"""Which sentences of an exchange belong in which field of a fiche draft.

Each sentence is scored for every narrative field (Contexte, Action, Résultats,
Enseignements) from cue phrases typical of that field (« nous avons mis en place »,
« résultat », « on a appris »…), its position (the opening message states the problem,
the replies tell what was done), its length, and how central it is to the exchange
(TF-IDF cosine of its lemmas against the whole exchange's). Greetings, thanks and bare
questions are never material. Each sentence goes to the field it suits best, and each
field keeps its few best sentences, in the order they were written.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from bot.domain.models import FicheField
from bot.domain.text import fold
from bot.knowledge.nlp import Sentence

F = FicheField
NARRATIVE = (F.CONTEXT, F.ACTION, F.RESULTS, F.LESSONS)
KEEP = {F.CONTEXT: 2, F.ACTION: 3, F.RESULTS: 2, F.LESSONS: 2}
MIN_WORDS = 5
MIN_SCORE = 1.0

#: Folded cue phrases per field; a match is worth CUE each (at most MAX_CUES of them).
CUES: dict[FicheField, tuple[str, ...]] = {
    F.CONTEXT: (
        "depuis", "constat", "probleme", "difficult", "manque", "besoin", "on peine",
        "peinent", "nous peinons", "de plus en plus", "situation", "on observe",
        "on constate", "nous constatons", "faible", "chomage", "isol", "tension",
        "degrad", "enjeu", "qpv", "quartier prioritaire", "beaucoup de", "peu de",
        "aucun", "personne ne", "n'arrive", "n'arrivent", "comment faire", "frein",
    ),
    F.ACTION: (
        "mis en place", "mettre en place", "avons lance", "a lance", "on a cree",
        "avons cree", "organise", "avons monte", "on a monte", "recrut", "partenariat",
        "convention", "atelier", "permanence", "chaque semaine", "tous les", "propos",
        "accompagn", "dispositif", "binome", "co-construi", "formation", "finance",
        "porte par", "en lien avec", "on a fait", "nous avons fait", "on a ouvert",
        "avons ouvert", "on a associe", "nous avons associe", "on a travaille",
        "on passe", "on fait", "installe", "reuni",
    ),
    F.RESULTS: (
        "resultat", "bilan", "%", "a permis", "ont permis", "permet", "augment",
        "hausse", "baisse", "diminu", "amelior", "sorties positives", "ont trouve",
        "retour a l'emploi", "inscrit", "participant", "evaluation", "chiffre",
        "en un an", "depuis le lancement", "sur l'annee", "au total", "deja",
        "aujourd'hui", "plus de", "moins de", "ont repris", "ont obtenu", "ont signe",
    ),
    F.LESSONS: (
        "on a appris", "nous avons appris", "enseignement", "lecon", "retenir", "retenu",
        "retient",
        "la cle", "l'important", "il faut", "faut ", "conseil", "recommand",
        "a refaire", "l'erreur", "attention a", "vigilance", "indispensable",
        "essentiel", "surtout", "ce qui marche", "ce qui a marche", "le secret",
        "prendre le temps", "ne marche pas", "condition", "mieux vaut", "on aurait du",
        "a eviter", "si c'etait", "ne suffit pas", "decisif",
    ),
}
CUE = 1.0
MAX_CUES = 3
_NUMBER = re.compile(r"\d")
_NOISE = (
    "bonjour", "merci", "salut", "hello", "bravo", "super", "top", "+1", "coucou",
    "bonne journee", "bonne soiree", "a bientot", "bonsoir", "bienvenue", "ok ",
    "d'accord", "je vous envoie", "je t'envoie", "je te mets", "avec plaisir",
)


def is_noise(sentence: Sentence) -> bool:
    """Greetings, thanks, one-liners: the thread's noise, never a fiche's material."""
    folded = fold(sentence.text)
    words = [w for w in sentence.words if w.isalpha()]
    if len(words) < MIN_WORDS:
        return True
    return folded.startswith(_NOISE) and len(words) < 14


def cue_count(field: FicheField, text: str) -> int:
    folded = f" {fold(text)} "
    found = sum(1 for cue in CUES[field] if cue in folded)
    if field is F.RESULTS and _NUMBER.search(folded):
        found += 1
    return min(found, MAX_CUES)


def centrality(sentences: Sequence[Sentence]) -> list[float]:
    """TF-IDF cosine of each sentence's lemmas with the exchange's (0 to 1)."""
    frequency = Counter(lemma for s in sentences for lemma in set(s.lemmas))
    total = len(sentences) or 1
    idf = {lemma: math.log(1 + total / count) for lemma, count in frequency.items()}
    vectors = [{k: v * idf[k] for k, v in Counter(s.lemmas).items()} for s in sentences]
    centroid: dict[str, float] = {}
    for vector in vectors:
        for key, value in vector.items():
            centroid[key] = centroid.get(key, 0.0) + value
    return [_cosine(vector, centroid) for vector in vectors]


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(value * b.get(key, 0.0) for key, value in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def score(
    field: FicheField, sentence: Sentence, central: float, messages: int, asker: bool = False
) -> float:
    """How well `sentence` fits `field`: cues, centrality, position and length. `asker`:
    a later message of whoever opened the exchange (thanks, plans: rarely the answer)."""
    cues = cue_count(field, sentence.text)
    question = sentence.text.rstrip().endswith("?")
    opening = sentence.message == 0
    if field is F.CONTEXT:
        if not (opening or cues):
            return 0.0
        position = 1.2 if opening else 0.0
        value = CUE * cues + position - (0.6 if question else 0.0)
    else:
        if not cues or question:
            return 0.0
        later = sentence.message / max(messages - 1, 1)
        position = {F.ACTION: 0.3, F.RESULTS: 0.3, F.LESSONS: 0.2 + 0.4 * later}[field]
        value = CUE * cues + (0.0 if opening else position) - (0.8 if asker else 0.0)
    words = len(sentence.words)
    length = 0.2 if 8 <= words <= 45 else (-0.3 if words > 70 else 0.0)
    return value + 0.8 * central + length


def pick(
    sentences: Sequence[Sentence], messages: int, askers: frozenset[int] = frozenset()
) -> dict[FicheField, list[Sentence]]:
    """The best few sentences of each narrative field, each sentence used once; `askers`
    are the indexes of the later messages of the exchange's opener."""
    central = centrality(sentences)
    offers: dict[FicheField, list[tuple[float, int]]] = {field: [] for field in NARRATIVE}
    for index, sentence in enumerate(sentences):
        if is_noise(sentence):
            continue
        asker = sentence.message in askers
        scored = {f: score(f, sentence, central[index], messages, asker) for f in NARRATIVE}
        best = max(NARRATIVE, key=lambda f: scored[f])
        if scored[best] >= MIN_SCORE:
            offers[best].append((scored[best], index))
    chosen: dict[FicheField, list[Sentence]] = {}
    for field, scored_indices in offers.items():
        top = sorted(scored_indices, key=lambda item: (-item[0], item[1]))[: KEEP[field]]
        chosen[field] = [sentences[i] for _, i in sorted(top, key=lambda item: item[1])]
    return chosen
