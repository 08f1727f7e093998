"""What the network already knows: its published fiches, for drafts and related fiches."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from bot.domain.models import FicheField, PublicationStatus
from bot.storage.repo.base import RepositoryBase
from bot.storage.tables import FicheVersionRow, PublicationRow

#: How many of the latest published fiches the drafts and the similarity look at: enough
#: for a network's vocabulary, bounded so a prompt never reads the whole wiki.
RECENT_PUBLISHED = 500


@dataclass(frozen=True, slots=True)
class PublishedFiche:
    """A fiche on the wiki: its case, its page, its latest fields."""

    case_id: int
    page_title: str
    fields: dict[FicheField, str]


class KnowledgeStore(RepositoryBase):
    """Published fiches, the most recently published first."""

    def published_key(self) -> tuple[object, ...]:
        """A cheap fingerprint of what `published_fiches` returns: it moves when a page is
        published, withdrawn or updated, or a fiche gets a new version (one aggregate over
        the publications, one max over the versions' key), so a cache of the published
        fiches knows when to read them again."""
        published = PublicationStatus.PUBLISHED.value
        pages = self.connection.execute(
            select(
                func.count(),
                func.sum(case((PublicationRow.status == published, 1), else_=0)),
                func.max(PublicationRow.updated_at),
            ).select_from(PublicationRow)
        ).one()
        version = self.connection.scalar(select(func.max(FicheVersionRow.id)))
        return (*tuple(pages), version)

    def published_fiches(self, limit: int = RECENT_PUBLISHED) -> list[PublishedFiche]:
        """The latest fields of the published fiches among the `limit` most recently
        updated pages (the date's index is walked backwards and stops at the limit; a
        status filter in SQL would read on past it, so withdrawn pages are dropped here)."""
        recent = self.connection.execute(
            select(PublicationRow.case_id, PublicationRow.page_title, PublicationRow.status)
            .order_by(PublicationRow.updated_at.desc())
            .limit(limit)
        ).all()
        published = PublicationStatus.PUBLISHED.value
        pages = [(case_id, title) for case_id, title, status in recent if status == published]
        if not pages:
            return []
        latest: dict[int, dict[str, str]] = {}
        rows = self.connection.execute(
            select(FicheVersionRow.case_id, FicheVersionRow.fields)
            .where(FicheVersionRow.case_id.in_([case_id for case_id, _ in pages]))
            .order_by(FicheVersionRow.case_id, FicheVersionRow.version.desc())
        )
        for case_id, fields in rows:
            latest.setdefault(case_id, fields)
        return [
            PublishedFiche(case_id, title, {FicheField(k): v for k, v in latest[case_id].items()})
            for case_id, title in pages
            if case_id in latest
        ]
