"""Login once (with the password, or an access token made elsewhere), then reuse the
stored access token and device.

A restart must never create a new device: encrypted rooms would see a stranger, and the
crypto store would no longer match. The session file is written atomically, mode 0600.
An access token (homeservers that log in only through SSO/OIDC) names its own device:
whoami tells which, and the crypto store is opened for that device.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp
from nio import AsyncClient, AsyncClientConfig, LoginResponse, WhoamiResponse
from nio.store import DefaultStore

from bot.matrix.errors import MatrixAuthError, MatrixUnavailable
from bot.settings import MatrixSettings
from bot.version import user_agent

log = logging.getLogger(__name__)
SESSION_FILE = "session.json"


@dataclass(frozen=True, slots=True)
class StoredSession:
    homeserver: str
    user_id: str
    device_id: str
    access_token: str

    def __repr__(self) -> str:
        return f"StoredSession(user_id={self.user_id!r}, device_id={self.device_id!r})"


def load_session(store_path: Path) -> StoredSession | None:
    path = store_path / SESSION_FILE
    if not path.exists():
        return None
    try:
        return StoredSession(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        log.warning("ignoring unreadable session file %s", path)
        return None


def save_session(store_path: Path, session: StoredSession) -> None:
    store_path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = store_path / SESSION_FILE
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(session), handle)
    os.replace(tmp, path)
    path.chmod(0o600)


class CapibotStore(DefaultStore):  # type: ignore[misc]
    """nio's store, minus a write per sync: nio saves "the rooms found encrypted in this
    response" after every sync, a database transaction even when there are none (a
    third of the sync loop's time in a burst, measured with scripts/bench_e2e.py)."""

    def save_encrypted_rooms(self, rooms: set[str]) -> None:
        if rooms:
            super().save_encrypted_rooms(rooms)


def make_client(settings: MatrixSettings) -> AsyncClient:
    store = settings.store_path
    store.mkdir(parents=True, exist_ok=True, mode=0o700)
    store.chmod(0o700)
    config = AsyncClientConfig(
        encryption_enabled=True,
        store=CapibotStore,
        store_sync_tokens=False,  # the bot keeps its own token, in its own database
        max_timeouts=3,
        request_timeout=60,
        custom_headers={"User-Agent": user_agent()},  # the homeserver's logs name the bot
    )
    return AsyncClient(settings.homeserver, settings.user_id, store_path=str(store), config=config)


async def log_in(client: AsyncClient, settings: MatrixSettings) -> StoredSession:
    """Restore the stored session if the homeserver still accepts it, else use the
    configured access token, else the password."""
    stored = load_session(settings.store_path)
    try:
        if (
            stored
            and stored.user_id == settings.user_id
            and stored.homeserver == settings.homeserver
        ):
            client.restore_login(stored.user_id, stored.device_id, stored.access_token)
            who = await client.whoami()
            if isinstance(who, WhoamiResponse):
                return stored
            log.warning("stored Matrix session refused (%s); logging in again", who)
        token = settings.access_token.get_secret_value()
        if token and (stored is None or token != stored.access_token):
            return await _token_login(client, settings, token)
        password = settings.password.get_secret_value()
        if not password:
            raise MatrixAuthError(
                "no stored session, and no matrix.access_token or matrix.password to log in with"
            )
        _forget_device(client)
        response = await client.login(password, device_name=settings.device_name)
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise MatrixUnavailable(f"{settings.homeserver} unreachable: {exc}") from None
    if not isinstance(response, LoginResponse):
        status = getattr(response, "status_code", "")
        if status in ("M_FORBIDDEN", "M_USER_DEACTIVATED", "M_INVALID_USERNAME"):
            raise MatrixAuthError(f"login refused for {settings.user_id}: {status}")
        raise MatrixUnavailable(f"login failed for {settings.user_id}: {response}")
    session = StoredSession(
        homeserver=settings.homeserver,
        user_id=response.user_id,
        device_id=response.device_id,
        access_token=response.access_token,
    )
    save_session(settings.store_path, session)
    log.info(
        "logged in to %s as %s (device %s)", settings.homeserver, session.user_id, session.device_id
    )
    return session


async def _token_login(client: AsyncClient, settings: MatrixSettings, token: str) -> StoredSession:
    """Adopt an access token made elsewhere: whoami names its account and device; the
    token must belong to `matrix.user_id` and to a device (a crypto store is per device)."""
    _forget_device(client)
    client.access_token = token
    who = await client.whoami()
    if not isinstance(who, WhoamiResponse):
        client.access_token = ""
        status = getattr(who, "status_code", "")
        if status in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_FORBIDDEN"):
            raise MatrixAuthError(f"matrix.access_token refused: {status}")
        raise MatrixUnavailable(f"whoami failed for matrix.access_token: {who}")
    if who.user_id != settings.user_id:
        client.access_token = ""
        client.user_id = settings.user_id  # whoami adopted the stranger's id
        raise MatrixAuthError(
            f"matrix.access_token belongs to {who.user_id}, not to matrix.user_id "
            f"{settings.user_id}"
        )
    if not who.device_id:
        client.access_token = ""
        raise MatrixAuthError("matrix.access_token has no device (end-to-end encryption needs one)")
    client.restore_login(who.user_id, who.device_id, token)
    session = StoredSession(
        homeserver=settings.homeserver,
        user_id=who.user_id,
        device_id=who.device_id,
        access_token=token,
    )
    save_session(settings.store_path, session)
    log.info(
        "logged in to %s as %s with an access token (device %s)",
        settings.homeserver,
        session.user_id,
        session.device_id,
    )
    return session


def _forget_device(client: AsyncClient) -> None:
    """Close the crypto store of a refused session: nio opens a store only when none is
    loaded, and the new login's device must get its own (keys are per device)."""
    if client.store is not None:
        client.store = None
        client.olm = None
