"""The no-op Matrix client of the end-to-end benchmarks: syncs one room exactly as the
bot's `SyncLoop` does (same long polls, same back-fills) and does nothing else, so a
benchmark's ratio is the cost of what the bot does on top. Runs in its own process
(`start_observer`); its spec comes as one JSON line on stdin."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    JoinResponse,
    LoginResponse,
    MessageDirection,
    RoomMessagesResponse,
    SyncResponse,
)

SYNC_TIMEOUT_MS = 30_000  # SyncLoop's default long poll
BACKFILL_PAGE = 100  # SyncLoop's default back-fill page


async def _backfill(client: AsyncClient, room_id: str, prev_batch: str, since: str) -> list[Any]:
    """The events between `since` and a limited timeline's start, oldest first: the same
    requests as `SyncLoop._backfill`."""
    newest_first: list[Any] = []
    start = prev_batch
    while True:
        response = await client.room_messages(
            room_id, start=start, end=since, direction=MessageDirection.back, limit=BACKFILL_PAGE
        )
        if not isinstance(response, RoomMessagesResponse):
            raise RuntimeError(f"back-fill of {room_id}: {response}")
        newest_first.extend(response.chunk)
        if not response.chunk or not response.end or response.end == start:
            break
        start = response.end
    newest_first.reverse()
    return newest_first


async def command(expected: str) -> None:
    """The next line of stdin, which must be `expected` (the benchmark's go-ahead)."""
    line = await asyncio.to_thread(sys.stdin.readline)
    if line.strip() != expected:
        raise RuntimeError(f"no-op client: expected {expected!r} on stdin, got {line!r}")


async def noop_client(spec: dict[str, Any], device: str, *, request_timeout: int) -> AsyncClient:
    """The no-op client's nio client, logged in as its spec says."""
    client = AsyncClient(
        spec["homeserver"],
        spec["user_id"],
        config=AsyncClientConfig(
            store_sync_tokens=False, max_timeouts=3, request_timeout=request_timeout
        ),
    )
    login = await client.login(spec["password"], device_name=device)
    if not isinstance(login, LoginResponse):
        await client.close()
        raise RuntimeError(f"no-op login: {login}")
    return client


async def observe(spec: dict[str, Any]) -> None:
    """Join the room, sync once, say "ready", then sync until every burst message is seen.

    Catch-up mode: after "ready", wait for "mark", sync once more (the bot is stopped by
    then), keep that token, say "marked", stay idle until "go", then sync from the kept
    token as the bot's `SyncLoop` does after a restart (first sync: no wait, full state).
    """
    catch_up = spec.get("mode") == "catch-up"
    client = await noop_client(spec, "bench-e2e-noop", request_timeout=60)
    try:
        joined = await client.join(spec["room_id"])
        if not isinstance(joined, JoinResponse):
            raise RuntimeError(f"no-op join: {joined}")
        first = await client.sync(timeout=0)
        if not isinstance(first, SyncResponse):
            raise RuntimeError(f"no-op initial sync: {first}")
        since: str = first.next_batch
        print("ready", flush=True)
        if catch_up:
            await command("mark")
            marked = await client.sync(timeout=0, since=since)
            if not isinstance(marked, SyncResponse):
                raise RuntimeError(f"no-op sync: {marked}")
            since = marked.next_batch
            print("marked", flush=True)
            await command("go")

        prefix = spec["tag"] + " "
        total = int(spec["messages"])
        seen: set[str] = set()
        seen_at: dict[int, float] = {}  # message number → when this client first had it
        syncs = limited = backfilled = 0
        first_sync_at: float | None = None
        backfilled_at: float | None = None
        cpu0 = time.process_time()
        while len(seen) < total:
            restart = catch_up and syncs == 0  # SyncLoop's first sync from a stored token
            response = await client.sync(
                timeout=0 if restart else SYNC_TIMEOUT_MS,
                since=since,
                full_state=True if restart else None,
            )
            if not isinstance(response, SyncResponse):
                raise RuntimeError(f"no-op sync: {response}")
            if first_sync_at is None:
                first_sync_at = time.time()
            syncs += 1
            for room_id, info in response.rooms.join.items():
                timeline = list(info.timeline.events)
                if info.timeline.limited and info.timeline.prev_batch:
                    limited += 1
                    gap = await _backfill(client, room_id, info.timeline.prev_batch, since)
                    backfilled += len(gap)
                    timeline = gap + timeline
                    if backfilled_at is None:
                        backfilled_at = time.time()
                if room_id != spec["room_id"]:
                    continue
                now = time.time()
                for event in timeline:
                    content = getattr(event, "source", {}).get("content", {})
                    body = content.get("body") if isinstance(content, dict) else None
                    if isinstance(body, str) and body.startswith(prefix):
                        seen.add(event.event_id)
                        seen_at.setdefault(int(body[len(prefix) :]), now)
            since = response.next_batch
        done = time.time()
        report = {
            "seen_at": done,
            "first_sync_at": first_sync_at,
            "backfilled_at": backfilled_at,
            "cpu_seconds": time.process_time() - cpu0,
            "syncs": syncs,
            "limited": limited,
            "backfilled": backfilled,
            "seen_times": sorted(seen_at.items()),
        }
        print(json.dumps(report), flush=True)
    finally:
        await client.close()


if __name__ == "__main__":
    asyncio.run(observe(json.loads(sys.stdin.readline())))
