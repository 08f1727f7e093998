"""Fiche versions, reviews, transitions, review cards, and who took part."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, func, select

from bot.domain.fiche import split_list
from bot.domain.models import (
    CaseState,
    FicheField,
    FicheVersion,
    Involvement,
    Review,
    ReviewDecision,
    Transition,
)
from bot.domain.text import fold, storable
from bot.storage.repo.base import RepositoryBase
from bot.storage.repo.rows import to_fiche
from bot.storage.tables import (
    CaseRow,
    CaseTagRow,
    FicheVersionRow,
    MessageRow,
    ReviewCardRow,
    ReviewRow,
    TransitionRow,
)

TAGGED_FIELDS = (FicheField.THEMES, FicheField.TERRITORY)


def fiche_tags(fields: dict[FicheField, str]) -> list[dict[str, str]]:
    """`case_tags` rows of a fiche: each theme and territory item, folded, once."""
    tags: dict[tuple[str, str], dict[str, str]] = {}
    for field in TAGGED_FIELDS:
        for item in split_list(fields.get(field, "")):
            key = storable(fold(item))[:255]
            tags.setdefault((field.value, key), {"kind": field.value, "key": key})
    return list(tags.values())


_CARDS_AMONG = select(ReviewCardRow.event_id).where(
    ReviewCardRow.event_id.in_(bindparam("targets", expanding=True))
)


class CurationStore(RepositoryBase):
    """Fiche versions, reviews, transitions, review cards, and who took part."""

    def add_fiche_version(
        self, case_id: int, fields: dict[FicheField, str], submitted_by: str, now: datetime
    ) -> FicheVersion:
        latest = self.session.scalar(
            select(func.max(FicheVersionRow.version)).where(FicheVersionRow.case_id == case_id)
        )
        row = FicheVersionRow(
            case_id=case_id,
            version=(latest or 0) + 1,
            fields={k.value: v for k, v in fields.items()},
            submitted_by=submitted_by,
            submitted_at=now,
        )
        self.session.add(row)
        self.session.flush()
        self._retag(case_id, fields)
        return to_fiche(row)

    def _retag(self, case_id: int, fields: dict[FicheField, str]) -> None:
        """The case's themes and territory, folded, as of this latest version (the
        listing's filters look them up by index; the fields themselves are JSON)."""
        self.session.execute(delete(CaseTagRow).where(CaseTagRow.case_id == case_id))
        tags = fiche_tags(fields)
        if tags:
            self._insert_ignore(CaseTagRow, [{"case_id": case_id, **tag} for tag in tags])

    def latest_fiche(self, case_id: int) -> FicheVersion | None:
        row = self.session.scalars(
            select(FicheVersionRow)
            .where(FicheVersionRow.case_id == case_id)
            .order_by(FicheVersionRow.version.desc())
        ).first()
        return to_fiche(row) if row else None

    def fiche_versions(self, case_id: int) -> list[FicheVersion]:
        rows = self.session.scalars(
            select(FicheVersionRow)
            .where(FicheVersionRow.case_id == case_id)
            .order_by(FicheVersionRow.version)
        )
        return [to_fiche(row) for row in rows]

    def add_review(self, review: Review) -> None:
        self.session.add(
            ReviewRow(
                case_id=review.case_id,
                fiche_version=review.fiche_version,
                moderator=review.moderator,
                decision=review.decision.value,
                comment=review.comment,
                decided_at=review.decided_at,
            )
        )

    def reviews(self, case_id: int) -> list[Review]:
        rows = self.session.scalars(
            select(ReviewRow).where(ReviewRow.case_id == case_id).order_by(ReviewRow.id)
        )
        return [
            Review(
                case_id=r.case_id,
                fiche_version=r.fiche_version,
                moderator=r.moderator,
                decision=ReviewDecision(r.decision),
                comment=r.comment,
                decided_at=r.decided_at,
            )
            for r in rows
        ]

    def add_transition(self, transition: Transition) -> None:
        self.session.add(
            TransitionRow(
                case_id=transition.case_id,
                from_state=transition.from_state.value if transition.from_state else None,
                to_state=transition.to_state.value,
                actor=transition.actor,
                at=transition.at,
                reason=transition.reason,
            )
        )

    def transitions(self, case_id: int) -> list[Transition]:
        rows = self.session.scalars(
            select(TransitionRow).where(TransitionRow.case_id == case_id).order_by(TransitionRow.id)
        )
        return [
            Transition(
                case_id=r.case_id,
                from_state=CaseState(r.from_state) if r.from_state else None,
                to_state=CaseState(r.to_state),
                actor=r.actor,
                at=r.at,
                reason=r.reason,
            )
            for r in rows
        ]

    def case_participants(self, case_id: int) -> set[str]:
        """Who took part in a case: its capturer, the senders of its messages and the
        submitters of its fiche versions (they may submit or amend its fiche; only the
        submitters, its authors, may withdraw it)."""
        case = self.session.get(CaseRow, case_id)
        authors = {case.created_by} if case else set()
        authors.update(
            self.session.scalars(
                select(MessageRow.sender).where(MessageRow.case_id == case_id).distinct()
            )
        )
        authors.update(
            self.session.scalars(
                select(FicheVersionRow.submitted_by)
                .where(FicheVersionRow.case_id == case_id)
                .distinct()
            )
        )
        return authors

    def involvement(self, case_id: int, user_id: str) -> Involvement:
        """How `user_id` took part in a case (authorship, four eyes): three indexed
        existence checks."""
        case = self.session.get(CaseRow, case_id)
        wrote = self.session.scalar(
            select(MessageRow.event_id)
            .where(MessageRow.case_id == case_id, MessageRow.sender == user_id)
            .limit(1)
        )
        submitted = self.session.scalar(
            select(FicheVersionRow.version)
            .where(FicheVersionRow.case_id == case_id, FicheVersionRow.submitted_by == user_id)
            .limit(1)
        )
        return Involvement(
            submitted=submitted is not None,
            wrote=wrote is not None,
            captured=case is not None and case.created_by == user_id,
        )

    def withdrawn_from(self, case_id: int) -> CaseState | None:
        """The state a withdrawn case was in when it was withdrawn (for `!rétablir`)."""
        row = self.session.scalar(
            select(TransitionRow.from_state)
            .where(
                TransitionRow.case_id == case_id,
                TransitionRow.to_state == CaseState.WITHDRAWN.value,
            )
            .order_by(TransitionRow.id.desc())
            .limit(1)
        )
        return CaseState(row) if row else None

    def count_transitions_to(self, case_id: int, state: CaseState) -> int:
        """How many times a case entered `state` (a withdrawal after a restore is a new
        withdrawal, with its own outbox key)."""
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(TransitionRow)
                .where(TransitionRow.case_id == case_id, TransitionRow.to_state == state.value)
            )
            or 0
        )

    def fiche_submitters(self, case_id: int) -> list[str]:
        rows = self.session.scalars(
            select(FicheVersionRow.submitted_by)
            .where(FicheVersionRow.case_id == case_id)
            .order_by(FicheVersionRow.version)
        )
        return list(dict.fromkeys(rows))

    def add_review_card(self, event_id: str, case_id: int, fiche_version: int) -> None:
        self._insert_ignore(
            ReviewCardRow,
            {"event_id": event_id, "case_id": case_id, "fiche_version": fiche_version},
        )

    def review_cards_among(self, event_ids: set[str]) -> set[str]:
        """Which of these events are review cards, in one query (a sync batch's reactions)."""
        if not event_ids:
            return set()
        return set(self.connection.scalars(_CARDS_AMONG, {"targets": sorted(event_ids)}))

    def review_card(self, event_id: str) -> tuple[int, int] | None:
        """(case id, fiche version) of the card posted as `event_id`, if it is one."""
        row = self.session.get(ReviewCardRow, event_id)
        return (row.case_id, row.fiche_version) if row else None
