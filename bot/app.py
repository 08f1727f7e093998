"""The running bot: wires the Matrix edge, the services and the outbox together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from bot.commands.parser import is_bot_command
from bot.domain.models import OutboxItem
from bot.i18n import Translator
from bot.inbound import InboundService
from bot.knowledge.drafting import Drafter
from bot.knowledge.nlp import FrenchPipeline
from bot.knowledge.related import Candidate, RelatedFiches
from bot.matrix.aliases import resolve_room_aliases
from bot.matrix.cross_signing import bootstrap_at_start
from bot.matrix.errors import classify_matrix_error
from bot.matrix.events import OutboundNotice, SyncBatch
from bot.matrix.gateway import Gateway
from bot.matrix.session import log_in, make_client
from bot.matrix.store_lock import store_lock
from bot.matrix.sync import SyncLoop
from bot.observability import Observability, lane_of
from bot.scheduling import Scheduler
from bot.services import effects as fx
from bot.services.capture import CaptureJob
from bot.services.curation import REVIEW_CARD
from bot.services.diffusion import Diffusion
from bot.services.documentation import POST_QUESTION, QuestionPoster
from bot.services.effects import Effects, notice_from_payload, reaction_from_payload, text_to_html
from bot.services.meetings import (
    AUTO_CLOSE,
    PUBLISH_MINUTES,
    MinutesPublisher,
    auto_close_handler,
)
from bot.services.meetings import notify_failure as notify_minutes_failure
from bot.services.network_publisher import NetworkPublisher
from bot.services.network_search import NetworkSearch, NetworkSearchJob
from bot.services.outbox import MAIN_LANE, OutboxDispatcher
from bot.services.prompting import Prompting
from bot.services.publisher import Publisher
from bot.services.research import ResearchJobs
from bot.services.retention import run_purge
from bot.services.review_cards import ReviewCards
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository
from bot.version import capibot_version
from bot.wiki import WIKI_LANE, WikiWorker

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Bot:
    """One bot instance; `start` returns once it is logged in and its loops are running."""

    def __init__(self, settings: Settings, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.clock = clock
        self.db = Database.from_url(settings.database.url)
        self.client = make_client(settings.matrix)
        self.gateway = Gateway(self.client)
        self.dispatcher = OutboxDispatcher(self.db, clock)
        # The main lane's jobs talk to the homeserver (the wiki lane's: see Publisher).
        self.dispatcher.classify_lane(MAIN_LANE, classify_matrix_error)
        # One wiki worker (client, writer, thread) for every job that calls the wiki.
        self.wiki = WikiWorker.from_settings(settings)
        #: `!chercher réseau`: the network wiki's search door (None: no network wiki)
        self.network_search: NetworkSearch | None = None
        # The network's shared wiki ([network_wiki]), if any: a worker and lane of its own.
        self.network_wiki = WikiWorker.for_network(settings)
        #: built in `start`, once room aliases are resolved: services hold final settings
        self._publisher: Publisher | None = None
        # -- scheduling (timers in the database; notices go out through the outbox) --
        self.scheduler = Scheduler(self.db, clock, on_ran=self.dispatcher.nudge)
        self.inbound: InboundService | None = None
        #: the loops that run as long as the bot (a done one is a dead one)
        self._tasks: list[asyncio.Task[None]] = []
        #: one-shot start-up work in the background (models, indexes): done when done
        self._warm_ups: list[asyncio.Task[None]] = []
        # metrics and /health: always counted, served only with [metrics] enabled
        self.observability = Observability(
            self.db,
            settings.metrics,
            clock,
            lane_of(self.dispatcher.lanes),
        )

    async def start(self) -> None:
        if not await asyncio.to_thread(self.db.is_migrated):
            await asyncio.to_thread(self.db.migrate)
        await log_in(self.client, self.settings.matrix)
        # the bot's device signed by its own identity (Element: no "unverified" warning)
        await bootstrap_at_start(self.client, self.settings.matrix)
        self.settings = await resolve_room_aliases(self.client, self.settings)
        # -- from here on, services are built with the resolved settings --
        publisher = self._publisher = Publisher(self.db, self.wiki, self.settings, self.clock)
        user_id = self.client.user_id
        prefix = self.settings.bot.prefix
        self.inbound = InboundService(self.settings, user_id, self.clock)
        # the language model: loaded off the loop in the background, start does not wait
        pipeline = FrenchPipeline() if self.settings.bot.language_model else None
        drafter = Drafter(pipeline) if pipeline else None
        related = RelatedFiches(pipeline, self.wiki.page_url) if pipeline else None
        if pipeline is not None:
            warm = _warm_up(pipeline, related, self.db)
            self._warm_ups.append(asyncio.create_task(warm, name="language"))
        capture = CaptureJob(
            self.db,
            self.gateway,
            self.settings,
            user_id,
            self.clock,
            is_command=lambda body: is_bot_command(body, prefix),
            related=related,
        )
        self.dispatcher.register(fx.NOTICE, self._send_notice)
        self.dispatcher.register(fx.REACTION, self._send_reaction)
        self.dispatcher.register(fx.JOIN, self._join)
        self.dispatcher.register(fx.REJECT_INVITE, self._reject_invite)
        self.dispatcher.register(fx.CAPTURE, lambda item: capture(item.id, item.payload))
        publisher.register(self.dispatcher)
        if self.network_wiki is not None:
            NetworkPublisher(self.db, self.network_wiki, self.settings, self.clock).register(
                self.dispatcher
            )
        cards = ReviewCards(self.db, self.gateway, self.settings, related)
        self.dispatcher.register(REVIEW_CARD, cards)
        self.dispatcher.register(
            POST_QUESTION, QuestionPoster(self.db, self.gateway, self.settings)
        )
        self.dispatcher.register(
            PUBLISH_MINUTES,
            MinutesPublisher(self.db, self.wiki, self.settings, self.clock),
            lane=WIKI_LANE,
            on_failure=partial(notify_minutes_failure, self.settings),
            on_refused=partial(notify_minutes_failure, self.settings, refused=True),
        )
        # -- scheduling: handlers registered, then jobs rebuilt from the timers table --
        self.scheduler.register(AUTO_CLOSE, auto_close_handler(self.settings))
        inbound = self.inbound
        Prompting(
            self.settings, lambda room: _display_names(inbound, room), drafter, related
        ).register(self.scheduler)
        # research and diffusion: search, annotations, directory, digest (issue 6)
        research = ResearchJobs(self.db, self.wiki, self.settings, self.clock)
        research.register(self.dispatcher)
        self.network_search = NetworkSearch.from_settings(self.settings)
        NetworkSearchJob(
            self.db, research, self.network_search, self.settings, self.clock
        ).register(self.dispatcher)
        diffusion = Diffusion(self.db, self.wiki, self.settings, self.clock)
        diffusion.register(self.dispatcher, self.scheduler)
        await diffusion.start()
        await self.scheduler.start()
        # -- end scheduling --
        sync = SyncLoop(
            self.client,
            self.db,
            self._handle_batch,
            undecryptable_ttl=self.settings.matrix.key_wait.total_seconds(),
        )
        if self.settings.metrics.enabled:
            await self.observability.start()
        self._tasks += [
            asyncio.create_task(sync.run(), name="sync"),
            asyncio.create_task(self.dispatcher.run(idle_seconds=2.0), name="outbox"),
            # done outbox rows are deleted after privacy.outbox_retention
            asyncio.create_task(run_purge(self.db, self.settings, self.clock), name="purge"),
        ]
        # the first `!chercher` should not wait for the index of the fiches
        self._warm_ups.append(asyncio.create_task(research.knowledge.warm(), name="search-index"))
        log.info("capibot running as %s", user_id)

    @property
    def publisher(self) -> Publisher:
        """The wiki publisher, built by `start` (with the resolved room ids)."""
        if self._publisher is None:
            raise RuntimeError("the bot is not started")
        return self._publisher

    async def wait(self) -> None:
        """Until a loop dies for good (they are supervised, so: until cancelled)."""
        await asyncio.gather(*self._tasks)

    async def stop(self) -> None:
        await self.scheduler.stop()  # scheduling
        for task in self._tasks + self._warm_ups:
            task.cancel()
        for task in self._tasks + self._warm_ups:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks, self._warm_ups = [], []
        await self.observability.stop()
        await self.client.close()
        await asyncio.to_thread(self.wiki.close)
        if self.network_search is not None:
            await asyncio.to_thread(self.network_search.close)
        if self.network_wiki is not None:
            await asyncio.to_thread(self.network_wiki.close)
        await asyncio.to_thread(self.db.close)  # waits for the DB thread: not on the loop

    # -- batch -----------------------------------------------------------------------

    async def _handle_batch(self, batch: SyncBatch) -> None:
        inbound = self.inbound
        assert inbound is not None

        def apply(repo: Repository) -> int:
            inbound.apply(repo, batch)
            return repo.queued

        queued = await self.db.run(apply)
        self.observability.batch_applied(batch)
        if queued:  # most batches queue nothing: no outbox pass for them
            self.dispatcher.nudge()

    # -- executors -------------------------------------------------------------------

    @staticmethod
    def _txn(item: OutboxItem) -> str:
        """The outbox row id is stable across restarts: Synapse dedupes a resend."""
        return f"capibot.{item.id}"

    async def _send_notice(self, item: OutboxItem) -> None:
        await self.gateway.send_notice(notice_from_payload(item.payload), self._txn(item))

    async def _send_reaction(self, item: OutboxItem) -> None:
        await self.gateway.react(reaction_from_payload(item.payload), self._txn(item))

    async def _join(self, item: OutboxItem) -> None:
        room_id = item.payload["room_id"]
        await self.gateway.join(room_id)
        text = introduction(self.settings)
        now = self.clock()

        def queue_intro(repo: Repository) -> None:
            Effects(repo, f"intro:{room_id}", now).notice(
                OutboundNotice(room_id=room_id, body=text, html=text_to_html(text))
            )

        await self.db.run(queue_intro)
        self.dispatcher.nudge()

    async def _reject_invite(self, item: OutboxItem) -> None:
        await self.gateway.reject_invite(item.payload["room_id"])


def introduction(settings: Settings) -> str:
    """What the bot says on joining a room: what it does, consent, the privacy notice,
    the guide when there is one (people read the intro once, the guide as needed), and
    which capibot it is (the room's admins can tell which version joined)."""
    tr = Translator(settings.bot.language)
    notice_url = settings.privacy.notice_url or tr("intro.no_notice")
    text = tr("intro", prefix=settings.bot.prefix, notice=notice_url)
    if settings.bot.guide_url:
        text += "\n\n" + tr("guide.link", url=settings.bot.guide_url)
    return text + "\n\n" + tr("intro.version", version=capibot_version())


def _display_names(inbound: InboundService, room_id: str) -> dict[str, str]:
    """Scheduling: names seen at sync time, for the prompts' mentions."""
    snapshot = inbound.rooms.get(room_id)
    return snapshot.display_names if snapshot else {}


async def _warm_up(pipeline: FrenchPipeline, related: RelatedFiches | None, db: Database) -> None:
    """Load the language model in a worker thread (a failure is logged by the pipeline),
    then read the published fiches with it, so the first capture does not wait for that."""
    if not await pipeline.warm_up() or related is None:
        return
    try:
        fiches = await db.read(
            lambda repo: [
                Candidate(f.case_id, f.page_title, f.fields) for f in repo.published_fiches()
            ]
        )
        await asyncio.to_thread(related.prime, fiches)
    except Exception:  # only a head start: lookups read what they miss themselves
        log.exception("related fiches not read ahead")


async def run_bot(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM, then stop cleanly (loops cancelled, client and DB closed).

    The Matrix store's lock is held throughout: a second bot on it raises StoreLocked
    before it touches anything."""
    with store_lock(settings.matrix.store_path):
        await _run_until_stopped(Bot(settings))


async def _run_until_stopped(bot: Bot) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await bot.start()
    except BaseException:
        await bot.stop()  # what did start is released before the error is reported
        raise
    waiter = asyncio.create_task(bot.wait())
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        waiter.cancel()
        await bot.stop()
        log.info("capibot stopped")
