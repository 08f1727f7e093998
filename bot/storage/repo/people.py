"""Rooms and participants (consent, display names, directory profiles)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from bot.domain.models import (
    Participant,
    Room,
)
from bot.storage.repo.base import RepositoryBase
from bot.storage.repo.rows import to_participant, to_room
from bot.storage.tables import (
    ParticipantRow,
    RoomRow,
)


class PeopleStore(RepositoryBase):
    """Rooms and participants (consent, display names, directory profiles)."""

    def get_room(self, room_id: str) -> Room | None:
        row = self.session.get(RoomRow, room_id)
        return to_room(row) if row else None

    def save_room(self, room: Room) -> None:
        row = self.session.get(RoomRow, room.room_id)
        if row is None:
            row = RoomRow(room_id=room.room_id)
            self.session.add(row)
        row.kind = room.kind.value if room.kind else None
        row.label = room.label
        row.categories = list(room.categories)
        row.capture_enabled = room.capture_enabled
        row.digest_enabled = room.digest_enabled
        row.joined_at = room.joined_at
        row.short_forms = room.short_forms
        row.minutes_review = room.minutes_review
        self.session.flush()

    def list_rooms(self) -> list[Room]:
        return [to_room(r) for r in self.session.scalars(select(RoomRow).order_by(RoomRow.room_id))]

    def get_participant(self, user_id: str) -> Participant | None:
        row = self.session.get(ParticipantRow, user_id)
        return to_participant(row) if row else None

    def save_participant(self, participant: Participant) -> None:
        row = self.session.get(ParticipantRow, participant.user_id)
        if row is None:
            row = ParticipantRow(user_id=participant.user_id)
            self.session.add(row)
        row.display_name = participant.display_name
        row.consent = participant.consent.value
        row.consent_changed_at = participant.consent_changed_at
        profile = participant.profile
        row.profile_function = profile.function if profile else None
        row.profile_territory = profile.territory if profile else None
        row.profile_expertise = list(profile.expertise) if profile else None
        row.profile_structure = profile.structure if profile else None
        row.profile_updated_at = profile.updated_at if profile else None
        self.session.flush()

    def remember_display_name(self, user_id: str, display_name: str) -> None:
        """Keep the latest display name seen for `user_id` (pages name people from the
        stored record, under `bot.domain.naming`'s consent rules); a name that is only
        the Matrix id is no name."""
        name = " ".join(display_name.split())
        if not name or name == user_id:
            return
        row = self.session.get(ParticipantRow, user_id)
        if row is None:
            self.session.add(ParticipantRow(user_id=user_id, display_name=name, consent="unknown"))
        elif row.display_name != name:
            row.display_name = name
        self.session.flush()

    def participants(self, user_ids: Iterable[str]) -> dict[str, Participant]:
        ids = list(set(user_ids))
        if not ids:
            return {}
        rows = self.session.scalars(select(ParticipantRow).where(ParticipantRow.user_id.in_(ids)))
        return {row.user_id: to_participant(row) for row in rows}

    def directory_participants(self) -> list[Participant]:
        """Everyone who opted in to the directory (a profile is stored)."""
        rows = self.session.scalars(
            select(ParticipantRow)
            .where(ParticipantRow.profile_updated_at.is_not(None))
            .order_by(ParticipantRow.user_id)
        )
        return [to_participant(row) for row in rows]

    def all_participants(self) -> list[Participant]:
        rows = self.session.scalars(select(ParticipantRow).order_by(ParticipantRow.user_id))
        return [to_participant(row) for row in rows]
