"""The wiki side of cases: publications and annotations."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from bot.domain.models import (
    Annotation,
    Publication,
    PublicationStatus,
)
from bot.storage.repo.base import RepositoryBase
from bot.storage.repo.rows import to_annotation, to_publication
from bot.storage.tables import (
    AnnotationRow,
    NetworkPublicationRow,
    PublicationRow,
)

_LIVE_PAGES = select(PublicationRow.case_id).where(
    PublicationRow.case_id.in_(bindparam("cases", expanding=True)),
    PublicationRow.status != PublicationStatus.WITHDRAWN.value,
)


class PublicationStore(RepositoryBase):
    """The wiki side of cases: publications and annotations."""

    def publication_status(self, case_id: int) -> PublicationStatus | None:
        """Only the status (a Core query: asked on every redaction of a captured message)."""
        status = self.connection.scalar(
            select(PublicationRow.status).where(PublicationRow.case_id == case_id)
        )
        return None if status is None else PublicationStatus(status)

    def live_pages_among(self, case_ids: set[int]) -> set[int]:
        """Which of these cases have a page on the wiki (published, not withdrawn)."""
        if not case_ids:
            return set()
        return set(self.connection.scalars(_LIVE_PAGES, {"cases": sorted(case_ids)}))

    def get_publication(self, case_id: int) -> Publication | None:
        row = self.session.get(PublicationRow, case_id)
        return to_publication(row) if row else None

    def publication_text(self, case_id: int) -> str | None:
        """The wikitext the bot last wrote (the base of the three-way merge)."""
        row = self.session.get(PublicationRow, case_id)
        return row.last_text if row else None

    def save_publication(self, publication: Publication, last_text: str | None = None) -> None:
        store_publication(self.session, PublicationRow, publication, last_text)

    def add_annotation(self, case_id: int, researcher: str, text: str, now: datetime) -> Annotation:
        row = AnnotationRow(case_id=case_id, researcher=researcher, text=text, created_at=now)
        self.session.add(row)
        self.session.flush()
        return to_annotation(row)

    def annotations(self, case_id: int) -> list[Annotation]:
        rows = self.session.scalars(
            select(AnnotationRow).where(AnnotationRow.case_id == case_id).order_by(AnnotationRow.id)
        )
        return [to_annotation(row) for row in rows]

    def get_annotation(self, annotation_id: int) -> Annotation | None:
        row = self.session.get(AnnotationRow, annotation_id)
        return to_annotation(row) if row else None

    def set_annotation_revid(self, annotation_id: int, revid: int) -> None:
        self.session.execute(
            update(AnnotationRow).where(AnnotationRow.id == annotation_id).values(wiki_revid=revid)
        )

    def annotations_between(self, start: datetime, end: datetime) -> list[Annotation]:
        """Annotations created in [start, end), oldest first."""
        rows = self.session.scalars(
            select(AnnotationRow)
            .where(AnnotationRow.created_at >= start, AnnotationRow.created_at < end)
            .order_by(AnnotationRow.created_at, AnnotationRow.id)
        )
        return [to_annotation(row) for row in rows]

    def publications_between(self, start: datetime, end: datetime) -> list[Publication]:
        """Live pages written in [start, end) (first publication or update)."""
        rows = self.session.scalars(
            select(PublicationRow)
            .where(
                PublicationRow.status == PublicationStatus.PUBLISHED.value,
                PublicationRow.updated_at >= start,
                PublicationRow.updated_at < end,
            )
            .order_by(PublicationRow.case_id)
        )
        return [to_publication(row) for row in rows]


#: the two tables of page records: the centre's wiki's and the network wiki's
PageRecord = TypeVar("PageRecord", PublicationRow, NetworkPublicationRow)


def store_publication(
    session: Session,
    table: type[PageRecord],
    publication: Publication,
    last_text: str | None,
) -> None:
    """Upsert a page's record in `table`: the centre's wiki's or the network wiki's, whose
    rows have the same columns. `last_text` None keeps the stored merge base."""
    row = session.get(table, publication.case_id)
    if row is None:
        row = table(case_id=publication.case_id)
        session.add(row)
    row.page_title = publication.page_title
    row.last_revid = publication.last_revid
    row.status = publication.status.value
    row.updated_at = publication.updated_at
    if last_text is not None:
        row.last_text = last_text
    session.flush()
