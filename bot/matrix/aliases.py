"""Room aliases in the configuration (`#moderation:example.org`) resolved to room ids.

Operators know their rooms by alias; the bot compares room ids everywhere (permissions,
where review cards go). Resolved once at start-up: a wrong alias stops the bot with a
message naming the setting, rather than leaving moderation silently unreachable.
"""

from __future__ import annotations

from nio import AsyncClient, RoomResolveAliasResponse

from bot.matrix.errors import MatrixError
from bot.settings import Settings

ROOM_SETTINGS = ("moderation_room", "research_room", "documentation_room")


class AliasError(MatrixError):
    """A configured room alias does not resolve."""


async def resolve_room_aliases(client: AsyncClient, settings: Settings) -> Settings:
    """The same settings, with every configured room alias replaced by its room id."""
    resolved: dict[str, str] = {}
    for name in ROOM_SETTINGS:
        value: str = getattr(settings.matrix, name)
        if not value.startswith("#"):
            continue
        response = await client.room_resolve_alias(value)
        if not isinstance(response, RoomResolveAliasResponse):
            raise AliasError(f"matrix.{name} = {value!r} does not resolve: {response}")
        resolved[name] = response.room_id
    if not resolved:
        return settings
    matrix = settings.matrix.model_copy(update=resolved)
    return settings.model_copy(update={"matrix": matrix})
