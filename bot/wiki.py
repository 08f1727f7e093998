"""The bridge from the bot's settings to `wiki_sync`'s plain configuration."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from bot.settings import Settings
from wiki_sync.settings import WikiConfig


def capibot_version() -> str:
    try:
        return version("capibot")
    except PackageNotFoundError:
        return "0+unknown"


def wiki_config(settings: Settings, **overrides: float | int) -> WikiConfig:
    wiki = settings.wiki
    values: dict[str, object] = {
        "api_url": wiki.api_url,
        "username": wiki.username,
        "password": wiki.password.get_secret_value(),
        "consumer_token": wiki.consumer_token,
        "consumer_secret": wiki.consumer_secret.get_secret_value(),
        "access_token": wiki.access_token,
        "access_secret": wiki.access_secret.get_secret_value(),
        "contact": wiki.contact,
        "version": capibot_version(),
        "edit_interval": wiki.edit_interval,
        "max_retries": wiki.max_retries,
        "timeout": wiki.timeout,
    }
    values.update(overrides)
    return WikiConfig(**values)  # type: ignore[arg-type]
