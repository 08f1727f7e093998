"""The rate-limit verdict when Synapse's admin API is not there to answer: a proxy that
hides it, another homeserver, a bot that is not admin. (Synapse itself: the integration
tests in tests/integration/test_check_config_cli.py.)"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest

from bot.check_matrix import rate_limit_verdict
from bot.settings import MatrixSettings

ANSWERS = {
    "proxy": (404, "text/html", b"<html><body>Not Found</body></html>"),
    "conduit": (404, "application/json", b'{"errcode": "M_UNRECOGNIZED", "error": "?"}'),
    "not-admin": (403, "application/json", b'{"errcode": "M_FORBIDDEN", "error": "no"}'),
    "limited": (200, "application/json", b'{"messages_per_second": 2, "burst_count": 20}'),
    "exempt": (200, "application/json", b'{"messages_per_second": 0, "burst_count": 0}'),
    "none": (200, "application/json", b"{}"),
}


class _Homeserver(http.server.BaseHTTPRequestHandler):
    answer = ANSWERS["proxy"]
    seen: ClassVar[list[tuple[str, str | None]]] = []  # a fresh list per fixture subclass

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Authorization")))
        status, kind, body = self.answer
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def homeserver(request: pytest.FixtureRequest) -> Iterator[tuple[MatrixSettings, type]]:
    handler = type("Handler", (_Homeserver,), {"answer": ANSWERS[request.param], "seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        yield MatrixSettings(homeserver=url, user_id="@capibot:reseau.fr"), handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("homeserver", "expected"),
    [
        ("proxy", "WARN rate limit: cannot verify it: no Synapse admin API at "),
        ("conduit", "WARN rate limit: cannot verify it: no Synapse admin API at "),
        ("not-admin", "WARN rate limit: cannot verify it: Synapse's admin API needs a server"),
        ("limited", "WARN rate limit: @capibot:reseau.fr is limited to 2 messages/s, burst 20"),
        ("none", "WARN rate limit: the homeserver limits @capibot:reseau.fr's messages"),
        ("exempt", "OK   rate limit: @capibot:reseau.fr is exempt"),
    ],
    indirect=["homeserver"],
)
async def test_each_answer_gives_its_verdict_and_never_prints_the_token(
    homeserver: tuple[MatrixSettings, type], expected: str
) -> None:
    settings, handler = homeserver
    verdict = await rate_limit_verdict(settings, "syt_secret_token", admin_given=False)
    assert verdict.line().startswith(expected), verdict.line()
    assert verdict.ok  # never a failure: the bot works, slower
    assert "syt_secret_token" not in verdict.line()
    [(path, auth)] = handler.seen
    assert path == "/_synapse/admin/v1/users/@capibot:reseau.fr/override_ratelimit"
    assert auth == "Bearer syt_secret_token"


@pytest.mark.parametrize("homeserver", ["not-admin"], indirect=True)
async def test_a_refused_admin_token_is_named_as_such(
    homeserver: tuple[MatrixSettings, type],
) -> None:
    settings, _ = homeserver
    verdict = await rate_limit_verdict(settings, "syt_admin", admin_given=True)
    assert "the token in CAPIBOT_SYNAPSE_ADMIN_TOKEN is not one" in verdict.line()
