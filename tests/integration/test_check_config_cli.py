"""Configuration that cannot silently be wrong (issue 15): a missing file, placeholders,
the rate limit, a second bot on one store, and a `check` that leaves everything as it was.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.matrix.session import SESSION_FILE
from bot.matrix.store_lock import LOCK_FILE, StoreLocked, store_lock
from scripts.devstack import StackInfo
from scripts.devstack.procs import http_json, terminate
from scripts.devstack.synapse import SERVER_NAME, register_user
from tests.integration.helpers import user_client

#: The subprocesses see no capibot variable of the test run's own environment.
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.upper().startswith("CAPIBOT")}


def capibot(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**CLEAN_ENV, **(env or {})},
    )


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under `root`: size and modification time (ns)."""
    return {
        str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
    }


def stack_config(stack: StackInfo, folder: Path, data: str, **replace: str) -> Path:
    """The stack's config with its database and store under `data` (relative paths are
    relative to the working directory), and some values replaced."""
    text = stack.config_path.read_text().replace(str(Path(stack.state_dir) / "bot"), data)
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path = folder / "capibot.toml"
    path.write_text(text)
    return path


# -- a missing configuration file ---------------------------------------------------------


@pytest.mark.parametrize("command", ["check", "run"])
def test_no_config_file_exits_2_naming_the_default_path_and_creates_nothing(
    tmp_path: Path, command: str
) -> None:
    result = capibot(tmp_path, command)
    assert result.returncode == 2, result.stdout + result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("FAIL config: config/capibot.toml: configuration file not found")
    assert "CAPIBOT__MATRIX__PASSWORD" in line  # what an environment-only setup lacks
    assert "OK" not in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_capibot_config_naming_a_missing_file_exits_2_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "etc" / "capibot.toml"
    result = capibot(tmp_path, "check", env={"CAPIBOT_CONFIG": str(missing)})
    assert result.returncode == 2, result.stdout + result.stderr
    assert str(missing) in result.stderr and "$CAPIBOT_CONFIG" in result.stderr


def test_config_option_naming_a_missing_file_exits_2_naming_it(tmp_path: Path) -> None:
    result = capibot(tmp_path, "check", "--config", "typo.toml")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "typo.toml: configuration file not found" in result.stderr


# -- `check` creates nothing, logs in without leaving a device -----------------------------


@pytest.mark.parametrize("research_room", ["", "#no-such-room:localhost"])
def test_check_creates_no_file_and_leaves_no_device(
    stack: StackInfo, tmp_path: Path, research_room: str
) -> None:
    """Also when the check stops at a room alias that does not resolve (after its login)."""
    room = f'[matrix]\nresearch_room = "{research_room}"\n'
    # ./data/capibot.db, ./data/matrix: relative to the working directory
    config = stack_config(stack, tmp_path, "data", **{"[matrix]\n": room})
    before = snapshot(tmp_path)

    async def devices() -> set[str]:
        client = await user_client(stack, "bot")
        try:
            response = await client.devices()
            return {device.id for device in response.devices} - {client.device_id}
        finally:
            await client.logout()
            await client.close()

    devices_before = asyncio.run(devices())
    result = capibot(tmp_path, "check", "--config", str(config))
    lines = result.stdout.splitlines()
    assert "FAIL database: data/capibot.db: database missing: run `capibot migrate`" in lines
    [homeserver] = [line for line in lines if " homeserver: " in line]
    if research_room:
        assert result.returncode == 2, result.stdout + result.stderr
        assert homeserver.startswith("FAIL homeserver: logged in, but matrix.research_room")
    else:
        assert result.returncode == 6, result.stdout + result.stderr
        assert homeserver.startswith("OK   homeserver:") and "password accepted" in homeserver
    assert snapshot(tmp_path) == before  # no ./data, no SQLite file, no session, no store
    assert asyncio.run(devices()) == devices_before  # the check's own login was logged out


def test_placeholders_and_empty_settings_are_warnings_not_failures(
    stack: StackInfo, tmp_path: Path
) -> None:
    config = stack_config(
        stack,
        tmp_path,
        str(tmp_path / "data"),
        **{'contact = "capibot-demo@localhost"': 'contact = "admin@example.org"'},
    )
    text = config.read_text()
    notice = next(line for line in text.splitlines() if line.startswith("notice_url"))
    config.write_text(text.replace(notice, 'notice_url = ""'))
    migrate = capibot(tmp_path, "migrate", "--config", str(config))
    assert migrate.returncode == 0, migrate.stderr
    result = capibot(tmp_path, "check", "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"OK   config: loaded from {config}"
    warnings = [line for line in lines if line.startswith("WARN config: ")]
    assert any(
        "wiki.contact = 'admin@example.org' is the example's placeholder" in w for w in warnings
    )
    for key in ("privacy.notice_url", "matrix.moderation_room", "matrix.research_room"):
        assert any(w.startswith(f"WARN config: {key} is empty: ") for w in warnings), key
    assert not any("pseudonym_secret" in w for w in warnings)  # the stack's is set
    for subject in ("homeserver", "wiki", "database"):
        assert any(line.startswith(f"OK   {subject}:") for line in lines), subject


# -- one bot per store ---------------------------------------------------------------------


def test_run_refuses_a_store_another_process_holds_and_touches_nothing(tmp_path: Path) -> None:
    store = tmp_path / "matrix"
    config = tmp_path / "capibot.toml"
    config.write_text(
        f'[matrix]\nstore_path = "{store}"\n[database]\nurl = "sqlite:///{tmp_path}/bot.db"\n'
    )
    with store_lock(store):
        before = snapshot(tmp_path)
        result = capibot(tmp_path, "run", "--config", str(config))
        assert snapshot(tmp_path) == before
    assert result.returncode == 7, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"capibot cannot start: {store} is in use by another capibot")
    assert f"(pid {os.getpid()})" in line


@pytest.fixture
def running_bot(stack: StackInfo, tmp_path: Path) -> Iterator[tuple[Path, Path, int]]:
    """A real `capibot run` on the stack with its own store: (config, store, pid)."""
    config = stack_config(stack, tmp_path, str(tmp_path / "data"))
    store = tmp_path / "data" / "matrix"
    log = (tmp_path / "bot.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        cwd=tmp_path,
        env=CLEAN_ENV,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        lock = store / LOCK_FILE
        while not (
            (store / SESSION_FILE).exists()
            and lock.exists()
            and lock.read_text().strip() == str(process.pid)
        ):
            assert process.poll() is None, (tmp_path / "bot.log").read_text()
            assert time.monotonic() < deadline, "the bot did not log in within 90 s"
            time.sleep(0.2)
        yield config, store, process.pid
    finally:
        terminate(process)
        log.close()


def test_a_second_bot_on_a_running_bots_store_refuses_and_check_leaves_it_alone(
    running_bot: tuple[Path, Path, int], tmp_path: Path
) -> None:
    config, store, pid = running_bot
    second = capibot(tmp_path, "run", "--config", str(config))
    assert second.returncode == 7, second.stdout + second.stderr
    assert f"is in use by another capibot (pid {pid})" in second.stderr
    with pytest.raises(StoreLocked), store_lock(store):
        pytest.fail("the lock of a running bot was taken")
    # `check` runs beside the bot: its stored token, no lock, no crypto store opened
    beside = capibot(tmp_path, "check", "--config", str(config))
    assert beside.returncode == 0, beside.stdout + beside.stderr
    assert "(stored session, device " in beside.stdout
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while True:  # the lock is free once the bot has stopped
        try:
            with store_lock(store):
                break
        except StoreLocked:
            assert time.monotonic() < deadline, "the bot kept its lock after SIGTERM"
            time.sleep(0.2)
    before = snapshot(tmp_path / "data")
    after_stop = capibot(tmp_path, "check", "--config", str(config))
    assert after_stop.returncode == 0, after_stop.stdout + after_stop.stderr
    assert snapshot(tmp_path / "data") == before  # store, session, database: untouched


# -- the homeserver's rate limit -----------------------------------------------------------


def _admin_call(stack: StackInfo, token: str, path: str, method: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{stack.homeserver}{path}", data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read().decode() or "{}")


@pytest.fixture
def server_admin(stack: StackInfo) -> tuple[str, str, str]:
    """A Synapse server admin of the stack: (user id, password, access token)."""
    password = hashlib.sha256(f"admin:{stack.registration_secret}".encode()).hexdigest()[:24]
    register_user(
        stack.homeserver, stack.registration_secret, "capiadmin", password, "Admin", admin=True
    )
    user_id = f"@capiadmin:{SERVER_NAME}"
    login = http_json(
        f"{stack.homeserver}/_matrix/client/v3/login",
        {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user_id},
            "password": password,
        },
    )
    return user_id, password, login["access_token"]


def _override(user_id: str) -> str:
    return f"/_synapse/admin/v1/users/{user_id}/override_ratelimit"


def _rate_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    [line] = [line for line in result.stdout.splitlines() if " rate limit: " in line]
    return line


def test_an_admin_bot_sees_its_rate_limit_until_it_is_exempted(
    stack: StackInfo, tmp_path: Path, server_admin: tuple[str, str, str]
) -> None:
    user_id, password, token = server_admin
    bot = stack.user("bot")
    config = stack_config(
        stack,
        tmp_path,
        str(tmp_path / "data"),
        **{f'"{bot.user_id()}"': f'"{user_id}"', f'"{bot.password}"': f'"{password}"'},
    )
    assert capibot(tmp_path, "migrate", "--config", str(config)).returncode == 0
    path = _override(user_id)
    try:
        _admin_call(stack, token, path, "DELETE")
        line = _rate_line(capibot(tmp_path, "check", "--config", str(config)))
        assert line.startswith("WARN rate limit: ") and "no override" in line
        _admin_call(stack, token, path, "POST", {"messages_per_second": 1, "burst_count": 5})
        line = _rate_line(capibot(tmp_path, "check", "--config", str(config)))
        assert line.startswith("WARN rate limit: ") and "limited to 1 messages/s, burst 5" in line
        _admin_call(stack, token, path, "POST", {"messages_per_second": 0, "burst_count": 0})
        line = _rate_line(capibot(tmp_path, "check", "--config", str(config)))
        assert line == f"OK   rate limit: {user_id} is exempt (override 0/s)"
    finally:
        _admin_call(stack, token, path, "DELETE")


def test_a_non_admin_bot_cannot_verify_until_an_admin_token_is_given(
    stack: StackInfo, tmp_path: Path, server_admin: tuple[str, str, str]
) -> None:
    _, _, token = server_admin
    bot_id = stack.user("bot").user_id()
    config = stack_config(stack, tmp_path, str(tmp_path / "data"))
    assert capibot(tmp_path, "migrate", "--config", str(config)).returncode == 0
    path = _override(bot_id)
    try:
        _admin_call(stack, token, path, "DELETE")
        line = _rate_line(capibot(tmp_path, "check", "--config", str(config)))
        assert line.startswith("WARN rate limit: cannot verify it: ")
        assert f"{bot_id} is not one" in line and "README" in line
        with_token = {"CAPIBOT_SYNAPSE_ADMIN_TOKEN": token}
        result = capibot(tmp_path, "check", "--config", str(config), env=with_token)
        assert token not in result.stdout + result.stderr
        assert "no override" in _rate_line(result)
        _admin_call(stack, token, path, "POST", {"messages_per_second": 0, "burst_count": 0})
        result = capibot(tmp_path, "check", "--config", str(config), env=with_token)
        assert _rate_line(result) == f"OK   rate limit: {bot_id} is exempt (override 0/s)"
    finally:
        _admin_call(stack, token, path, "DELETE")
