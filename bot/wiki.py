"""The bridge from the bot to `wiki_sync`: its plain configuration from the bot's
settings, and what its errors mean to the bot's outbox."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from bot.domain.models import Outcome
from bot.settings import Settings
from wiki_sync.errors import WikiAuthError, WikiError, WikiPermissionError
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


def classify_wiki_error(exc: BaseException) -> Outcome | None:
    """The outbox outcome of a `wiki_sync` error (None: not one), by class: a refused
    login or a missing right waits for an operator, a `retryable` error (the wiki away)
    is waited for, any other (conflict, title, render, an error answer) fails for good."""
    if isinstance(exc, WikiAuthError):
        return Outcome.LOGIN_REFUSED
    if isinstance(exc, WikiPermissionError):
        return Outcome.RIGHT_MISSING
    if isinstance(exc, WikiError):
        return Outcome.UNAVAILABLE if exc.retryable else Outcome.FAILED
    return None
