"""A BM25 index of the published fiches, for `!chercher` questions written in French.

Built from plain values (`IndexedFiche`), never from the database: the service that owns
it (`bot.services.knowledge`) decides which fiches are published and rebuilds it when
they change. Searching returns, per fiche, a score, how much of the question it covers
(`coverage`: the share of the question's weight it matches, to tell a real answer from
a fiche sharing one common word) and the sentence that best answers (`excerpt`).

Typos: a question word the index does not know is replaced by the closest known term
(« mobilsation » → « mobilis »), if one is close enough.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass

import bm25s

from bot.knowledge.analysis import Analyzer

#: how many times each field's words count: a fiche is about its title and themes first
FIELD_WEIGHTS: Mapping[str, int] = {
    "title": 3,
    "themes": 2,
    "territory": 1,
    "context": 1,
    "action": 1,
    "results": 1,
    "lessons": 1,
    "resources": 1,
}
#: the fields an excerpt is taken from (sentences of the fiche's own text)
EXCERPT_FIELDS = ("action", "lessons", "results", "context")
EXCERPT_CHARS = 180
TYPO_CUTOFF = 0.8
#: the share of a question's weight a fiche must match to count as an answer (measured
#: on tests/data/search: the right fiches match 0.2 to 1, off-topic questions up to 0.45
#: with a single word)
GOOD_COVERAGE = 0.25
_SENTENCE = re.compile(r"(?<=[.!?;…])\s+|\n+")


@dataclass(frozen=True, slots=True)
class IndexedFiche:
    case_id: int
    page_title: str
    fields: Mapping[str, str]  # FicheField value → text
    version: int = 0

    @property
    def key(self) -> tuple[int, int, str]:
        return self.case_id, self.version, self.page_title

    @property
    def title(self) -> str:
        return self.fields.get("title") or self.page_title


@dataclass(frozen=True, slots=True)
class Hit:
    case_id: int
    page_title: str
    score: float
    coverage: float  # 0..1: the share of the question's weight this fiche matches
    excerpt: str
    matched: int = 0  # how many of the question's units of meaning it matches
    asked: int = 0  # how many the question has

    @property
    def good(self) -> bool:
        """Answers the question rather than sharing a word with it: two of its units of
        meaning at least (all of a one-word question) and `GOOD_COVERAGE` of its weight."""
        return self.matched >= min(2, self.asked) and self.coverage >= GOOD_COVERAGE


#: a fiche's analysed text: its terms, each repeated by its field's weight, and their set
Analysed = tuple[tuple[str, ...], frozenset[str]]


class SearchIndex:
    """Immutable once built: a rebuild makes a new one, so a search never sees half.

    `analysed`: the terms of fiches analysed by an earlier build, keyed by
    `IndexedFiche.key` (case, version, page): a rebuild after one fiche changed analyses
    that fiche only. The caller owns it and drops what is no longer published."""

    def __init__(
        self,
        fiches: Sequence[IndexedFiche],
        analyzer: Analyzer | None = None,
        analysed: MutableMapping[tuple[int, int, str], Analysed] | None = None,
    ) -> None:
        self.analyzer = analyzer or Analyzer()
        self.fiches = tuple(fiches)
        self._vocab: dict[str, int] = {}
        self._doc_terms: list[frozenset[str]] = []
        corpus: list[list[int]] = []
        df: dict[str, int] = {}
        cache = analysed if analysed is not None else {}
        for fiche in self.fiches:
            known = cache.get(fiche.key)
            if known is None:
                known = cache[fiche.key] = self._analyse(fiche)
            weighted, seen = known
            for term in seen:
                df[term] = df.get(term, 0) + 1
            self._doc_terms.append(seen)
            vocab = self._vocab
            ids = [vocab.setdefault(t, len(vocab)) for t in weighted]
            corpus.append(ids or [vocab.setdefault("", len(vocab))])
        size = len(self.fiches)
        self._idf = {t: math.log(1 + (size - n + 0.5) / (n + 0.5)) for t, n in df.items()}
        self._unknown_idf = math.log(1 + (size + 0.5) / 0.5)
        self._words = sorted(t for t in self._vocab if t and not t.startswith("~"))
        self._bm25: bm25s.BM25 | None = None
        if corpus:
            self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
            self._bm25.index(corpus, show_progress=False)

    def _analyse(self, fiche: IndexedFiche) -> Analysed:
        weighted: list[str] = []
        for name, weight in FIELD_WEIGHTS.items():
            text = fiche.fields.get(name, "")
            if name == "title" and not text:
                text = fiche.page_title
            weighted.extend(self.analyzer.terms(text) * weight)
        return tuple(weighted), frozenset(weighted)

    def __len__(self) -> int:
        return len(self.fiches)

    def _known(self, term: str) -> str | None:
        """The term itself if indexed, else the closest indexed word (a typo), else None."""
        if term in self._vocab:
            return term
        if term.startswith("~") or len(term) < 4:
            return None
        close = difflib.get_close_matches(term, self._words, n=1, cutoff=TYPO_CUTOFF)
        return close[0] if close else None

    def _units(self, query: str) -> list[tuple[frozenset[str], float]]:
        """The question as units of meaning, each with its weight (idf): a word, or a
        synonym phrase with its concept term (matched by any of them)."""
        words = self.analyzer.words(query)
        units: list[tuple[frozenset[str], float]] = []
        claimed: set[str] = set()
        for concept, phrase in self.analyzer.concept_phrases(words):
            claimed.update(phrase)
            known = {k for k in (self._known(t) for t in (*phrase, concept)) if k}
            units.append((frozenset(known), self._weight(known)))
        for word in dict.fromkeys(words):
            if word in claimed:
                continue
            known_word = self._known(word)
            term = frozenset({known_word} if known_word else ())
            units.append((term, self._weight(term)))
        return units

    def _weight(self, terms: set[str] | frozenset[str]) -> float:
        return max((self._idf.get(t, self._unknown_idf) for t in terms), default=self._unknown_idf)

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """The fiches that best answer `query`, best first (none without a common term)."""
        units = self._units(query)
        terms = sorted({t for unit, _ in units for t in unit})
        if self._bm25 is None or not terms:
            return []
        scores = self._bm25.get_scores([self._vocab[t] for t in terms])
        total = sum(weight for _, weight in units) or 1.0
        ranked = sorted(
            (i for i in range(len(self.fiches)) if scores[i] > 0), key=lambda i: -scores[i]
        )
        hits: list[Hit] = []
        for i in ranked[:limit]:
            shared = [w for unit, w in units if unit & self._doc_terms[i]]
            fiche = self.fiches[i]
            hits.append(
                Hit(
                    case_id=fiche.case_id,
                    page_title=fiche.page_title,
                    score=float(scores[i]),
                    coverage=round(sum(shared) / total, 3),
                    excerpt=self.excerpt(fiche, units),
                    matched=len(shared),
                    asked=len(units),
                )
            )
        return hits

    def excerpt_for(self, fiche: IndexedFiche, query: str) -> str:
        return self.excerpt(fiche, self._units(query))

    def excerpt(self, fiche: IndexedFiche, units: list[tuple[frozenset[str], float]]) -> str:
        """The fiche's sentence that matches the most of the question (by weight); the
        first sentence of its action when none does."""
        best, best_score = "", 0.0
        for name in EXCERPT_FIELDS:
            for sentence in _SENTENCE.split(fiche.fields.get(name, "")):
                sentence = " ".join(sentence.split())
                if len(sentence) < 12:
                    continue
                if not best:
                    best = sentence
                found = set(self.analyzer.terms(sentence))
                score = sum(w for unit, w in units if unit & found)
                if score > best_score:
                    best, best_score = sentence, score
        return shorten(best)


def shorten(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
