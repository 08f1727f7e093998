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
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from wiki_sync.errors import TitleError
from wiki_sync.mapping import (
    DEFAULT_FICHE_CATEGORY,
    DEFAULT_PARAMETERS,
    DEFAULT_TEMPLATE,
    WikiMapping,
    duplicates,
    parameter_problem,
)
from wiki_sync.titles import page_title_from

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
        return _require_http_url(value)


def _page_name(value: str) -> str:
    """A name the wiki accepts as a page title (template, category)."""
    if not value.strip():
        raise ValueError("must not be empty")
    try:
        page_title_from(value)
    except TitleError as exc:
        raise ValueError(f"{value!r} is not a usable page name ({exc})") from None
    return value.strip()


class TemplateParameters(Group):
    """The fiche template's parameter names, to map capibot onto a template of one's own."""

    title: str = DEFAULT_PARAMETERS["title"]
    context: str = DEFAULT_PARAMETERS["context"]
    action: str = DEFAULT_PARAMETERS["action"]
    results: str = DEFAULT_PARAMETERS["results"]
    lessons: str = DEFAULT_PARAMETERS["lessons"]
    themes: str = DEFAULT_PARAMETERS["themes"]
    territory: str = DEFAULT_PARAMETERS["territory"]
    resources: str = DEFAULT_PARAMETERS["resources"]
    room: str = DEFAULT_PARAMETERS["room"]
    case: str = DEFAULT_PARAMETERS["case"]
    version: str = DEFAULT_PARAMETERS["version"]
    approved_by: str = DEFAULT_PARAMETERS["approved_by"]
    approved_on: str = DEFAULT_PARAMETERS["approved_on"]
    centre: str = DEFAULT_PARAMETERS["centre"]

    @field_validator("*")
    @classmethod
    def _usable(cls, value: str) -> str:
        problem = parameter_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _distinct(self) -> TemplateParameters:
        clashes = duplicates(self.model_dump())
        if clashes:
            first, second, name = clashes[0]
            raise ValueError(f"{first} and {second} are both the parameter {name!r}")
        return self


class WikiCategories(Group):
    """Category names besides the fiches' own (`wiki.category`); "": the bot language's."""

    withdrawn: str = ""
    themes: str = ""
    territories: str = ""
    functions: str = ""

    @field_validator("*")
    @classmethod
    def _usable(cls, value: str) -> str:
        return value if value == "" else _page_name(value)


#: `WikiMapping.categories()` role -> the setting that names it.
_CATEGORY_KEYS = {
    "fiches": "wiki.category",
    "withdrawn": "wiki.categories.withdrawn",
    "theme": "wiki.categories.themes",
    "territory": "wiki.categories.territories",
    "function": "wiki.categories.functions",
}


class WikiSettings(Group):
    api_url: str = "http://127.0.0.1:8089/api.php"
    username: str = "Capibot@capibot"
    password: SecretStr = SecretStr("")
    consumer_token: str = ""
    consumer_secret: SecretStr = SecretStr("")
    access_token: str = ""
    access_secret: SecretStr = SecretStr("")
    contact: str = "admin@example.org"
    template: str = DEFAULT_TEMPLATE
    category: str = DEFAULT_FICHE_CATEGORY
    template_parameters: TemplateParameters = Field(
        default_factory=TemplateParameters,
        description="Table `[wiki.template_parameters]`: the template's parameter name of "
        "each fiche field (title, context, action, results, lessons, themes, territory, "
        "resources) and of what the bot adds (room, case, version, approved_by, "
        "approved_on); distinct, non-empty, without | = { } [ ].",
    )
    categories: WikiCategories = Field(
        default_factory=WikiCategories,
        description="Table `[wiki.categories]`: names of the withdrawn fiches' category "
        "(withdrawn) and of the parents of theme, territory and function categories "
        '(themes, territories, functions); "" is the bot language\'s name (« Fiches '
        "retirées », « Thèmes »… / “Withdrawn fiches”, “Themes”…); all distinct.",
    )
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

    @field_validator("template", "category")
    @classmethod
    def _page_name(cls, value: str) -> str:
        return _page_name(value)

    @property
    def uses_oauth(self) -> bool:
        return bool(self.consumer_token)

    def mapping(self, language: str) -> WikiMapping:
        """The names pages are rendered with (`wiki_sync.mapping`)."""
        return WikiMapping(
            template=self.template,
            parameters=self.template_parameters.model_dump(),
            fiche_category=self.category,
            withdrawn_category=self.categories.withdrawn,
            kind_categories={
                "theme": self.categories.themes,
                "territory": self.categories.territories,
                "function": self.categories.functions,
            },
            language=language,
        )


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
    network_pseudonym_secret: SecretStr = SecretStr("")
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
    language_model: bool = True
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"


class MetricsSettings(Group):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=9464, ge=1, le=65535)
    sync_stale_after: Duration = timedelta(minutes=2)

    @field_validator("sync_stale_after")
    @classmethod
    def _positive_stale_after(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be a positive duration, e.g. 2m")
        return value


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
                f"{_CATEGORY_KEYS[first]} and {_CATEGORY_KEYS[second]} both name the "
                f"category {name!r}"
            )
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


def _require_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    return value.rstrip("/") if parts.path in ("", "/") else value
