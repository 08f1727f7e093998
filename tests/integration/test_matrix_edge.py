"""The Matrix edge against the real Synapse: SyncLoop, back-fill, E2EE, Gateway."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from nio import (
    AsyncClient,
    MegolmEvent,
    RoomCreateResponse,
    RoomMessageNotice,
    RoomSendResponse,
    SyncResponse,
)

from bot.matrix.events import (
    Inbound,
    InboundInvite,
    InboundMessage,
    OutboundNotice,
    SyncBatch,
)
from bot.matrix.gateway import Gateway
from bot.matrix.session import log_in, make_client
from bot.matrix.sync import SyncLoop
from bot.settings import MatrixSettings, load_settings
from bot.storage.database import Database
from scripts.chat import edit_content
from scripts.devstack import StackInfo
from tests.integration.helpers import eventually, user_client

pytestmark = pytest.mark.integration

ENCRYPTION = {
    "type": "m.room.encryption",
    "state_key": "",
    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
}


@dataclass
class Bot:
    """A bot edge: client, gateway, database and a running SyncLoop recording batches."""

    matrix: MatrixSettings
    db: Database
    client: AsyncClient
    gateway: Gateway
    batches: list[SyncBatch] = field(default_factory=list)
    tokens_before_handler: list[str | None] = field(default_factory=list)
    loop: SyncLoop | None = None
    task: asyncio.Task[None] | None = None

    @property
    def events(self) -> list[Inbound]:
        return [event for batch in self.batches for event in batch.events]

    def messages(self, room_id: str) -> list[InboundMessage]:
        return [e for e in self.events if isinstance(e, InboundMessage) and e.room_id == room_id]

    async def handle(self, batch: SyncBatch) -> None:
        """The contract: the handler commits the token with the batch's effects."""

        def work(repo: Any) -> None:
            self.tokens_before_handler.append(repo.get_sync_token())
            repo.set_sync_token(batch.next_batch)

        await self.db.run(work)
        self.batches.append(batch)
        for event in batch.events:
            if isinstance(event, InboundInvite):
                await self.gateway.join(event.room_id)

    async def start(self) -> None:
        self.loop = SyncLoop(self.client, self.db, self.handle, sync_timeout_ms=1000)
        self.task = asyncio.create_task(self.loop.run())
        await eventually(lambda: _true(len(self.batches) > 0))

    async def stop(self) -> None:
        assert self.loop is not None and self.task is not None
        self.loop.stop()
        await asyncio.wait_for(self.task, 10)

    async def restart_client(self) -> None:
        """A new process: new nio client on the same store (same device), same database."""
        await self.client.close()
        self.client = make_client(self.matrix)
        await log_in(self.client, self.matrix)
        self.gateway = Gateway(self.client)

    async def wait_for(self, probe: Callable[[], bool], within: float = 20.0) -> None:
        await eventually(lambda: _true(probe()), within=within)


async def _true(value: bool) -> bool:
    return value


@contextlib.asynccontextmanager
async def bot_edge(stack: StackInfo, tmp_path: Path) -> AsyncIterator[Bot]:
    settings = load_settings(stack.config_path)
    matrix = settings.matrix.model_copy(update={"store_path": tmp_path / "matrix"})
    db = Database.from_url(f"sqlite:///{tmp_path}/capibot.db")
    db.migrate()
    client = make_client(matrix)
    await log_in(client, matrix)
    bot = Bot(matrix, db, client, Gateway(client))
    try:
        yield bot
    finally:
        if bot.task is not None and not bot.task.done():
            await bot.stop()
        await bot.client.close()
        db.close()


async def _room_with_bot(alice: AsyncClient, bot: Bot, **kwargs: Any) -> str:
    created = await alice.room_create(invite=[bot.client.user_id], **kwargs)
    assert isinstance(created, RoomCreateResponse), created
    room_id: str = created.room_id
    await bot.wait_for(lambda: room_id in (bot.batches[-1].joined_rooms if bot.batches else ()))
    return room_id


async def _send(client: AsyncClient, room_id: str, content: dict[str, Any]) -> str:
    response = await client.room_send(
        room_id, "m.room.message", content, ignore_unverified_devices=True
    )
    assert isinstance(response, RoomSendResponse), response
    return str(response.event_id)


def _text(body: str, **relates: Any) -> dict[str, Any]:
    content: dict[str, Any] = {"msgtype": "m.text", "body": body}
    if relates:
        content["m.relates_to"] = relates
    return content


# -- (a) + (c) -------------------------------------------------------------------------------


async def test_delivers_a_thread_reply_with_its_relations_and_the_handler_owns_the_token(
    stack: StackInfo, tmp_path: Path, alice: AsyncClient
) -> None:
    async with bot_edge(stack, tmp_path) as bot:
        await bot.start()
        # (c) a fresh install: the first batch is flagged initial, the next ones not.
        assert bot.batches[0].initial is True
        room_id = await _room_with_bot(alice, bot, name="Fonction RH")
        invite = next(e for e in bot.events if isinstance(e, InboundInvite))
        assert invite.room_id == room_id
        assert invite.inviter == alice.user_id
        assert all(not b.initial for b in bot.batches[1:])

        root = await _send(alice, room_id, _text("Comment accueillez-vous ?"))
        first = await _send(
            alice,
            room_id,
            _text(
                "Premier avis",
                rel_type="m.thread",
                event_id=root,
                is_falling_back=True,
                **{"m.in_reply_to": {"event_id": root}},
            ),
        )
        reply = await _send(
            alice,
            room_id,
            _text(
                "Réponse directe",
                rel_type="m.thread",
                event_id=root,
                is_falling_back=False,
                **{"m.in_reply_to": {"event_id": first}},
            ),
        )
        await bot.wait_for(lambda: any(m.event_id == reply for m in bot.messages(room_id)))
        by_id = {m.event_id: m for m in bot.messages(room_id)}
        assert by_id[root].thread_root is None
        assert by_id[first].thread_root == root
        assert by_id[first].in_reply_to is None  # a thread fallback is no reply
        assert by_id[reply].thread_root == root
        assert by_id[reply].in_reply_to == first
        assert by_id[reply].sender == alice.user_id
        assert by_id[reply].sent_at.tzinfo is not None

        snapshot = next(b.rooms[room_id] for b in reversed(bot.batches) if room_id in b.rooms)
        assert snapshot.member_count == 2
        if bot.client.rooms[room_id].room_version == "12":
            assert snapshot.creators == {alice.user_id}  # all-powerful, not in the PL map
        else:
            assert snapshot.power_level(alice.user_id) == 100
        assert snapshot.display_names.get(alice.user_id) == "Alice Martin"

        # The loop never advanced the token by itself: each handler call found the
        # token its predecessor committed.
        handed = [b.next_batch for b in bot.batches]
        assert bot.tokens_before_handler == [None, *handed[:-1]]
        stored = await bot.db.run(lambda repo: repo.get_sync_token())
        assert stored == handed[-1]


# -- (b) -------------------------------------------------------------------------------------


async def test_restart_does_not_redeliver_and_backfills_a_gap_of_150_messages(
    stack: StackInfo, tmp_path: Path, alice: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    async with bot_edge(stack, tmp_path) as bot:
        await bot.start()
        room_id = await _room_with_bot(alice, bot, name="Territoire Nord")
        before = await _send(alice, room_id, _text("avant l'arrêt"))
        await bot.wait_for(lambda: any(m.event_id == before for m in bot.messages(room_id)))
        await bot.stop()
        delivered_before = len(bot.batches)

        semaphore = asyncio.Semaphore(10)

        async def send(n: int) -> str:
            async with semaphore:
                return await _send(alice, room_id, _text(f"pendant l'arrêt {n}"))

        sent = await asyncio.gather(*(send(n) for n in range(150)))

        await bot.restart_client()
        caplog.set_level(logging.INFO, logger="bot.matrix.sync")
        await bot.start()
        await bot.wait_for(
            lambda: {m.event_id for m in bot.messages(room_id)} >= set(sent), within=30
        )
        after = [e for b in bot.batches[delivered_before:] for e in b.events]
        ids = [getattr(e, "event_id", None) for e in after]
        assert before not in ids
        gap = [i for i in ids if i in set(sent)]
        assert sorted(gap) == sorted(sent)  # every event, exactly once
        assert len(gap) == len(set(gap)) == 150
        # Chronological (sends were concurrent, so compare the server's timestamps).
        times = [m.sent_at for m in after if isinstance(m, InboundMessage)]
        assert times == sorted(times)
        assert all(not b.initial for b in bot.batches[delivered_before:])
        assert "back-filled" in caplog.text  # the gap really came through /messages


# -- (d) -------------------------------------------------------------------------------------


async def _alice_sync(alice: AsyncClient, wait_ms: int = 300) -> SyncResponse:
    response = await alice.sync(timeout=wait_ms)
    assert isinstance(response, SyncResponse), response
    if alice.should_upload_keys:
        await alice.keys_upload()
    if alice.should_query_keys:
        await alice.keys_query()
    if alice.should_claim_keys:
        await alice.keys_claim(alice.get_users_for_key_claiming())
    await alice.send_to_device_messages()
    return response


async def test_encrypted_room_both_ways(stack: StackInfo, tmp_path: Path) -> None:
    store = tmp_path / "alice"
    store.mkdir()
    alice = await user_client(stack, "practitioner", store=store)
    try:
        await _alice_sync(alice, wait_ms=0)
        async with bot_edge(stack, tmp_path) as bot:
            await bot.start()
            room_id = await _room_with_bot(
                alice, bot, name="Salon chiffré", initial_state=[ENCRYPTION]
            )
            # Alice learns of the bot's membership and device before encrypting.
            await _alice_sync(alice, wait_ms=0)
            secret = "Chiffré : notre protocole d'accueil"
            event_id = await _send(alice, room_id, _text(secret))
            await bot.wait_for(lambda: any(m.event_id == event_id for m in bot.messages(room_id)))
            received = next(m for m in bot.messages(room_id) if m.event_id == event_id)
            assert received.body == secret
            assert any(b.rooms[room_id].encrypted for b in bot.batches if room_id in b.rooms)

            # The relations endpoint returns encrypted thread messages: decrypted too.
            in_thread = await _send(
                alice,
                room_id,
                _text("Chiffré, dans le fil", rel_type="m.thread", event_id=event_id),
            )
            await bot.wait_for(lambda: any(m.event_id == in_thread for m in bot.messages(room_id)))
            thread = await bot.gateway.fetch_thread(room_id, event_id)
            assert [(m.event_id, getattr(m, "body", None)) for m in thread] == [
                (in_thread, "Chiffré, dans le fil")
            ]
            root = await bot.gateway.fetch_event(room_id, event_id)
            assert isinstance(root, InboundMessage) and root.body == secret

            notice = OutboundNotice(
                room_id=room_id,
                body="Fiche #1 ouverte",
                html="<b>Fiche #1</b> ouverte",
                thread_root=event_id,
                mentions=(alice.user_id,),
            )
            notice_id = await bot.gateway.send_notice(notice, "test-encrypted-notice-1")

            seen: dict[str, Any] = {}

            async def alice_reads_it() -> bool:
                response = await _alice_sync(alice)
                info = response.rooms.join.get(room_id)
                for event in info.timeline.events if info else []:
                    seen[event.event_id] = event
                return notice_id in seen and not isinstance(seen[notice_id], MegolmEvent)

            await eventually(alice_reads_it)
            got = seen[notice_id]
            assert isinstance(got, RoomMessageNotice)
            assert got.body == "Fiche #1 ouverte"
            assert got.source["content"]["m.mentions"] == {"user_ids": [alice.user_id]}
            assert got.source["content"]["m.relates_to"]["event_id"] == event_id
    finally:
        await alice.close()


# -- (e) (f) ---------------------------------------------------------------------------------


async def test_send_notice_is_idempotent_per_txn_id(
    stack: StackInfo, tmp_path: Path, alice: AsyncClient
) -> None:
    async with bot_edge(stack, tmp_path) as bot:
        await bot.start()
        room_id = await _room_with_bot(alice, bot, name="Idempotence")
        notice = OutboundNotice(room_id=room_id, body="une seule fois", html="une seule fois")
        first = await bot.gateway.send_notice(notice, "test-idem-1")
        # A retry after a crash: a new process, the same device, the same txn id.
        await bot.stop()
        await bot.restart_client()
        again = await bot.gateway.send_notice(notice, "test-idem-1")
        assert again == first
        other = await bot.gateway.send_notice(notice, "test-idem-2")
        assert other != first

        async def count() -> int:
            response = await alice.room_messages(room_id, limit=50)
            return sum(1 for e in response.chunk if getattr(e, "body", None) == "une seule fois")

        assert await count() == 2


async def test_fetch_thread_returns_earlier_messages_in_order_with_edits(
    stack: StackInfo, tmp_path: Path, alice: AsyncClient
) -> None:
    async with bot_edge(stack, tmp_path) as bot:
        await bot.start()
        room_id = await _room_with_bot(alice, bot, name="Fil")
        root = await _send(alice, room_id, _text("La question"))
        replies = []
        for n in range(3):
            replies.append(
                await _send(
                    alice, room_id, _text(f"réponse {n}", rel_type="m.thread", event_id=root)
                )
            )
        await _send(alice, room_id, edit_content(replies[1], "réponse 1 corrigée"))
        await _send(alice, room_id, _text("hors du fil"))

        thread = await bot.gateway.fetch_thread(room_id, root)
        assert [getattr(m, "event_id", None) for m in thread] == replies
        bodies = [getattr(m, "body", None) for m in thread]
        assert bodies == ["réponse 0", "réponse 1 corrigée", "réponse 2"]
        assert all(isinstance(m, InboundMessage) and m.thread_root == root for m in thread)

        fetched = await bot.gateway.fetch_event(room_id, root)
        assert isinstance(fetched, InboundMessage) and fetched.body == "La question"
        assert await bot.gateway.fetch_event(room_id, "$nope") is None
        assert await bot.gateway.display_name(alice.user_id) == "Alice Martin"
