"""`!réseau N [oui|non|salon]` and `!salon réseau oui|non` parse in both languages; a
value that is none of those is a usage error naming what is accepted."""

from __future__ import annotations

import pytest

from bot.commands.model import UsageError
from bot.commands.network import NetworkChoice
from bot.commands.parser import parse
from bot.commands.registry import lookup
from bot.commands.room import RoomAction, RoomCmd
from bot.commands.spec import Scope
from bot.domain.permissions import Role


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!réseau 3", NetworkChoice(3)),
        ("!reseau #3 oui", NetworkChoice(3, True, True)),
        ("!network 3 on", NetworkChoice(3, True, True)),
        ("!réseau 3 non", NetworkChoice(3, True, False)),
        ("!network 3 off", NetworkChoice(3, True, False)),
        ("!réseau 3 salon", NetworkChoice(3, True, None)),
        ("!network 3 room", NetworkChoice(3, True, None)),
        ("!salon réseau oui", RoomCmd(RoomAction.SET_NETWORK, enabled=True)),
        ("!room network off", RoomCmd(RoomAction.SET_NETWORK, enabled=False)),
    ],
)
def test_network_choices_parse(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("!réseau", "usage.missing_case_id"),
        ("!réseau trois oui", "usage.invalid_case_id"),
        ("!réseau 3 peut-être", "usage.network_value"),
        ("!réseau 3 oui non", "usage.unexpected_argument"),
        ("!salon réseau", "usage.room_missing_value"),
        ("!salon réseau peut-être", "usage.invalid_switch"),
    ],
)
def test_bad_network_choices_are_usage_errors(text: str, reason: str) -> None:
    result = parse(text)
    assert isinstance(result, UsageError), result
    assert result.reason == reason


def test_only_the_network_s_moderators_decide_for_one_fiche() -> None:
    spec = lookup("réseau")
    assert spec is not None and spec.role is Role.MODERATOR and spec.scope is Scope.NETWORK
    room = lookup("salon")
    assert room is not None and room.role is Role.ROOM_ADMIN and room.scope is Scope.ROOM
