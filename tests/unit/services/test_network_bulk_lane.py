"""The network wiki's bulk lane: a room turning `!salon réseau oui` on after years queues
a job per approved fiche, a consent change one per page naming someone; with the
network wiki's edit pacing, a fresh approval's page must not wait behind them. The real
requests (`set_room_choice`, the approval's `after_decision`), dispatcher, publisher,
plans and worker thread; only the network wiki's writer is a fake, paced one that
records what it is asked, in order."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import pytest

from bot.domain.models import OutboxStatus, Publication, PublicationStatus
from bot.services.network_publisher import NetworkPublisher, publish_network_pending
from bot.services.network_requests import (
    NETWORK_KINDS,
    NETWORK_PAGE,
    NETWORK_PAGE_BULK,
    network_key,
    request_network_page,
    set_case_choice,
    set_room_choice,
)
from bot.services.outbox import OutboxDispatcher
from bot.services.publication_requests import CONSENT_WITHDRAWN, request_republish_for
from bot.storage.database import Database
from bot.storage.repository import Repository
from bot.wiki import WikiWorker
from tests.unit.services.test_network_sharing import ALICE, NOW, ROOM, SETTINGS, _approve, _case
from wiki_sync.writer import Written

PACE = 0.004  # seconds per edit: the network wiki's `edit_interval`, made short


class _PacedWiki:
    """The network wiki's writer: each edit takes PACE; `calls` in the order made."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def _edit(self, what: str, title: str) -> Written:
        time.sleep(PACE)
        with self._lock:
            self.calls.append(what)
        return Written(title, len(self.calls), "text", "created")

    def create(self, title: str, text: str, summary: str, case_id: int) -> Written:
        return self._edit(f"create:{case_id}", title)

    def update(self, title: str, text: str, summary: str, **_: object) -> Written:
        return self._edit(f"update:{title}", title)

    def replace(self, title: str, text: str, summary: str) -> Written | None:
        return self._edit(f"replace:{title}", title)

    def ensure_pages(self, pages: dict[str, str], summary: str) -> None:
        self._edit("setup", "")


def _publisher(db: Database) -> tuple[NetworkPublisher, _PacedWiki]:
    wiki = _PacedWiki()
    worker = WikiWorker(object(), SETTINGS, SETTINGS.network_wiki)  # type: ignore[arg-type]
    worker.writer = wiki  # type: ignore[assignment]
    return NetworkPublisher(db, worker, SETTINGS, lambda: NOW), wiki


def _room_of_old_fiches(repo: Repository, count: int) -> list[int]:
    """`count` fiches approved over the years, then the room says `!salon réseau oui`."""
    cases = [_case(repo, f"Fiche {n}") for n in range(count)]
    assert set_room_choice(repo, ROOM.room_id, True, NOW) == cases
    return cases


def _fresh_approval(repo: Repository) -> int:
    """A new fiche approved in the shared room (what `!valider` commits)."""
    case_id = _case(repo, "Fiche fraîche")
    _approve(repo, case_id)
    return case_id


async def _until(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 60.0
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.002)


async def test_a_fresh_approval_reaches_the_network_wiki_before_a_room_s_back_fill(
    db: Database,
) -> None:
    cases = db.run_sync(lambda repo: _room_of_old_fiches(repo, 200))
    kinds = db.run_sync(lambda repo: {item.kind for item in repo.pending_outbox(NETWORK_KINDS)})
    assert kinds == {NETWORK_PAGE_BULK}  # the back-fill is bulk work
    publisher, wiki = _publisher(db)
    dispatcher = OutboxDispatcher(db, lambda: NOW)
    publisher.register(dispatcher)
    runner = asyncio.create_task(dispatcher.run(idle_seconds=0.05))
    try:
        await _until(lambda: len(wiki.calls) >= 5)  # the back-fill is under way
        fresh = db.run_sync(_fresh_approval)
        dispatcher.nudge()
        await _until(lambda: f"create:{fresh}" in wiki.calls)
        before = sum(call.startswith("create:") for call in wiki.calls) - 1
        await _until(lambda: not db.run_sync(lambda repo: repo.pending_outbox(NETWORK_KINDS)))
    finally:
        runner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runner
        publisher.worker.close()
    # It waited for the edit in progress (and its lane's pass), not for the queue: on
    # one lane it would have come 201st.
    assert before < 30, wiki.calls[:40]
    assert sum(call.startswith("create:") for call in wiki.calls) == 201  # each page once
    with db.transaction() as repo:
        for case_id in [*cases, fresh]:
            page = repo.get_network_publication(case_id)
            assert page is not None and page.status is PublicationStatus.PUBLISHED


def test_a_bulk_job_someone_starts_waiting_for_becomes_interactive(db: Database) -> None:
    with db.transaction() as repo:
        first, second = _room_of_old_fiches(repo, 2)
        page = Publication(first, "Fiche 0", 3, PublicationStatus.PUBLISHED, NOW)
        repo.save_network_publication(page, "texte")
        request_republish_for(repo, ALICE, CONSENT_WITHDRAWN, NOW)  # privacy, in bulk
        (bulk,) = [j for j in repo.pending_outbox(NETWORK_KINDS) if j.payload["case_id"] == first]
        assert bulk.kind == NETWORK_PAGE_BULK and bulk.payload["privacy"] is True
        case = repo.get_case(first)
        assert case is not None
        set_case_choice(repo, case, True, NOW)  # `!réseau N oui`: a moderator waits
        job = repo.outbox_by_key(network_key(first))
        assert job is not None and job.id == bulk.id  # the same one job, moved
        assert job.kind == NETWORK_PAGE and job.payload["privacy"] is True  # still private
        # A bulk request on a job someone waits for leaves it where it is.
        request_network_page(repo, first, NOW, reason="consent_granted", bulk=True)
        assert repo.outbox_by_key(network_key(first)).kind == NETWORK_PAGE  # type: ignore[union-attr]
        other = repo.outbox_by_key(network_key(second))
        assert other is not None and other.kind == NETWORK_PAGE_BULK  # untouched
        assert len(repo.pending_outbox(NETWORK_KINDS)) == 2  # one per fiche, as ever


async def test_capibot_publish_sends_the_interactive_network_jobs_first(db: Database) -> None:
    db.run_sync(lambda repo: _room_of_old_fiches(repo, 3))
    fresh = db.run_sync(_fresh_approval)
    publisher, wiki = _publisher(db)
    try:
        assert await publish_network_pending(db, publisher, lambda: NOW) == []
    finally:
        publisher.worker.close()
    creates = [call for call in wiki.calls if call.startswith("create:")]
    assert creates[0] == f"create:{fresh}" and len(creates) == 4
    with db.transaction() as repo:
        statuses = {item.status for item in repo.all_outbox() if item.kind in NETWORK_KINDS}
    assert statuses == {OutboxStatus.DONE}
