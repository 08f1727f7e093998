"""Settings of DESIGN §11: a TOML file, then `.env`, then `CAPIBOT__SECTION__KEY` (wins).

The TOML file is read here and handed to pydantic as the lowest-priority source, so the
path can be chosen at run time (`--config`) without any global state.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_CONFIG_PATH = Path("config/capibot.toml")
ENV_PREFIX = "CAPIBOT__"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class ConfigError(Exception):
    """A configuration problem, phrased for the operator: names the file and the key."""


def parse_duration(value: Any) -> Any:
    """Accept `90s`, `15m`, `24h`, `3d`, `1w` besides what pydantic takes for timedelta."""
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])
    return value


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class Group(BaseModel):
    """A settings section: unknown keys are errors (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class MatrixSettings(Group):
    homeserver: str = "http://127.0.0.1:8008"
    user_id: str = "@capibot:example.org"
    password: SecretStr = SecretStr("")
    access_token: SecretStr = SecretStr("")
    device_name: str = "capibot"
    store_path: Path = Path("data/matrix")
    allowed_inviters: list[str] = Field(default_factory=lambda: ["@*:example.org"])
    moderation_room: str = ""
    research_room: str = ""
    key_wait: Duration = timedelta(hours=24)

    @field_validator("key_wait")
    @classmethod
    def _positive_key_wait(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be positive")
        return value

    documentation_room: str = ""

    @field_validator("user_id")
    @classmethod
    def _user_id_shape(cls, value: str) -> str:
        if not re.fullmatch(r"@[^:\s]+:\S+", value):
            raise ValueError("must look like @name:server")
        return value

    @field_validator("homeserver")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return _require_http_url(value)


class WikiSettings(Group):
    api_url: str = "http://127.0.0.1:8089/api.php"
    username: str = "Capibot@capibot"
    password: SecretStr = SecretStr("")
    consumer_token: str = ""
    consumer_secret: SecretStr = SecretStr("")
    access_token: str = ""
    access_secret: SecretStr = SecretStr("")
    contact: str = "admin@example.org"
    template: str = "Fiche d'expérience"
    category: str = "Fiches d'expérience"
    edit_interval: float = Field(default=2.0, ge=0)
    max_retries: int = Field(default=5, ge=0)
    timeout: float = Field(default=30.0, gt=0)

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        url = _require_http_url(value)
        if not urlsplit(url).path.endswith("api.php"):
            raise ValueError("must be the URL of the wiki's api.php")
        return url

    @property
    def uses_oauth(self) -> bool:
        return bool(self.consumer_token)


class DatabaseSettings(Group):
    url: str = "sqlite:///data/capibot.db"


class ScheduleSettings(Group):
    summary_after: Duration = timedelta(hours=24)
    reminders: list[Duration] = Field(
        default_factory=lambda: [timedelta(days=3), timedelta(days=7)]
    )
    digest_cron: str = "0 9 * * mon"
    timezone: str = "Europe/Paris"
    timer_retention: Duration = timedelta(days=30)

    @field_validator("timer_retention")
    @classmethod
    def _positive_timer_retention(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be a positive duration, e.g. 30d")
        return value

    @field_validator("digest_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        """A crontab `run` can schedule: checked here, so a bad one is a config error
        naming the key rather than a crash at start-up."""
        from datetime import UTC, datetime

        from apscheduler.triggers.cron import CronTrigger

        from bot.scheduling import _cron_weekdays

        fields = value.split()
        if len(fields) != 5:
            raise ValueError("must be a 5-field cron expression (minute hour day month weekday)")
        minute, hour, day, month, weekday = fields
        # Weekday numbers as in cron, 0 and 7 = Sunday (bot.scheduling.next_fire_time).
        ranges = [item.split("/")[0] for item in weekday.split(",")]
        numbers = [int(n) for days in ranges for n in re.findall(r"\d+", days)]
        if any(n > 7 for n in numbers):
            raise ValueError(f"{value!r}: weekday numbers go from 0 (Sunday) to 7 (Sunday)")
        try:
            days = _cron_weekdays(weekday)
            trigger = CronTrigger.from_crontab(f"{minute} {hour} {day} {month} {days}", UTC)
        except (ValueError, IndexError) as exc:
            raise ValueError(f"{value!r} is not a valid cron expression: {exc}") from None
        if trigger.get_next_fire_time(None, datetime.now(UTC)) is None:
            raise ValueError(f"{value!r} never fires")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class PrivacySettings(Group):
    notice_url: str = ""
    pseudonym_secret: SecretStr = SecretStr("")
    outbox_retention: Duration = timedelta(days=30)

    @field_validator("outbox_retention")
    @classmethod
    def _positive_retention(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be a positive duration, e.g. 30d")
        return value


class BotSettings(Group):
    language: Literal["fr", "en"] = "fr"
    prefix: str = Field(default="!", min_length=1, max_length=3)
    moderators: list[str] = Field(default_factory=list)
    researchers: list[str] = Field(default_factory=list)
    admins: list[str] = Field(default_factory=list)
    moderator_level: int = 50
    admin_level: int = 100
    room_moderators_curate: bool = False
    allow_self_approval: bool = False
    guide_url: str = ""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class MeetingsSettings(Group):
    """`!réunion`: a meeting left open closes itself after `auto_close`."""

    auto_close: Duration = timedelta(hours=4)

    @field_validator("auto_close")
    @classmethod
    def _positive_auto_close(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be positive")
        return value


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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="forbid",
    )

    matrix: MatrixSettings = Field(default_factory=MatrixSettings)
    wiki: WikiSettings = Field(default_factory=WikiSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    bot: BotSettings = Field(default_factory=BotSettings)
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    meetings: MeetingsSettings = Field(default_factory=MeetingsSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Init kwargs carry the TOML file: they rank below .env and the environment.
        return env_settings, dotenv_settings, init_settings


def resolve_config_path(path: Path | None) -> Path:
    """`--config PATH`, else `$CAPIBOT_CONFIG`, else `config/capibot.toml`."""
    if path is not None:
        return path
    env = os.environ.get("CAPIBOT_CONFIG")
    return Path(env) if env else DEFAULT_CONFIG_PATH


def load_settings(path: Path | None = None, *, require_file: bool = False) -> Settings:
    """Load settings; every problem becomes a ConfigError naming the file and the key."""
    config_path = resolve_config_path(path)
    data: dict[str, Any] = {}
    if config_path.exists():
        try:
            data = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{config_path}: not valid TOML: {exc}") from exc
    elif require_file or path is not None:
        raise ConfigError(f"{config_path}: configuration file not found")
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, config_path)) from None


def _describe(exc: ValidationError, config_path: Path) -> str:
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        env_name = ENV_PREFIX + "__".join(str(part).upper() for part in error["loc"])
        msg = error["msg"]
        if error["type"] == "extra_forbidden":
            msg = "unknown key"
        lines.append(f"{config_path}: {key}: {msg} (or environment {env_name})")
    return "\n".join(lines)


def _require_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    return value.rstrip("/") if parts.path in ("", "/") else value
