"""The database handle the services use: units of work, off the event loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Engine, text

from bot.storage import migrate
from bot.storage.db import make_engine, make_session_factory, read_only
from bot.storage.repo.cases import CaseOpenings, openings_info
from bot.storage.repository import Repository

T = TypeVar("T")
log = logging.getLogger(__name__)


class Database:
    """Owns the engine; `run` executes one transaction in a single worker thread.

    One writer thread serialises writes (SQLite has one writer anyway) and keeps every
    blocking call off the event loop. Readers (`reading`, `read`) take no lock at all and
    run beside it: an export or a listing never delays capture. A transaction that added
    timers tells the `on_timers_added` listeners once it has committed, whichever code
    committed it (sync batch, outbox job, timer handler): the scheduler re-arms then, not
    at its sweep.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.case_openings = CaseOpenings()
        shared = openings_info(self.case_openings)
        self._sessions = make_session_factory(engine, shared)
        self._reader_engine = read_only(engine)
        self._reader_sessions = make_session_factory(self._reader_engine, shared)
        self._executor: ThreadPoolExecutor | None = None
        self._reader: ThreadPoolExecutor | None = None
        self._timer_listeners: list[Callable[[], None]] = []

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @contextmanager
    def transaction(self) -> Iterator[Repository]:
        """A synchronous unit of work: committed on success, rolled back on error."""
        with self._sessions() as session:
            with session.begin():
                repo = Repository(session)
                yield repo
            if repo.timers_added:
                self._timers_added()

    @contextmanager
    def reading(self) -> Iterator[Repository]:
        """A read-only unit of work: one consistent snapshot, no write lock taken.

        SQLite: a deferred BEGIN (in WAL mode the writer keeps committing meanwhile) with
        `query_only` on, so a write by mistake fails instead of waiting for the lock.
        PostgreSQL: REPEATABLE READ, READ ONLY. Ended by a rollback: nothing to commit.
        """
        with self._reader_sessions() as session:
            session.begin()
            try:
                yield Repository(session)
            finally:
                session.rollback()

    def read_sync(self, work: Callable[[Repository], T]) -> T:
        with self.reading() as repo:
            return work(repo)

    async def read(self, work: Callable[[Repository], T]) -> T:
        """`read_sync` in a reader thread of its own: never queued behind the writer."""
        if self._reader is None:
            self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="capibot-read")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reader, self.read_sync, work)

    def on_timers_added(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` after each commit that added timers (in the committing thread,
        usually the database worker); returns the function that unsubscribes it."""
        self._timer_listeners.append(listener)
        return lambda: self._timer_listeners.remove(listener)

    def _timers_added(self) -> None:
        for listener in list(self._timer_listeners):
            try:
                listener()
            except Exception:  # committed already: a listener's failure is not the caller's
                log.exception("timer listener failed; the periodic sweep will run the timers")

    def run_sync(self, work: Callable[[Repository], T]) -> T:
        with self.transaction() as repo:
            return work(repo)

    async def run(self, work: Callable[[Repository], T]) -> T:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="capibot-db")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.run_sync, work)

    def migrate(self) -> None:
        migrate.upgrade(self.engine)

    def is_migrated(self) -> bool:
        return migrate.is_up_to_date(self._reader_engine)  # a reader: no write lock

    def ping(self) -> None:
        with self._reader_engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def close(self) -> None:
        for executor in (self._executor, self._reader):
            if executor is not None:
                executor.shutdown(wait=True)
        self._executor = self._reader = None
        self.engine.dispose()
