"""Settings: TOML, .env and environment precedence; errors that name key and file."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.logging_setup import SecretFilter, redact
from bot.settings import ConfigError, Settings, load_settings


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "capibot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_toml_values_and_durations_are_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[schedule]\nsummary_after = "36h"\nreminders = ["2d", "1w"]\n'
        '[wiki]\npassword = "s3cr3t"\nedit_interval = 0\n',
    )
    settings = load_settings(path)
    assert settings.schedule.summary_after == timedelta(hours=36)
    assert settings.schedule.reminders == [timedelta(days=2), timedelta(weeks=1)]
    assert settings.wiki.edit_interval == 0
    assert settings.wiki.password.get_secret_value() == "s3cr3t"
    assert "s3cr3t" not in repr(settings) and "s3cr3t" not in str(settings)


def test_environment_wins_over_dotenv_which_wins_over_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, '[bot]\nlanguage = "fr"\nprefix = "!"\n[wiki]\ncontact = "toml"\n')
    (tmp_path / ".env").write_text("CAPIBOT__BOT__PREFIX=?\nCAPIBOT__WIKI__CONTACT=dotenv\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CAPIBOT__WIKI__CONTACT", "env")
    settings = load_settings(path)
    assert settings.bot.prefix == "?"  # .env beats TOML
    assert settings.wiki.contact == "env"  # environment beats .env
    assert settings.bot.language == "fr"


def test_config_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, '[bot]\nlanguage = "en"\n')
    monkeypatch.setenv("CAPIBOT_CONFIG", str(path))
    assert load_settings().bot.language == "en"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[wiki]\nedit_interval = "souvent"\n', "wiki.edit_interval"),
        ('[matrix]\nuser_id = "capibot"\n', "matrix.user_id"),
        ('[matrix]\nhomeserver = "ftp://x"\n', "matrix.homeserver"),
        ('[schedule]\ntimezone = "Mars/Olympus"\n', "schedule.timezone"),
        ('[schedule]\ndigest_cron = "tous les lundis"\n', "schedule.digest_cron"),
        ('[bot]\nlanguage = "de"\n', "bot.language"),
        ('[bot]\nlangue = "fr"\n', "bot.langue"),
        ('[wiki]\ntemplate = " "\n', "wiki.template"),
        ('[wiki.template_parameters]\ntitle = ""\n', "wiki.template_parameters.title"),
        ('[wiki.template_parameters]\ncase = "n|o"\n', "wiki.template_parameters.case"),
        ('[wiki.template_parameters]\ntitel = "t"\n', "wiki.template_parameters.titel"),
        (
            '[wiki.template_parameters]\ntitle = "contexte"\n',
            "wiki.template_parameters: Value error, title and context are both",
        ),
        ('[wiki.categories]\nthemes = "  "\n', "wiki.categories.themes"),
        (
            '[wiki.categories]\nwithdrawn = "fiches d\'expérience"\n',
            "wiki.category and wiki.categories.withdrawn both name",
        ),
        (
            '[bot]\nlanguage = "en"\n[wiki.categories]\nfunctions = "Themes"\n',
            "wiki.categories.themes and wiki.categories.functions both name",
        ),
    ],
)
def test_errors_name_the_file_and_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert str(path) in message and key in message


def test_invalid_toml_and_missing_file_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(_write(tmp_path, "[wiki\n"))
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "absent.toml")


def test_example_config_is_valid_and_documents_every_key() -> None:
    example = Path(__file__).parents[3] / "config" / "capibot.example.toml"
    settings = load_settings(example)
    text = example.read_text(encoding="utf-8")
    for section, model in settings:
        for key in type(model).model_fields:
            documented = (f"\n{key} =", f"\n# {key} =", f"\n[{section}.{key}]")
            assert any(d in text for d in documented), f"{section}.{key} undocumented"


def test_secrets_are_masked_in_log_records() -> None:
    record = logging.LogRecord(
        "nio",
        logging.INFO,
        __file__,
        1,
        "GET /sync?access_token=syt_YWxpY2U_abcdef&since=1 password=hunter2",
        None,
        None,
    )
    SecretFilter().filter(record)
    message = record.getMessage()
    assert "syt_YWxpY2U_abcdef" not in message and "hunter2" not in message
    assert redact('{"lgpassword": "abc123"}') == '{"lgpassword": "***"}'


@pytest.mark.parametrize(
    "cron",
    [
        "61 9 * * mon",  # minute out of range
        "0 25 * * *",  # hour out of range
        "0 9 * * 8",  # weekday numbers go up to 7 (Sunday)
        "0 9 * * 1-9",
        "0 9 * * funday",
        "0 9 * * 0-6/0",  # a step of zero
        "0 9 * 13 *",
        "0 9 31 2 *",  # never fires
    ],
)
def test_a_digest_cron_that_cannot_be_scheduled_is_a_config_error(
    tmp_path: Path, cron: str
) -> None:
    path = _write(tmp_path, f'[schedule]\ndigest_cron = "{cron}"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "schedule.digest_cron" in message and cron in message
    assert "\n" not in message  # one line


@pytest.mark.parametrize(
    "cron",
    ["0 9 * * mon", "0 9 * * 1", "0 9 * * 0", "0 9 * * 7", "30 8 * * 1-5/2", "0 9 1 * *"],
)
def test_valid_digest_crons_are_kept_as_written(tmp_path: Path, cron: str) -> None:
    path = _write(tmp_path, f'[schedule]\ndigest_cron = "{cron}"\n')
    assert load_settings(path).schedule.digest_cron == cron


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("matrix", "key_wait"),
        ("schedule", "timer_retention"),
        ("privacy", "outbox_retention"),
        ("metrics", "sync_stale_after"),
        ("meetings", "auto_close"),
    ],
)
@pytest.mark.parametrize("value", ["0s", "0h", -60])
def test_waits_and_retentions_must_be_positive(section: str, key: str, value: object) -> None:
    """A zero wait would fire at once and forever; a zero retention would purge at once."""
    with pytest.raises(ValidationError, match="positive duration"):
        Settings(**{section: {key: value}})
