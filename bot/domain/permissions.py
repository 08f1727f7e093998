"""Who may do what: roles derived from power levels, room creators and config lists.

Pure on purpose: the Matrix layer reads power levels and the create event, this module
decides. The same decision then applies to commands, reactions and the CLI.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping


class Role(enum.StrEnum):
    EVERYONE = "everyone"
    #: took part in the case at hand; decided per case by the caller.
    PARTICIPANT = "participant"
    MODERATOR = "moderator"
    RESEARCHER = "researcher"
    ROOM_ADMIN = "room_admin"
    #: the bot itself (scheduler, publisher) or the operator at the CLI; never from Matrix.
    SYSTEM = "system"


DEFAULT_MODERATOR_LEVEL = 50
DEFAULT_ADMIN_LEVEL = 100

# Room versions where the creators hold unlimited power and are absent from the
# power-levels `users` map (MSC4289, room version 12 and the "hydra" preview).
_PRIVILEGED_CREATOR_VERSIONS = frozenset({"org.matrix.hydra.11"})


def creators_privileged(room_version: str) -> bool:
    """True when the room version makes its creators all-powerful (DESIGN §9 item 6)."""
    if room_version in _PRIVILEGED_CREATOR_VERSIONS:
        return True
    return room_version.isdigit() and int(room_version) >= 12


def room_creators(
    create_sender: str, create_content: Mapping[str, object], room_version: str
) -> frozenset[str]:
    """The all-powerful creators of a room: `m.room.create` sender + `additional_creators`.

    Empty for older room versions, where creators are ordinary users of the power levels
    (and nio reports their real level).
    """
    if not creators_privileged(room_version):
        return frozenset()
    extra = create_content.get("additional_creators")
    names = [create_sender]
    if isinstance(extra, list):
        names.extend(x for x in extra if isinstance(x, str))
    return frozenset(names)


def roles_for(
    user_id: str,
    *,
    power_level_in_room: int | None,
    power_level_in_moderation_room: int | None,
    is_room_creator: bool,
    is_research_member: bool,
    config_moderators: Collection[str] = (),
    config_researchers: Collection[str] = (),
    config_admins: Collection[str] = (),
    moderator_level: int = DEFAULT_MODERATOR_LEVEL,
    admin_level: int = DEFAULT_ADMIN_LEVEL,
    is_moderation_room_creator: bool = False,
    is_case_participant: bool = False,
    room_moderators_curate: bool = False,
) -> frozenset[Role]:
    """All roles of `user_id` in the room where they act (DESIGN §4 "Roles").

    MODERATOR is the *network* moderator: power level >= `moderator_level` in the
    moderation room (its creators included), or listed in `config_moderators`. Being
    admin, creator or moderator of the room at hand makes a ROOM_ADMIN at most: anyone
    allowed to invite the bot can create a room, so a room gives no curation right —
    unless the network opted in with `room_moderators_curate`, where moderators of the
    room (its admins and creators included) curate its cases too.
    `power_level_in_room=None` means "no room": only network sources count.
    """
    roles = {Role.EVERYONE}
    if is_case_participant:
        roles.add(Role.PARTICIPANT)
    level = power_level_in_room
    in_room = level is not None
    is_admin = (
        is_room_creator or user_id in config_admins or (level is not None and level >= admin_level)
    )
    if is_admin:
        roles.add(Role.ROOM_ADMIN)
    mod_level = power_level_in_moderation_room
    network_moderator = (
        is_moderation_room_creator
        or user_id in config_moderators
        or (mod_level is not None and mod_level >= moderator_level)
    )
    room_moderator = in_room and (
        is_room_creator or (level is not None and level >= moderator_level)
    )
    if network_moderator or (room_moderators_curate and room_moderator):
        roles.add(Role.MODERATOR)
    if is_research_member or user_id in config_researchers:
        roles.add(Role.RESEARCHER)
    return frozenset(roles)


def permits(roles: Iterable[Role], required: Role) -> bool:
    """Whether holding `roles` satisfies `required`.

    SYSTEM can do anything; a moderator may act for case participants (fix a fiche).
    """
    held = frozenset(roles)
    if required is Role.EVERYONE or Role.SYSTEM in held or required in held:
        return True
    return required is Role.PARTICIPANT and Role.MODERATOR in held
