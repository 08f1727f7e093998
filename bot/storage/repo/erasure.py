"""A person's traces across tables: what `!oublier` and consent changes reach."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Integer, String, cast, delete, select, update

from bot.domain.models import (
    Annotation,
    Case,
    Message,
    ReviewDecision,
)
from bot.storage.repo.rows import to_annotation, to_case, to_message
from bot.storage.repo.sync_state import SyncStateStore
from bot.storage.tables import (
    AnnotationRow,
    CaseRow,
    DeadLetterRow,
    FicheVersionRow,
    MessageRow,
    ReviewRow,
    SyncStateRow,
    TransitionRow,
    UndecryptableRow,
)

ERASURE_KEY = "erasure_generation"


class ErasureStore(SyncStateStore):
    """A person's traces across tables: what `!oublier` and consent changes reach."""

    def erasure_generation(self) -> int:
        """How many erasures (`!oublier`, consent withdrawn, a redaction) were committed:
        a job that read stored state under one generation and records under another read
        words that are gone, and does its work again (`mark_erasure`)."""
        value = self.connection.scalar(
            select(SyncStateRow.value).where(SyncStateRow.key == ERASURE_KEY)
        )
        return int(value) if value else 0

    def mark_erasure(self) -> int:
        """Count one more erasure, in the transaction that erases; returns the new
        generation. In-flight jobs compare it when they record (erasure wins). One
        UPDATE reading the row it locks: two erasures at once count twice."""
        self.connection.execute(
            self._insert_ignore_stmt(SyncStateRow), {"key": ERASURE_KEY, "value": "0"}
        )
        bumped = cast(cast(SyncStateRow.value, Integer) + 1, String)
        self.connection.execute(
            update(SyncStateRow).where(SyncStateRow.key == ERASURE_KEY).values(value=bumped)
        )
        return self.erasure_generation()

    def cases_submitted_by(self, user_id: str) -> set[int]:
        """Cases whose fiche `user_id` submitted (their name may be on the page)."""
        return set(
            self.session.scalars(
                select(FicheVersionRow.case_id).where(FicheVersionRow.submitted_by == user_id)
            )
        )

    def cases_with_messages_of(self, user_id: str) -> set[int]:
        """Cases holding a message of `user_id` (redacted ones too: they still count in
        the page's contributors and pseudonym numbering)."""
        rows = self.session.scalars(
            select(MessageRow.case_id)
            .where(MessageRow.sender == user_id, MessageRow.case_id.is_not(None))
            .distinct()
        )
        return {c for c in rows if c is not None}

    def cases_approved_by(self, user_id: str) -> set[int]:
        """Cases with a version `user_id` approved (they are named on its page)."""
        rows = self.session.scalars(
            select(ReviewRow.case_id)
            .where(
                ReviewRow.moderator == user_id,
                ReviewRow.decision == ReviewDecision.APPROVE.value,
            )
            .distinct()
        )
        return set(rows)

    def erase_sender(self, user_id: str) -> set[int]:
        """`!oublier`: blank every stored message of a user; returns the cases touched."""
        case_ids = set(
            self.session.scalars(
                select(MessageRow.case_id).where(
                    MessageRow.sender == user_id, MessageRow.case_id.is_not(None)
                )
            )
        )
        self.session.execute(
            update(MessageRow).where(MessageRow.sender == user_id).values(body="", redacted=True)
        )
        self.session.execute(delete(DeadLetterRow).where(DeadLetterRow.sender == user_id))
        # Their ciphertext, which a late key would read: forgotten too.
        self.session.execute(delete(UndecryptableRow).where(UndecryptableRow.sender == user_id))
        return {c for c in case_ids if c is not None}

    def messages_of(self, user_id: str) -> list[Message]:
        rows = self.session.scalars(
            select(MessageRow).where(MessageRow.sender == user_id).order_by(MessageRow.sent_at)
        )
        return [to_message(row) for row in rows]

    def cases_created_by(self, user_id: str) -> list[Case]:
        rows = self.session.scalars(
            select(CaseRow).where(CaseRow.created_by == user_id).order_by(CaseRow.id)
        )
        return [to_case(row) for row in rows]

    def annotations_by(self, user_id: str) -> list[Annotation]:
        rows = self.session.scalars(
            select(AnnotationRow)
            .where(AnnotationRow.researcher == user_id)
            .order_by(AnnotationRow.id)
        )
        return [to_annotation(row) for row in rows]

    def delete_annotations(self, annotation_ids: Iterable[int]) -> None:
        ids = sorted(set(annotation_ids))
        if ids:
            self.session.execute(delete(AnnotationRow).where(AnnotationRow.id.in_(ids)))

    def erase_reasons_of(self, user_id: str) -> None:
        """Blank the reasons and comments `user_id` typed (withdrawal, rejection, change
        request): their words; the decisions themselves stay in the audit trail."""
        self.session.execute(
            update(TransitionRow).where(TransitionRow.actor == user_id).values(reason="")
        )
        self.session.execute(
            update(ReviewRow).where(ReviewRow.moderator == user_id).values(comment="")
        )

    def drop_key_waits_of(self, user_id: str) -> None:
        """Forget the encrypted events of `user_id` still waiting for their keys."""
        waits = self.key_waits()
        self.drop_key_waits(e for e, _, source, _ in waits if source.get("sender") == user_id)
