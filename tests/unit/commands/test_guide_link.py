"""`bot.guide_url` (issue 16, item 5): the introduction and `!aide` end with a link to
the guide for the people in the rooms when one is set, and say nothing of it otherwise."""

from __future__ import annotations

import pytest

from bot.app import introduction
from bot.settings import Settings
from bot.storage.database import Database
from bot.version import capibot_version
from tests.unit.services.test_inbound import _apply, _batch, _msg, _notices, _service

GUIDE = "https://wiki.exemple.org/Guide_capibot"


def _settings(language: str, guide_url: str = "") -> Settings:
    return Settings.model_validate(
        {
            "bot": {"language": language, "guide_url": guide_url},
            "matrix": {"user_id": "@capibot:localhost"},
        }
    )


@pytest.mark.parametrize(
    ("lang", "line"),
    [("fr", f"Le guide d'utilisation : {GUIDE}"), ("en", f"The user guide: {GUIDE}")],
)
def test_the_introduction_ends_with_the_guide_when_set(lang: str, line: str) -> None:
    signature = f"\n\n— capibot {capibot_version()}"  # the version closes the intro
    text = introduction(_settings(lang, GUIDE)).removesuffix(signature)
    assert text.endswith(f"\n\n{line}")
    assert text.startswith(introduction(_settings(lang)).removesuffix(signature))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_introduction_has_no_guide_line_when_unset(lang: str) -> None:
    text = introduction(_settings(lang)).removesuffix(f"\n\n— capibot {capibot_version()}")
    assert "guide" not in text.lower()
    assert text.endswith("!aide." if lang == "fr" else "!help.")


@pytest.mark.parametrize("command", ["!aide", "!aide tout", "!aide fiche"])
def test_help_ends_with_the_guide_when_set(db: Database, command: str) -> None:
    service = _service()
    service.settings.bot.guide_url = GUIDE
    _apply(db, service, _batch("t1", _msg(1, command)))
    reply = _notices(db)[-1]
    assert reply.endswith(f"\n\nLe guide d'utilisation : {GUIDE}")


@pytest.mark.parametrize("command", ["!aide", "!aide tout", "!aide fiche"])
def test_help_has_no_guide_line_when_unset(db: Database, command: str) -> None:
    _apply(db, _service(), _batch("t1", _msg(1, command)))
    assert "guide" not in _notices(db)[-1].lower()


def test_help_in_english_links_the_guide(db: Database) -> None:
    service = _service("en")
    service.settings.bot.guide_url = GUIDE
    _apply(db, service, _batch("t1", _msg(1, "!help")))
    assert _notices(db)[-1].endswith(f"\n\nThe user guide: {GUIDE}")
