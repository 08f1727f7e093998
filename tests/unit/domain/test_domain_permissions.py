"""Roles from power levels, room-version-12 creators and config lists."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.permissions import (
    Role,
    creators_privileged,
    permits,
    roles_for,
    room_creators,
)

USER = "@alice:example.org"


def roles(**overrides: Any) -> frozenset[Role]:
    kwargs: dict[str, Any] = {
        "power_level_in_room": 0,
        "power_level_in_moderation_room": None,
        "is_room_creator": False,
        "is_research_member": False,
    }
    kwargs.update(overrides)
    return roles_for(USER, **kwargs)


def test_plain_user() -> None:
    assert roles() == {Role.EVERYONE}


def test_case_participant() -> None:
    assert roles(is_case_participant=True) == {Role.EVERYONE, Role.PARTICIPANT}


@pytest.mark.parametrize(
    ("room", "moderation", "expected"),
    [
        (49, None, False),
        (50, None, False),  # a moderator of a practice room curates nothing by default
        (100, None, False),  # nor does its admin (anyone may create a room)
        (0, 49, False),
        (0, 50, True),
        (0, 100, True),
    ],
)
def test_network_moderator_by_moderation_room_level(
    room: int, moderation: int | None, expected: bool
) -> None:
    got = roles(power_level_in_room=room, power_level_in_moderation_room=moderation)
    assert (Role.MODERATOR in got) is expected


@pytest.mark.parametrize(
    ("room", "creator", "expected"),
    [(49, False, False), (50, False, True), (100, False, True), (0, True, True)],
)
def test_room_moderators_curate_opt_in(room: int, creator: bool, expected: bool) -> None:
    got = roles(power_level_in_room=room, is_room_creator=creator, room_moderators_curate=True)
    assert (Role.MODERATOR in got) is expected
    # "no room" (network view): the opt-in has nothing to apply to
    assert Role.MODERATOR not in roles(power_level_in_room=None, room_moderators_curate=True)


def test_configurable_levels() -> None:
    assert Role.MODERATOR in roles(power_level_in_moderation_room=10, moderator_level=10)
    assert Role.MODERATOR not in roles(power_level_in_moderation_room=9, moderator_level=10)
    assert Role.ROOM_ADMIN in roles(power_level_in_room=75, admin_level=75)
    assert Role.ROOM_ADMIN not in roles(power_level_in_room=75)


def test_room_admin_by_power_level_is_not_a_curator() -> None:
    assert roles(power_level_in_room=100) == {Role.EVERYONE, Role.ROOM_ADMIN}
    assert Role.ROOM_ADMIN not in roles(power_level_in_room=99)


def test_moderation_room_power_does_not_make_room_admin() -> None:
    assert Role.ROOM_ADMIN not in roles(power_level_in_moderation_room=100)


def test_room_creator_is_room_admin_not_network_moderator() -> None:
    got = roles(power_level_in_room=0, is_room_creator=True)
    assert Role.ROOM_ADMIN in got
    assert Role.MODERATOR not in got


def test_moderation_room_creator_is_moderator() -> None:
    got = roles(is_moderation_room_creator=True, power_level_in_moderation_room=0)
    assert Role.MODERATOR in got
    assert Role.ROOM_ADMIN not in got


def test_config_lists() -> None:
    assert Role.MODERATOR in roles(config_moderators=[USER])
    assert Role.MODERATOR not in roles(config_moderators=["@bob:example.org"])
    assert Role.RESEARCHER in roles(config_researchers={USER})
    got = roles(config_admins=(USER,))
    assert Role.ROOM_ADMIN in got
    assert Role.MODERATOR not in got  # admins set up rooms; curating is the network's


def test_research_room_member() -> None:
    assert roles(is_research_member=True) == {Role.EVERYONE, Role.RESEARCHER}


@pytest.mark.parametrize(
    ("version", "privileged"),
    [
        ("1", False),
        ("10", False),
        ("11", False),
        ("12", True),
        ("13", True),
        ("org.matrix.hydra.11", True),
        ("org.matrix.msc1234", False),
        ("", False),
    ],
)
def test_creators_privileged(version: str, privileged: bool) -> None:
    assert creators_privileged(version) is privileged


def test_room_creators_v12_includes_additional_creators() -> None:
    content = {"room_version": "12", "additional_creators": ["@bob:ex.org", 3, "@carol:ex.org"]}
    assert room_creators("@alice:ex.org", content, "12") == {
        "@alice:ex.org",
        "@bob:ex.org",
        "@carol:ex.org",
    }
    assert room_creators("@alice:ex.org", {}, "12") == {"@alice:ex.org"}


def test_room_creators_before_v12_are_ordinary() -> None:
    assert room_creators("@alice:ex.org", {"additional_creators": ["@b:x"]}, "10") == frozenset()


@pytest.mark.parametrize(
    ("held", "required", "ok"),
    [
        ({Role.EVERYONE}, Role.EVERYONE, True),
        ({Role.EVERYONE}, Role.MODERATOR, False),
        ({Role.EVERYONE}, Role.PARTICIPANT, False),
        ({Role.PARTICIPANT}, Role.PARTICIPANT, True),
        ({Role.MODERATOR}, Role.PARTICIPANT, True),
        ({Role.MODERATOR}, Role.RESEARCHER, False),
        ({Role.MODERATOR}, Role.ROOM_ADMIN, False),
        ({Role.ROOM_ADMIN}, Role.ROOM_ADMIN, True),
        ({Role.RESEARCHER}, Role.RESEARCHER, True),
        ({Role.SYSTEM}, Role.ROOM_ADMIN, True),
        ({Role.SYSTEM}, Role.RESEARCHER, True),
    ],
)
def test_permits(held: set[Role], required: Role, ok: bool) -> None:
    assert permits(held, required) is ok
