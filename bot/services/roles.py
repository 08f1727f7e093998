"""Roles of a Matrix user, from the latest room snapshots and the config (DESIGN §4).

Three views, never to be mixed up:

* `roles_in(room)`: the roles in the room where something is typed; right for what acts
  on that room itself (`!salon`, capture settings, help listing).
* `roles_for_case(case)`: the roles for acting on one case, whatever room the command
  was typed in: a network moderator (moderation room, config), or with
  `bot.room_moderators_curate` a moderator of the CASE's room. Being admin of another
  room (anyone may create one and invite the bot) gives nothing here.
* `network_roles()`: roles valid everywhere: moderation room, research room, config lists.
"""

from __future__ import annotations

from bot.domain.models import Case
from bot.domain.permissions import Role, roles_for
from bot.matrix.events import RoomSnapshot
from bot.settings import Settings


def _roles(
    user_id: str,
    room: RoomSnapshot | None,
    rooms: dict[str, RoomSnapshot],
    settings: Settings,
    *,
    is_case_participant: bool = False,
) -> frozenset[Role]:
    moderation = rooms.get(settings.matrix.moderation_room)
    research = rooms.get(settings.matrix.research_room)
    return roles_for(
        user_id,
        power_level_in_room=room.power_level(user_id) if room is not None else None,
        power_level_in_moderation_room=moderation.power_level(user_id) if moderation else None,
        is_room_creator=room is not None and user_id in room.creators,
        is_moderation_room_creator=bool(moderation and user_id in moderation.creators),
        is_research_member=bool(research and user_id in research.members),
        config_moderators=settings.bot.moderators,
        config_researchers=settings.bot.researchers,
        config_admins=settings.bot.admins,
        moderator_level=settings.bot.moderator_level,
        admin_level=settings.bot.admin_level,
        is_case_participant=is_case_participant,
        room_moderators_curate=settings.bot.room_moderators_curate,
    )


def roles_in(
    user_id: str,
    room: RoomSnapshot,
    rooms: dict[str, RoomSnapshot],
    settings: Settings,
    *,
    is_case_participant: bool = False,
) -> frozenset[Role]:
    """Roles in `room` (the room where the user acts on that room itself)."""
    return _roles(user_id, room, rooms, settings, is_case_participant=is_case_participant)


def roles_for_case(
    user_id: str,
    case: Case,
    rooms: dict[str, RoomSnapshot],
    settings: Settings,
) -> frozenset[Role]:
    """Roles for acting on `case`: evaluated in the case's room, never where one typed."""
    room = rooms.get(case.room_id, RoomSnapshot(room_id=case.room_id))
    return _roles(user_id, room, rooms, settings)


def network_roles(
    user_id: str, rooms: dict[str, RoomSnapshot], settings: Settings
) -> frozenset[Role]:
    """Roles that hold in every room: moderation room, research room and config lists."""
    return _roles(user_id, None, rooms, settings)
