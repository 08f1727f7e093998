"""Synapse from PyPI in its own virtualenv, configured for loopback tests (DESIGN §10)."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import urllib.error
from pathlib import Path

from scripts.devstack.procs import http_json, start_group, wait_http
from scripts.devstack.tool_venv import ensure_tool_venv

SYNAPSE_REQUIREMENT = "matrix-synapse==1.163.2"
SERVER_NAME = "localhost"


def ensure_installed() -> Path:
    """Create the Synapse virtualenv once (it pins its own dependencies); returns its python."""
    return ensure_tool_venv("synapse-venv", SYNAPSE_REQUIREMENT, note=" (about a minute)")


def configure(state: Path, port: int, shared_secret: str) -> list[Path]:
    """Generate Synapse's config once, then (re)write our overrides; returns the -c files."""
    python = ensure_installed()
    state.mkdir(parents=True, exist_ok=True)
    base = state / "homeserver.yaml"
    if not base.exists():
        subprocess.run(
            [
                str(python),
                "-m",
                "synapse.app.homeserver",
                "--server-name",
                SERVER_NAME,
                "--config-path",
                str(base),
                "--data-directory",
                str(state),
                "--generate-config",
                "--report-stats=no",
            ],
            check=True,
            cwd=state,
            stdout=subprocess.DEVNULL,
        )
    log_config = state / "log.yaml"
    log_config.write_text(json.dumps(_log_config(state / "homeserver.log")))
    overrides = state / "overrides.yaml"  # JSON is YAML: no YAML library needed here
    overrides.write_text(json.dumps(_overrides(state, port, shared_secret, log_config), indent=1))
    return [base, overrides]


def _rate(per_second: float = 1000, burst: int = 10000) -> dict[str, float]:
    return {"per_second": per_second, "burst_count": burst}


def _overrides(state: Path, port: int, secret: str, log_config: Path) -> dict[str, object]:
    fast = _rate()
    return {
        "server_name": SERVER_NAME,
        "public_baseurl": f"http://127.0.0.1:{port}/",
        "pid_file": str(state / "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(state / "homeserver.db")}},
        "media_store_path": str(state / "media_store"),
        "log_config": str(log_config),
        "registration_shared_secret": secret,
        "enable_registration": False,
        "bcrypt_rounds": 4,
        "report_stats": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "presence": {"enabled": False},
        "url_preview_enabled": False,
        "rc_message": fast,
        "rc_registration": fast,
        "rc_registration_token_validity": fast,
        "rc_login": {"address": fast, "account": fast, "failed_attempts": fast},
        "rc_admin_redaction": fast,
        "rc_joins": {"local": fast, "remote": fast},
        "rc_joins_per_room": fast,
        "rc_3pid_validation": fast,
        "rc_invites": {"per_room": fast, "per_user": fast, "per_issuer": fast},
        "rc_third_party_invite": fast,
        "rc_federation": {
            "window_size": 1000,
            "sleep_limit": 1000,
            "sleep_delay": 1,
            "reject_limit": 1000,
            "concurrent": 100,
        },
        "rc_presence": {"per_user": fast},
        "rc_delayed_event_mgmt": fast,
        "rc_reports": fast,
        "rc_room_creation": fast,
        "rc_media_create": fast,
        "rc_send_email": fast,
    }


def _log_config(path: Path) -> dict[str, object]:
    return {
        "version": 1,
        "formatters": {"precise": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
        "handlers": {
            "file": {
                "class": "logging.FileHandler",
                "formatter": "precise",
                "filename": str(path),
                "encoding": "utf8",
            }
        },
        "root": {"level": "WARNING", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }


def start(state: Path, port: int, config_files: list[Path], *, timeout: float = 60):
    python = ensure_installed()
    argv = [str(python), "-m", "synapse.app.homeserver"]
    for path in config_files:
        argv += ["-c", str(path)]
    log = state / "stdout.log"
    process = start_group(argv, log=log, cwd=state)
    wait_http(
        f"http://127.0.0.1:{port}/_matrix/client/versions",
        timeout=timeout,
        process=process,
        log=log,
    )
    return process


def register_user(
    base_url: str,
    secret: str,
    localpart: str,
    password: str,
    displayname: str,
    *,
    admin: bool = False,
) -> None:
    """Register through the shared-secret admin API (an HMAC over nonce/user/password/admin).

    Idempotent: an existing user is fine ("User ID already taken").
    """
    endpoint = f"{base_url}/_synapse/admin/v1/register"
    nonce = http_json(endpoint)["nonce"]
    parts = (nonce, localpart, password, "admin" if admin else "notadmin")
    mac = hmac.new(secret.encode(), b"\x00".join(p.encode() for p in parts), hashlib.sha1)
    body = {
        "nonce": nonce,
        "username": localpart,
        "password": password,
        "displayname": displayname,
        "admin": admin,
        "mac": mac.hexdigest(),
    }
    try:
        http_json(endpoint, body)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")
        if "M_USER_IN_USE" not in detail:
            raise RuntimeError(f"registering {localpart} failed: {exc.code} {detail}") from None
