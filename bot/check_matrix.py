"""`capibot check` on the homeserver: reachable, logged in, rooms resolved, rate limit.

It touches nothing a running bot holds: no crypto store (encryption is off in its client),
no lock, no new session file. It reads the stored session to test the bot's own token;
without one, it tests the password with a throw-away login that it logs out again, so no
device is left behind.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
from nio import AsyncClient, AsyncClientConfig, LoginResponse, WhoamiResponse

from bot.matrix.aliases import AliasError, resolve_room_aliases
from bot.matrix.cross_signing import describe as describe_cross_signing
from bot.matrix.errors import MatrixError
from bot.matrix.session import load_session
from bot.settings import MatrixSettings, Settings
from bot.verdict import Failure, Verdict

SUBJECT = "homeserver"
RATE_SUBJECT = "rate limit"
TIMEOUT = aiohttp.ClientTimeout(total=10)
#: Synapse's default `rc_message` (per user): what applies without an override.
SYNAPSE_DEFAULT = "Synapse's default rc_message is 0.2 messages/s, burst 10"
SEE_README = "see README, Running against a real homeserver, Rate limits"


@dataclass(frozen=True, slots=True)
class _Login:
    how: str
    token: str
    #: a login made for the check only: logged out (its device deleted) at the end
    temporary: bool


async def check_homeserver(settings: Settings, admin_token: str = "") -> list[Verdict]:
    """The homeserver verdict, then (when logged in) the rate-limit verdict."""
    matrix = settings.matrix
    url = f"{matrix.homeserver}/_matrix/client/versions"
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as http, http.get(url) as response:
            if response.status != 200:
                return [_fail(Failure.UNREACHABLE, f"{url} answered HTTP {response.status}")]
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return [_fail(Failure.UNREACHABLE, f"{matrix.homeserver} unreachable ({exc})")]
    client = AsyncClient(
        matrix.homeserver,
        matrix.user_id,
        store_path="",
        config=AsyncClientConfig(
            encryption_enabled=False, store_sync_tokens=False, max_timeouts=1, request_timeout=20
        ),
    )
    try:
        login = await _log_in(client, matrix)
        if isinstance(login, Verdict):
            return [login]
        try:
            return await _logged_in_verdicts(client, settings, login, admin_token)
        finally:
            if login.temporary:  # whatever happened: no device left behind
                with contextlib.suppress(aiohttp.ClientError, TimeoutError, OSError):
                    await client.logout()
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return [_fail(Failure.UNREACHABLE, f"{matrix.homeserver} stopped answering ({exc})")]
    finally:
        await client.close()


async def _logged_in_verdicts(
    client: AsyncClient, settings: Settings, login: _Login, admin_token: str
) -> list[Verdict]:
    matrix = settings.matrix
    try:
        await resolve_room_aliases(client, settings)
    except AliasError as exc:
        return [_fail(Failure.CONFIG, f"logged in, but {exc}")]
    return [
        Verdict(SUBJECT, Failure.OK, f"{matrix.homeserver} reachable, {login.how}"),
        await cross_signing_verdict(client, matrix, login),
        await rate_limit_verdict(matrix, admin_token or login.token, bool(admin_token)),
    ]


async def cross_signing_verdict(
    client: AsyncClient, matrix: MatrixSettings, login: _Login
) -> Verdict:
    """Whether the bot's own device is signed by its cross-signing identity: a warning
    when not (the bot works; Element shows its device as unverified). A throw-away
    login is not the bot's device: then there is nothing to say yet."""
    if login.temporary:
        return Verdict(
            "cross-signing",
            Failure.OK,
            "not checked: the bot has no device yet (it sets cross-signing up at its first start)",
            warning=True,
        )
    try:
        ok, detail = await describe_cross_signing(client, matrix)
    except (MatrixError, aiohttp.ClientError) as exc:
        ok, detail = False, f"not checked: {exc}"
    return Verdict("cross-signing", Failure.OK, detail, warning=not ok)


async def _log_in(client: AsyncClient, matrix: MatrixSettings) -> _Login | Verdict:
    """The bot's stored token if the homeserver accepts it, else a password login."""
    stored = load_session(matrix.store_path)
    if stored and stored.user_id == matrix.user_id and stored.homeserver == matrix.homeserver:
        client.restore_login(stored.user_id, stored.device_id, stored.access_token)
        if isinstance(await client.whoami(), WhoamiResponse):
            how = f"logged in as {stored.user_id} (stored session, device {stored.device_id})"
            return _Login(how, stored.access_token, temporary=False)
        client.access_token = ""
    token = matrix.access_token.get_secret_value()
    if token:  # an SSO-only homeserver: the operator gave the bot's token instead
        client.access_token = token
        whoami = await client.whoami()
        if isinstance(whoami, WhoamiResponse) and whoami.user_id == matrix.user_id:
            client.restore_login(whoami.user_id, whoami.device_id or "", token)
            how = f"logged in as {whoami.user_id} (access token, device {whoami.device_id})"
            return _Login(how, token, temporary=False)
        client.access_token = ""
        return _fail(
            Failure.AUTH, f"reachable, but matrix.access_token is refused or not {matrix.user_id}'s"
        )
    # The bot does the same, and that means a new device (encrypted rooms see a stranger):
    # worth saying.
    unusable = "the stored session is refused or for another account"
    password = matrix.password.get_secret_value()
    if not password:
        why = unusable if stored else "no stored session"
        return _fail(Failure.AUTH, f"reachable, but {why} and no matrix.password to log in")
    response = await client.login(password, device_name=f"{matrix.device_name} (check)")
    if not isinstance(response, LoginResponse):
        status = getattr(response, "status_code", "") or ""
        if status in ("M_FORBIDDEN", "M_USER_DEACTIVATED", "M_INVALID_USERNAME"):
            return _fail(
                Failure.AUTH, f"reachable, but login refused for {matrix.user_id}: {status}"
            )
        return _fail(Failure.UNREACHABLE, f"login failed for {matrix.user_id}: {response}")
    note = f"; {unusable}: `capibot run` will log in as a new device" if stored else ""
    how = f"logged in as {response.user_id} (password accepted{note})"
    return _Login(how, response.access_token, temporary=True)


async def rate_limit_verdict(matrix: MatrixSettings, token: str, admin_given: bool) -> Verdict:
    """OK only when the homeserver is known not to rate-limit the bot's messages: a burst
    (review cards, a digest, a flood of commands) is otherwise answered with 429s and the
    bot's notices fall behind by minutes."""
    user = quote(matrix.user_id, safe="@:")
    url = f"{matrix.homeserver}/_synapse/admin/v1/users/{user}/override_ratelimit"
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as http,
            http.get(url, headers=headers) as response,
        ):
            status = response.status
            text = await response.text()
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return _rate_warning(f"cannot verify it ({type(exc).__name__}); {SEE_README}")
    try:
        body: Any = json.loads(text)
    except ValueError:  # a proxy's HTML page, say
        body = {}
    if status == 200 and isinstance(body, dict):
        return _override_verdict(matrix.user_id, body)
    code = body.get("errcode", f"HTTP {status}") if isinstance(body, dict) else f"HTTP {status}"
    if status == 403 or code == "M_FORBIDDEN":
        who = "the token in CAPIBOT_SYNAPSE_ADMIN_TOKEN" if admin_given else matrix.user_id
        return _rate_warning(
            f"cannot verify it: Synapse's admin API needs a server admin and {who} is not "
            f"one; {SYNAPSE_DEFAULT}. Have an admin exempt the bot, then run `check` with "
            f"CAPIBOT_SYNAPSE_ADMIN_TOKEN set to verify; {SEE_README}"
        )
    return _rate_warning(
        f"cannot verify it: no Synapse admin API at {matrix.homeserver} ({code}; not Synapse, "
        f"or the admin API is not exposed); {SEE_README}"
    )


def _override_verdict(user_id: str, body: dict[str, Any]) -> Verdict:
    if not body:
        return _rate_warning(
            f"the homeserver limits {user_id}'s messages (no override; {SYNAPSE_DEFAULT}): "
            f"bursts of notices will be slowed; exempt the bot, {SEE_README}"
        )
    per_second = body.get("messages_per_second")
    burst = body.get("burst_count")
    if not per_second:  # Synapse: 0 messages per second means no limit
        return Verdict(RATE_SUBJECT, Failure.OK, f"{user_id} is exempt (override 0/s)")
    return _rate_warning(
        f"{user_id} is limited to {per_second} messages/s, burst {burst} (override): bursts "
        f"of notices will be slowed; exempt the bot, {SEE_README}"
    )


def _rate_warning(detail: str) -> Verdict:
    return Verdict(RATE_SUBJECT, Failure.OK, detail, warning=True)


def _fail(failure: Failure, detail: str) -> Verdict:
    return Verdict(SUBJECT, failure, detail)
