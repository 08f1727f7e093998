"""Health and metrics over HTTP (`[metrics]`, off by default): `GET /metrics` in
Prometheus' text format and `GET /health` (200, or 503 with the reasons, as JSON).

Two sources, so a scrape costs the bot almost nothing:

- what only the running process knows, recorded as it happens by `batch_applied` (the
  composition root calls it after each committed sync batch): events taken in by type,
  their lag behind the homeserver, the time of the last committed sync;
- what the database knows, read at scrape time in one read-only snapshot (`snapshot`):
  outbox depth per lane, wiki jobs in error by outcome, undecryptable events waiting for
  their keys, events set aside, cases opened. Every read is an index seek or a count of
  a table bounded by design (see tests/unit/storage/test_query_plans.py).

The server runs on the bot's event loop (aiohttp, already there for Matrix) and has its
own registry: nothing global, two bots in one process (the tests) do not mix.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select

from bot.domain.models import OutboxStatus
from bot.matrix.events import SyncBatch
from bot.services.network_requests import NETWORK_KIND_LANES
from bot.settings import MetricsSettings
from bot.storage.database import Database
from bot.storage.repository import Repository
from bot.storage.tables import CaseRow, DeadLetterRow, KeyWaitRow, OutboxRow
from bot.version import capibot_version
from bot.wiki import WIKI_BULK_LANE, WIKI_LANE

log = logging.getLogger(__name__)

WIKI_LANES = frozenset({WIKI_LANE, WIKI_BULK_LANE})  # the lanes whose jobs call the wiki
_LAG_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 86400)
_DB_TIMEOUT = 5.0  # seconds a scrape or a health check waits for the database


def lane_of(lanes: Mapping[str, str]) -> Callable[[str], str]:
    """A kind's lane for the metrics: as registered with the dispatcher (`lanes`, read at
    each call), else the network wiki's own lanes (its rows still wait there while
    `[network_wiki]` is off, nothing registered), else main."""
    return lambda kind: lanes.get(kind) or NETWORK_KIND_LANES.get(kind, "main")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the database says, read in one transaction."""

    #: (kind, status, outcome) → rows, for the pending and failed outbox rows
    outbox: dict[tuple[str, str, str | None], int] = field(default_factory=dict)
    key_waits: int = 0
    dead_letters: int = 0
    cases: int = 0


def snapshot(repo: Repository) -> Snapshot:
    """The database's gauges. Of the outbox, only the pending and failed rows are read
    (a seek on `ix_outbox_pending`, three narrow columns, counted here): the done rows,
    the bulk of the table, are not. The same shape as the dispatcher's own reads, so the
    query-plan guard knows it (no GROUP BY: SQLite would read all of ix_outbox_kind)."""
    connection = repo.connection
    outbox: dict[tuple[str, str, str | None], int] = {}
    for status in (OutboxStatus.PENDING.value, OutboxStatus.FAILED.value):
        rows = connection.execute(
            select(OutboxRow.kind, OutboxRow.outcome)
            .where(OutboxRow.status == status)
            .order_by(OutboxRow.id)
        )
        for kind, outcome in rows:
            outbox[kind, status, outcome] = outbox.get((kind, status, outcome), 0) + 1
    return Snapshot(
        outbox=outbox,
        # bounded: waits end when the key arrives or after SyncLoop.undecryptable_ttl
        key_waits=int(connection.scalar(select(func.count()).select_from(KeyWaitRow)) or 0),
        # bounded: an operator deletes a row once its event is dealt with
        dead_letters=int(connection.scalar(select(func.count()).select_from(DeadLetterRow)) or 0),
        cases=int(connection.scalar(select(func.max(CaseRow.id))) or 0),  # the primary key
    )


class Observability:
    """The metrics of one bot, its health verdict, and the HTTP server serving both."""

    def __init__(
        self,
        db: Database,
        settings: MetricsSettings,
        clock: Callable[[], datetime],
        lane_of: Callable[[str], str],
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.lane_of = lane_of
        self.last_sync: datetime | None = None
        self._runner: web.AppRunner | None = None
        self.port: int | None = None  # the bound port once started (settings.port, or 0's)
        r = self.registry = CollectorRegistry()
        Info("capibot", "The running capibot.", registry=r).info({"version": capibot_version()})
        self.events = Counter(
            "capibot_events",
            "Matrix events taken in (committed with their sync batch), by type.",
            ["type"],
            registry=r,
        )
        self.batches = Counter("capibot_sync_batches", "Sync batches committed.", registry=r)
        self.lag = Histogram(
            "capibot_event_lag_seconds",
            "Time from an event's origin_server_ts to its commit by the bot.",
            buckets=_LAG_BUCKETS,
            registry=r,
        )
        self.last_sync_gauge = Gauge(
            "capibot_last_sync_timestamp_seconds",
            "When the last sync batch was committed (Unix time).",
            registry=r,
        )
        self.sync_age = Gauge(
            "capibot_sync_age_seconds",
            "Seconds since the last sync batch was committed (-1: none yet).",
            registry=r,
        )
        self.outbox_jobs = Gauge(
            "capibot_outbox_jobs",
            "Outbox jobs waiting (pending) or given up (failed, kept until retention), by lane.",
            ["lane", "status"],
            registry=r,
        )
        self.wiki_errors = Gauge(
            "capibot_wiki_jobs_in_error",
            "Wiki jobs whose last attempt failed, by outcome (retry, unavailable, "
            "login_refused, right_missing, failed).",
            ["outcome"],
            registry=r,
        )
        self.undecryptable = Gauge(
            "capibot_undecryptable_events",
            "Encrypted events waiting for their room key (key_waits).",
            registry=r,
        )
        self.dead_letters = Gauge(
            "capibot_dead_letters", "Events set aside after failing alone.", registry=r
        )
        self.cases = Gauge("capibot_cases", "Cases opened since the install.", registry=r)
        self.db_up = Gauge(
            "capibot_database_up", "1 if the last scrape could read the database.", registry=r
        )

    # -- fed by the running bot ----------------------------------------------------------

    def batch_applied(self, batch: SyncBatch) -> None:
        """A sync batch was committed: count its events, their lag, and the time."""
        now = self.clock()
        self.last_sync = now
        self.last_sync_gauge.set(now.timestamp())
        self.batches.inc()
        for event in batch.events:
            self.events.labels(type(event).__name__.removeprefix("Inbound").lower()).inc()
            sent_at = getattr(event, "sent_at", None)
            if sent_at is not None and not batch.initial:  # history is not lag
                self.lag.observe(max(0.0, (now - sent_at).total_seconds()))

    # -- read at scrape time -------------------------------------------------------------

    async def refresh(self) -> bool:
        """Update the database's gauges; False (and `capibot_database_up` 0) if it did
        not answer within a few seconds."""
        age = (self.clock() - self.last_sync).total_seconds() if self.last_sync else -1.0
        self.sync_age.set(age)
        try:
            async with asyncio.timeout(_DB_TIMEOUT):
                seen = await self.db.read(snapshot)
        except Exception as exc:
            log.warning("metrics: database unreadable (%s: %s)", type(exc).__name__, exc)
            self.db_up.set(0)
            return False
        self.db_up.set(1)
        self._set_outbox(seen)
        self.undecryptable.set(seen.key_waits)
        self.dead_letters.set(seen.dead_letters)
        self.cases.set(seen.cases)
        return True

    def _set_outbox(self, seen: Snapshot) -> None:
        jobs: dict[tuple[str, str], int] = {}
        errors: dict[str, int] = {}
        for (kind, status, outcome), n in seen.outbox.items():
            lane = self.lane_of(kind)
            jobs[lane, status] = jobs.get((lane, status), 0) + n
            if lane in WIKI_LANES and (outcome is not None or status == "failed"):
                key = "failed" if status == "failed" else str(outcome)
                errors[key] = errors.get(key, 0) + n
        self.outbox_jobs.clear()  # a lane emptied since the last scrape shows 0 below
        for lane in {self.lane_of(kind) for kind, *_ in seen.outbox} | {"main"}:
            for status in ("pending", "failed"):
                self.outbox_jobs.labels(lane, status).set(jobs.get((lane, status), 0))
        self.wiki_errors.clear()
        for outcome, n in errors.items():
            self.wiki_errors.labels(outcome).set(n)

    async def health(self) -> tuple[int, dict[str, object]]:
        """(HTTP status, JSON body): 200 when a sync batch was committed recently and the
        database answers, else 503 with the reasons."""
        reasons: list[str] = []
        now = self.clock()
        limit = self.settings.sync_stale_after.total_seconds()
        age = (now - self.last_sync).total_seconds() if self.last_sync else None
        if age is None:
            reasons.append("no sync batch committed yet")
        elif age > limit:
            reasons.append(f"no sync batch committed for {age:.0f} s (limit {limit:.0f} s)")
        try:
            async with asyncio.timeout(_DB_TIMEOUT):
                await asyncio.to_thread(self.db.ping)
        except Exception as exc:
            reasons.append(f"database unreachable ({type(exc).__name__})")
        body: dict[str, object] = {
            "status": "unhealthy" if reasons else "ok",
            "reasons": reasons,
            "last_sync_age_seconds": None if age is None else round(age, 1),
            "version": capibot_version(),
        }
        return (503 if reasons else 200), body

    # -- the HTTP server -----------------------------------------------------------------

    async def _metrics(self, request: web.Request) -> web.Response:
        await self.refresh()
        return web.Response(
            body=generate_latest(self.registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    async def _health(self, request: web.Request) -> web.Response:
        status, body = await self.health()
        return web.Response(status=status, text=json.dumps(body), content_type="application/json")

    async def start(self) -> None:
        """Listen on `host:port` (port 0: any free one, then `self.port`)."""
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/health", self._health)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.settings.host, self.settings.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        log.info("metrics on http://%s:%d/metrics and /health", self.settings.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
