"""Roles of a Matrix user in a room, from the latest room snapshots and the config."""

from __future__ import annotations

from bot.domain.permissions import Role, roles_for
from bot.matrix.events import RoomSnapshot
from bot.settings import Settings


def roles_in(
    user_id: str,
    room: RoomSnapshot,
    rooms: dict[str, RoomSnapshot],
    settings: Settings,
    *,
    is_case_participant: bool = False,
) -> frozenset[Role]:
    moderation = rooms.get(settings.matrix.moderation_room)
    research = rooms.get(settings.matrix.research_room)
    return roles_for(
        user_id,
        power_level_in_room=room.power_level(user_id),
        power_level_in_moderation_room=moderation.power_level(user_id) if moderation else None,
        is_room_creator=user_id in room.creators,
        is_moderation_room_creator=bool(moderation and user_id in moderation.creators),
        is_research_member=bool(research and user_id in research.display_names),
        config_moderators=settings.bot.moderators,
        config_researchers=settings.bot.researchers,
        config_admins=settings.bot.admins,
        moderator_level=settings.bot.moderator_level,
        admin_level=settings.bot.admin_level,
        is_case_participant=is_case_participant,
    )
