"""What every settings section shares: strict groups, durations, URL and page-name checks."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

from wiki_sync.errors import TitleError
from wiki_sync.titles import page_title_from

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> Any:
    """Accept `90s`, `15m`, `24h`, `3d`, `1w` besides what pydantic takes for timedelta."""
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])
    return value


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def _positive(value: timedelta) -> timedelta:
    """A zero or negative wait would fire at once, forever: refused."""
    if value <= timedelta(0):
        raise ValueError("must be a positive duration, e.g. 90s, 15m, 24h or 30d")
    return value


PositiveDuration = Annotated[timedelta, BeforeValidator(parse_duration), AfterValidator(_positive)]


class Group(BaseModel):
    """A settings section: unknown keys are errors (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


def require_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    return value.rstrip("/") if parts.path in ("", "/") else value


def page_name(value: str) -> str:
    """A name the wiki accepts as a page title (template, category)."""
    if not value.strip():
        raise ValueError("must not be empty")
    try:
        page_title_from(value)
    except TitleError as exc:
        raise ValueError(f"{value!r} is not a usable page name ({exc})") from None
    return value.strip()
