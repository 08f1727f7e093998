"""What parsing a message can give besides a command's own arguments.

Each command's arguments are a frozen dataclass declared in its feature module
(`bot.commands.spec.Command`); these are the two outcomes that are no command.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.commands.spec import Command


@dataclass(frozen=True, slots=True)
class UnknownCommand:
    """`!word` that is not ours: ignore it in rooms (another bot?), answer help in DMs."""

    word: str


@dataclass(frozen=True, slots=True)
class UsageError:
    """A command of ours with bad arguments: render `reason` + the usage line of `command`."""

    command: str  #: canonical command name
    reason: str  #: i18n key
    params: Mapping[str, str] = field(default_factory=dict)


ParseResult = Command | UsageError | UnknownCommand | None
