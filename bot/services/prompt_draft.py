"""A prompt's draft and « Fiches proches », computed outside the writer thread (issue 18).

The prompt timer's handler runs inside the transaction that completes the timer, in the
database's single writer thread, which also stores every synced event: parsing a long
exchange with spaCy there (hundreds of ms, seconds while the model loads) held up
everyone's messages. So the scheduler first calls `prepare`: it reads the exchange in a
reader thread, drafts in a worker thread, and keeps the result with the exact messages
it was made from. The handler then uses it only if the case's stored messages are still
those (`take`); if anything changed in between (a redaction, `!oublier`, an edit, a new
message) it drafts again from what is stored now, inside the transaction, so a prompt
never carries removed words; there, it never waits for a model still loading: the
simple draft and no « Fiches proches » instead.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

from bot.domain.draft import legacy_draft
from bot.i18n import Translator
from bot.knowledge.drafting import Drafter, Vocabulary
from bot.knowledge.related import Related, RelatedFiches
from bot.services.published import (
    Published,
    PublishedCache,
    find_related,
    model_ready,
    related_text,
)
from bot.storage.database import Database
from bot.storage.repository import Repository

#: (sender, body) of the case's unredacted messages, in order: what a draft is made of.
Exchange = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A draft and the related fiches, with the exchange they were computed from."""

    exchange: Exchange
    draft: str
    found: tuple[Related, ...]


def exchange_of(repo: Repository, case_id: int) -> Exchange:
    return tuple((m.sender, m.body) for m in repo.case_messages(case_id) if not m.redacted)


class PromptDrafts:
    """Drafts and related fiches of prompts, prepared ahead, re-checked when used."""

    def __init__(
        self,
        drafter: Drafter | None,
        related: RelatedFiches | None,
        lang: str,
        prefix: str,
    ) -> None:
        self.drafter = drafter  # None: the legacy extract (no language model)
        self.related = related  # None: no « Fiches proches »
        self.lang, self.prefix = lang, prefix
        self.published = PublishedCache()
        self._lock = threading.Lock()
        self._prepared: dict[int, Prepared] = {}

    async def prepare(self, db: Database, case_id: int) -> None:
        """Read the exchange (reader thread), then draft and look for related fiches in
        a worker thread (waiting there for the model if it is still loading)."""
        if self.drafter is None and self.related is None:
            return  # the legacy draft costs nothing: made in the transaction
        exchange, published = await db.read(
            lambda repo: (exchange_of(repo, case_id), self.published.get(repo))
        )
        prepared = await asyncio.to_thread(self._compute, case_id, exchange, published, True)
        with self._lock:
            self._prepared[case_id] = prepared

    def forget(self, case_id: int) -> None:
        with self._lock:
            self._prepared.pop(case_id, None)

    def take(self, repo: Repository, case_id: int, tr: Translator) -> tuple[str, str]:
        """(draft, « Fiches proches » text) for the case as stored now: the prepared
        ones if made from exactly these messages, else made again here (without waiting
        for the model)."""
        with self._lock:
            prepared = self._prepared.pop(case_id, None)
        exchange = exchange_of(repo, case_id)
        if prepared is None or prepared.exchange != exchange:
            prepared = self._compute(case_id, exchange, self._published(repo), False)
        near = related_text(repo, list(prepared.found), tr) if prepared.found else ""
        return prepared.draft, near

    def _published(self, repo: Repository) -> Published:
        if self.drafter is None and self.related is None:
            return Published((), (), Vocabulary())
        return self.published.get(repo)

    def _compute(
        self, case_id: int, exchange: Exchange, published: Published, wait: bool
    ) -> Prepared:
        messages = list(exchange)
        ready = wait or (self.drafter is not None and self.drafter.pipeline.loaded)
        if self.drafter is None or not ready:
            draft = legacy_draft(messages, self.lang, self.prefix)
        else:
            draft = self.drafter.draft(messages, published.vocabulary, self.lang, self.prefix)
        found: list[Related] = []
        if self.related is not None and (wait or model_ready(self.related)):
            text = "\n".join(body for _, body in exchange)
            found = find_related(self.related, text, published, case_id)
        return Prepared(exchange, draft, tuple(found))
