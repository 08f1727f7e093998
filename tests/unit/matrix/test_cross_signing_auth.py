"""The user-interactive auth of `/keys/device_signing/upload` when the homeserver wants
what capibot cannot give (SSO only) or what the config lacks (a password): the real
Synapse always offers a password, so a small HTTP server plays the other homeservers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.matrix.cross_signing import (
    CrossSigningError,
    NeedsPassword,
    _Http,
    upload_signing_keys,
)
from bot.matrix.errors import MatrixAuthError
from bot.matrix.signing import CrossSigningKeys, verify_json

USER = "@capibot:example.org"


class Homeserver:
    """Answers the upload with the given flows, then accepts only the right password."""

    def __init__(self, flows: list[list[str]], password: str = "right") -> None:
        self.flows = flows
        self.password = password
        self.bodies: list[dict[str, Any]] = []

    async def upload(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.bodies.append(body)
        auth = body.get("auth")
        if auth is None:
            return web.json_response(
                {"session": "s1", "flows": [{"stages": f} for f in self.flows], "params": {}},
                status=401,
            )
        if auth.get("password") == self.password and auth.get("session") == "s1":
            return web.json_response({})
        return web.json_response(
            {"errcode": "M_FORBIDDEN", "error": "Invalid password", "session": "s1"},
            status=401,
        )


@pytest.fixture
async def serve() -> AsyncIterator[Any]:
    runners: list[web.AppRunner] = []

    async def start(server: Homeserver) -> str:
        app = web.Application()
        app.router.add_post("/_matrix/client/v3/keys/device_signing/upload", server.upload)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


async def upload(base: str, password: str | None) -> CrossSigningKeys:
    keys = CrossSigningKeys.generate()
    async with aiohttp.ClientSession() as session:
        await upload_signing_keys(_Http(session, base, "token"), USER, keys, password)
    return keys


async def test_sso_only_homeserver_is_named_not_answered(serve: Any) -> None:
    server = Homeserver([["m.login.sso"]])
    base = await serve(server)
    with pytest.raises(CrossSigningError, match=r"m\.login\.sso") as caught:
        await upload(base, "right")
    assert not isinstance(caught.value, NeedsPassword)
    assert len(server.bodies) == 1  # the password was not sent to a flow that wants SSO


async def test_no_password_names_the_command(serve: Any) -> None:
    server = Homeserver([["m.login.password"]])
    with pytest.raises(NeedsPassword, match="--password-stdin"):
        await upload(await serve(server), None)


async def test_the_password_answers_the_flow(serve: Any) -> None:
    server = Homeserver([["m.login.sso"], ["m.login.password"]])
    keys = await upload(await serve(server), "right")
    first, second = server.bodies
    assert "auth" not in first
    assert second["auth"] == {
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": USER},
        "password": "right",
        "session": "s1",
    }
    ssk = second["self_signing_key"]
    assert verify_json(ssk, USER, keys.key_id("master"), keys.public("master"))


async def test_a_wrong_password_is_an_auth_error(serve: Any) -> None:
    server = Homeserver([["m.login.password"]])
    with pytest.raises(MatrixAuthError, match="refused the password"):
        await upload(await serve(server), "wrong")
