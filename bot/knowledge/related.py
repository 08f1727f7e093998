"""« Fiches proches »: published fiches that speak of what an exchange speaks of.

Lemma-based TF-IDF cosine between the exchange and each published fiche (the inverse
document frequencies taken over those fiches, so words every fiche uses weigh little).
Fiche lemmas are kept per (case, text) so a prompt does not re-read the whole wiki with
the model. The scoring is one small function, `similar`, so a search index can replace
it later without touching the callers.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.domain.models import FicheField
from bot.knowledge.nlp import FrenchPipeline

F = FicheField
MAX_RELATED = 3
#: The least cosine for a fiche to be shown: on tests/data/drafts an exchange scores
#: 0.64-0.79 with its own fiche and at most 0.22 with any other (on other subjects).
MIN_SIMILARITY = 0.3
CACHE = 2_000
PRIME_CHUNK = 16
TEXT_FIELDS = (F.TITLE, F.CONTEXT, F.ACTION, F.RESULTS, F.LESSONS, F.THEMES)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A published fiche as the similarity sees it."""

    case_id: int
    title: str
    fields: dict[FicheField, str]


@dataclass(frozen=True, slots=True)
class Related:
    case_id: int
    title: str
    url: str
    score: float


def fiche_text(fields: dict[FicheField, str]) -> str:
    return "\n".join(fields.get(field, "") for field in TEXT_FIELDS)


def similar(
    query: Counter[str], documents: Sequence[Counter[str]], limit: int = MAX_RELATED
) -> list[tuple[int, float]]:
    """(index, cosine) of the documents most like `query`, best first, above the bar."""
    total = len(documents) + 1
    frequency = Counter(term for doc in [query, *documents] for term in doc)
    idf = {term: math.log(1 + total / count) for term, count in frequency.items()}

    def weigh(bag: Counter[str]) -> dict[str, float]:
        return {term: (1 + math.log(n)) * idf[term] for term, n in bag.items()}

    q = weigh(query)
    q_norm = math.sqrt(sum(v * v for v in q.values()))
    scored: list[tuple[int, float]] = []
    for index, doc in enumerate(documents):
        d = weigh(doc)
        norm = q_norm * math.sqrt(sum(v * v for v in d.values()))
        cosine = sum(v * d.get(t, 0.0) for t, v in q.items()) / norm if norm else 0.0
        if cosine >= MIN_SIMILARITY:
            scored.append((index, cosine))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]


class RelatedFiches:
    """Finds the published fiches closest to a text (empty without the model)."""

    def __init__(self, pipeline: FrenchPipeline, page_url: Callable[[str], str]) -> None:
        self.pipeline = pipeline
        self.page_url = page_url
        self._lock = threading.Lock()
        self._bags: OrderedDict[tuple[int, str], Counter[str]] = OrderedDict()

    def find(
        self, text: str, candidates: Sequence[Candidate], exclude: int | None = None
    ) -> list[Related]:
        """Up to three fiches like `text`, most similar first; `exclude`: the case itself."""
        candidates = [c for c in candidates if c.case_id != exclude]
        if not candidates or not text.strip():
            return []
        bags = self._bags_of(candidates)
        query = self.pipeline.lemma_bags([text])
        if bags is None or not query:
            return []
        return [
            Related(candidates[i].case_id, candidates[i].title,
                    self.page_url(candidates[i].title), round(score, 3))
            for i, score in similar(query[0], bags)
        ]

    def prime(self, candidates: Sequence[Candidate]) -> None:
        """Read the published fiches with the model ahead of the first lookup (the bot
        does it in the background at start), a few at a time so a lookup that comes in
        meanwhile is not held up for long."""
        for start in range(0, len(candidates), PRIME_CHUNK):
            if self._bags_of(candidates[start : start + PRIME_CHUNK]) is None:
                return

    def _bags_of(self, candidates: Sequence[Candidate]) -> list[Counter[str]] | None:
        keys = [
            (c.case_id, hashlib.sha1(fiche_text(c.fields).encode()).hexdigest())
            for c in candidates
        ]
        with self._lock:
            missing = [(k, c) for k, c in zip(keys, candidates, strict=True) if k not in self._bags]
        if missing:
            bags = self.pipeline.lemma_bags([fiche_text(c.fields) for _, c in missing])
            if not bags:
                return None
            with self._lock:
                for (key, _), bag in zip(missing, bags, strict=True):
                    self._bags[key] = bag
        with self._lock:
            found = [self._bags.get(key, Counter()) for key in keys]
            for key in keys:
                self._bags.move_to_end(key)
            while len(self._bags) > CACHE:
                self._bags.popitem(last=False)
        return found
