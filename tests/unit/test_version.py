"""One version everywhere (issue 15): `capibot --version`, `!version`, the introduction
and the User-Agent of the bot's HTTP requests all read the package metadata."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest

from bot import version
from bot.app import introduction
from bot.matrix.session import make_client
from bot.settings import Settings
from bot.storage.database import Database
from bot.wiki import wiki_config
from tests.unit.services.test_inbound import _apply, _batch, _msg, _notices, _service

INSTALLED = metadata.version("capibot")


def _settings(language: str, tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {
            "bot": {"language": language},
            "matrix": {"user_id": "@capibot:localhost", "store_path": str(tmp_path / "store")},
            "wiki": {"contact": "ops@example.org"},
        }
    )


def test_the_version_is_the_installed_distributions() -> None:
    assert version.capibot_version() == INSTALLED


def test_a_source_tree_never_installed_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(version, "DISTRIBUTION", "capibot-never-installed")
    assert version.capibot_version() == "0+unknown"


def test_capibot_version_prints_it(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"capibot {INSTALLED}\n"


def test_the_version_command_answers_the_same(db: Database) -> None:
    _apply(db, _service(), _batch("t1", _msg(1, "!version")))
    assert _notices(db)[-1].endswith(f"capibot {INSTALLED}")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_introduction_ends_with_the_version(language: str, tmp_path: Path) -> None:
    assert introduction(_settings(language, tmp_path)).endswith(f"\n\n— capibot {INSTALLED}")


def test_the_wiki_user_agent_names_the_version_and_the_contact(tmp_path: Path) -> None:
    agent = wiki_config(_settings("fr", tmp_path)).user_agent
    assert agent == f"capibot/{INSTALLED} (ops@example.org)"


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    """A plain HTTP server that records the User-Agent of each request."""
    agents: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            agents.append(self.headers.get("User-Agent", ""))
            body = b'{"flows": [{"type": "m.login.password"}]}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", agents
    finally:
        server.shutdown()
        server.server_close()


async def test_the_homeserver_sees_the_version_in_the_user_agent(
    recorder: tuple[str, list[str]], tmp_path: Path
) -> None:
    url, agents = recorder
    settings = _settings("fr", tmp_path)
    client = make_client(settings.matrix.model_copy(update={"homeserver": url}))
    try:
        await client.login_info()
    finally:
        await client.close()
    assert agents == [f"capibot/{INSTALLED}"]
