"""200 📌 at once from one user through the real Synapse: reactions that act count like
commands (DESIGN §4), so the flood opens the rate limit's burst of cases, earns one
rate-limit reply, and the other people's pins and commands are still honoured."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient, RoomSendResponse

from bot.i18n import Translator
from bot.services import effects as fx
from scripts.devstack import StackInfo
from tests.integration.helpers import eventually
from tests.integration.test_capture import bot_in_room, bot_messages, send
from tests.reliability.test_command_flood import _history, _replied_to

FLOOD = 200
IN_FLIGHT = 20
HELP_REPLY = "Les commandes utiles ici"  # the start of `!aide`'s answer


async def _in_flight(calls: list[Callable[[], Awaitable[str]]]) -> list[str]:
    """Run the calls IN_FLIGHT at a time, as fast as Synapse takes them."""
    results: list[str] = [""] * len(calls)

    async def worker(first: int) -> None:
        for n in range(first, len(calls), IN_FLIGHT):
            results[n] = await calls[n]()

    await asyncio.gather(*(worker(first) for first in range(IN_FLIGHT)))
    return results


async def pin(client: AsyncClient, room: str, target: str) -> str:
    content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": "📌"}}
    response = await client.room_send(room, "m.reaction", content)
    assert isinstance(response, RoomSendResponse), response
    return response.event_id


async def test_a_flood_of_200_pins_opens_the_burst_only_and_others_are_still_honoured(
    stack: StackInfo,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    people: dict[str, AsyncClient],
) -> None:
    caplog.set_level(logging.WARNING)
    alice, bruno, mona = people["practitioner"], people["practitioner2"], people["moderator"]
    async with bot_in_room(stack, tmp_path, alice, guests=(bruno, mona)) as (bot, room):
        targets = await _in_flight(
            [lambda n=n: send(alice, room, f"Retour d'expérience n°{n}") for n in range(FLOOD)]
        )
        question = await send(bruno, room, "Qui a un retour sur les clauses d'insertion ?")

        pins = await _in_flight([lambda t=t: pin(alice, room, t) for t in targets])
        assert len(set(pins)) == FLOOD
        bruno_pin = await pin(bruno, room, question)
        command = await send(mona, room, "!aide")

        # Bruno's pin opens its case and Mona's command is answered: both came after the
        # flood, and the bot handles the timeline in order.
        async def others_honoured() -> bool:
            case = await bot.db.run(lambda repo: repo.case_by_root(room, question))
            answered = any(_replied_to(s) == command for s in await bot_messages(mona, room))
            return case is not None and answered

        await eventually(others_honoured, within=180, interval=1.0)

        async def captures_done() -> bool:
            return not await bot.db.run(lambda repo: repo.pending_outbox([fx.CAPTURE]))

        await eventually(captures_done, within=180, interval=1.0)
        assert all(not task.done() for task in bot._tasks), bot._tasks

        cases = await bot.db.run(lambda repo: repo.list_cases(room_id=room))
        opened_by_alice = [c for c in cases if c.created_by == alice.user_id]
        assert {c.root_event_id for c in opened_by_alice} <= set(targets)
        assert [c.root_event_id for c in cases if c.created_by == bruno.user_id] == [question]

        # Its acknowledgement is a notice of the outbox, sent after the capture job: under
        # load it may still be on its way when the captures are done.
        number = _case_number(cases, question)

        async def acknowledged() -> bool:
            return any(
                _replied_to(s) == question and f"#{number}" in _body(s)
                for s in await bot_messages(bruno, room)
            )

        await eventually(acknowledged, within=120, interval=1.0)
        history = await _history(alice, room)
        sent_at = {s["event_id"]: s["origin_server_ts"] for s in history}
        span = (max(sent_at[e] for e in pins) - min(sent_at[e] for e in pins)) / 1000
        assert bot.inbound is not None
        limiter = bot.inbound.rate_limit
        allowed = limiter.burst + span * limiter.per_second + 1
        assert limiter.burst <= len(opened_by_alice) <= allowed, (len(opened_by_alice), span)

        # One rate-limit reply (once a minute at most), to one of the pinned messages.
        limited = Translator("fr")("rate_limited")
        replies = [s for s in history if s["sender"] == bot.client.user_id]
        warnings = [
            s
            for s in replies
            if s["type"] == "m.room.message" and s["content"]["body"].endswith(limited)
        ]
        told = 1 + span / limiter.warn_every.total_seconds()
        assert 1 <= len(warnings) <= told, (len(warnings), span)
        assert {_replied_to(s) for s in warnings} <= set(targets)
        assert all(s["content"]["m.mentions"]["user_ids"] == [alice.user_id] for s in warnings)
        assert any(
            _replied_to(s) == question and f"#{_case_number(cases, question)}" in _body(s)
            for s in replies
        ), "bruno's pin is acknowledged in the room"
        assert not any(bruno_pin == _replied_to(s) for s in warnings)

        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert errors == [], [r.getMessage() for r in errors]
        print(
            f"{FLOOD} pins over {span:.1f}s: {len(opened_by_alice)} cases opened,"
            f" {len(warnings)} rate-limit replies"
        )


def _case_number(cases: list[Any], root: str) -> int:
    return next(c.id for c in cases if c.root_event_id == root)


def _body(source: dict[str, Any]) -> str:
    return str(source["content"].get("body", ""))
