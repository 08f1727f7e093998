"""The supervised sync loop: nio sync → back-fill → translate → bounded `SyncBatch`es.

Why not `sync_forever` and callbacks: nio advances its token before callbacks run, so a
crash loses or repeats events. Here the token lives in our database and moves forward
only together with the events it covers (see `SyncLoop`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Callable
from datetime import UTC, datetime
from typing import Any

from nio import AsyncClient, MegolmEvent, MessageDirection, RoomMessagesResponse, SyncResponse

from bot.matrix.delivery import BatchHandler, Delivery, Stopped
from bot.matrix.delivery import record_position as record_position
from bot.matrix.errors import MatrixError
from bot.matrix.events import Inbound, KeyWait, RoomSnapshot, SyncBatch, Undecryptable
from bot.matrix.gateway import raise_for
from bot.matrix.keys import KeyRequests, arrived_sessions
from bot.matrix.snapshots import RoomSnapshots, changes_state
from bot.matrix.translate import decrypt, invite_from_state, translate_event, undecryptable
from bot.storage.database import Database

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SyncLoop:
    """Syncs forever and hands each sync's events to `handle_batch`, exactly once in order,
    in batches of at most `max_batch` events (a catch-up is streamed room by room).

    **Token contract.** The loop reads its token with `repo.get_sync_token()` at each
    (re)start. `handle_batch(batch)` must call `repo.set_sync_token(batch.next_batch)` in
    the *same* transaction that stores the batch's effects: then a crash either keeps
    both or neither, and the next start re-syncs from the old token (event ids make the
    replay harmless). The loop does not commit the token after a successful handler
    (it only checks that the handler did, and repairs it with an error log if not).
    A sync split into several batches gives its own token to the last one only; the
    earlier ones carry the token already stored, so a crash after batch k restarts from
    the old token and replays the whole sync.

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
    token, so every event reaches the handler once. A room's gap is fetched when its turn
    comes: memory holds one room's back-fill and one batch, whatever the downtime.

    **Room snapshots** are rebuilt only for rooms whose state changed in the sync
    (`RoomSnapshots`): idle joined rooms cost nothing per sync.

    **Encryption.** nio decrypts what it can while processing the sync; an event whose
    room key has not arrived yet waits up to `undecryptable_ttl` seconds and is delivered
    in a later batch when its key shows up. The wait is stored with the batch's token
    (`record_position`), so a restart resumes it instead of losing the event. The key is
    requested when the event is first met and again when the wait ends; a wait given up
    reaches the handler as `SyncBatch.undecryptable` (the room is told, once), and a key
    arriving later still reads the event (`SyncBatch.recovered`).
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
        max_batch: int = 500,
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
        self.max_batch = max(1, max_batch)
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
        self._joined_frozen: frozenset[str] = frozenset()
        self._rooms = RoomSnapshots(client)
        self._undecrypted: dict[str, tuple[str, Any, datetime]] = {}
        self._new_waits: list[KeyWait] = []  # stashed while building the current batch
        self._ended_waits: list[str] = []  # waits that ended while building it
        self._given_up: list[Undecryptable] = []  # waits given up while building it
        self._recovered: list[str] = []  # given up earlier, read by a late key in it
        self.key_requests = KeyRequests()

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
        # asyncio.timeout, not wait_for (which on 3.11 may swallow a cancellation).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    # -- one run -----------------------------------------------------------------------

    async def _run_from_stored_token(self) -> None:
        answered = self.delivery.until_database_answers
        since = await answered(lambda: self.db.run(lambda repo: repo.get_sync_token()))
        await answered(self._load_key_waits)
        self._joined, self._joined_frozen = set(), frozenset()
        first = True
        while not self._stopping:
            response = await self._sync(since, first)
            if response is None:  # stopped while waiting
                return
            await self._housekeeping()
            async with contextlib.aclosing(self._batches(response, since)) as batches:
                async for batch in batches:
                    try:
                        await self.delivery.deliver(batch, since)
                    except Stopped:
                        return
                    self.batches_delivered += 1
            await self.key_requests.send(self.client)
            since = response.next_batch
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

    # -- building the batches ------------------------------------------------------------

    async def _batches(
        self, response: SyncResponse, since: str | None
    ) -> AsyncGenerator[SyncBatch, None]:
        """One sync's events, room by room, in batches of at most `max_batch` events.

        Only the last batch carries the sync's `next_batch` (and its key waits); the
        earlier ones carry `since`, the token already stored, so a crash between two of
        them replays the sync instead of losing the rest (event ids make the replay
        harmless). Each room's gap is fetched when its turn comes, so memory holds one
        room's back-fill and one batch, not the whole catch-up. The first sync of a fresh
        install (`since` is None: no earlier token to commit with) stays one batch; its
        timelines are not back-filled anyway.
        """
        self._new_waits, self._ended_waits = [], []
        self._given_up, self._recovered = [], []
        rooms = response.rooms
        for room_id in rooms.leave:
            self._rooms.forget((room_id,))
        if set(rooms.join) - self._joined or self._joined & set(rooms.leave):
            self._joined.update(rooms.join)
            self._joined.difference_update(rooms.leave)
            self._joined_frozen = frozenset(self._joined)
        snapshots: dict[str, RoomSnapshot] = {}
        for room_id, info in rooms.join.items():
            self._rooms.harvest_create(room_id, list(info.state) + list(info.timeline.events))
            if changes_state(info):
                self._rooms.changed(room_id)
            snapshot = await self._rooms.get(room_id)
            if snapshot is not None:
                snapshots[room_id] = snapshot
        limit = self.max_batch if since is not None else None
        pending: list[Inbound] = []
        waiting_seen: set[str] = set()  # ids of waiting encrypted events met in this sync
        for room_id, info in rooms.join.items():
            pending.extend(await self._room_events(room_id, info, since, waiting_seen))
            while limit is not None and len(pending) >= limit:
                chunk, pending = pending[:limit], pending[limit:]
                yield self._batch(since, since, chunk, snapshots, last=False)
        retried = self._retry_undecrypted(waiting_seen)
        retried.extend(await self._read_late(arrived_sessions(response)))
        for room_id in sorted({e.room_id for e in retried} - snapshots.keys()):
            if room_id in self._joined:
                snapshot = await self._rooms.get(room_id)
                if snapshot is not None:
                    snapshots[room_id] = snapshot
        pending.extend(retried)
        for room_id, invite in rooms.invite.items():
            inbound_invite = invite_from_state(room_id, self.client.user_id, invite.invite_state)
            if inbound_invite is not None:
                pending.append(inbound_invite)
            else:
                log.warning("invite to %s without a readable inviter: ignored", room_id)
        while limit is not None and len(pending) > limit:
            chunk, pending = pending[:limit], pending[limit:]
            yield self._batch(since, since, chunk, snapshots, last=False)
        yield self._batch(response.next_batch, since, pending, snapshots, last=True)

    def _batch(
        self,
        token: str | None,
        since: str | None,
        events: list[Inbound],
        snapshots: dict[str, RoomSnapshot],
        *,
        last: bool,
    ) -> SyncBatch:
        assert token is not None  # only a sync with a stored token is split
        return SyncBatch(
            next_batch=token,
            initial=since is None,
            events=tuple(events),
            rooms=snapshots,
            joined_rooms=self._joined_frozen,
            key_waits=tuple(self._new_waits) if last else (),
            key_waits_ended=tuple(self._ended_waits) if last else (),
            undecryptable=tuple(self._given_up) if last else (),
            recovered=tuple(self._recovered) if last else (),
        )

    async def _room_events(
        self, room_id: str, info: Any, since: str | None, waiting_seen: set[str]
    ) -> list[Inbound]:
        """A room's events of this sync, its back-filled gap first, each once."""
        timeline = list(info.timeline.events)
        if info.timeline.limited and since is not None and info.timeline.prev_batch:
            gap = await self._backfill(room_id, info.timeline.prev_batch, since)
            if gap:
                log.info("back-filled %d events in %s", len(gap), room_id)
            timeline = gap + timeline
        events: list[Inbound] = []
        seen: set[str] = set()
        for event in timeline:
            event_id = getattr(event, "event_id", None)
            if isinstance(event_id, str):
                if event_id in seen:
                    continue
                seen.add(event_id)
            inbound = self._translate(room_id, event)
            if inbound is not None:
                events.append(inbound)
            elif event_id in self._undecrypted:  # still waiting: not retried in this sync
                waiting_seen.add(str(event_id))
        return events

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
        self.key_requests.want(room_id, event)
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
                self.key_requests.want(room_id, event)  # one last time
                given_up = undecryptable(room_id, getattr(event, "source", None))
                if given_up is not None:
                    self._given_up.append(given_up)
                log.warning(
                    "giving up on undecryptable event %s in %s (session %s)",
                    event_id,
                    room_id,
                    getattr(event, "session_id", "?"),
                )
        return found

    async def _read_late(self, sessions: set[str]) -> list[Inbound]:
        """Messages given up earlier that the room keys of this sync read after all."""
        if not sessions:
            return []
        rows = await self.delivery.until_database_answers(
            lambda: self.db.run(lambda repo: repo.undecryptable_in_sessions(sessions))
        )
        found: list[Inbound] = []
        for event_id, room_id, source in rows:
            event = MegolmEvent.from_dict(source)
            if not isinstance(event, MegolmEvent):
                continue
            decrypted = decrypt(self.client, room_id, event)
            if decrypted is None:
                continue
            log.info("a late room key read event %s in %s", event_id, room_id)
            self._recovered.append(event_id)
            inbound = translate_event(room_id, decrypted)
            if inbound is not None:
                found.append(inbound)
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
