"""Prompts, reminders, escalation: the real Scheduler on SQLite with a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain.fiche import HINT_MARK
from bot.domain.links import thread_link
from bot.domain.models import Case, CaseOrigin, CaseState, Message, Participant
from bot.scheduling import Scheduler
from bot.services import effects as fx
from bot.services.prompting import (
    ESCALATE,
    PROMPT,
    REMINDER,
    Prompting,
    follow_up_times,
    on_case_opened,
    on_fiche_submitted,
)
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
ROOM = "!salon:localhost"
MODS = "!mods:localhost"
ROOT = "$root"
ALICE, BOB, CAROL, DAN = (f"@{n}:localhost" for n in ("alice", "bob", "carol", "dan"))
DAY = timedelta(days=1)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _settings(moderation_room: str = MODS, language: str = "fr") -> Settings:
    return Settings.model_validate(
        {
            "bot": {"language": language},
            "matrix": {"user_id": "@capibot:localhost", "moderation_room": moderation_room},
        }
    )


def _scheduler(db: Database, clock: Clock, settings: Settings) -> Scheduler:
    """A fresh scheduler, as after a restart of the bot."""
    scheduler = Scheduler(db, clock)
    names = {ALICE: "Alice", BOB: "Bob"}
    Prompting(settings, display_names=lambda room: names if room == ROOM else {}).register(
        scheduler
    )
    return scheduler


EXCHANGE = [
    (ALICE, "Comment mobilisez-vous les habitants pour le NPNRU ? https://example.org/npnru"),
    (BOB, "Nous faisons des ateliers en pied d'immeuble, le samedi matin, avec un café."),
    (CAROL, "Chez nous la maison du projet a permis une hausse de 30 % de participation."),
    (BOB, "Et on affiche les comptes rendus dans les halls, c'est très lu par les gens."),
    (DAN, "+1"),
    (ALICE, "Merci, je retiens les ateliers du samedi et l'affichage dans les halls !"),
    (BOB, "Avec plaisir."),
]


def _open_case(db: Database, settings: Settings, origin: CaseOrigin = CaseOrigin.THREAD) -> Case:
    def work(repo: Repository) -> Case:
        case, _ = repo.create_case(
            room_id=ROOM,
            root_event_id=ROOT,
            origin=origin,
            title="Mobiliser les habitants",
            created_by=ALICE,
            now=T0,
        )
        repo.add_messages(
            [
                Message(
                    event_id=f"$e{i}",
                    room_id=ROOM,
                    sender=sender,
                    sent_at=T0 - timedelta(hours=2) + timedelta(minutes=i),
                    body=body,
                    case_id=case.id,
                )
                for i, (sender, body) in enumerate(EXCHANGE)
            ]
        )
        repo.save_participant(Participant(user_id=CAROL, display_name="Carole"))
        on_case_opened(repo, case, settings, T0)
        on_case_opened(repo, case, settings, T0)  # idempotent
        return case

    return db.run_sync(work)


def _notices(db: Database) -> list[dict[str, Any]]:
    return db.run_sync(lambda repo: [i.payload for i in repo.pending_outbox([fx.NOTICE])])


def _case(db: Database, case_id: int) -> Case:
    case = db.run_sync(lambda repo: repo.get_case(case_id))
    assert case is not None
    return case


def _pending(db: Database) -> list[tuple[str, datetime]]:
    return db.run_sync(lambda repo: [(t.kind, t.due_at) for t in repo.pending_timers()])


async def test_exactly_one_prompt_in_the_thread(db: Database) -> None:
    settings, clock = _settings(), Clock()
    case = _open_case(db, settings)
    assert _pending(db) == [(PROMPT, T0 + DAY)]
    scheduler = _scheduler(db, clock, settings)
    clock.now = T0 + DAY - timedelta(seconds=1)
    assert await scheduler.run_due() == 0
    clock.now = T0 + DAY
    assert await scheduler.run_due() == 1
    assert await scheduler.run_due() == 0
    assert await _scheduler(db, clock, settings).run_due() == 0  # restarted: still one
    [notice] = _notices(db)
    assert notice["room_id"] == ROOM and notice["thread_root"] == ROOT
    assert notice["reply_to"] is None
    # Main contributors: Bob (3), Alice (2), then Carol before Dan (same count, earlier).
    assert notice["mentions"] == [BOB, ALICE, CAROL]
    assert notice["body"].startswith("Bob, Alice, Carole: ")
    assert 'href="https://matrix.to/#/@bob:localhost">Bob</a>' in notice["html"]
    body = notice["body"]
    assert "#1" in body and "!fiche 1" in body
    assert body.count("!fiche 1\n") == 2  # the template and the draft, ready to send
    assert f"{HINT_MARK} Brouillon" in body  # labelled as a draft
    assert "ateliers en pied d'immeuble" in body and "https://example.org/npnru" in body
    assert "<pre><code>" in notice["html"]
    assert _case(db, case.id).state is CaseState.AWAITING_SUMMARY
    audit = db.run_sync(lambda repo: repo.transitions(case.id))
    assert (audit[-1].from_state, audit[-1].to_state, audit[-1].actor) == (
        CaseState.CAPTURING,
        CaseState.AWAITING_SUMMARY,
        "capibot",
    )
    prompted = T0 + DAY
    assert _pending(db) == [
        (REMINDER, prompted + 3 * DAY),
        (REMINDER, prompted + 7 * DAY),
        (ESCALATE, prompted + 11 * DAY),
    ]


async def test_activity_pushes_the_prompt_back(db: Database) -> None:
    settings, clock = _settings(), Clock()
    case = _open_case(db, settings)
    later = T0 + timedelta(hours=20)
    db.run_sync(lambda repo: repo.update_case(case.id, last_activity_at=later))
    scheduler = _scheduler(db, clock, settings)
    clock.now = T0 + DAY
    await scheduler.run_due()
    assert _notices(db) == []
    assert _case(db, case.id).state is CaseState.CAPTURING
    assert _pending(db) == [(PROMPT, later + DAY)]
    clock.now = later + DAY
    await scheduler.run_due()
    assert len(_notices(db)) == 1


async def test_a_captured_message_pushes_the_prompt_back(db: Database) -> None:
    settings, clock = _settings(), Clock()
    case = _open_case(db, settings)
    later = T0 + timedelta(hours=20)
    message = Message(
        event_id="$late",
        room_id=case.room_id,
        sender="@bruno:localhost",
        sent_at=later,
        body="encore une idée",
        case_id=case.id,
    )
    db.run_sync(lambda repo: repo.add_message(message))
    scheduler = _scheduler(db, clock, settings)
    clock.now = T0 + DAY
    await scheduler.run_due()
    assert _notices(db) == []
    assert _pending(db) == [(PROMPT, later + DAY)]


async def test_reminders_then_escalation_across_restarts(db: Database) -> None:
    settings, clock = _settings(), Clock()
    case = _open_case(db, settings)
    clock.now = T0 + DAY
    await _scheduler(db, clock, settings).run_due()
    prompted = clock.now
    for step, expected in ((3, 2), (7, 3), (11, 4)):
        clock.now = prompted + step * DAY - timedelta(minutes=1)
        await _scheduler(db, clock, settings).run_due()
        assert len(_notices(db)) == expected - 1
        clock.now = prompted + step * DAY
        for _ in range(2):  # twice, and each time through a "restarted" scheduler
            await _scheduler(db, clock, settings).run_due()
        assert len(_notices(db)) == expected
    _prompt, first, last, escalation = _notices(db)
    assert first["thread_root"] == ROOT and first["mentions"] == [BOB, ALICE, CAROL]
    assert "rappel" in first["body"] and "dernier rappel" not in first["body"]
    assert "dernier rappel" in last["body"]
    assert escalation["room_id"] == MODS and escalation["thread_root"] is None
    assert f"#{case.id}" in escalation["body"]
    link = thread_link(ROOM, ROOT)  # the spec's percent-encoded form
    assert link in escalation["body"]
    assert f'<a href="{link}">{link}</a>' in escalation["html"]
    assert _pending(db) == []


async def test_back_after_a_long_downtime_posts_the_latest_reminder_only(db: Database) -> None:
    settings, clock = _settings(), Clock()
    _open_case(db, settings)
    clock.now = T0 + DAY
    await _scheduler(db, clock, settings).run_due()
    clock.now = T0 + 30 * DAY  # down through both reminders and the escalation
    await _scheduler(db, clock, settings).run_due()
    _prompt, reminder, escalation = _notices(db)
    assert "dernier rappel" in reminder["body"] and escalation["room_id"] == MODS
    assert _pending(db) == []


async def test_prompt_missed_while_down_runs_once(db: Database) -> None:
    settings, clock = _settings(), Clock()
    _open_case(db, settings)
    clock.now = T0 + 5 * DAY
    scheduler = _scheduler(db, clock, settings)
    assert await scheduler.run_due() == 1
    assert await _scheduler(db, clock, settings).run_due() == 0
    assert len(_notices(db)) == 1
    # Follow-ups count from when the prompt was actually posted.
    assert _pending(db)[0] == (REMINDER, clock.now + 3 * DAY)


async def test_fiche_submission_cancels_the_follow_ups(db: Database) -> None:
    settings, clock = _settings(), Clock()
    case = _open_case(db, settings)
    clock.now = T0 + DAY
    await _scheduler(db, clock, settings).run_due()
    db.run_sync(lambda repo: on_fiche_submitted(repo, case.id, clock.now))
    assert _pending(db) == []
    clock.now = T0 + 30 * DAY
    assert await _scheduler(db, clock, settings).run_due() == 0
    assert len(_notices(db)) == 1


async def test_a_case_that_moved_on_gets_nothing_more(db: Database) -> None:
    """Even without the cancel hook: a case no longer awaiting its summary is left alone."""
    settings, clock = _settings(), Clock()
    case = _open_case(db, settings)
    clock.now = T0 + DAY
    await _scheduler(db, clock, settings).run_due()
    db.run_sync(lambda repo: repo.update_case(case.id, state=CaseState.IN_REVIEW))
    clock.now = T0 + 30 * DAY
    assert await _scheduler(db, clock, settings).run_due() == 3  # completed, silently
    assert len(_notices(db)) == 1 and _pending(db) == []


async def test_a_fiche_before_the_prompt_means_no_prompt(db: Database) -> None:
    settings, clock = _settings(), Clock()
    case = _open_case(db, settings)
    db.run_sync(lambda repo: repo.update_case(case.id, state=CaseState.IN_REVIEW))
    clock.now = T0 + 2 * DAY
    await _scheduler(db, clock, settings).run_due()
    assert _notices(db) == [] and _pending(db) == []


async def test_reply_chain_prompt_replies_to_the_root_in_english(db: Database) -> None:
    settings, clock = _settings(language="en"), Clock()
    _open_case(db, settings, CaseOrigin.REPLY_CHAIN)
    clock.now = T0 + DAY
    await _scheduler(db, clock, settings).run_due()
    [notice] = _notices(db)
    assert notice["thread_root"] is None and notice["reply_to"] == ROOT
    assert "probably worth a fiche" in notice["body"] and f"{HINT_MARK} Draft" in notice["body"]


async def test_no_moderation_room_no_escalation_notice(db: Database) -> None:
    settings, clock = _settings(moderation_room=""), Clock()
    _open_case(db, settings)
    clock.now = T0 + DAY
    await _scheduler(db, clock, settings).run_due()
    clock.now = T0 + 30 * DAY
    await _scheduler(db, clock, settings).run_due()
    assert [n["room_id"] for n in _notices(db)] == [ROOM, ROOM]
    assert _pending(db) == []


async def test_a_case_without_messages_mentions_its_capturer(db: Database) -> None:
    settings, clock = _settings(), Clock()

    def work(repo: Repository) -> None:
        case, _ = repo.create_case(
            room_id=ROOM,
            root_event_id=ROOT,
            origin=CaseOrigin.THREAD,
            title="",
            created_by=DAN,
            now=T0,
        )
        on_case_opened(repo, case, settings, T0)

    db.run_sync(work)
    clock.now = T0 + DAY
    await _scheduler(db, clock, settings).run_due()
    [notice] = _notices(db)
    assert notice["mentions"] == [DAN] and notice["body"].startswith(f"{DAN}: ")


@pytest.mark.parametrize(
    ("reminders", "expected_reminders", "escalation"),
    [
        (["3d", "7d"], [3, 7], 11),
        (["2d"], [2], 4),
        ([], [], 1),  # no reminders: escalate one `summary_after` (1d) after the prompt
        (["7d", "3d"], [3, 7], 11),
    ],
)
def test_follow_up_schedule(
    reminders: list[str], expected_reminders: list[int], escalation: int
) -> None:
    settings = Settings.model_validate({"schedule": {"reminders": reminders}})
    times, escalate_at = follow_up_times(settings, T0)
    assert times == [T0 + d * DAY for d in expected_reminders]
    assert escalate_at == T0 + escalation * DAY
