"""Cross-signing of the bot's device against the real Synapse, checked as another user
sees it (`/keys/query`), with the signatures verified by `cryptography` here."""

from __future__ import annotations

import secrets
import stat
from pathlib import Path
from typing import Any

import aiohttp
import canonicaljson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nio import AsyncClient
from pydantic import SecretStr

from bot.matrix.cross_signing import NeedsPassword, Status, bootstrap
from bot.matrix.errors import MatrixAuthError
from bot.matrix.session import SESSION_FILE, log_in, make_client
from bot.matrix.signing import b64decode, keys_path, load_keys
from bot.settings import Settings
from scripts.devstack import StackInfo, synapse
from tests.integration.helpers import user_client
from tests.integration.test_capture import bot_settings


def fresh_account(stack: StackInfo) -> tuple[str, str]:
    """A new account of the stack's Synapse, for this test alone (the identity of an
    account outlives the test that made it)."""
    localpart, password = f"xsign-{secrets.token_hex(4)}", secrets.token_hex(12)
    synapse.register_user(
        stack.homeserver, stack.registration_secret, localpart, password, "Capibot X"
    )
    return f"@{localpart}:{synapse.SERVER_NAME}", password


def account_settings(stack: StackInfo, store: Path, user_id: str, **secrets: str) -> Settings:
    """The stack's settings for `user_id` with these secrets (password, access_token) and
    no others."""
    values = {"password": "", "access_token": "", **secrets}
    matrix = {key: SecretStr(value) for key, value in values.items()}
    return bot_settings(stack, store, matrix={"user_id": user_id, **matrix})


async def keys_seen_by(observer: AsyncClient, user_id: str, token: str = "") -> dict[str, Any]:
    """`/keys/query` for `user_id`, asked by `observer` (or by whoever owns `token`)."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{observer.homeserver}/_matrix/client/v3/keys/query",
            json={"device_keys": {user_id: []}},
            headers={"Authorization": f"Bearer {token or observer.access_token}"},
        ) as response,
    ):
        assert response.status == 200
        data: dict[str, Any] = await response.json()
        return data


def only_key(obj: dict[str, Any]) -> str:
    (value,) = obj["keys"].values()
    assert isinstance(value, str)
    return value


def assert_signed(obj: dict[str, Any], user_id: str, key_id: str, public: str) -> None:
    """Verify the signature like any client: Ed25519 over the canonical JSON of the
    object without `signatures` and `unsigned` (raises InvalidSignature if wrong)."""
    signature = obj["signatures"][user_id][key_id]
    stripped = {k: v for k, v in obj.items() if k not in ("signatures", "unsigned")}
    key = Ed25519PublicKey.from_public_bytes(b64decode(public))
    key.verify(b64decode(signature), canonicaljson.encode_canonical_json(stripped))


def assert_device_cross_signed(seen: dict[str, Any], user_id: str, device_id: str) -> str:
    """As another user sees them: the device is signed by the self-signing key, itself
    signed by the master key. Returns the master public key."""
    master = seen["master_keys"][user_id]
    ssk = seen["self_signing_keys"][user_id]
    device = seen["device_keys"][user_id][device_id]
    master_pub, ssk_pub = only_key(master), only_key(ssk)
    assert_signed(ssk, user_id, f"ed25519:{master_pub}", master_pub)
    assert_signed(device, user_id, f"ed25519:{ssk_pub}", ssk_pub)
    return master_pub


def assert_master_signed_by_device(own_view: dict[str, Any], user_id: str, device_id: str) -> None:
    """As the account itself sees it (Synapse shows a key's signatures only to their
    author): the master key carries the device's signature."""
    master = own_view["master_keys"][user_id]
    device_pub = own_view["device_keys"][user_id][device_id]["keys"][f"ed25519:{device_id}"]
    assert_signed(master, user_id, f"ed25519:{device_id}", device_pub)


@pytest.fixture
async def observer(stack: StackInfo) -> Any:
    alice = await user_client(stack, "practitioner")
    try:
        yield alice
    finally:
        await alice.close()


async def test_bootstrap_publishes_an_identity_that_signs_the_device(
    stack: StackInfo, tmp_path: Path, observer: AsyncClient
) -> None:
    user_id, password = fresh_account(stack)
    settings = account_settings(stack, tmp_path, user_id, password=password)
    store = settings.matrix.store_path
    client = make_client(settings.matrix)
    try:
        session = await log_in(client, settings.matrix)
        first = await bootstrap(client, settings.matrix, password=None)
    finally:
        await client.close()
    assert first.status is Status.CREATED and first.device_signed
    stored = load_keys(store, user_id)
    assert stored is not None and first.new_keys is not None
    assert first.new_keys.seeds() == stored.seeds()
    assert stat.S_IMODE(keys_path(store).stat().st_mode) == 0o600
    assert stat.S_IMODE((store / SESSION_FILE).stat().st_mode) == 0o600

    seen = await keys_seen_by(observer, user_id)
    master_pub = assert_device_cross_signed(seen, user_id, session.device_id)
    assert master_pub == stored.public("master")
    assert first.master_key_id == f"ed25519:{master_pub}"
    own_view = await keys_seen_by(observer, user_id, session.access_token)
    assert_master_signed_by_device(own_view, user_id, session.device_id)
    assert seen["self_signing_keys"][user_id]["usage"] == ["self_signing"]

    # A restart (same store, same device): nothing is uploaded again.
    before = keys_path(store).read_bytes()
    client = make_client(settings.matrix)
    try:
        again_session = await log_in(client, settings.matrix)
        again = await bootstrap(client, settings.matrix, password=None)
    finally:
        await client.close()
    assert again_session.device_id == session.device_id
    assert again.status is Status.UNCHANGED and not again.device_signed
    assert again.new_keys is None and again.master_key_id == first.master_key_id
    assert keys_path(store).read_bytes() == before
    assert only_key((await keys_seen_by(observer, user_id))["master_keys"][user_id]) == master_pub

    # A new login (session file gone, keys kept): a new device, signed by the same identity.
    (store / SESSION_FILE).unlink()
    client = make_client(settings.matrix)
    try:
        new_session = await log_in(client, settings.matrix)
        third = await bootstrap(client, settings.matrix, password=None)
    finally:
        await client.close()
    assert new_session.device_id != session.device_id
    assert third.status is Status.UNCHANGED and third.device_signed
    seen = await keys_seen_by(observer, user_id)
    assert assert_device_cross_signed(seen, user_id, new_session.device_id) == master_pub
    assert assert_device_cross_signed(seen, user_id, session.device_id) == master_pub
    own_view = await keys_seen_by(observer, user_id, new_session.access_token)
    assert_master_signed_by_device(own_view, user_id, new_session.device_id)


async def test_an_identity_made_elsewhere_is_replaced_only_on_reset_with_the_password(
    stack: StackInfo, tmp_path: Path, observer: AsyncClient
) -> None:
    user_id, password = fresh_account(stack)
    first = account_settings(stack, tmp_path / "first", user_id, password=password)
    client = make_client(first.matrix)
    try:
        await log_in(client, first.matrix)
        await bootstrap(client, first.matrix, password=None)
    finally:
        await client.close()
    original = only_key((await keys_seen_by(observer, user_id))["master_keys"][user_id])

    # Another store (another installation of the bot) on the same account.
    second = account_settings(stack, tmp_path / "second", user_id, password=password)
    client = make_client(second.matrix)
    try:
        session = await log_in(client, second.matrix)
        foreign = await bootstrap(client, second.matrix, password=password)
        assert foreign.status is Status.FOREIGN
        assert foreign.master_key_id == f"ed25519:{original}" and not foreign.device_signed
        with pytest.raises(NeedsPassword, match="capibot e2ee bootstrap"):
            await bootstrap(client, second.matrix, password=None, reset=True)
        with pytest.raises(MatrixAuthError):
            await bootstrap(client, second.matrix, password="not-the-password", reset=True)
        seen = await keys_seen_by(observer, user_id)
        assert only_key(seen["master_keys"][user_id]) == original
        device = seen["device_keys"][user_id][session.device_id]
        assert set(device["signatures"][user_id]) == {f"ed25519:{session.device_id}"}

        replaced = await bootstrap(client, second.matrix, password=password, reset=True)
    finally:
        await client.close()
    # The attempts refused above had already kept these keys: they are the ones published.
    assert replaced.status is Status.PUBLISHED and replaced.device_signed
    stored = load_keys(second.matrix.store_path, user_id)
    assert stored is not None and replaced.new_keys is not None
    seen = await keys_seen_by(observer, user_id)
    master_pub = assert_device_cross_signed(seen, user_id, session.device_id)
    assert master_pub == stored.public("master") != original
    own_view = await keys_seen_by(observer, user_id, session.access_token)
    assert_master_signed_by_device(own_view, user_id, session.device_id)
