"""Who wrote the published fiches on a subject: `!experts` suggests them besides the
directory (people who know, from what they wrote)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.domain.models import CaseState, Consent, FicheField
from bot.domain.text import fold
from bot.storage.repo.base import RepositoryBase
from bot.storage.tables import CaseRow, CaseTagRow, FicheVersionRow, MessageRow, ParticipantRow

MAX_FICHES = 30  # the most recent published fiches on the subject that are looked at


@dataclass(frozen=True, slots=True)
class Contributor:
    user_id: str
    display_name: str
    #: (case number, title) of the published fiches they wrote or took part in
    fiches: tuple[tuple[int, str], ...]


class ContributorStore(RepositoryBase):
    def contributors_on(self, topic: str, limit: int) -> list[Contributor]:
        """The consenting people who submitted or wrote in published fiches whose themes
        match `topic` (folded: a theme containing the topic's words, or named in it),
        most fiches first. Only consent lets a name out of its case."""
        wanted = fold(topic)
        if not wanted:
            return []
        themes = self.session.scalars(
            select(CaseTagRow.key).where(CaseTagRow.kind == FicheField.THEMES.value).distinct()
        )
        # « emploi » finds « emploi des jeunes »; « emploi des jeunes » finds « emploi »
        keys = [k for k in themes if k and (wanted in k or (len(k) >= 4 and k in wanted))]
        if not keys:
            return []
        cases = self.session.execute(
            select(CaseRow.id, CaseRow.title)
            .join(CaseTagRow, CaseTagRow.case_id == CaseRow.id)
            .where(
                CaseTagRow.kind == FicheField.THEMES.value,
                CaseTagRow.key.in_(keys),
                CaseRow.state == CaseState.PUBLISHED.value,
            )
            .distinct()
            .order_by(CaseRow.id.desc())
            .limit(MAX_FICHES)
        ).all()
        titles = {case_id: title for case_id, title in cases}
        if not titles:
            return []
        pairs = set(
            self.session.execute(
                select(FicheVersionRow.submitted_by, FicheVersionRow.case_id).where(
                    FicheVersionRow.case_id.in_(titles)
                )
            ).all()
        ) | set(
            self.session.execute(
                select(MessageRow.sender, MessageRow.case_id)
                .where(MessageRow.case_id.in_(titles), MessageRow.redacted.is_(False))
                .distinct()
            ).all()
        )
        people = {
            row.user_id: row
            for row in self.session.scalars(
                select(ParticipantRow).where(
                    ParticipantRow.user_id.in_({user for user, _ in pairs}),
                    ParticipantRow.consent == Consent.GRANTED.value,
                )
            )
        }
        by_person: dict[str, set[int]] = {}
        for user, case_id in pairs:
            if user in people and case_id is not None:
                by_person.setdefault(user, set()).add(case_id)
        ranked = sorted(by_person.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
        return [
            Contributor(
                user_id=user,
                display_name=people[user].display_name,
                fiches=tuple((c, titles[c]) for c in sorted(case_ids, reverse=True)),
            )
            for user, case_ids in ranked
        ]
