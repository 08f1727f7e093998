"""Small helpers shared by integration tests: log a stack user in with plain nio."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
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


async def eventually(
    probe: Callable[[], Awaitable[bool]], *, within: float = 20.0, interval: float = 0.1
) -> None:
    """Wait until `probe()` is true; fail with a clear message after `within` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while not await probe():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {within}s")
        await asyncio.sleep(interval)
