"""Cases: opened once per (room, root), looked up, listed, moved."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, event, func, or_, select, update
from sqlalchemy.orm import Session

from bot.domain.models import (
    Case,
    CaseOrigin,
    CaseState,
    FicheField,
    Room,
    Transition,
)
from bot.storage.repo.curation import CurationStore
from bot.storage.repo.people import PeopleStore
from bot.storage.repo.rows import to_case
from bot.storage.tables import (
    CaseRow,
    CaseTagRow,
    RoomRow,
)

_OPENED = "capibot.cases_opened"


class CaseOpenings:
    """A count of the cases opened through one `Database`, moved when a case row is
    written and again when its transaction commits.

    A cache of which thread roots have *no* case (capture's `CaseRoots`) drops those
    answers whenever the count moved: a case may be opened at any moment, by a command
    in the batch being applied or by the capture job in another transaction, and the
    thread's next message must find it. `create_case` is the one place cases are opened.
    The `Database` owns one and hands it to each of its sessions (`session.info`), so two
    databases in one process (tests, a benchmark's two sides) never share a count.
    """

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    @property
    def generation(self) -> int:
        return self._count

    def moved(self) -> None:
        with self._lock:
            self._count += 1


_OPENINGS = "capibot.case_openings"


def openings_info(openings: CaseOpenings) -> dict[str, Any]:
    """What a session factory puts in each of its sessions' `info`."""
    return {_OPENINGS: openings}


def case_openings(session: Session) -> CaseOpenings:
    """The count of the database this session belongs to. A session made elsewhere (not
    by a `Database`) gets one of its own: nothing it learns outlives it."""
    openings = session.info.get(_OPENINGS)
    if openings is None:
        openings = session.info[_OPENINGS] = CaseOpenings()
    return openings


@event.listens_for(Session, "after_commit")
def _opened_cases_committed(session: Session) -> None:
    """Move the count again once a transaction that opened cases commits: what another
    transaction could not see before now, it sees."""
    if not session.in_nested_transaction() and session.info.pop(_OPENED, False):
        case_openings(session).moved()


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """What `!fiches` asks for. `room_ids` None: every room. `themes` (all of them) and
    `territory` are folded keys of the latest fiche (`case_tags`); `text` matches the
    title, or the case is in one of `text_states` (the states the text names)."""

    room_ids: tuple[str, ...] | None = None
    states: tuple[CaseState, ...] = ()
    themes: tuple[str, ...] = ()
    territory: str | None = None
    text: str | None = None
    text_states: tuple[CaseState, ...] = ()


def _tagged(kind: FicheField, key: str, *, in_rooms: bool) -> ColumnElement[bool]:
    """Cases whose latest fiche carries this folded theme or territory. Within rooms, the
    room's index leads and each of its cases is checked by primary key (EXISTS); across
    the network, the tag's index leads (IN): either way the fewer rows are walked."""
    match = (CaseTagRow.kind == kind.value, CaseTagRow.key == key)
    if in_rooms:
        return select(CaseTagRow.case_id).where(CaseTagRow.case_id == CaseRow.id, *match).exists()
    return CaseRow.id.in_(select(CaseTagRow.case_id).where(*match))


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(stmt: Select[Any], query: CaseFilter) -> Select[Any]:
    if query.room_ids is not None:
        stmt = stmt.where(CaseRow.room_id.in_(query.room_ids))
    if query.states:
        stmt = stmt.where(CaseRow.state.in_([s.value for s in query.states]))
    in_rooms = query.room_ids is not None
    for theme in query.themes:
        stmt = stmt.where(_tagged(FicheField.THEMES, theme, in_rooms=in_rooms))
    if query.territory is not None:
        stmt = stmt.where(_tagged(FicheField.TERRITORY, query.territory, in_rooms=in_rooms))
    if query.text:
        in_title = CaseRow.title.ilike(f"%{_like_escaped(query.text)}%", escape="\\")
        named = CaseRow.state.in_([s.value for s in query.text_states])
        stmt = stmt.where(or_(in_title, named) if query.text_states else in_title)
    return stmt


class CaseStore(PeopleStore, CurationStore):
    """Cases: opened once per (room, root), looked up, listed, moved."""

    def create_case(
        self,
        *,
        room_id: str,
        root_event_id: str,
        origin: CaseOrigin,
        title: str,
        created_by: str,
        now: datetime,
        state: CaseState = CaseState.CAPTURING,
    ) -> tuple[Case, bool]:
        """Open a case on a root, or return the existing one: (case, created)."""
        existing = self.case_by_root(room_id, root_event_id)
        if existing is not None:
            return existing, False
        if self.session.get(RoomRow, room_id) is None:
            self.save_room(Room(room_id=room_id, joined_at=now))
        row = CaseRow(
            room_id=room_id,
            root_event_id=root_event_id,
            origin=origin.value,
            title=title,
            state=state.value,
            created_by=created_by,
            created_at=now,
            last_activity_at=now,
        )
        self.session.add(row)
        self.session.flush()
        self.session.info[_OPENED] = True
        case_openings(self.session).moved()
        self.add_transition(
            Transition(case_id=row.id, from_state=None, to_state=state, actor=created_by, at=now)
        )
        return to_case(row), True

    def get_case(self, case_id: int) -> Case | None:
        row = self.session.get(CaseRow, case_id)
        return to_case(row) if row else None

    def case_by_root(self, room_id: str, root_event_id: str) -> Case | None:
        row = self.session.scalars(
            select(CaseRow).where(
                CaseRow.room_id == room_id, CaseRow.root_event_id == root_event_id
            )
        ).first()
        return to_case(row) if row else None

    def list_cases(
        self, *, room_id: str | None = None, states: Sequence[CaseState] | None = None
    ) -> list[Case]:
        stmt = select(CaseRow).order_by(CaseRow.id)
        if room_id is not None:
            stmt = stmt.where(CaseRow.room_id == room_id)
        if states:
            stmt = stmt.where(CaseRow.state.in_([s.value for s in states]))
        return [to_case(row) for row in self.session.scalars(stmt)]

    def count_cases(self, query: CaseFilter) -> int:
        """How many cases `!fiches` would list (the page count)."""
        stmt = _filtered(select(func.count()).select_from(CaseRow), query)
        return int(self.session.scalar(stmt) or 0)

    def page_cases(self, query: CaseFilter, *, offset: int, limit: int) -> list[Case]:
        """One page of `!fiches`, newest first."""
        stmt = _filtered(select(CaseRow), query).order_by(CaseRow.id.desc())
        return [to_case(row) for row in self.session.scalars(stmt.offset(offset).limit(limit))]

    def update_case(
        self,
        case_id: int,
        *,
        state: CaseState | None = None,
        title: str | None = None,
        last_activity_at: datetime | None = None,
        expect_state: CaseState | None = None,
    ) -> bool:
        """Compare-and-set update: with `expect_state`, only a case still in that state moves.

        This is what makes two moderators approving at once produce one approval.
        """
        values: dict[str, Any] = {}
        if state is not None:
            values["state"] = state.value
        if title is not None:
            values["title"] = title
        if last_activity_at is not None:
            values["last_activity_at"] = last_activity_at
        stmt = update(CaseRow).where(CaseRow.id == case_id).values(**values)
        if expect_state is not None:
            stmt = stmt.where(CaseRow.state == expect_state.value)
        result = self.session.execute(stmt)
        return bool(getattr(result, "rowcount", 0))
