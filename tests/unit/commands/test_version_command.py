"""`!version`, the command added by following docs/architecture.md's recipe."""

from __future__ import annotations

from importlib import metadata

from bot.commands.about import Version
from bot.commands.parser import parse
from bot.commands.registry import help_text, lookup
from bot.domain.permissions import Role
from bot.i18n import t


def test_version_is_declared_parsed_and_listed_for_everyone() -> None:
    spec = lookup("VERSION")
    assert spec is not None and spec.role is Role.EVERYONE
    assert parse("!version") == Version()
    assert "!version" in help_text("fr", {Role.EVERYONE})


def test_version_takes_no_argument() -> None:
    result = parse("!version 2")
    assert not isinstance(result, Version)


def test_reply_names_the_installed_version() -> None:
    installed = metadata.version("capibot")
    assert t("fr", "version.reply", version=installed) == f"capibot {installed}"
