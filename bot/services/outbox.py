"""The outbox dispatcher: performs queued effects, retries with backoff, never twice.

Each kind has an executor. The row's id is the idempotency key handed to the executor
(the Matrix txn id), so an effect redone after a crash is deduplicated by the server.

Kinds run in lanes, one loop each: the effects waiting on one service (the wiki, down,
each attempt blocking for the wiki client's own retries) never hold up another lane's
(the Matrix notices and reactions). A service that says it is unavailable is waited
for, not given up on (DESIGN §6), with a short backoff; once it answers again, what its
lane had put off is due at once. A wiki that refuses the bot (login refused, a right
missing) is a configuration problem an operator fixes: its jobs wait too (a longer capped
backoff, one ERROR per lane rather than per attempt) instead of failing. A job that does
fail for good runs its kind's `on_failure` hook in the same transaction (the publisher
tells the moderators), so a failure is never only a log line.

What an error means is the lane's to say: each lane registers a classifier (exception →
`Outcome`, see `classify_lane`), the dispatcher acts on the outcome and stores it in the
row's `outcome` column. The error's text is stored too, for people only: nothing here
(or in the CLI) ever reads it back to decide.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.domain.models import OutboxItem, Outcome
from bot.matrix.errors import classify_matrix_error
from bot.storage.database import Database
from bot.storage.repository import Repository
from bot.wiki import classify_wiki_error

log = logging.getLogger(__name__)

Executor = Callable[[OutboxItem], Awaitable[None]]
# Called in the transaction that marks the row FAILED: (repo, item, reason, now).
FailureHook = Callable[[Repository, OutboxItem, str, datetime], None]
# What an executor's exception means (None: not an error this classifier knows: RETRY).
Classifier = Callable[[BaseException], Outcome | None]
MAIN_LANE = "main"


class PermanentFailure(Exception):
    """The effect can never succeed (e.g. the room is gone): stop retrying it."""


def classify_service_error(exc: BaseException) -> Outcome | None:
    """The classifier of a lane that registered none: the Matrix one, then the wiki one."""
    outcome = classify_matrix_error(exc)
    return outcome if outcome is not None else classify_wiki_error(exc)


class OutboxDispatcher:
    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        *,
        max_attempts: int = 12,
        backoff_base: float = 2.0,
        backoff_cap: float = 600.0,
        unavailable_backoff_cap: float = 60.0,
        refused_backoff_cap: float = 300.0,
        classify: Classifier = classify_service_error,
    ) -> None:
        self.db = db
        self.clock = clock
        self.executors: dict[str, Executor] = {}
        self.lanes: dict[str, str] = {}
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.unavailable_backoff_cap = unavailable_backoff_cap
        self.refused_backoff_cap = refused_backoff_cap
        self.failure_hooks: dict[str, FailureHook] = {}
        self.refusal_hooks: dict[str, FailureHook] = {}
        self.classify = classify  # for a lane without a classifier of its own
        self.classifiers: dict[str, Classifier] = {}  # lane → its classifier
        self._refused: dict[str, str] = {}  # lane → why its service refuses the bot
        self._wakes: dict[str, asyncio.Event] = {}
        self._waiting: set[str] = set()  # lanes whose service said it was unavailable
        self.coalesced: set[str] = set()  # kinds whose pending rows absorb new requests

    def register(
        self,
        kind: str,
        executor: Executor,
        *,
        lane: str = MAIN_LANE,
        on_failure: FailureHook | None = None,
        on_refused: FailureHook | None = None,
        coalesced: bool = False,
    ) -> None:
        """`on_failure` runs when a job fails for good, `on_refused` when a job is first
        refused by its service (it then waits): both in that transaction. `coalesced`:
        later requests merge into a pending row of this kind (changing its payload), so
        a run that read the older payload leaves the row pending for one more run."""
        self.executors[kind] = executor
        self.lanes[kind] = lane
        if coalesced:
            self.coalesced.add(kind)
        if on_failure is not None:
            self.failure_hooks[kind] = on_failure
        if on_refused is not None:
            self.refusal_hooks[kind] = on_refused
        self._wakes.setdefault(lane, asyncio.Event())

    def classify_lane(self, lane: str, classify: Classifier) -> None:
        """Say what the exceptions of this lane's executors mean (see `Outcome`); a
        `PermanentFailure` is FAILED in every lane, an error no classifier knows RETRY."""
        self.classifiers[lane] = classify
        self._wakes.setdefault(lane, asyncio.Event())

    def outcome(self, lane: str, exc: BaseException) -> Outcome:
        """What this exception, raised by an executor of this lane, means."""
        if isinstance(exc, PermanentFailure):
            return Outcome.FAILED
        outcome = self.classifiers.get(lane, self.classify)(exc)
        return Outcome.RETRY if outcome is None else outcome

    def nudge(self) -> None:
        """Called after a transaction queued something: run now rather than at the tick."""
        for wake in self._wakes.values():
            wake.set()

    def _kinds(self, lane: str) -> list[str]:
        return [kind for kind, its_lane in self.lanes.items() if its_lane == lane]

    async def run(self, idle_seconds: float = 5.0) -> None:
        """One loop per lane, until cancelled."""
        lanes = list(self._wakes) or [MAIN_LANE]
        async with asyncio.TaskGroup() as group:
            for lane in lanes:
                group.create_task(self._run_lane(lane, idle_seconds), name=f"outbox-{lane}")

    async def _run_lane(self, lane: str, idle_seconds: float) -> None:
        wake = self._wakes.setdefault(lane, asyncio.Event())
        while True:
            wake.clear()  # before the pass: a nudge during it is not lost
            kinds = self._kinds(lane)
            try:
                busy = bool(kinds) and await self.run_once(kinds)
            except Exception:
                log.exception("outbox pass failed (%s lane); retrying", lane)
                busy = False
            if busy:
                continue
            # asyncio.timeout, not wait_for: on Python 3.11, wait_for swallows a
            # cancellation that arrives as the event is set (a nudge from another lane),
            # and the lane then never stops.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(idle_seconds):
                    await wake.wait()

    async def run_once(self, kinds: list[str] | None = None) -> bool:
        """Perform what is due now; returns whether anything was attempted."""
        now = self.clock()
        wanted = kinds or list(self.executors)
        items = await self.db.run(lambda repo: repo.due_outbox(now, wanted))
        for item in items:
            await self._perform(item)
        return bool(items)

    async def _perform(self, item: OutboxItem) -> None:
        try:
            await self._attempt(item)
        finally:
            self._wake_others(self.lanes.get(item.kind, MAIN_LANE))

    def _wake_others(self, lane: str) -> None:
        """A job may have queued work for another lane (a `!chercher` answer, a
        publication's notices, a failure told to the moderators): that lane looks now,
        not at its idle tick (a pass that finds nothing due is one indexed query)."""
        for other, wake in self._wakes.items():
            if other != lane:
                wake.set()

    async def _attempt(self, item: OutboxItem) -> None:
        executor = self.executors[item.kind]
        try:
            await executor(item)
        except PermanentFailure as exc:
            log.error("outbox %s #%d failed for good: %s", item.kind, item.id, exc)
            await self._fail(item, str(exc), _reason(exc))
            return
        except Exception as exc:  # what it means is for the lane's classifier to say
            await self._failed_attempt(item, exc)
            return
        now = self.clock()
        lane = self.lanes.get(item.kind, MAIN_LANE)
        if item.kind in self.coalesced:
            payload = item.payload
            done = await self.db.run(
                lambda repo: repo.outbox_done_unless_changed(item.id, payload, now)
            )
            if not done:  # a request merged in while it ran: once more, soon
                self._wakes[lane].set()
        else:
            await self.db.run(lambda repo: repo.outbox_done(item.id, now))
        if self._refused.pop(lane, None) is not None:
            log.info("outbox: the %s lane's service accepts the bot again", lane)
        if lane in self._waiting:  # the service answers again: retry what waited on it now
            self._waiting.discard(lane)
            kinds = self._kinds(lane)
            count = await self.db.run(lambda repo: repo.reschedule_outbox(kinds, now))
            log.info("outbox: %s lane available again; %d pending item(s) due now", lane, count)

    async def _failed_attempt(self, item: OutboxItem, exc: Exception) -> None:
        """Act on what the lane's classifier says the error means; store that outcome."""
        lane = self.lanes.get(item.kind, MAIN_LANE)
        outcome = self.outcome(lane, exc)
        if outcome is Outcome.RETRY and item.attempts + 1 >= self.max_attempts:
            outcome = Outcome.FAILED  # retried enough: an error that waits never gets here
        if outcome is Outcome.FAILED:
            log.error("outbox %s #%d abandoned: %r", item.kind, item.id, exc)
            await self._fail(item, repr(exc), _reason(exc))
            return
        if outcome.refused:  # an operator fixes the configuration; the job waits meanwhile
            cap = min(self.backoff_cap, self.refused_backoff_cap)
        elif outcome is Outcome.UNAVAILABLE:  # the service is away: wait, however long
            cap = min(self.backoff_cap, self.unavailable_backoff_cap)
        else:
            cap = self.backoff_cap
        delay = min(cap, self.backoff_base * 2 ** min(item.attempts, 32))
        if outcome.waits:
            self._waiting.add(lane)
        if outcome.refused and lane not in self._refused:
            self._refused[lane] = repr(exc)
            log.error(
                "outbox: the %s lane's service refuses the bot (%s): a configuration "
                "problem (credentials or rights; `capibot check`); its jobs wait",
                lane,
                exc,
            )
        elif outcome.refused:
            log.debug("outbox %s #%d still refused (%r)", item.kind, item.id, exc)
        else:
            log.warning("outbox %s #%d failed (%r); retry in %.0fs", item.kind, item.id, exc, delay)
        error, when = repr(exc), self.clock() + timedelta(seconds=delay)
        # Told once per job, on its first refusal (a later one finds it in `outcome`).
        told = self.refusal_hooks.get(item.kind) if outcome.refused else None
        if told is not None and item.outcome is not None and item.outcome.refused:
            told = None
        reason, now = _reason(exc), self.clock()

        def retry(repo: Repository) -> None:
            repo.outbox_retry(item.id, error, when, outcome)
            if told is not None:
                told(repo, item, reason, now)

        await self.db.run(retry)

    async def _fail(self, item: OutboxItem, error: str, reason: str) -> None:
        now = self.clock()
        hook = self.failure_hooks.get(item.kind)

        def fail(repo: Repository) -> None:
            repo.outbox_failed(item.id, error, now)
            if hook is not None:
                hook(repo, item, reason, now)

        try:
            await self.db.run(fail)
        except Exception:  # a broken hook must not keep the row pending forever
            if hook is None:
                raise
            log.exception("outbox %s #%d: failure hook failed", item.kind, item.id)
            await self.db.run(lambda repo: repo.outbox_failed(item.id, error, now))


def _reason(exc: BaseException) -> str:
    """A one-line reason for people: the error's message, else its class name."""
    text = " ".join(str(exc).split())
    return text[:500] if text else type(exc).__name__
