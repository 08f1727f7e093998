"""wiki_sync against the real MediaWiki: BotPassword login, write, read back, conflicts."""

from __future__ import annotations

import uuid

import pytest

from bot.settings import load_settings
from bot.wiki import wiki_config
from scripts.devstack import StackInfo
from wiki_sync.client import WikiClient
from wiki_sync.errors import EditConflict, WikiAuthError, WikiUnavailable
from wiki_sync.settings import WikiConfig


def _client(stack: StackInfo, **overrides: float | int | str) -> WikiClient:
    config = wiki_config(load_settings(stack.config_path), edit_interval=0)
    values = {f: getattr(config, f) for f in config.__dataclass_fields__}
    values.update(overrides)
    return WikiClient(WikiConfig(**values))  # type: ignore[arg-type]


def test_bot_password_login_write_and_read_back(stack: StackInfo) -> None:
    client = _client(stack)
    client.connect()
    name, rights = client.whoami()
    assert name == "Capibot"
    assert "bot" in rights
    title = f"Essai capibot {uuid.uuid4().hex[:8]}"
    created = client.edit(
        title, "Première version.", "test: création", base_revid=None, create_only=True
    )
    page = client.read(title)
    assert page.exists and page.revid == created.revid
    assert page.text == "Première version."


def test_a_human_edit_since_the_base_revision_is_never_overwritten(stack: StackInfo) -> None:
    bot = _client(stack)
    title = f"Conflit capibot {uuid.uuid4().hex[:8]}"
    first = bot.edit(title, "Ligne du bot.", "création", base_revid=None, create_only=True)
    # Someone else (another session of the bot account here) edits the same line.
    human = _client(stack)
    human.edit(title, "Ligne corrigée à la main.", "humain", base_revid=first.revid)
    with pytest.raises(EditConflict):
        bot.edit(title, "Ligne du bot, nouvelle version.", "mise à jour", base_revid=first.revid)
    assert bot.read(title).text == "Ligne corrigée à la main."


def test_create_only_refuses_an_existing_page(stack: StackInfo) -> None:
    client = _client(stack)
    title = f"Existe {uuid.uuid4().hex[:8]}"
    client.edit(title, "x", "création", base_revid=None, create_only=True)
    with pytest.raises(EditConflict):
        client.edit(title, "y", "création", base_revid=None, create_only=True)


def test_wrong_bot_password_is_an_auth_error(stack: StackInfo) -> None:
    client = _client(stack, password="0" * 32)
    with pytest.raises(WikiAuthError):
        client.connect()


def test_unreachable_wiki_is_retryable_after_bounded_retries(stack: StackInfo) -> None:
    from scripts.devstack.procs import free_port

    slept: list[float] = []
    config = WikiConfig(
        api_url=f"http://127.0.0.1:{free_port()}/api.php", max_retries=3, backoff_base=0.5
    )
    client = WikiClient(config, sleep=slept.append)
    with pytest.raises(WikiUnavailable):
        client.connect()
    assert slept == [0.5, 1.0, 2.0]  # exponential backoff, bounded
