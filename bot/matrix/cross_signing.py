"""Cross-signing of the bot's own device (matrix-nio has none, nio issue #229).

Element shows a device that its owner's self-signing key did not sign as "unverified".
`bootstrap` gives the bot a master, a self-signing and a user-signing key, publishes
them, and signs the bot's device with the self-signing key (and the master key with the
device key, as Element does, so the bot's devices vouch for the identity too).

It is idempotent: keys already published are not uploaded again, a new device (new
login, same store) is signed by the same identity, and an identity the bot does not hold
(made by someone else with the account) is never replaced unless `reset` is asked.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from nio import AsyncClient, KeysUploadError

from bot.matrix.errors import MatrixAuthError, MatrixError, MatrixUnavailable
from bot.matrix.signing import (
    CrossSigningKeys,
    KeysFileError,
    key_public,
    load_keys,
    save_keys,
    sign_json,
    verify_json,
)
from bot.settings import MatrixSettings

log = logging.getLogger(__name__)
API = "/_matrix/client/v3"


class CrossSigningError(MatrixError):
    """Cross-signing could not be set up; the message says what the operator can do."""


class NeedsPassword(CrossSigningError):
    """The homeserver asks for the account's password (user-interactive auth)."""


class Status(enum.Enum):
    CREATED = "created"  # new keys made here and published
    PUBLISHED = "published"  # keys held here, now published (were not, or replaced)
    UNCHANGED = "unchanged"  # the homeserver already had our master key
    FOREIGN = "foreign"  # the account has an identity whose keys we do not hold


@dataclass(frozen=True)
class Outcome:
    status: Status
    #: the public master key id on the homeserver ("ed25519:…")
    master_key_id: str
    #: this device was signed in this run (False: it already was, or FOREIGN)
    device_signed: bool = False
    #: the keys, when published in this run: the CLI shows their seeds then, once
    new_keys: CrossSigningKeys | None = field(default=None, repr=False)


def needs_password_hint() -> str:
    return (
        "the homeserver asks for the bot account's password to publish cross-signing "
        "keys: run `capibot e2ee bootstrap` (it prompts for the password, or reads it "
        "with --password-stdin)"
    )


class _Http:
    """The few client-API calls of cross-signing, with the session's access token."""

    def __init__(self, session: aiohttp.ClientSession, homeserver: str, token: str) -> None:
        self._session = session
        self._base = homeserver.rstrip("/") + API
        self._headers = {"Authorization": f"Bearer {token}"}

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            async with self._session.post(
                self._base + path, json=body, headers=self._headers
            ) as response:
                data = await response.json(content_type=None)
                return response.status, data if isinstance(data, dict) else {}
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
            raise MatrixUnavailable(f"{path}: {type(exc).__name__}: {exc}") from None

    async def ok(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        status, data = await self.post(path, body)
        if status != 200:
            raise CrossSigningError(f"{path} answered HTTP {status}: {_error_text(data)}")
        return data


def _error_text(data: dict[str, Any]) -> str:
    return f"{data.get('errcode', '?')} {data.get('error', '')}".strip()


@dataclass(frozen=True)
class OwnKeys:
    """What `/keys/query` says of the bot's own account."""

    master: dict[str, Any] | None
    self_signing: dict[str, Any] | None
    device: dict[str, Any] | None


async def query_own_keys(http: _Http, user_id: str, device_id: str) -> OwnKeys:
    data = await http.ok("/keys/query", {"device_keys": {user_id: []}})
    return OwnKeys(
        master=_dig(data, "master_keys", user_id),
        self_signing=_dig(data, "self_signing_keys", user_id),
        device=_dig(data, "device_keys", user_id, device_id),
    )


def _dig(data: Any, *path: str) -> dict[str, Any] | None:
    """The object at `path` in a homeserver's answer, or None (whatever its shape)."""
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else None


async def upload_signing_keys(
    http: _Http, user_id: str, keys: CrossSigningKeys, password: str | None
) -> None:
    """`/keys/device_signing/upload`, answering the user-interactive auth with the
    password when the homeserver asks (a first upload may not need it: MSC3967)."""
    body = keys.upload_body(user_id)
    status, data = await http.post("/keys/device_signing/upload", body)
    if status == 200:
        return
    if status != 401 or "flows" not in data:
        raise CrossSigningError(f"publishing the keys failed: HTTP {status} {_error_text(data)}")
    stages = {stage for flow in data.get("flows", []) for stage in flow.get("stages", [])}
    if not any(flow.get("stages") == ["m.login.password"] for flow in data.get("flows", [])):
        raise CrossSigningError(
            "the homeserver wants another kind of authentication to publish cross-signing "
            f"keys ({', '.join(sorted(stages)) or 'none offered'}); capibot can answer "
            "only with a password (m.login.password)"
        )
    if not password:
        raise NeedsPassword(needs_password_hint())
    body["auth"] = {
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": user_id},
        "password": password,
        "session": data.get("session"),
    }
    status, data = await http.post("/keys/device_signing/upload", body)
    if status == 200:
        return
    if status in (401, 403):
        raise MatrixAuthError(f"the homeserver refused the password: {_error_text(data)}")
    raise CrossSigningError(f"publishing the keys failed: HTTP {status} {_error_text(data)}")


async def sign_own_device(
    http: _Http, client: AsyncClient, keys: CrossSigningKeys, own: OwnKeys
) -> bool:
    """Sign the device with the self-signing key and the master key with the device key,
    unless the homeserver already has both signatures; True if something was uploaded."""
    user_id, device_id = client.user_id, client.device_id
    if own.device is None:
        raise CrossSigningError(f"the homeserver has no keys for device {device_id}")
    ssk_id, master_public = keys.key_id("self_signing"), keys.public("master")
    master = own.master or keys.upload_body(user_id)["master_key"]
    device_key_id = f"ed25519:{device_id}"
    device_public = (_dig(own.device, "keys") or {}).get(device_key_id)
    if device_public != client.olm.account.identity_keys["ed25519"]:
        raise CrossSigningError(f"the homeserver's keys of device {device_id} are not ours")
    wanted: dict[str, Any] = {}
    if not verify_json(own.device, user_id, ssk_id, keys.public("self_signing")):
        wanted[device_id] = sign_json(own.device, user_id, ssk_id, keys.self_signing)
    if not verify_json(master, user_id, device_key_id, device_public):
        stripped = {k: v for k, v in master.items() if k not in ("signatures", "unsigned")}
        signed = dict(master)
        signed["signatures"] = {user_id: {device_key_id: client.olm.sign_json(stripped)}}
        wanted[master_public] = signed
    if not wanted:
        return False
    data = await http.ok("/keys/signatures/upload", {user_id: wanted})
    failures = data.get("failures") or {}
    if failures:
        raise CrossSigningError(f"the homeserver refused signatures: {failures}")
    return True


async def _ensure_device_keys(client: AsyncClient) -> None:
    """The device keys must be on the homeserver before they can be signed."""
    if client.olm is None:
        raise CrossSigningError("end-to-end encryption is not loaded (no crypto store)")
    if client.should_upload_keys:
        try:
            response = await client.keys_upload()
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise MatrixUnavailable(f"uploading the device keys: {exc}") from None
        if isinstance(response, KeysUploadError):
            raise CrossSigningError(f"uploading the device keys failed: {response.message}")


async def bootstrap(
    client: AsyncClient,
    settings: MatrixSettings,
    *,
    password: str | None,
    reset: bool = False,
) -> Outcome:
    """Make sure the bot has a published cross-signing identity and this device is
    signed by it. `reset`: replace an identity whose keys the bot does not hold."""
    user_id = client.user_id
    try:
        stored = load_keys(settings.store_path, user_id)
    except KeysFileError as exc:
        raise CrossSigningError(f"{exc}: move it away to start a new identity") from None
    await _ensure_device_keys(client)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        http = _Http(session, settings.homeserver, client.access_token)
        own = await query_own_keys(http, user_id, client.device_id)
        server_master = key_public(own.master) if own.master else None
        if own.master is not None and server_master is None:
            raise CrossSigningError(f"the homeserver's master key is malformed: {own.master}")
        if stored is not None and server_master == stored.public("master"):
            status = Status.UNCHANGED
            keys = stored
        elif server_master is not None and not reset:
            return Outcome(Status.FOREIGN, f"ed25519:{server_master}")
        else:
            keys = stored or CrossSigningKeys.generate()
            if stored is None:
                # kept before publishing: never a published identity without its keys
                save_keys(settings.store_path, user_id, keys)
            await upload_signing_keys(http, user_id, keys, password)
            status = Status.CREATED if stored is None else Status.PUBLISHED
            own = await query_own_keys(http, user_id, client.device_id)
        signed = await sign_own_device(http, client, keys, own)
    return Outcome(
        status,
        keys.key_id("master"),
        device_signed=signed,
        new_keys=keys if status is not Status.UNCHANGED else None,
    )


async def bootstrap_at_start(client: AsyncClient, settings: MatrixSettings) -> Outcome | None:
    """The bot's start-up: set up or re-use the identity; never stops the bot (a device
    without cross-signing still works, Element only warns). Logs public ids only."""
    password = settings.password.get_secret_value() or None
    try:
        outcome = await bootstrap(client, settings, password=password)
    except NeedsPassword:
        log.warning("cross-signing not set up: %s", needs_password_hint())
        return None
    except MatrixError as exc:
        log.warning("cross-signing not set up: %s", exc)
        return None
    if outcome.status is Status.FOREIGN:
        log.warning(
            "the account already has a cross-signing identity (master key %s) whose keys "
            "are not in %s: this device stays unsigned (`capibot e2ee bootstrap --reset` "
            "replaces that identity)",
            outcome.master_key_id,
            settings.store_path,
        )
    elif outcome.status is not Status.UNCHANGED:
        log.info(
            "cross-signing identity published, master key %s; private keys in %s (back it up)",
            outcome.master_key_id,
            settings.store_path,
        )
    if outcome.device_signed:
        log.info("device %s signed by master key %s", client.device_id, outcome.master_key_id)
    return outcome


async def describe(client: AsyncClient, settings: MatrixSettings) -> tuple[bool, str]:
    """Read-only, for `capibot check`: (all good, one line saying what is missing)."""
    user_id, device_id = client.user_id, client.device_id
    password_hint = (
        ""
        if settings.password.get_secret_value()
        else " (no matrix.password: the command prompts for it, or reads --password-stdin)"
    )
    try:
        stored = load_keys(settings.store_path, user_id)
    except KeysFileError as exc:
        return False, str(exc)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        http = _Http(session, settings.homeserver, client.access_token)
        own = await query_own_keys(http, user_id, device_id)
    server_master = key_public(own.master) if own.master else None
    if server_master is None:
        return False, (
            "not set up yet: the bot publishes its keys at start, or run "
            f"`capibot e2ee bootstrap`{password_hint}"
        )
    if stored is None or server_master != stored.public("master"):
        return False, (
            f"the account's identity (master key ed25519:{server_master}) is not the one in "
            f"{settings.store_path}: device {device_id} stays unsigned; "
            f"`capibot e2ee bootstrap --reset` replaces it{password_hint}"
        )
    signed = own.device is not None and verify_json(
        own.device, user_id, stored.key_id("self_signing"), stored.public("self_signing")
    )
    if not signed:
        return False, (
            f"master key ed25519:{server_master}; device {device_id} not signed yet "
            "(the bot signs it at start, or run `capibot e2ee bootstrap`)"
        )
    return True, f"master key ed25519:{server_master}; device {device_id} signed"
