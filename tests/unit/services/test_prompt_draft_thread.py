"""The prompt's draft is made outside the DB writer thread, and never from stale words
(issue 18): the real Scheduler and Prompting on SQLite, a slow fake drafter."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from bot.domain.models import CaseState, FicheField
from bot.knowledge.drafting import Drafter, Vocabulary
from bot.knowledge.nlp import FrenchPipeline
from bot.scheduling import Scheduler
from bot.services.prompting import Prompting
from bot.storage.database import Database
from bot.storage.repository import Repository
from tests.unit.cases import published_case
from tests.unit.services.test_prompting import (
    DAY,
    Clock,
    _notices,
    _open_case,
    _settings,
)

SECRET = "hausse de 30 %"  # Carol's words, in message $e2


class SlowDrafter(Drafter):
    """Blocks in `draft` until released; the draft quotes every message it was given."""

    def __init__(self, loaded: bool = True) -> None:
        super().__init__(FrenchPipeline())
        self.pipeline = SimpleNamespace(loaded=loaded)  # type: ignore[assignment]
        self.started = threading.Event()
        self.release = threading.Event()
        self.threads: list[str] = []

    def draft(
        self,
        messages: Sequence[tuple[str, str]],
        vocabulary: Vocabulary,
        lang: str,
        prefix: str = "!",
    ) -> str:
        self.threads.append(threading.current_thread().name)
        self.started.set()
        assert self.release.wait(10)
        return "BROUILLON " + " | ".join(body for _, body in messages)


async def _prompt_while_drafting(db: Database, drafter: SlowDrafter, meanwhile: Any) -> Any:
    """Run the due prompt; while the drafter works, run `meanwhile` through `db.run`
    (it must complete promptly: the writer thread is free), then let the draft finish."""
    settings = _settings()
    case = _open_case(db, settings)
    clock = Clock()
    clock.now += 2 * DAY
    scheduler = Scheduler(db, clock)
    Prompting(settings, drafter=drafter).register(scheduler)
    running = asyncio.create_task(scheduler.run_due())
    assert await asyncio.to_thread(drafter.started.wait, 10)
    result = await asyncio.wait_for(db.run(lambda repo: meanwhile(repo, case.id)), 2)
    drafter.release.set()
    assert await running in (0, 1)
    return result


async def test_the_writer_thread_is_free_while_the_draft_is_made(db: Database) -> None:
    drafter = SlowDrafter()
    count = await _prompt_while_drafting(db, drafter, lambda repo, case: repo.count_messages(case))
    assert count == 7  # another unit of work went through while the draft was blocked
    assert not any(name.startswith("capibot-db") for name in drafter.threads)
    [notice] = _notices(db)
    assert "BROUILLON" in notice["body"] and SECRET in notice["body"]


async def test_a_redaction_meanwhile_leaves_no_removed_words(db: Database) -> None:
    drafter = SlowDrafter()
    await _prompt_while_drafting(db, drafter, lambda repo, case: repo.redact_message("$e2"))
    [notice] = _notices(db)
    assert "BROUILLON" in notice["body"]  # drafted again, from what is stored now
    assert SECRET not in notice["body"] and SECRET not in notice["html"]


async def test_a_case_closed_meanwhile_gets_no_prompt(db: Database) -> None:
    def close(repo: Repository, case: int) -> None:
        repo.update_case(case, state=CaseState.REJECTED)

    await _prompt_while_drafting(db, SlowDrafter(), close)
    assert _notices(db) == []


async def test_no_wait_for_a_loading_model_inside_the_transaction(db: Database) -> None:
    """Without the preparation (as when `!oublier` re-renders a pending prompt), a model
    still loading gives the simple draft at once, not a wait in the writer thread."""
    settings = _settings()
    case = _open_case(db, settings)
    drafter = SlowDrafter(loaded=False)
    prompting = Prompting(settings, drafter=drafter)
    notice = db.run_sync(lambda repo: prompting.prompt_notice(repo, case))
    assert drafter.threads == [] and SECRET in notice.body


def test_the_published_fiches_are_read_again_only_when_they_change(db: Database) -> None:
    prompting = Prompting(_settings())
    cache = prompting.drafts.published
    fields = {f: "" for f in FicheField} | {
        FicheField.TITLE: "Ateliers",
        FicheField.THEMES: "Participation",
    }
    first = db.run_sync(cache.get)
    assert db.run_sync(cache.get) is first  # nothing changed: the same reading
    db.run_sync(lambda repo: published_case(repo, 1, "!w:localhost", fields))
    second = db.run_sync(cache.get)
    assert second is not first and second.vocabulary.themes == ("Participation",)
    assert db.run_sync(cache.get) is second
