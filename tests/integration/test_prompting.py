"""Prompts against the real Synapse: time moved by the injected clock, restarts between."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient

from bot.app import Bot
from bot.domain.links import thread_link
from bot.domain.models import Case, CaseState
from bot.i18n import Translator
from bot.services.prompting import on_case_opened
from bot.settings import Settings
from scripts.devstack import StackInfo
from tests.integration.helpers import eventually
from tests.integration.test_capture import (
    bot_messages,
    bot_settings,
    case_of,
    room_with_bot,
    send,
    stored_bodies,
)

pytestmark = pytest.mark.integration
DAY = timedelta(days=1)


class MovableClock:
    """Real time plus an offset the test moves forward."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def _notices(sources: list[dict[str, Any]], room_id: str) -> list[dict[str, Any]]:
    return [
        s["content"]
        for s in sources
        if s["type"] == "m.room.message"
        and s.get("room_id", room_id) == room_id
        and s["content"].get("msgtype") == "m.notice"
    ]


async def test_quiet_exchange_prompt_reminders_escalation_across_restarts(
    stack: StackInfo, tmp_path: Path, alice: AsyncClient
) -> None:
    clock = MovableClock()
    settings: Settings = bot_settings(stack, tmp_path)
    # The digest is a timer too: keep it out of this test's window (it counts timer runs).
    settings.schedule.digest_cron = "0 9 29 2 *"
    tr = Translator(settings.bot.language)
    bot = Bot(settings, clock=clock)
    await bot.start()
    try:
        room = await room_with_bot(alice, bot)
        mods = await room_with_bot(alice, bot)
        settings.matrix.moderation_room = mods  # read when the escalation fires
        root = await send(alice, room, "Comment mobilisez-vous les habitants pour le NPNRU ?")
        await send(alice, room, "Nous faisons des ateliers en pied d'immeuble.", thread=root)
        await send(alice, room, "!capturer Mobiliser les habitants", thread=root)

        async def captured() -> bool:
            case = await case_of(bot, room, root)
            return case is not None and len(await stored_bodies(bot, case.id)) == 2

        await eventually(captured, within=30)
        found = await case_of(bot, room, root)
        assert found is not None
        case: Case = found
        # The lead's hook where cases open (idempotent if it is already wired).
        await bot.db.run(lambda repo: on_case_opened(repo, case, settings, clock()))
        command = f"{settings.bot.prefix}fiche {case.id}"
        title = "Mobiliser les habitants"

        def is_prompt(content: dict[str, Any]) -> bool:
            return tr("prompt.template") in content["body"]

        def is_reminder(content: dict[str, Any]) -> bool:
            text = tr("reminder.body", case=case.id, title=title, command=command)
            return text in content["body"]

        def is_escalation(content: dict[str, Any]) -> bool:
            return f"#{case.id}" in content["body"] and thread_link(room, root) in content["body"]

        async def count(room_id: str, kind: Any) -> int:
            return sum(kind(c) for c in _notices(await bot_messages(alice, room_id), room_id))

        async def move_to(offset: timedelta, current: Bot) -> None:
            clock.offset = offset
            current.scheduler.wake()

        # Quiet for a day: exactly one prompt, in the thread, mentioning alice.
        await move_to(DAY + timedelta(minutes=1), bot)

        async def prompted() -> bool:
            return await count(room, is_prompt) == 1

        await eventually(prompted, within=30)
        [prompt] = [c for c in _notices(await bot_messages(alice, room), room) if is_prompt(c)]
        assert prompt["m.relates_to"]["rel_type"] == "m.thread"
        assert prompt["m.relates_to"]["event_id"] == root
        assert prompt["m.mentions"]["user_ids"] == [alice.user_id]
        assert command in prompt["body"] and "<pre><code>" in prompt["formatted_body"]
        state = await bot.db.run(lambda repo: repo.get_case(case.id))
        assert state is not None and state.state is CaseState.AWAITING_SUMMARY

        # Restart between the prompt and the first reminder.
        await bot.stop()
        bot = Bot(settings, clock=clock)
        await bot.start()
        await move_to(4 * DAY + timedelta(minutes=2), bot)

        async def reminded_once() -> bool:
            return await count(room, is_reminder) == 1

        await eventually(reminded_once, within=30)

        # Down through the second reminder's time: it runs once after the restart.
        await bot.stop()
        clock.offset = 8 * DAY + timedelta(minutes=2)
        bot = Bot(settings, clock=clock)
        await bot.start()

        async def reminded_twice() -> bool:
            return await count(room, is_reminder) == 2

        await eventually(reminded_twice, within=30)

        await move_to(12 * DAY + timedelta(minutes=2), bot)

        async def escalated() -> bool:
            return await count(mods, is_escalation) == 1

        await eventually(escalated, within=30)
        # One more restart and a run at a later time: nothing is repeated.
        await bot.stop()
        clock.offset = 20 * DAY
        bot = Bot(settings, clock=clock)
        await bot.start()
        assert await bot.scheduler.run_due() == 0
        await bot.dispatcher.run_once()
        assert await count(room, is_prompt) == 1
        assert await count(room, is_reminder) == 2
        assert await count(mods, is_escalation) == 1
        timers = await bot.db.run(lambda repo: repo.pending_timers())
        assert [t for t in timers if t.case_id == case.id] == []
    finally:
        await bot.stop()


async def test_a_prompt_arrives_within_seconds_of_being_due(
    stack: StackInfo, tmp_path: Path, alice: AsyncClient
) -> None:
    """The running bot, the real clock: the `!capturer` batch adds the prompt's timer, and
    the scheduler learns of it when that transaction commits, not at its next sweep."""
    settings: Settings = bot_settings(stack, tmp_path)
    settings.schedule.summary_after = timedelta(seconds=10)
    tr = Translator(settings.bot.language)
    bot = Bot(settings)
    await bot.start()
    try:
        room = await room_with_bot(alice, bot)
        root = await send(alice, room, "Qui a déjà fait un diagnostic en marchant ?")
        await send(alice, room, "Nous, avec le conseil citoyen.", thread=root)
        await send(alice, room, "!capturer Diagnostic en marchant", thread=root)

        async def timer_stored() -> bool:
            case = await case_of(bot, room, root)
            timers = await bot.db.run(lambda repo: repo.pending_timers(["prompt"]))
            return case is not None and any(t.case_id == case.id for t in timers)

        await eventually(timer_stored, within=30)
        case = await case_of(bot, room, root)
        assert case is not None
        timers = await bot.db.run(lambda repo: repo.pending_timers(["prompt"]))
        [due] = [t.due_at for t in timers if t.case_id == case.id]

        async def prompts() -> list[dict[str, Any]]:
            sources = await bot_messages(alice, room)
            return [
                s
                for s in sources
                if s["content"].get("msgtype") == "m.notice"
                and tr("prompt.template") in s["content"]["body"]
            ]

        async def prompted() -> bool:
            return bool(await prompts())

        wait = (due - datetime.now(UTC)).total_seconds()
        await eventually(prompted, within=wait + 8, interval=0.5)
        [prompt] = await prompts()
        posted = datetime.fromtimestamp(prompt["origin_server_ts"] / 1000, UTC)
        print(f"prompt posted {(posted - due).total_seconds():.2f}s after it was due")
        assert due <= posted <= due + timedelta(seconds=5), (due, posted)
        assert prompt["content"]["m.relates_to"]["event_id"] == root
    finally:
        await bot.stop()
