"""Small helpers shared by integration tests: log stack users in with plain nio, wait
for a condition."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig, LoginResponse

from scripts.devstack import StackInfo


async def user_client(stack: StackInfo, role: str, store: Path | None = None) -> AsyncClient:
    """A logged-in nio client for a stack user (with a crypto store when given)."""
    user = stack.user(role)
    config = AsyncClientConfig(encryption_enabled=store is not None, store_sync_tokens=False)
    client = AsyncClient(
        stack.homeserver,
        user.user_id(),
        store_path=str(store) if store else "",
        config=config,
    )
    response = await client.login(user.password, device_name=f"test-{role}")
    assert isinstance(response, LoginResponse), response
    return client


@asynccontextmanager
async def logged_in(stack: StackInfo, *roles: str) -> AsyncIterator[dict[str, AsyncClient]]:
    """Stack users logged in by role, all closed on exit (a test's cast of people)."""
    clients: dict[str, AsyncClient] = {}
    try:
        for role in roles:
            clients[role] = await user_client(stack, role)
        yield clients
    finally:
        for client in clients.values():
            await client.close()


async def eventually(
    probe: Callable[[], Awaitable[bool]], *, within: float = 20.0, interval: float = 0.1
) -> None:
    """Wait until `probe()` is true; fail with a clear message after `within` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while not await probe():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {within}s")
        await asyncio.sleep(interval)
