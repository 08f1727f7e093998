"""A missing config file is an error, unless the environment alone configures the bot."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import ConfigError, load_settings

COMPLETE = {
    "CAPIBOT__MATRIX__HOMESERVER": "https://matrix.example.net",
    "CAPIBOT__MATRIX__USER_ID": "@capibot:example.net",
    "CAPIBOT__MATRIX__PASSWORD": "pw",
    "CAPIBOT__WIKI__API_URL": "https://wiki.example.net/w/api.php",
    "CAPIBOT__WIKI__USERNAME": "Capibot@capibot",
    "CAPIBOT__WIKI__PASSWORD": "x" * 32,
    "CAPIBOT__DATABASE__URL": "sqlite:////var/lib/capibot/capibot.db",
}


@pytest.fixture
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory and no capibot variable in the environment."""
    import os

    for name in list(os.environ):
        if name.upper().startswith("CAPIBOT"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_no_file_and_no_environment_names_the_default_path_and_what_is_missing(
    bare: Path,
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith("config/capibot.toml: configuration file not found")
    assert "CAPIBOT__MATRIX__PASSWORD" in message and "CAPIBOT__DATABASE__URL" in message
    assert not list(bare.iterdir())  # nothing created


def test_an_environment_that_gives_every_required_setting_needs_no_file(
    bare: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in COMPLETE.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.matrix.user_id == "@capibot:example.net"
    assert settings.database.url == COMPLETE["CAPIBOT__DATABASE__URL"]


def test_dotenv_counts_as_the_environment(bare: Path) -> None:
    (bare / ".env").write_text("".join(f"{k}={v}\n" for k, v in COMPLETE.items()))
    assert load_settings().wiki.api_url == COMPLETE["CAPIBOT__WIKI__API_URL"]


def test_an_oauth_consumer_is_a_complete_wiki_login(
    bare: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    oauth = {k: v for k, v in COMPLETE.items() if "WIKI__USERNAME" not in k}
    del oauth["CAPIBOT__WIKI__PASSWORD"]
    for name in ("CONSUMER_TOKEN", "CONSUMER_SECRET", "ACCESS_TOKEN", "ACCESS_SECRET"):
        oauth[f"CAPIBOT__WIKI__{name}"] = "t"
    for name, value in oauth.items():
        monkeypatch.setenv(name, value)
    assert load_settings().wiki.uses_oauth


@pytest.mark.parametrize("absent", sorted(COMPLETE))
def test_one_required_setting_missing_is_named(
    bare: Path, monkeypatch: pytest.MonkeyPatch, absent: str
) -> None:
    for name, value in COMPLETE.items():
        if name != absent:
            monkeypatch.setenv(name, value)
    monkeypatch.setenv(absent, "")  # set but empty is not given
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert absent in str(caught.value)


def test_capibot_config_naming_a_missing_file_is_an_error_even_with_a_full_environment(
    bare: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in COMPLETE.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CAPIBOT_CONFIG", str(bare / "etc" / "capibot.toml"))
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(bare / "etc" / "capibot.toml") in str(caught.value)
    assert "$CAPIBOT_CONFIG" in str(caught.value)


def test_config_option_naming_a_missing_file_is_an_error_even_with_a_full_environment(
    bare: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in COMPLETE.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(Path("nowhere.toml"))
    assert "nowhere.toml" in str(caught.value) and "--config" in str(caught.value)
