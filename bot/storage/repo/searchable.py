"""What the knowledge base reads: the published fiches as their pages show them, and a
cheap mark of when that set last changed (the search index is rebuilt when it moves)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from bot.domain.models import CaseState, ReviewDecision
from bot.domain.models import PublicationStatus as Status
from bot.storage.repo.base import RepositoryBase
from bot.storage.tables import (
    CaseRow,
    FicheVersionRow,
    PublicationRow,
    ReviewRow,
    TransitionRow,
)

#: a page that shows a fiche (a conflict keeps the page, only the bot's update waits)
LIVE_STATUSES = (Status.PUBLISHED.value, Status.CONFLICT.value)
#: a case in these states has no fiche to show, whatever its page says meanwhile
GONE_STATES = (CaseState.WITHDRAWN.value, CaseState.REJECTED.value)


@dataclass(frozen=True, slots=True)
class LiveFiche:
    case_id: int
    page_title: str
    version: int
    fields: dict[str, str]  # FicheField value → text, as approved


@dataclass(frozen=True, slots=True)
class KnowledgeSet:
    fiches: list[LiveFiche]
    #: pages of the wiki that must never be offered: withdrawn, rejected, not shown
    hidden_pages: frozenset[str]


#: ids per IN list: far below every engine's limit on bound parameters
CHUNK = 900


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


class SearchStore(RepositoryBase):
    def knowledge_generation(self) -> tuple[int, datetime | None]:
        """Moves whenever a fiche is published, updated, withdrawn or restored: every case
        move is a transition, every page written updates its publication row. Two
        index-backed MAX reads."""
        last_move = self.session.scalar(select(func.max(TransitionRow.id)))
        last_page = self.session.scalar(select(func.max(PublicationRow.updated_at)))
        return int(last_move or 0), last_page

    def _pages(self) -> tuple[dict[int, str], frozenset[str]]:
        """(case → title of every live page, titles of the pages never to offer). Reads
        every publication (the one scan: the set of pages is what is asked), then the
        cases' states by primary key."""
        pages = self.session.execute(
            select(PublicationRow.case_id, PublicationRow.page_title, PublicationRow.status)
        ).all()
        shown = sorted(case_id for case_id, _, status in pages if status in LIVE_STATUSES)
        gone: set[int] = set()
        for chunk in _chunks(shown):
            gone.update(
                self.session.scalars(
                    select(CaseRow.id).where(CaseRow.id.in_(chunk), CaseRow.state.in_(GONE_STATES))
                )
            )
        keep = set(shown) - gone
        live = {case_id: title for case_id, title, _ in sorted(pages) if case_id in keep}
        hidden = frozenset(title for case_id, title, _ in pages if case_id not in live)
        return live, hidden

    def live_page_titles(self) -> list[tuple[int, str]]:
        """(case, page title) of every page showing a fiche, by case number."""
        live, _ = self._pages()
        return [(case_id, str(title)) for case_id, title in live.items()]

    def searchable_fiches(self) -> KnowledgeSet:
        """Every live page's fiche, in the version its page shows (the last approved
        one); its reviews and versions read by case, through their indexes."""
        live, hidden = self._pages()
        approved: dict[int, int] = {}
        versions: dict[int, dict[int, dict[str, str]]] = {}
        for chunk in _chunks(list(live)):
            reviews = self.session.execute(
                select(ReviewRow.id, ReviewRow.case_id, ReviewRow.fiche_version).where(
                    ReviewRow.case_id.in_(chunk),
                    ReviewRow.decision == ReviewDecision.APPROVE.value,
                )
            ).all()
            for _, case_id, version in sorted(reviews):  # the last approval wins
                approved[case_id] = version
            for case_id, version, fields in self.session.execute(
                select(
                    FicheVersionRow.case_id, FicheVersionRow.version, FicheVersionRow.fields
                ).where(FicheVersionRow.case_id.in_(chunk))
            ):
                versions.setdefault(case_id, {})[version] = dict(fields or {})
        fiches = []
        for case_id, title in live.items():
            by_version = versions.get(case_id)
            if not by_version:
                continue
            chosen = approved.get(case_id)
            # as `last_approval`: the latest version, lacking an approval review
            version = chosen if chosen is not None and chosen in by_version else max(by_version)
            fiches.append(LiveFiche(case_id, title, version, by_version[version]))
        return KnowledgeSet(fiches, hidden)
