"""`bot.log_format = "json"`: one JSON object a line, secrets masked as in text mode
(messages, arguments and tracebacks alike)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logging_setup import configure_logging

TOKEN = "syt_c2VjcmV0_abcdefghijklmnop_0a1b2c"
PASSWORD = "hunter2-correct-horse"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def _log_a_leak() -> None:
    log = logging.getLogger("capibot.test")
    log.warning("login to %s with password=%s", "https://hs.example.org", PASSWORD)
    try:
        raise RuntimeError(f"GET /sync?access_token={TOKEN} failed")
    except RuntimeError:
        log.exception("sync failed")


@pytest.mark.usefixtures("restore_logging")
def test_json_lines_carry_the_record_without_its_secrets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", "json")
    _log_a_leak()
    err = capsys.readouterr().err
    assert TOKEN not in err and PASSWORD not in err
    first, second = (json.loads(line) for line in err.splitlines())
    assert first["level"] == "WARNING" and first["logger"] == "capibot.test"
    assert first["message"] == "login to https://hs.example.org with password=***"
    assert first["time"].endswith("+00:00")
    assert second["message"] == "sync failed"
    assert "RuntimeError: GET /sync?access_token=***" in second["exception"]


@pytest.mark.usefixtures("restore_logging")
def test_text_lines_mask_tracebacks_too(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "text")
    _log_a_leak()
    err = capsys.readouterr().err
    assert TOKEN not in err and PASSWORD not in err
    assert "WARNING capibot.test: login to https://hs.example.org with password=***" in err
    assert "access_token=***" in err


def test_the_setting_reaches_the_command_line(tmp_path: Path) -> None:
    """The operator's setting, through the CLI's own settings loader, in a fresh process."""
    empty = tmp_path / "capibot.toml"
    empty.write_text("")
    code = (
        "import logging; from bot.cli_common import settings_or_exit; "
        "settings_or_exit(None); "
        f"logging.getLogger('capibot.x').error('token=%s', {TOKEN!r})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={
            **os.environ,
            "CAPIBOT__BOT__LOG_FORMAT": "json",
            "CAPIBOT_CONFIG": str(empty),  # the environment gives the rest
        },
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stderr.strip().splitlines()[-1])
    assert record == {**record, "level": "ERROR", "message": "token=***"}
    assert TOKEN not in result.stderr
