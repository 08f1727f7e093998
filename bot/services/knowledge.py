"""The knowledge base behind `!chercher`: a local index of the published fiches, merged
with the wiki's own search.

The index (`bot.knowledge.search_index`) is rebuilt lazily: each search first reads the
database's mark of change (`knowledge_generation`, two index reads); when it moved — a
fiche published, amended, withdrawn, restored, a page rewritten by `!oublier` — the
published fiches are read again and a new index is built in a worker thread, off the
event loop, then swapped in whole. A withdrawn or rejected fiche is therefore gone from
the next search, and its page is also filtered out of the wiki's own results (the wiki
keeps a withdrawal notice under the same title, which its search may still match).

Merging: reciprocal rank fusion of the two rankings (`1 / (60 + rank)` summed per page),
deduplicated by page; a fiche found either way gets the sentence of the fiche that best
answers as its excerpt.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.knowledge.search_index import Analysed, Hit, IndexedFiche, SearchIndex
from bot.storage.database import Database
from bot.storage.repo.searchable import KnowledgeSet
from bot.storage.repository import Repository
from wiki_sync.pages import plain_snippet

log = logging.getLogger(__name__)

RRF_K = 60
LOCAL_DEPTH = 10  # how many fiches of the local ranking take part in the fusion
EXCERPT_CHARS = 180


def page_key(title: str) -> str:
    """MediaWiki's identity of a title: underscores are spaces, the first letter is
    upper case (as the wiki's search returns titles)."""
    flat = " ".join(title.replace("_", " ").split())
    return flat[:1].upper() + flat[1:]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One built index and the pages to hide, as of one generation of the database."""

    index: SearchIndex
    hidden: frozenset[str]  # page_key of pages never offered
    by_page: dict[str, IndexedFiche] = field(default_factory=dict)
    built_in: float = 0.0  # seconds the last build took (read + index)

    @classmethod
    def build(
        cls,
        knowledge: KnowledgeSet,
        analysed: dict[tuple[int, int, str], Analysed] | None = None,
    ) -> Snapshot:
        """`analysed`: the terms of an earlier build, reused for the fiches unchanged
        since (and pruned to the fiches published now: a withdrawn one leaves it)."""
        fiches = [
            IndexedFiche(f.case_id, f.page_title, f.fields, f.version) for f in knowledge.fiches
        ]
        if analysed is not None:
            current = {f.key for f in fiches}
            for key in [k for k in analysed if k not in current]:
                del analysed[key]
        index = SearchIndex(fiches, analysed=analysed)
        hidden = frozenset(page_key(t) for t in knowledge.hidden_pages)
        by_page = {page_key(f.page_title): f for f in fiches}
        return cls(index, hidden, by_page)


@dataclass(frozen=True, slots=True)
class Result:
    title: str
    excerpt: str
    case_id: int | None  # None: a wiki page that is no fiche of the bot's
    good: bool  # answers the question (not one common word)


class KnowledgeBase:
    """The current snapshot, rebuilt when the database says the fiches changed. One per
    bot: concurrent searches share a build (a lock), never two at once."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._snapshot: Snapshot | None = None
        self._generation: tuple[int, datetime | None] | None = None
        self._lock = asyncio.Lock()
        #: the analysed terms of the fiches of the last build (only its build touches it)
        self._analysed: dict[tuple[int, int, str], Analysed] = {}

    async def snapshot(self) -> Snapshot:
        generation = await self.db.run(lambda repo: repo.knowledge_generation())
        async with self._lock:
            if self._snapshot is None or generation != self._generation:
                self._snapshot = await self._build()
                self._generation = generation
            return self._snapshot

    async def warm(self) -> None:
        """Build the index at start-up; a failure is only logged (the first search
        builds it then)."""
        try:
            snapshot = await self.snapshot()
        except Exception:
            log.warning("search index not built at start-up", exc_info=True)
            return
        log.info("search index: %d fiches in %.2f s", len(snapshot.index), snapshot.built_in)

    async def _build(self) -> Snapshot:
        start = time.perf_counter()
        knowledge = await self.db.run(read_knowledge)
        snapshot = await asyncio.to_thread(Snapshot.build, knowledge, self._analysed)
        return Snapshot(
            snapshot.index, snapshot.hidden, snapshot.by_page, time.perf_counter() - start
        )

    async def search(self, query: str) -> tuple[Snapshot, list[Hit]]:
        snapshot = await self.snapshot()
        hits = await asyncio.to_thread(snapshot.index.search, query, LOCAL_DEPTH)
        return snapshot, hits


def read_knowledge(repo: Repository) -> KnowledgeSet:
    return repo.searchable_fiches()


def merge(
    snapshot: Snapshot,
    query: str,
    local: Sequence[Hit],
    wiki: Sequence[dict[str, Any]],
    limit: int,
) -> list[Result]:
    """Reciprocal rank fusion of the local hits and the wiki's results, one entry per
    page, hidden pages dropped; ties go to the local ranking."""
    scores: dict[str, float] = {}
    first_seen: dict[str, tuple[int, int]] = {}
    wiki_snippets: dict[str, str] = {}
    titles: dict[str, str] = {}
    good: dict[str, bool] = {}
    for source, ranked in enumerate(
        ([h.page_title for h in local], [str(r.get("title", "")) for r in wiki])
    ):
        for rank, title in enumerate(ranked, start=1):
            key = page_key(title)
            if not key or key in snapshot.hidden:
                continue
            scores[key] = scores.get(key, 0.0) + 1.0 / (RRF_K + rank)
            first_seen.setdefault(key, (rank, source))
            titles.setdefault(key, title)
    for hit in local:
        good[page_key(hit.page_title)] = hit.good
    for result in wiki:
        key = page_key(str(result.get("title", "")))
        wiki_snippets.setdefault(key, plain_snippet(str(result.get("snippet", ""))))
        # the wiki matched every word of the question: an answer, unless the index knows
        # this fiche and judged it weak
        good.setdefault(key, True)
    order = sorted(scores, key=lambda k: (-scores[k], first_seen[k]))
    results = []
    for key in order[:limit]:
        fiche = snapshot.by_page.get(key)
        if fiche is not None:
            excerpt = snapshot.index.excerpt_for(fiche, query)
        else:
            excerpt = wiki_snippets.get(key, "")
        results.append(
            Result(
                title=fiche.page_title if fiche else titles[key],
                excerpt=excerpt[:EXCERPT_CHARS],
                case_id=fiche.case_id if fiche else None,
                good=good.get(key, False),
            )
        )
    return results
