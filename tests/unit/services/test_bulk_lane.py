"""Rebuilds by the hundred (a consent change republishes every page naming someone) run
on the wiki's bulk lane: one pending job per page, and never ahead of what someone is
waiting for (`!chercher`, a first publication). The real dispatcher, publisher, research
jobs and wiki worker thread; only the wiki is a fake, slow one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain.models import Case, CaseOrigin, CaseState, OutboxItem, OutboxStatus, Publication
from bot.domain.models import PublicationStatus as PS
from bot.services import publisher as publisher_module
from bot.services.outbox import OutboxDispatcher
from bot.services.page_building import PagePlan
from bot.services.publication_requests import (
    CONSENT_GRANTED,
    CONSENT_WITHDRAWN,
    PUBLISH,
    REDACTION,
    REPUBLISH,
    request_republish,
)
from bot.services.publisher import Publisher
from bot.services.research import SEARCH, ResearchJobs
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository
from bot.wiki import WikiWorker
from wiki_sync.writer import Written

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CALL_SECONDS = 0.004  # one wiki request of the fake wiki


class _SlowWiki:
    """What the worker thread calls, in order; each call takes CALL_SECONDS."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def call(self, what: str) -> Written:
        time.sleep(CALL_SECONDS)
        self.calls.append(what)
        return Written(what, 1, "text", "updated")

    def search(self, query: str, limit: int = 3) -> list[dict[str, Any]]:
        self.call(f"search:{query}")
        return []


def _plan(case_id: int, payload: dict[str, Any], republish: bool) -> PagePlan:
    case = Case(
        case_id,
        "!r:localhost",
        f"$e{case_id}",
        CaseOrigin.THREAD,
        "",
        CaseState.APPROVED,
        "@m:localhost",
        T0,
        T0,
    )
    published = Publication(case_id, f"Page {case_id}", 1, PS.PUBLISHED, T0)
    return PagePlan(
        case=case,
        text="text",
        summary="summary",
        wanted_title=f"Page {case_id}",
        publication=published if republish else None,
        last_text="text" if republish else None,
        room_label="room",
        categories={},
        privacy_reason=payload.get("reason") if republish else None,
    )


def _jobs(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> tuple[OutboxDispatcher, _SlowWiki, Publisher]:
    """The bot's wiki jobs, wired as `bot.app` wires them, over a slow fake wiki."""
    wiki = _SlowWiki()
    settings = Settings()
    worker = WikiWorker(wiki, settings)  # type: ignore[arg-type]
    publisher = Publisher(db, worker, settings, lambda: T0)

    def plan(
        repo: Repository, settings: Settings, case_id: int, payload: dict[str, Any], rep: bool
    ) -> PagePlan:
        return _plan(case_id, payload, rep)

    def write(plan: PagePlan) -> Written:
        kind = "republish" if plan.publication else "publish"
        return wiki.call(f"{kind}:{plan.case.id}")

    def record(
        repo: Repository, plan: PagePlan, written: Written, item: OutboxItem, **kw: object
    ) -> None:
        pass  # the stored side is tested elsewhere; here only the wiki's order matters

    monkeypatch.setattr(publisher_module, "plan_page", plan)
    monkeypatch.setattr(publisher, "_write", write)
    monkeypatch.setattr(publisher, "_record", record)
    dispatcher = OutboxDispatcher(db, lambda: T0)
    publisher.register(dispatcher)
    ResearchJobs(db, worker, settings, lambda: T0).register(dispatcher)
    return dispatcher, wiki, publisher


def _case(repo: Repository) -> Case:
    case, _ = repo.create_case(
        room_id="!r:localhost",
        root_event_id="$root",
        origin=CaseOrigin.THREAD,
        title="",
        created_by="@m:localhost",
        now=T0,
    )
    return case


def _search_payload(query: str) -> dict[str, Any]:
    return {"query": query, "room_id": "!r:localhost", "sender": "@alice:localhost"}


async def _until(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20.0
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.005)


async def test_search_and_first_publication_run_before_200_queued_rebuilds(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    dispatcher, wiki, publisher = _jobs(db, monkeypatch)

    def queue_rebuilds(repo: Repository) -> None:
        for case_id in range(1, 201):
            repo.enqueue(REPUBLISH, f"republish:{case_id}", {"case_id": case_id}, T0)

    db.run_sync(queue_rebuilds)
    runner = asyncio.create_task(dispatcher.run(idle_seconds=0.05))
    try:
        await _until(lambda: len(wiki.calls) >= 5)  # the rebuilds are under way
        db.run_sync(lambda repo: repo.enqueue(SEARCH, "s", _search_payload("vélo"), T0))
        payload = {"case_id": 999, "version": 1, "approved_at": T0.isoformat()}
        db.run_sync(lambda repo: repo.enqueue(PUBLISH, "publish:999:v1", payload, T0))
        dispatcher.nudge()
        await _until(lambda: "publish:999" in wiki.calls and "search:vélo" in wiki.calls)
        rebuilt_before = sum(call.startswith("republish:") for call in wiki.calls)
        await _until(lambda: len(wiki.calls) == 202)
    finally:
        runner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runner
        publisher.worker.close()
    # Each waited for one rebuild in progress at most (and its lane's own pass), never
    # for the queue: about 190 rebuilds were still to run when both were done.
    assert rebuilt_before < 30, wiki.calls[:40]


def test_consent_toggled_twice_leaves_one_pending_rebuild_with_the_privacy_reason(
    db: Database,
) -> None:
    def setup(repo: Repository) -> int:
        case = _case(repo)
        repo.save_publication(Publication(case.id, "Page", 1, PS.PUBLISHED, T0))
        return case.id

    case_id = db.run_sync(setup)
    with db.transaction() as repo:
        assert request_republish(repo, case_id, CONSENT_WITHDRAWN, T0)
        assert not request_republish(repo, case_id, CONSENT_GRANTED, T0)  # merged
        assert not request_republish(repo, case_id, CONSENT_GRANTED, T0)
    with db.transaction() as repo:
        [job] = repo.pending_outbox([REPUBLISH])
    # The rebuild still forces the privacy blocks the withdrawal asked for.
    assert job.payload == {"case_id": case_id, "reason": CONSENT_WITHDRAWN, "requests": 3}


async def test_a_request_merged_while_its_rebuild_runs_runs_it_once_more(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    dispatcher, wiki, publisher = _jobs(db, monkeypatch)

    def setup(repo: Repository) -> int:
        case = _case(repo)
        repo.save_publication(Publication(case.id, "Page", 1, PS.PUBLISHED, T0))
        request_republish(repo, case.id, CONSENT_GRANTED, T0)
        return case.id

    case_id = db.run_sync(setup)
    real_write = publisher._write

    def write_then_redact(plan: PagePlan) -> Written:  # a redaction lands mid-run
        if len(wiki.calls) == 0:
            db.run_sync(lambda repo: request_republish(repo, case_id, REDACTION, T0))
        return real_write(plan)

    monkeypatch.setattr(publisher, "_write", write_then_redact)
    try:
        assert await dispatcher.run_once([REPUBLISH])
        with db.transaction() as repo:
            [job] = repo.pending_outbox([REPUBLISH])  # not done: it read the older request
        assert job.payload["reason"] == REDACTION
        assert await dispatcher.run_once([REPUBLISH])
        assert not await dispatcher.run_once([REPUBLISH])
    finally:
        publisher.worker.close()
    assert wiki.calls == [f"republish:{case_id}", f"republish:{case_id}"]
    with db.transaction() as repo:
        assert repo.pending_outbox([REPUBLISH]) == []
        # The next change is a new job (the done row's key moved aside).
        assert request_republish(repo, case_id, CONSENT_GRANTED, T0)
        done = [i for i in repo.all_outbox() if i.status is OutboxStatus.DONE]
        assert [i.dedupe_key for i in done] == [f"republish:{case_id}@{job.id}"]
