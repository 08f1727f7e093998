"""Sections of optional features: metrics, meetings, the network of centres."""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import Field, field_validator

from bot.settings_base import Group, PositiveDuration


class MetricsSettings(Group):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=9464, ge=1, le=65535)
    sync_stale_after: PositiveDuration = timedelta(minutes=2)


class MeetingsSettings(Group):
    """`!réunion`: a meeting left open closes itself after `auto_close`."""

    auto_close: PositiveDuration = timedelta(hours=4)


class NetworkSettings(Group):
    """The centre this bot serves, within the network of centres (exports carry it)."""

    centre: str = Field(default="", max_length=32)
    label: str = Field(default="", max_length=120)

    @field_validator("centre")
    @classmethod
    def _code(cls, value: str) -> str:
        if value and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", value):
            raise ValueError("a short code: letters, digits, '-' and '_' (e.g. crpv-idf)")
        return value
