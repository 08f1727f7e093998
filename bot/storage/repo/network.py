"""The network's shared wiki: which rooms and fiches are shared there, and their pages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from bot.domain.models import CaseState, Publication, PublicationStatus
from bot.storage.repo.base import RepositoryBase
from bot.storage.repo.publications import store_publication
from bot.storage.tables import (
    CaseRow,
    NetworkCaseRow,
    NetworkPublicationRow,
    NetworkRoomRow,
)

#: Cases whose page may be on the network wiki: approved once and not taken down.
_SHOWN_STATES = (
    CaseState.IN_REVIEW.value,  # an amendment of a published fiche, under review
    CaseState.CHANGES_REQUESTED.value,
    CaseState.APPROVED.value,
    CaseState.PUBLISHED.value,
    CaseState.WITHDRAWN.value,
)


class NetworkStore(RepositoryBase):
    """Rooms' and fiches' choices for the network wiki, and the pages written there."""

    # -- choices ---------------------------------------------------------------------

    def room_shared(self, room_id: str) -> bool:
        """Whether the room shares its fiches with the network wiki (default: no)."""
        row = self.session.get(NetworkRoomRow, room_id)
        return bool(row and row.shared)

    def set_room_shared(self, room_id: str, shared: bool, now: datetime) -> bool:
        """Record the room's choice; returns whether it changed."""
        row = self.session.get(NetworkRoomRow, room_id)
        before = bool(row and row.shared)
        if row is None:
            self.session.add(NetworkRoomRow(room_id=room_id, shared=shared, changed_at=now))
        else:
            row.shared, row.changed_at = shared, now
        self.session.flush()
        return before != shared

    def case_shared(self, case_id: int) -> bool | None:
        """A moderator's choice for this fiche (None: none, the room's applies)."""
        row = self.session.get(NetworkCaseRow, case_id)
        return None if row is None else bool(row.shared)

    def set_case_shared(self, case_id: int, shared: bool | None, now: datetime) -> None:
        """Record the fiche's own choice; None drops it (the room's applies again)."""
        row = self.session.get(NetworkCaseRow, case_id)
        if shared is None:
            if row is not None:
                self.session.delete(row)
        elif row is None:
            self.session.add(NetworkCaseRow(case_id=case_id, shared=shared, changed_at=now))
        else:
            row.shared, row.changed_at = shared, now
        self.session.flush()

    def room_cases_for_network(self, room_id: str) -> list[int]:
        """The room's cases a change of its choice may concern: approved once (their
        state says so) and without a choice of their own."""
        ids = list(
            self.session.scalars(
                select(CaseRow.id)
                .where(CaseRow.room_id == room_id, CaseRow.state.in_(_SHOWN_STATES))
                .order_by(CaseRow.id)
            )
        )
        own: set[int] = set()
        for start in range(0, len(ids), 900):  # bound parameters per statement
            chunk = ids[start : start + 900]
            own |= set(
                self.session.scalars(
                    select(NetworkCaseRow.case_id).where(NetworkCaseRow.case_id.in_(chunk))
                )
            )
        return [case_id for case_id in ids if case_id not in own]

    # -- pages on the network wiki -----------------------------------------------------

    def live_network_pages_among(self, case_ids: set[int]) -> set[int]:
        """Which of these cases have a page on the network wiki (not withdrawn)."""
        if not case_ids:
            return set()
        rows = self.session.scalars(
            select(NetworkPublicationRow.case_id).where(
                NetworkPublicationRow.case_id.in_(sorted(case_ids)),
                NetworkPublicationRow.status != PublicationStatus.WITHDRAWN.value,
            )
        )
        return set(rows)

    def get_network_publication(self, case_id: int) -> Publication | None:
        row = self.session.get(NetworkPublicationRow, case_id)
        if row is None:
            return None
        return Publication(
            row.case_id,
            row.page_title,
            row.last_revid,
            PublicationStatus(row.status),
            row.updated_at,
        )

    def network_publication_text(self, case_id: int) -> str | None:
        """The wikitext the bot last wrote there (the base of the three-way merge)."""
        row = self.session.get(NetworkPublicationRow, case_id)
        return row.last_text if row else None

    def save_network_publication(
        self, publication: Publication, last_text: str | None = None
    ) -> None:
        store_publication(self.session, NetworkPublicationRow, publication, last_text)

    def drop_network_publication(self, case_id: int) -> None:
        """Forget the record of a page gone from the network wiki (deleted there)."""
        self.session.execute(
            delete(NetworkPublicationRow).where(NetworkPublicationRow.case_id == case_id)
        )
