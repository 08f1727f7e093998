"""The supervised sync loop: nio sync → back-fill → translate → one `SyncBatch` per sync.

Why not `sync_forever` and callbacks: nio advances its token before callbacks run, so a
crash loses or repeats events. Here the token lives in our database and moves forward
only together with the events it covers (see `SyncLoop`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from nio import AsyncClient, MegolmEvent, MessageDirection, RoomMessagesResponse, SyncResponse

from bot.domain.permissions import room_creators
from bot.matrix.delivery import BatchHandler, Delivery, Stopped
from bot.matrix.delivery import record_position as record_position
from bot.matrix.errors import MatrixError
from bot.matrix.events import Inbound, KeyWait, RoomSnapshot, SyncBatch
from bot.matrix.gateway import fetch_create_event, raise_for
from bot.matrix.translate import decrypt, invite_from_state, translate_event
from bot.storage.database import Database

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _create_info(event: Mapping[str, Any]) -> frozenset[str] | None:
    """The all-powerful creators a `m.room.create` event names (DESIGN §9 item 6), or
    None when the event is unusable. The rule itself is the domain's."""
    content = event.get("content")
    sender = event.get("sender")
    if not isinstance(content, Mapping) or not isinstance(sender, str):
        return None
    return room_creators(sender, content, str(content.get("room_version") or "1"))


class SyncLoop:
    """Syncs forever and hands each sync's events to `handle_batch`, exactly once in order.

    **Token contract.** The loop reads its token with `repo.get_sync_token()` at each
    (re)start. `handle_batch(batch)` must call `repo.set_sync_token(batch.next_batch)` in
    the *same* transaction that stores the batch's effects: then a crash either keeps
    both or neither, and the next start re-syncs from the old token (event ids make the
    replay harmless). The loop does not commit the token after a successful handler
    (it only checks that the handler did, and repairs it with an error log if not).

    **Failures** (`Delivery`). While the database is unavailable, delivery stops and the
    same batch is retried with backoff capped at `max_backoff` until it answers: the token
    does not move. A batch that fails `handler_attempts` times while the database answers
    is "poisoned": its events are handed over one at a time (each sub-batch carries the
    *previous* token as `next_batch`, so a crash in the middle replays instead of
    losing); an event that still fails alone is set aside whole in `dead_letters`, in the
    transaction that commits the batch's token. Any other exception (homeserver down,
    back-fill error) restarts the loop from the stored token with backoff capped at
    `max_backoff`: nothing is lost, nothing skipped.

    **First sync.** Without a stored token, the first batch is `initial=True` (history of
    a fresh install: never run commands from it). After a restart with a token, the first
    sync asks for `full_state` so nio (whose room state is not persisted) knows every
    room's members, power levels and encryption again.

    **Limited timelines** (Synapse returns at most ~10–100 events per room and sync) are
    back-filled with /messages from the timeline's `prev_batch` back to our previous
    token, so every event reaches the handler once.

    **Encryption.** nio decrypts what it can while processing the sync; an event whose
    room key has not arrived yet waits up to `undecryptable_ttl` seconds and is delivered
    in a later batch when its key shows up. The wait is stored with the batch's token
    (`record_position`), so a restart resumes it instead of losing the event.
    """

    def __init__(
        self,
        client: AsyncClient,
        db: Database,
        handle_batch: BatchHandler,
        *,
        sync_timeout_ms: int = 30_000,
        clock: Callable[[], datetime] = _utcnow,
        max_backoff: float = 60.0,
        handler_attempts: int = 3,
        retry_pause: float = 0.5,
        backfill_page: int = 100,
        backfill_max: int = 50_000,
        undecryptable_ttl: float = 24 * 3600.0,
    ) -> None:
        self.client = client
        self.db = db
        self.handle_batch = handle_batch
        self.sync_timeout_ms = sync_timeout_ms
        self.clock = clock
        self.max_backoff = max_backoff
        self.backfill_page = backfill_page
        self.backfill_max = backfill_max
        self.undecryptable_ttl = undecryptable_ttl
        self.delivery = Delivery(
            db,
            handle_batch,
            clock=clock,
            pause=self._pause,
            stopping=lambda: self._stopping,
            handler_attempts=handler_attempts,
            retry_pause=retry_pause,
            max_backoff=max_backoff,
        )
        self.batches_delivered = 0
        self._stopping = False
        self._wake = asyncio.Event()
        self._sync_task: asyncio.Future[Any] | None = None
        self._joined: set[str] = set()
        self._create: dict[str, frozenset[str]] = {}
        self._undecrypted: dict[str, tuple[str, Any, datetime]] = {}
        self._new_waits: list[KeyWait] = []  # stashed while building the current batch
        self._ended_waits: list[str] = []  # waits that ended while building it

    # -- supervision -------------------------------------------------------------------

    async def run(self) -> None:
        """Sync until `stop()`; any failure is logged and the loop restarts with backoff."""
        failures = 0
        while not self._stopping:
            delivered_before = self.batches_delivered
            try:
                await self._run_from_stored_token()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._stopping:
                    break
                if self.batches_delivered != delivered_before:
                    failures = 0
                failures += 1
                delay = min(self.max_backoff, 2.0 ** (failures - 1))
                log.error(
                    "sync loop failed (%s: %s); restarting in %.0fs",
                    type(exc).__name__,
                    exc,
                    delay,
                    exc_info=not isinstance(exc, MatrixError),
                )
                await self._pause(delay)
        log.info("sync loop stopped")

    def stop(self) -> None:
        """Ask `run()` to return: a pending long-poll is cancelled, a batch being handled
        is finished first (its transaction decides whether its token was committed)."""
        self._stopping = True
        self._wake.set()
        if self._sync_task is not None and not self._sync_task.done():
            self._sync_task.cancel()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    # -- one run -----------------------------------------------------------------------

    async def _run_from_stored_token(self) -> None:
        answered = self.delivery.until_database_answers
        since = await answered(lambda: self.db.run(lambda repo: repo.get_sync_token()))
        await answered(self._load_key_waits)
        self._joined = set()
        first = True
        while not self._stopping:
            response = await self._sync(since, first)
            if response is None:  # stopped while waiting
                return
            batch = await self._build_batch(response, since)
            await self._housekeeping()
            try:
                await self.delivery.deliver(batch, since)
            except Stopped:
                return
            self.batches_delivered += 1
            since = batch.next_batch
            first = False

    async def _sync(self, since: str | None, first: bool) -> SyncResponse | None:
        client = self.client
        if since is None:
            # A fresh install: make nio do a real initial sync even if it synced before
            # in this process (a previous attempt that failed before committing).
            client.next_batch = None
            client.loaded_sync_token = None
        self._sync_task = asyncio.ensure_future(
            client.sync(
                timeout=0 if first else self.sync_timeout_ms,
                since=since,
                full_state=True if first and since is not None else None,
            )
        )
        try:
            response = await self._sync_task
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if self._stopping and not (task is not None and task.cancelling()):
                return None
            raise
        finally:
            self._sync_task = None
        if not isinstance(response, SyncResponse):
            raise_for(response, "sync")
        return response

    # -- building the batch --------------------------------------------------------------

    async def _build_batch(self, response: SyncResponse, since: str | None) -> SyncBatch:
        self._new_waits, self._ended_waits = [], []
        events: list[Inbound] = []
        seen: set[str] = set()
        rooms = response.rooms
        for room_id, info in rooms.join.items():
            self._harvest_create(room_id, list(info.state) + list(info.timeline.events))
            timeline = list(info.timeline.events)
            if info.timeline.limited and since is not None and info.timeline.prev_batch:
                gap = await self._backfill(room_id, info.timeline.prev_batch, since)
                if gap:
                    log.info("back-filled %d events in %s", len(gap), room_id)
                timeline = gap + timeline
            for event in timeline:
                event_id = getattr(event, "event_id", None)
                if isinstance(event_id, str):
                    if event_id in seen:
                        continue
                    seen.add(event_id)
                inbound = self._translate(room_id, event)
                if inbound is not None:
                    events.append(inbound)
        events.extend(self._retry_undecrypted(seen))
        for room_id, invite in rooms.invite.items():
            inbound_invite = invite_from_state(room_id, self.client.user_id, invite.invite_state)
            if inbound_invite is not None:
                events.append(inbound_invite)
            else:
                log.warning("invite to %s without a readable inviter: ignored", room_id)

        self._joined.update(rooms.join)
        self._joined.difference_update(rooms.leave)

        wanted = set(rooms.join) | {
            event.room_id for event in events if event.room_id in self._joined
        }
        snapshots: dict[str, RoomSnapshot] = {}
        for room_id in sorted(wanted):
            snapshot = await self._snapshot(room_id)
            if snapshot is not None:
                snapshots[room_id] = snapshot
        return SyncBatch(
            next_batch=response.next_batch,
            initial=since is None,
            events=tuple(events),
            rooms=snapshots,
            joined_rooms=frozenset(self._joined),
            key_waits=tuple(self._new_waits),
            key_waits_ended=tuple(self._ended_waits),
        )

    def _translate(self, room_id: str, event: Any) -> Inbound | None:
        if isinstance(event, MegolmEvent):
            decrypted = decrypt(self.client, room_id, event)
            if decrypted is None:
                self._stash_undecrypted(room_id, event)
                return None
            if self._undecrypted.pop(str(getattr(event, "event_id", "")), None):  # readable now
                self._ended_waits.append(str(event.event_id))
            event = decrypted
        return translate_event(room_id, event, self.client)

    def _stash_undecrypted(self, room_id: str, event: Any) -> None:
        event_id = getattr(event, "event_id", None)
        if not isinstance(event_id, str) or event_id in self._undecrypted:
            return
        if len(self._undecrypted) >= 10_000:
            log.warning("too many undecryptable events; dropping %s in %s", event_id, room_id)
            return
        log.info("event %s in %s cannot be decrypted yet; waiting for its key", event_id, room_id)
        now = self.clock()
        self._undecrypted[event_id] = (room_id, event, now)
        source = getattr(event, "source", None)
        if isinstance(source, dict):
            self._new_waits.append(KeyWait(event_id, room_id, source, now))

    def _retry_undecrypted(self, fresh: set[str]) -> list[Inbound]:
        """Events whose key arrived since they were seen, in their original order."""
        found: list[Inbound] = []
        now = self.clock()
        for event_id, (room_id, event, since) in list(self._undecrypted.items()):
            if event_id in fresh:
                continue
            decrypted = decrypt(self.client, room_id, event)
            if decrypted is not None:
                del self._undecrypted[event_id]
                self._ended_waits.append(event_id)
                inbound = translate_event(room_id, decrypted)
                if inbound is not None:
                    found.append(inbound)
            elif (now - since).total_seconds() > self.undecryptable_ttl:
                del self._undecrypted[event_id]
                self._ended_waits.append(event_id)
                log.warning(
                    "giving up on undecryptable event %s in %s (session %s)",
                    event_id,
                    room_id,
                    getattr(event, "session_id", "?"),
                )
        return found

    async def _load_key_waits(self) -> None:
        """What waited for keys when the bot last stopped: from the database only (an
        event stashed in memory for a batch that was not committed comes again)."""
        self._undecrypted = {}
        for event_id, room_id, source, seen_at in await self.db.run(lambda repo: repo.key_waits()):
            event = MegolmEvent.from_dict(source)
            if isinstance(event, MegolmEvent):
                self._undecrypted[event_id] = (room_id, event, seen_at)
        if self._undecrypted:
            log.info("%d encrypted event(s) still wait for their keys", len(self._undecrypted))

    async def _backfill(self, room_id: str, prev_batch: str, since: str) -> list[Any]:
        """The events between our previous token and the start of a limited timeline,
        oldest first."""
        newest_first: list[Any] = []
        start = prev_batch
        while True:
            response = await self.client.room_messages(
                room_id,
                start=start,
                end=since,
                direction=MessageDirection.back,
                limit=self.backfill_page,
            )
            if not isinstance(response, RoomMessagesResponse):
                raise_for(response, f"back-fill of {room_id}")
            newest_first.extend(response.chunk)
            if not response.chunk or not response.end or response.end == start:
                break
            if len(newest_first) >= self.backfill_max:
                log.error(
                    "back-fill of %s stopped after %d events: older events are skipped",
                    room_id,
                    len(newest_first),
                )
                break
            start = response.end
        newest_first.reverse()
        return newest_first

    # -- room state ---------------------------------------------------------------------

    def _harvest_create(self, room_id: str, events: Iterable[Any]) -> None:
        if room_id in self._create:
            return
        for event in events:
            source = getattr(event, "source", None)
            if (
                isinstance(source, Mapping)
                and source.get("type") == "m.room.create"
                and source.get("state_key") == ""
            ):
                creators = _create_info(source)
                if creators is not None:
                    self._create[room_id] = creators
                    return

    async def _creators(self, room_id: str) -> frozenset[str]:
        creators = self._create.get(room_id)
        if creators is None:
            try:
                event = await fetch_create_event(self.client, room_id)
            except MatrixError as exc:
                log.warning("cannot read the creators of %s (%s); none assumed", room_id, exc)
                return frozenset()
            creators = _create_info(event)
            if creators is None:
                return frozenset()
            self._create[room_id] = creators
        return creators

    async def _snapshot(self, room_id: str) -> RoomSnapshot | None:
        room = self.client.rooms.get(room_id)
        if room is None:
            return None
        levels = room.power_levels
        users = {
            str(user): int(level)
            for user, level in dict(getattr(levels, "users", {}) or {}).items()
            if isinstance(level, int) and not isinstance(level, bool)
        }
        default = getattr(getattr(levels, "defaults", None), "users_default", 0)
        names = {
            str(user_id): str(user.display_name)
            for user_id, user in dict(room.users).items()
            if getattr(user, "display_name", None)
        }
        invited = set(dict(getattr(room, "invited_users", {}) or {}))
        members = frozenset(str(u) for u in dict(room.users) if u not in invited)
        return RoomSnapshot(
            room_id=room_id,
            encrypted=bool(room.encrypted),
            power_levels=users,
            users_default=default if isinstance(default, int) else 0,
            creators=await self._creators(room_id),
            display_names=names,
            member_count=int(room.member_count),
            members=members,
        )

    # -- E2EE housekeeping (what sync_forever does between syncs) -------------------------

    async def _housekeeping(self) -> None:
        client = self.client
        try:
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            await client.send_to_device_messages()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # retried after the next sync: the flags stay set
            log.warning("E2EE housekeeping failed: %s: %s", type(exc).__name__, exc)
