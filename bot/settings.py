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
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.settings_base import Duration, Group, PositiveDuration, parse_duration, require_http_url
from bot.settings_features import MeetingsSettings, MetricsSettings, NetworkSettings
from bot.settings_wiki import CATEGORY_KEYS, NetworkWikiSettings, WikiSettings
from wiki_sync.mapping import duplicates

__all__ = [
    "ConfigError",
    "Duration",
    "Group",
    "MeetingsSettings",
    "MetricsSettings",
    "NetworkSettings",
    "NetworkWikiSettings",
    "Settings",
    "WikiSettings",
    "load_settings",
    "parse_duration",
]

DEFAULT_CONFIG_PATH = Path("config/capibot.toml")
ENV_PREFIX = "CAPIBOT__"


class ConfigError(Exception):
    """A configuration problem, phrased for the operator: names the file and the key."""


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
    key_wait: PositiveDuration = timedelta(hours=24)

    #: the documentation team's room (`!question` asks it); empty: `!chercher` proposes
    #: no question when no fiche answers
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
        return require_http_url(value)


class DatabaseSettings(Group):
    url: str = "sqlite:///data/capibot.db"


class ScheduleSettings(Group):
    summary_after: Duration = timedelta(hours=24)
    reminders: list[Duration] = Field(
        default_factory=lambda: [timedelta(days=3), timedelta(days=7)]
    )
    digest_cron: str = "0 9 * * mon"
    timezone: str = "Europe/Paris"
    timer_retention: PositiveDuration = timedelta(days=30)

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
    network_pseudonym_secret: SecretStr = SecretStr("")
    outbox_retention: PositiveDuration = timedelta(days=30)


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
    language_model: bool = True
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"


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
    network_wiki: NetworkWikiSettings = Field(default_factory=NetworkWikiSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    bot: BotSettings = Field(default_factory=BotSettings)
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    meetings: MeetingsSettings = Field(default_factory=MeetingsSettings)

    @model_validator(mode="after")
    def _distinct_categories(self) -> Settings:
        """Two roles in one category would mix withdrawn and live fiches, or themes
        and territories: refused, naming both keys (defaults are the language's)."""
        names = self.wiki.mapping(self.bot.language).categories()
        clashes = duplicates(names)
        if clashes:
            first, second, name = clashes[0]
            raise ValueError(
                f"{CATEGORY_KEYS[first]} and {CATEGORY_KEYS[second]} both name the "
                f"category {name!r}"
            )
        return self

    @model_validator(mode="after")
    def _network_wiki_needs_centre(self) -> Settings:
        """On the shared wiki, pages are owned by (centre, case): no centre, no owner."""
        if self.network_wiki.enabled and not self.network.centre:
            raise ValueError("network_wiki.api_url is set: network.centre must be set too")
        return self

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


#: What a first start needs and has no usable default: without a config file, the
#: environment (or `.env`) must give all of these (the wiki login: one of the two sets).
REQUIRED_ENV = (
    "matrix.homeserver",
    "matrix.user_id",
    "wiki.api_url",
    "database.url",
)
#: the bot logs in to Matrix with its password, or with a token made elsewhere (SSO)
MATRIX_LOGINS = (("matrix.password",), ("matrix.access_token",))
WIKI_LOGINS = (
    ("wiki.username", "wiki.password"),
    ("wiki.consumer_token", "wiki.consumer_secret", "wiki.access_token", "wiki.access_secret"),
)


def env_name(key: str) -> str:
    """`matrix.user_id` -> `CAPIBOT__MATRIX__USER_ID`."""
    return ENV_PREFIX + "__".join(part.upper() for part in key.split("."))


def resolve_config_path(path: Path | None) -> Path:
    """`--config PATH`, else `$CAPIBOT_CONFIG`, else `config/capibot.toml`."""
    if path is not None:
        return path
    env = os.environ.get("CAPIBOT_CONFIG")
    return Path(env) if env else DEFAULT_CONFIG_PATH


def missing_from_environment(dotenv: Path = Path(".env")) -> list[str]:
    """The required settings neither the environment nor `.env` gives (variable names)."""
    from dotenv import dotenv_values

    given = {name.upper() for name, value in os.environ.items() if value}
    if dotenv.is_file():
        given |= {name.upper() for name, value in dotenv_values(dotenv).items() if value}
    missing = [env_name(key) for key in REQUIRED_ENV if env_name(key) not in given]
    for ways in (MATRIX_LOGINS, WIKI_LOGINS):
        logins = [[env_name(key) for key in keys if env_name(key) not in given] for keys in ways]
        if all(logins):
            missing += logins[0]  # no way complete: name the first (the usual one)
    return missing


def load_settings(path: Path | None = None) -> Settings:
    """Load settings; every problem becomes a ConfigError naming the file and the key.

    A missing file is an error: running on defaults (example.org, ./data) looks like
    success and is not. The one exception: no `--config`, no `$CAPIBOT_CONFIG`, and the
    environment alone gives every required setting (a container configured by variables).
    """
    config_path = resolve_config_path(path)
    data: dict[str, Any] = {}
    if config_path.exists():
        try:
            data = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{config_path}: not valid TOML: {exc}") from exc
    elif path is not None or os.environ.get("CAPIBOT_CONFIG"):
        source = "--config" if path is not None else "$CAPIBOT_CONFIG"
        raise ConfigError(f"{config_path}: configuration file not found (named by {source})")
    else:
        missing = missing_from_environment()
        if missing:
            raise ConfigError(
                f"{config_path}: configuration file not found: copy "
                "config/capibot.example.toml there, or pass --config PATH, or set "
                "$CAPIBOT_CONFIG; or give every required setting in the environment "
                f"(missing: {', '.join(missing)})"
            )
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, config_path)) from None


def _describe(exc: ValidationError, config_path: Path) -> str:
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        variable = env_name(key)
        msg = error["msg"]
        if error["type"] == "extra_forbidden":
            msg = "unknown key"
        if not key:  # a rule across sections: its message names the keys
            lines.append(f"{config_path}: {msg}")
            continue
        lines.append(f"{config_path}: {key}: {msg} (or environment {variable})")
    return "\n".join(lines)
