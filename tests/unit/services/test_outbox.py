"""The outbox dispatcher: lanes keep a stalled service from holding up the others, an
unavailable service is waited for (never given up on), and its queue resumes at once."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import cast

import pytest
from sqlalchemy import select

from bot.domain.models import OutboxItem, OutboxStatus
from bot.matrix.errors import MatrixUnavailable
from bot.services.outbox import OutboxDispatcher, PermanentFailure
from bot.services.publication_requests import PUBLISH, WITHDRAW
from bot.services.publisher import Publisher, notify_failure, publish_pending
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository
from bot.storage.tables import OutboxRow
from wiki_sync.errors import (
    EditConflict,
    WikiAuthError,
    WikiError,
    WikiPermissionError,
    WikiUnavailable,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _queue(db: Database, kind: str, key: str, at: datetime = T0) -> None:
    db.run_sync(lambda repo: repo.enqueue(kind, key, {"key": key}, at))


@dataclass(frozen=True)
class Row:
    status: OutboxStatus
    next_attempt_at: datetime


def _rows(db: Database) -> dict[str, Row]:
    def read(repo: Repository) -> dict[str, Row]:
        rows = repo.session.execute(
            select(OutboxRow.dedupe_key, OutboxRow.status, OutboxRow.next_attempt_at)
        )
        return {key: Row(OutboxStatus(status), at) for key, status, at in rows}

    return db.run_sync(read)


async def test_a_stalled_wiki_lane_does_not_hold_up_matrix_notices(db: Database) -> None:
    clock = Clock()
    dispatcher = OutboxDispatcher(db, clock)
    wiki_entered, release = asyncio.Event(), asyncio.Event()
    sent: list[str] = []

    async def publish(item: OutboxItem) -> None:
        wiki_entered.set()
        await release.wait()  # the wiki client retrying inside its thread

    async def notice(item: OutboxItem) -> None:
        sent.append(item.dedupe_key)

    dispatcher.register("publish", publish, lane="wiki")
    dispatcher.register("notice", notice)
    _queue(db, "publish", "p1")
    runner = asyncio.create_task(dispatcher.run(idle_seconds=0.05))
    try:
        await asyncio.wait_for(wiki_entered.wait(), 5)
        _queue(db, "notice", "n1")
        dispatcher.nudge()
        for _ in range(100):
            if sent:
                break
            await asyncio.sleep(0.02)
        assert sent == ["n1"]  # answered while the publication is still stuck
    finally:
        release.set()
        runner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runner


@pytest.mark.parametrize("error", [WikiUnavailable("down"), MatrixUnavailable("down")])
async def test_an_unavailable_service_is_waited_for_never_abandoned(
    db: Database, error: Exception
) -> None:
    clock = Clock()
    dispatcher = OutboxDispatcher(db, clock, max_attempts=3)
    up = False

    async def call(item: OutboxItem) -> None:
        if not up:
            raise error

    dispatcher.register("publish", call, lane="wiki")
    _queue(db, "publish", "p1")
    for _ in range(10):  # far past max_attempts
        assert await dispatcher.run_once(["publish"])
        item = _rows(db)["p1"]
        assert item.status is OutboxStatus.PENDING
        assert item.next_attempt_at - clock.now <= timedelta(seconds=60)  # short backoff
        clock.now = item.next_attempt_at
    up = True
    assert await dispatcher.run_once(["publish"])
    assert _rows(db)["p1"].status is OutboxStatus.DONE


async def test_other_errors_are_abandoned_after_max_attempts(db: Database) -> None:
    clock = Clock()
    dispatcher = OutboxDispatcher(db, clock, max_attempts=3)

    async def call(item: OutboxItem) -> None:
        raise RuntimeError("a bug")

    dispatcher.register("notice", call)
    _queue(db, "notice", "n1")
    for _ in range(3):
        await dispatcher.run_once(["notice"])
        clock.now = _rows(db)["n1"].next_attempt_at
    assert _rows(db)["n1"].status is OutboxStatus.FAILED


async def test_when_the_service_answers_again_its_waiting_items_are_due_at_once(
    db: Database,
) -> None:
    clock = Clock()
    dispatcher = OutboxDispatcher(db, clock)
    up = False

    async def call(item: OutboxItem) -> None:
        if not up:
            raise WikiUnavailable("down")

    dispatcher.register("publish", call, lane="wiki")
    for n in range(3):
        _queue(db, "publish", f"p{n}")
    await dispatcher.run_once(["publish"])  # all three fail: retried later
    assert all(row.next_attempt_at > clock.now for row in _rows(db).values())
    up = True
    _queue(db, "publish", "fresh")  # a new approval, tried at once: the wiki is back
    await dispatcher.run_once(["publish"])
    rows = _rows(db)
    assert rows["fresh"].status is OutboxStatus.DONE
    assert all(rows[f"p{n}"].next_attempt_at <= clock.now for n in range(3))  # due now
    await dispatcher.run_once(["publish"])
    assert all(row.status is OutboxStatus.DONE for row in _rows(db).values())


# -- a wiki that refuses the bot; jobs that fail for good ---------------------------------


@pytest.mark.parametrize(
    "error",
    [WikiAuthError("wiki login refused for Capibot@capibot: Failed"), WikiPermissionError("x")],
)
async def test_a_wiki_refusing_the_bot_keeps_its_jobs_waiting_with_one_error_log(
    db: Database, error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    dispatcher = OutboxDispatcher(db, clock, max_attempts=3, refused_backoff_cap=300.0)
    fixed = False

    async def call(item: OutboxItem) -> None:
        if not fixed:
            raise error

    dispatcher.register("publish", call, lane="wiki")
    for n in range(2):
        _queue(db, "publish", f"p{n}")
    caplog.set_level(logging.DEBUG, logger="bot.services.outbox")
    for _ in range(12):  # far past max_attempts: a configuration problem is waited out
        assert await dispatcher.run_once(["publish"])
        rows = _rows(db)
        assert all(row.status is OutboxStatus.PENDING for row in rows.values())
        assert all(
            row.next_attempt_at - clock.now <= timedelta(seconds=300) for row in rows.values()
        )
        clock.now = max(row.next_attempt_at for row in rows.values())
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]  # once per lane, not per attempt
    assert "wiki lane" in errors[0].getMessage() and "configuration" in errors[0].getMessage()
    fixed = True  # the operator fixed the BotPassword / the rights
    assert await dispatcher.run_once(["publish"])
    assert all(row.status is OutboxStatus.DONE for row in _rows(db).values())


async def test_a_refused_lane_logs_again_after_it_was_accepted_in_between(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    dispatcher = OutboxDispatcher(db, clock)
    refuse = True

    async def call(item: OutboxItem) -> None:
        if refuse and item.dedupe_key != "ok":
            raise WikiAuthError("refused")

    dispatcher.register("publish", call, lane="wiki")
    caplog.set_level(logging.ERROR, logger="bot.services.outbox")
    _queue(db, "publish", "p1")
    await dispatcher.run_once(["publish"])
    _queue(db, "publish", "ok")
    clock.now = _rows(db)["p1"].next_attempt_at
    await dispatcher.run_once(["publish"])  # "ok" succeeds: the lane is accepted again
    assert _rows(db)["ok"].status is OutboxStatus.DONE
    _queue(db, "publish", "p2")
    await dispatcher.run_once(["publish"])  # refused anew: said again
    assert len([r for r in caplog.records if "refuses the bot" in r.getMessage()]) == 2


def _queue_case(db: Database, kind: str, key: str, case_id: int) -> None:
    db.run_sync(lambda repo: repo.enqueue(kind, key, {"case_id": case_id}, T0))


def _notices(db: Database) -> list[OutboxItem]:
    return db.run_sync(lambda repo: repo.pending_outbox(["notice"]))


async def test_a_job_failing_for_good_runs_its_hook_in_the_same_transaction(
    db: Database,
) -> None:
    clock = Clock()
    dispatcher = OutboxDispatcher(db, clock)
    seen: list[tuple[int, str]] = []

    async def call(item: OutboxItem) -> None:
        raise WikiError("wiki answered HTTP 403")

    def hook(repo: Repository, item: OutboxItem, reason: str, now: datetime) -> None:
        seen.append((item.id, reason))
        repo.enqueue("notice", f"failed:{item.id}", {"reason": reason}, now)

    dispatcher.register("publish", call, lane="wiki", on_failure=hook)
    _queue_case(db, "publish", "p1", 7)
    await dispatcher.run_once(["publish"])
    assert _rows(db)["p1"].status is OutboxStatus.FAILED
    assert seen == [(1, "wiki answered HTTP 403")]
    assert [n.payload["reason"] for n in _notices(db)] == ["wiki answered HTTP 403"]


async def test_a_broken_failure_hook_still_fails_the_job(db: Database) -> None:
    dispatcher = OutboxDispatcher(db, Clock())

    async def call(item: OutboxItem) -> None:
        raise PermanentFailure("room gone")

    def hook(repo: Repository, item: OutboxItem, reason: str, now: datetime) -> None:
        raise RuntimeError("a bug in the hook")

    dispatcher.register("notice", call, on_failure=hook)
    _queue(db, "notice", "n1")
    await dispatcher.run_once(["notice"])
    assert _rows(db)["n1"].status is OutboxStatus.FAILED


def _settings(lang: str, moderation_room: str = "!mod:localhost") -> Settings:
    settings = Settings()
    return settings.model_copy(
        update={
            "matrix": settings.matrix.model_copy(update={"moderation_room": moderation_room}),
            "bot": settings.bot.model_copy(update={"language": lang}),
        }
    )


@pytest.mark.parametrize(
    ("lang", "words"), [("fr", "n'a pas pu être publiée"), ("en", "could not be published")]
)
async def test_a_lost_title_race_tells_the_moderators_the_case_and_the_reason(
    db: Database, lang: str, words: str
) -> None:
    dispatcher = OutboxDispatcher(db, Clock())

    async def publish(item: OutboxItem) -> None:  # every candidate title was taken
        raise EditConflict("Accueil de jour", ("articleexists",))

    dispatcher.register(
        PUBLISH, publish, lane="wiki", on_failure=partial(notify_failure, _settings(lang))
    )
    _queue_case(db, PUBLISH, "publish:42:v1", 42)
    await dispatcher.run_once([PUBLISH])
    await dispatcher.run_once([PUBLISH])  # nothing is due: the notice is not repeated
    assert _rows(db)["publish:42:v1"].status is OutboxStatus.FAILED
    [notice] = _notices(db)
    assert notice.payload["room_id"] == "!mod:localhost"
    body = notice.payload["body"]
    assert words in body and "#42" in body and "Accueil de jour: articleexists" in body
    assert "capibot publish" in body


async def test_no_moderation_room_means_a_log_line_not_a_crash(db: Database) -> None:
    dispatcher = OutboxDispatcher(db, Clock())

    async def withdraw(item: OutboxItem) -> None:
        raise WikiError("wiki answered HTTP 404")

    dispatcher.register(
        WITHDRAW, withdraw, lane="wiki", on_failure=partial(notify_failure, _settings("fr", ""))
    )
    _queue_case(db, WITHDRAW, "withdraw_page:3", 3)
    await dispatcher.run_once([WITHDRAW])
    assert _rows(db)["withdraw_page:3"].status is OutboxStatus.FAILED
    assert _notices(db) == []


class _FakePublisher:
    """Stands for `Publisher` in `publish_pending`: its executor fails for good once."""

    def __init__(self) -> None:
        self.calls = 0

    def register(self, dispatcher: OutboxDispatcher) -> None:
        dispatcher.register(PUBLISH, self.publish, lane="wiki")

    async def publish(self, item: OutboxItem) -> None:
        self.calls += 1
        if item.payload["case_id"] == 2:
            raise WikiError("wiki answered HTTP 400")


async def test_publish_pending_retries_failed_jobs_and_returns_what_is_left(
    db: Database,
) -> None:
    clock = Clock()
    for case_id in (1, 2):
        _queue_case(db, PUBLISH, f"publish:{case_id}:v1", case_id)
    rows = db.run_sync(lambda repo: repo.pending_outbox([PUBLISH]))
    for row in rows:  # both failed earlier (a bad BotPassword, say)
        db.run_sync(lambda repo, row=row: repo.outbox_failed(row.id, "WikiAuthError('x')", T0))
    fake = _FakePublisher()
    left = await publish_pending(db, cast(Publisher, fake), clock)
    assert fake.calls == 2  # failed jobs are retried, at once
    assert [(item.payload["case_id"], item.status) for item in left] == [(2, OutboxStatus.FAILED)]
    assert left[0].last_error == "WikiError('wiki answered HTTP 400')"
    assert _rows(db)["publish:1:v1"].status is OutboxStatus.DONE


async def test_a_refused_publication_is_told_to_the_moderators_once_and_waits(
    db: Database,
) -> None:
    clock = Clock()
    dispatcher = OutboxDispatcher(db, clock)

    async def publish(item: OutboxItem) -> None:
        raise WikiPermissionError("protectedpage: this page is protected")

    settings = _settings("fr")
    dispatcher.register(
        PUBLISH,
        publish,
        lane="wiki",
        on_failure=partial(notify_failure, settings),
        on_refused=partial(notify_failure, settings, refused=True),
    )
    _queue_case(db, PUBLISH, "publish:7:v1", 7)
    for _ in range(4):  # refused again and again: still one notice
        await dispatcher.run_once([PUBLISH])
        clock.now = _rows(db)["publish:7:v1"].next_attempt_at
    assert _rows(db)["publish:7:v1"].status is OutboxStatus.PENDING
    [notice] = _notices(db)
    body = notice.payload["body"]
    assert "#7" in body and "protectedpage" in body and "capibot check" in body


async def test_a_notice_queued_by_a_wiki_job_goes_out_without_waiting_for_the_idle_tick(
    db: Database,
) -> None:
    """A `!chercher` answer is queued by the wiki lane's job: the main lane sends it at
    once, not at its next idle tick."""
    clock = Clock()
    dispatcher = OutboxDispatcher(db, clock)
    sent = asyncio.Event()

    async def search(item: OutboxItem) -> None:
        await db.run(lambda repo: repo.enqueue("notice", "answer", {}, T0))

    async def notice(item: OutboxItem) -> None:
        sent.set()

    dispatcher.register("wiki_search", search, lane="wiki")
    dispatcher.register("notice", notice)
    runner = asyncio.create_task(dispatcher.run(idle_seconds=30))
    try:
        await asyncio.sleep(0.1)  # both lanes idle, waiting for a nudge or the tick
        _queue(db, "wiki_search", "s1")
        dispatcher.nudge()
        await asyncio.wait_for(sent.wait(), timeout=5)
    finally:
        runner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runner
