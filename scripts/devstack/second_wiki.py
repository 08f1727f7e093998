"""A second MediaWiki beside the stack's: the network's shared wiki in tests and demos.

Same Debian MediaWiki, its own SQLite database, port and bot account, so a centre's bot
can publish to its own wiki and to the network's at once, as it would in production.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen

from scripts.devstack import mediawiki
from scripts.devstack.procs import free_port, stop_group

BOT_USER = "Reseau"
BOT_APP = "capibot"


@dataclass(frozen=True)
class SecondWiki:
    state_dir: Path
    port: int
    bot_password: str  # the BotPassword secret
    process: Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return f"{self.url}/api.php"

    @property
    def username(self) -> str:
        return f"{BOT_USER}@{BOT_APP}"

    @property
    def local_settings(self) -> Path:
        return self.state_dir / "LocalSettings.php"

    def stop(self) -> None:
        stop_group(self.process.pid, str(self.state_dir))


def _secret(length: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def start_second_wiki(state_dir: Path) -> SecondWiki:
    """Install (once) and start a wiki in `state_dir`; the caller stops it."""
    port = free_port(None)
    local_settings = mediawiki.install(state_dir, port, _secret(24))
    bot_password = _secret(32, "0123456789abcdefghijklmnopqrstuv")
    mediawiki.create_bot(local_settings, BOT_USER, _secret(24), BOT_APP, bot_password)
    process = mediawiki.start(state_dir, port, local_settings)
    return SecondWiki(state_dir.resolve(), port, bot_password, process)
