"""The figures of the activity report (`capibot rapport`, issue 18): what a centre shows
its funders. Counts only — no name, no message, no pseudonym: a report leaves the
network.

Read in one read-only snapshot (`Database.reading`), by a handful of aggregate queries
over the period: the running bot keeps capturing meanwhile.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select

from bot.domain.fiche import split_list
from bot.domain.models import CaseState, FicheField
from bot.domain.text import fold
from bot.storage.repository import Repository
from bot.storage.tables import (
    AnnotationRow,
    CaseRow,
    FicheVersionRow,
    ParticipantRow,
    RoomRow,
    TransitionRow,
)

#: states in which a case has an approved fiche (published or about to be)
_WITH_FICHE = (CaseState.APPROVED.value, CaseState.PUBLISHED.value)
TOP = 12  # themes and territories shown; the rest are « autres »


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  #: inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return (
            datetime.combine(self.start, time(), UTC),
            datetime.combine(self.end, time.max, UTC),
        )

    def months(self) -> list[str]:
        """Every month of the period, `YYYY-MM`, so an idle month shows as 0."""
        months, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


@dataclass
class Activity:
    period: Period
    cases_per_month: dict[str, int] = field(default_factory=dict)
    published_per_month: dict[str, int] = field(default_factory=dict)
    #: label as first written → cases (the labels are the fiches', folded to count)
    themes: list[tuple[str, int]] = field(default_factory=list)
    territories: list[tuple[str, int]] = field(default_factory=list)
    room_kinds: dict[str, int] = field(default_factory=dict)
    cases: int = 0
    fiches: int = 0
    publications: int = 0
    annotations: int = 0
    directory: int = 0
    #: days from a case's capture to its first publication, for those published
    days_to_publication: list[float] = field(default_factory=list)

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days_to_publication) if self.days_to_publication else None


def _month(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def collect(repo: Repository, period: Period) -> Activity:
    """The report's figures for cases opened in `period` (and what happened to them)."""
    start, end = period.bounds
    session = repo.session
    activity = Activity(period)
    months = period.months()
    opened = Counter(
        _month(created)
        for (created,) in session.execute(
            select(CaseRow.created_at).where(CaseRow.created_at.between(start, end))
        )
    )
    activity.cases_per_month = {m: opened.get(m, 0) for m in months}
    activity.cases = sum(opened.values())

    first_published = (
        select(TransitionRow.case_id, func.min(TransitionRow.at).label("at"))
        .where(TransitionRow.to_state == CaseState.PUBLISHED.value)
        .group_by(TransitionRow.case_id)
        .subquery()
    )
    published: Counter[str] = Counter()
    for created, at in session.execute(
        select(CaseRow.created_at, first_published.c.at)
        .join(first_published, first_published.c.case_id == CaseRow.id)
        .where(first_published.c.at.between(start, end))
    ):
        published[_month(at)] += 1
        activity.days_to_publication.append(max(0.0, (at - created).total_seconds() / 86400))
    activity.published_per_month = {m: published.get(m, 0) for m in months}
    activity.publications = sum(published.values())

    kinds = session.execute(
        select(RoomRow.kind, func.count(CaseRow.id))
        .join(RoomRow, RoomRow.room_id == CaseRow.room_id)
        .where(CaseRow.created_at.between(start, end))
        .group_by(RoomRow.kind)
    )
    activity.room_kinds = {kind or "": count for kind, count in kinds}

    activity.fiches, activity.themes, activity.territories = _fiche_tags(repo, start, end)
    activity.annotations = (
        session.scalar(
            select(func.count(AnnotationRow.id)).where(AnnotationRow.created_at.between(start, end))
        )
        or 0
    )
    activity.directory = (
        session.scalar(
            select(func.count(ParticipantRow.user_id)).where(
                ParticipantRow.profile_updated_at.is_not(None)
            )
        )
        or 0
    )
    return activity


def _fiche_tags(
    repo: Repository, start: datetime, end: datetime
) -> tuple[int, list[tuple[str, int]], list[tuple[str, int]]]:
    """Fiches (cases of the period with an approved fiche), and their latest version's
    themes and territories: counted folded, shown as first written."""
    latest = (
        select(FicheVersionRow.case_id, func.max(FicheVersionRow.version).label("version"))
        .group_by(FicheVersionRow.case_id)
        .subquery()
    )
    rows = repo.session.execute(
        select(FicheVersionRow.fields)
        .join(
            latest,
            (latest.c.case_id == FicheVersionRow.case_id)
            & (latest.c.version == FicheVersionRow.version),
        )
        .join(CaseRow, CaseRow.id == FicheVersionRow.case_id)
        .where(CaseRow.created_at.between(start, end), CaseRow.state.in_(_WITH_FICHE))
    )
    fiches = 0
    themes: Counter[str] = Counter()
    territories: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for (fields,) in rows:
        fiches += 1
        for theme in {
            fold(t): t for t in split_list(fields.get(FicheField.THEMES.value, ""))
        }.items():
            labels.setdefault("t:" + theme[0], theme[1])
            themes["t:" + theme[0]] += 1
        place = (fields.get(FicheField.TERRITORY.value) or "").strip()
        if fold(place):
            labels.setdefault("p:" + fold(place), place)
            territories["p:" + fold(place)] += 1
    return (
        fiches,
        [(labels[k], n) for k, n in themes.most_common(TOP)],
        [(labels[k], n) for k, n in territories.most_common(TOP)],
    )
