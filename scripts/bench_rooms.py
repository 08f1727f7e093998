"""Shared by bench_catchup.py and bench_memory.py: many rooms on the real Synapse, joined
directly (no invite, so no join job and no introduction notice per room), memory figures
read from /proc, and a bot config for another Matrix account."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from nio import AsyncClient, JoinResponse, RoomCreateResponse, RoomPreset

from scripts.bench_e2e import user_client
from scripts.devstack import StackInfo
from scripts.devstack.stack import StackUser
from scripts.devstack.synapse import register_user
from scripts.e2e_support import bot_config

T = TypeVar("T")


async def pooled(
    items: Iterable[T], work: Callable[[T], Awaitable[Any]], in_flight: int = 8
) -> list[Any]:
    """`work(item)` for every item, `in_flight` at a time, results in order."""
    listed = list(items)
    results: list[Any] = [None] * len(listed)
    indices = iter(range(len(listed)))

    async def worker() -> None:
        for i in indices:
            results[i] = await work(listed[i])

    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return results


async def create_rooms(client: AsyncClient, count: int, label: str) -> list[str]:
    """`count` public rooms (anyone on the server may join them without an invite)."""

    async def create(n: int) -> str:
        created = await client.room_create(name=f"{label} {n}", preset=RoomPreset.public_chat)
        if not isinstance(created, RoomCreateResponse):
            raise RuntimeError(f"room_create: {created}")
        return str(created.room_id)

    return await pooled(range(count), create)


async def join_rooms(stack: StackInfo, user: StackUser, room_ids: Iterable[str]) -> None:
    """`user` joins every room, through a device of its own (the bot's store is not used)."""
    client = await user_client(stack, user.role)
    try:

        async def join(room_id: str) -> None:
            joined = await client.join(room_id)
            if not isinstance(joined, JoinResponse):
                raise RuntimeError(f"{user.user_id()} join {room_id}: {joined}")

        await pooled(room_ids, join)
    finally:
        await client.close()


def extra_bot(stack: StackInfo, localpart: str) -> StackUser:
    """Another Matrix account for a second bot (registered if absent)."""
    user = StackUser(localpart, f"Capibot {localpart}", secrets.token_hex(12), localpart)
    register_user(
        stack.homeserver, stack.registration_secret, localpart, user.password, user.displayname
    )
    stack.users.append(user)
    return user


def bot_config_for(stack: StackInfo, tmp: Path, user: StackUser | None = None) -> tuple[Path, Path]:
    """bench_e2e's bot config in `tmp` (database and Matrix store in it), for `user`."""
    tmp.mkdir(parents=True, exist_ok=True)
    config, db = bot_config(stack, tmp)
    if user is not None:
        text = config.read_text()
        text = re.sub(r'(?m)^user_id = ".*"$', f'user_id = "{user.user_id()}"', text)
        text = re.sub(r'(?m)^password = ".*"$', f'password = "{user.password}"', text, count=1)
        config.write_text(text)
    return config, db


def vm_mb(pid: int, field: str) -> float:
    """A /proc/PID/status figure (VmRSS, VmHWM) in MB (0 if the process is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(rf"{field}:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else 0.0
