"""The published fiches as drafts and « Fiches proches » see them, cached (issue 18).

A prompt or a capture used to read every recent published fiche (and run the language
model) inside the database's single writer thread, which also stores every synced event.
`PublishedCache` reads the fiches again only when `Repository.published_key` moved (a
fiche published, withdrawn, updated), and `Nearby` splits « Fiches proches » into what
needs the model (`find`, run outside any transaction) and what needs the database
(`lines`, a cheap re-check that the fiches found are still on the wiki).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from bot.i18n import Translator
from bot.knowledge.drafting import Vocabulary, vocabulary_from
from bot.knowledge.related import Candidate, Related, RelatedFiches
from bot.storage.repository import Repository


@dataclass(frozen=True, slots=True)
class Published:
    """One reading of the published fiches: the related fiches' candidates and the
    drafts' vocabulary."""

    key: tuple[object, ...]
    candidates: tuple[Candidate, ...]
    vocabulary: Vocabulary


class PublishedCache:
    """The latest `Published`, read again only when the published fiches changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: Published | None = None

    def get(self, repo: Repository) -> Published:
        key = repo.published_key()
        with self._lock:
            current = self._current
        if current is not None and current.key == key:
            return current
        fiches = repo.published_fiches()
        fresh = Published(
            key,
            tuple(Candidate(f.case_id, f.page_title, f.fields) for f in fiches),
            vocabulary_from(f.fields for f in fiches),
        )
        with self._lock:
            self._current = fresh
        return fresh


def model_ready(related: RelatedFiches | None) -> bool:
    """Whether the language model is loaded: code inside a transaction never waits for
    it (its load takes seconds under a lock)."""
    return related is not None and related.pipeline.loaded


def find_related(
    related: RelatedFiches | None, text: str, published: Published, exclude: int | None
) -> list[Related]:
    """The fiches like `text` (the model's part: call it outside the writer thread)."""
    if related is None:
        return []
    return related.find(text, published.candidates, exclude)


def related_text(
    repo: Repository,
    found: list[Related],
    tr: Translator,
    heading: str = "related.heading",
) -> str:
    """The « Fiches proches » lines of `found`, dropping any fiche withdrawn meanwhile;
    "" if none is left."""
    live = repo.live_pages_among({r.case_id for r in found})
    items = [
        f"- {tr('related.item', title=r.title, url=r.url)}" for r in found if r.case_id in live
    ]
    return "\n".join([tr(heading), *items]) if items else ""
