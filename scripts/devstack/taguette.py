"""Taguette (a free web QDA tool researchers use) from PyPI in its own virtualenv, started
single-user on a free loopback port: the tests import capibot's codebook CSV into it.

Taguette pins old libraries (SQLAlchemy 1.4, alembic < 1.9) that clash with capibot's,
hence a virtualenv of its own, like Synapse's, in the same cache directory.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from scripts.devstack.procs import free_port, start_group, stop_group, wait_http
from scripts.devstack.tool_venv import ensure_tool_venv

TAGUETTE_REQUIREMENT = "taguette==1.5.2"

# Taguette asks msg.taguette.org for news as it starts, and the test machines reach no
# host but the package registries: this launcher answers "no news" in its place (what
# Taguette shows when there are none), then runs Taguette's own command line unchanged.
_LAUNCHER = """\
import sys
from taguette.web.base import Application

async def _no_news(self):
    self.messages_event.set()

Application._check_messages = _no_news
from taguette.main import main
sys.argv[0] = "taguette"
main()
"""
_TOKEN = re.compile(r"\?token=([0-9a-f]+)")


def ensure_installed() -> Path:
    """Create the Taguette virtualenv once (from PyPI); returns its python."""
    return ensure_tool_venv("taguette-venv", TAGUETTE_REQUIREMENT)


@dataclass(frozen=True)
class Taguette:
    """A running single-user Taguette: open `login_url` to be its user (`admin`)."""

    state_dir: Path
    port: int
    token: str
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def login_url(self) -> str:
        return f"{self.url}/?token={self.token}"

    def stop(self) -> None:
        stop_group(self.process.pid, str(self.state_dir))


def start(state_dir: Path, *, timeout: float = 60) -> Taguette:
    """Start Taguette as a researcher does on their own computer (`taguette`, no browser),
    its database in `state_dir`; the caller stops it."""
    python = ensure_installed()
    state_dir = state_dir.resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    port = free_port(None)
    log = state_dir / "taguette.log"
    argv = [str(python), "-c", _LAUNCHER, "--no-browser", "--bind", "127.0.0.1"]
    argv += ["--port", str(port), "--database", str(state_dir / "taguette.sqlite3")]
    env = {"HOME": str(state_dir), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    process = start_group(argv, log=log, env=env, cwd=state_dir)
    try:
        wait_http(f"http://127.0.0.1:{port}/health", timeout=timeout, process=process, log=log)
        token = _join_token(log, deadline=time.monotonic() + 10)
    except BaseException:
        stop_group(process.pid, str(state_dir))
        raise
    return Taguette(state_dir, port, token, process)


def _join_token(log: Path, *, deadline: float) -> str:
    """The single-user token of the link Taguette prints (a new one at every start)."""
    while True:
        found = _TOKEN.search(log.read_text(errors="replace"))
        if found:
            return found.group(1)
        if time.monotonic() > deadline:
            raise RuntimeError(f"Taguette printed no login link; see {log}")
        time.sleep(0.1)
