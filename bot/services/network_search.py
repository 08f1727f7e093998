"""`!chercher réseau`: the centre's own answers and the network wiki's fiches of other
centres, in one reply.

Finding. The network wiki is searched with its own MediaWiki search (the plain database
search, no CirrusSearch needed): the question's words as prefixes, all at once then one
by one (`bot.knowledge.network_query`), since that search wants every word of a query.
The pages found are read (one request) and kept when they are fiches — their wikitext
calls the fiche template — of another centre (the page's `centre` parameter): the
centre's own fiches on the network wiki are its local fiches again, already searched.
The bot then ranks what it read with its own French index (stems, synonyms, typos:
`SearchIndex`) and keeps the fiches that answer: those its index judges `good`, and
those the wiki found with every word.

Merging: own first, then the network, each ranked by its own engine. The two rankings
come from different engines over different collections (the centre's BM25 index merged
with its wiki's search, against a few dozen pages the network wiki returned): their
scores do not compare, and a rank fusion would interleave by position alone. The
centre's fiches come first because they are its own people and territory; the network
follows, each fiche labelled with its centre and linked to the network wiki.

Bounded. The network wiki has a search client of its own (no retries, short timeouts,
its own thread: a slow publication to the network wiki never delays a search) and the
whole network part a time budget (`BUDGET`, plus at most one request's timeout for the
request in progress). Short of time, the searches stop and what they found is read;
past the budget, or the wiki unreachable, the centre's answer still comes, with a line
saying the network wiki did not answer. The job runs in a lane of its own, so a slow
network wiki never holds up the centre's wiki jobs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.models import OutboxItem
from bot.i18n import Translator
from bot.knowledge.analysis import Analyzer
from bot.knowledge.network_query import (
    NetworkFiche,
    one_line,
    parse_fiche,
    same_centre,
    search_strings,
)
from bot.knowledge.search_index import IndexedFiche, SearchIndex
from bot.services.effects import Effects, queue_notice
from bot.services.network_reply import NetworkHit, network_notice
from bot.services.outbox import OutboxDispatcher
from bot.services.research import ResearchJobs, reply_notice
from bot.settings import Settings
from bot.storage.database import Database
from bot.wiki import WikiWorker, wiki_config
from wiki_sync.client import WikiClient
from wiki_sync.errors import WikiError, WikiUnavailable
from wiki_sync.mapping import WikiMapping

log = logging.getLogger(__name__)

NETWORK_SEARCH = "network_search"
NETWORK_LANE = "network-search"
NETWORK_RESULTS = 3
PER_QUERY = 20  # pages asked of each search string
CANDIDATES = 40  # pages read at most (one request: the API reads 50 at once)
BUDGET = 6.0  # seconds for the whole network part
REQUEST_TIMEOUT = 3.0  # seconds for one request to the network wiki
READ_RESERVE = 1.5  # seconds of the budget kept for reading the pages found
TITLE_CHARS = 160


def request_network_search(effects: Effects, query: str, context: dict[str, Any]) -> None:
    effects.job(NETWORK_SEARCH, {**context, "query": query})


class OutOfTime(WikiUnavailable):
    """The network part spent its budget: what is left is not asked."""


@dataclass(frozen=True, slots=True)
class NetworkAnswer:
    hits: list[NetworkHit]
    reachable: bool


def search_worker(settings: Settings) -> WikiWorker | None:
    """The network wiki's search door: its own client, no retries, short timeouts (a
    search someone waits for is not retried for minutes); None without a network wiki."""
    target = settings.network_wiki
    if not target.enabled:
        return None
    timeout = min(target.timeout, REQUEST_TIMEOUT)
    client = WikiClient(wiki_config(settings, target, max_retries=0, timeout=timeout))
    return WikiWorker(client, settings, target)


def fetch_fiches(
    client: WikiClient,
    question: str,
    mapping: WikiMapping,
    own_centre: str,
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[list[NetworkFiche], frozenset[str]]:
    """Other centres' fiches the network wiki finds for `question`, best candidates
    first, and the titles its all-words query found. Runs in the worker's thread.
    Short of time (`deadline`, of `clock`), the searches stop and what they found is
    read; `OutOfTime` when nothing could be searched or read in time."""
    strings = search_strings(question)
    # title -> (found by every word?, how many strings found it, best rank)
    seen: dict[str, tuple[bool, int, int]] = {}
    for n, string in enumerate(strings):
        if clock() > deadline - READ_RESERVE:
            if n == 0:
                raise OutOfTime("network search: out of time")
            log.info("network search: %d of %d searches done in time", n, len(strings))
            break
        for rank, result in enumerate(client.search(string, limit=PER_QUERY)):
            title = str(result.get("title", ""))
            if not title or result.get("ns", 0) != 0:
                continue
            full, count, best = seen.get(title, (False, 0, rank))
            # the first string holds every word of the question
            seen[title] = (full or n == 0, count + 1, min(best, rank))
        if len(seen) >= CANDIDATES:
            break
    order = sorted(seen, key=lambda t: (not seen[t][0], -seen[t][1], seen[t][2]))
    if not order:
        return [], frozenset()
    if clock() > deadline:
        raise OutOfTime("network search: out of time")
    texts = client.read_many(order[:CANDIDATES])
    fiches = []
    for title in order[:CANDIDATES]:
        fiche = parse_fiche(title, texts.get(title, ""), mapping)
        if fiche is not None and not same_centre(fiche.centre, own_centre):
            fiches.append(fiche)
    return fiches, frozenset(t for t, (full, _, _) in seen.items() if full)


def rank(
    fiches: list[NetworkFiche],
    every_word: frozenset[str],
    question: str,
    analyzer: Analyzer,
    page_url: Callable[[str], str],
    limit: int = NETWORK_RESULTS,
) -> list[NetworkHit]:
    """The fiches that answer, best first, by the bot's own index of them."""
    index = SearchIndex(
        [IndexedFiche(n, f.page_title, f.fields) for n, f in enumerate(fiches)], analyzer
    )
    hits: list[NetworkHit] = []
    for hit in index.search(question, len(fiches)):
        fiche = fiches[hit.case_id]
        found_whole = fiche.page_title in every_word
        if not (hit.good or found_whole):
            continue
        hits.append(
            NetworkHit(
                title=one_line(fiche.page_title, TITLE_CHARS),
                centre=fiche.centre,
                excerpt=hit.excerpt,
                url=page_url(fiche.page_title),
            )
        )
        if len(hits) == limit:
            break
    return hits


class NetworkSearch:
    """The network wiki's side of a search: its search worker and the index's analyzer."""

    def __init__(
        self,
        worker: WikiWorker,
        settings: Settings,
        *,
        budget: float = BUDGET,
        grace: float = REQUEST_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.worker = worker
        self.mapping = settings.network_wiki.mapping(settings.bot.language)
        self.own_centre = settings.network.centre
        self.budget = budget
        self.grace = grace  # the request in progress when the budget is spent
        self.clock = clock
        self.analyzer = Analyzer()

    @classmethod
    def from_settings(cls, settings: Settings) -> NetworkSearch | None:
        worker = search_worker(settings)
        return cls(worker, settings) if worker is not None else None

    async def find(self, question: str) -> NetworkAnswer:
        """Other centres' fiches that answer; `reachable` False when the network wiki
        failed or ran out of time (never raises a wiki error)."""
        deadline = self.clock() + self.budget
        client = self.worker.client

        def work() -> tuple[list[NetworkFiche], frozenset[str]]:
            return fetch_fiches(
                client, question, self.mapping, self.own_centre, deadline, self.clock
            )

        try:
            # the thread checks the deadline between requests; this bounds the wait
            # for the request in progress (at most one request timeout more)
            fiches, every_word = await asyncio.wait_for(
                self.worker.run(work), timeout=self.budget + self.grace
            )
        except (WikiError, TimeoutError) as exc:
            log.warning("network wiki search failed: %r", exc)
            return NetworkAnswer([], reachable=False)
        hits = await asyncio.to_thread(
            rank, fiches, every_word, question, self.analyzer, self.worker.page_url
        )
        return NetworkAnswer(hits, reachable=True)

    def close(self) -> None:
        self.worker.close()


class NetworkSearchJob:
    """The outbox executor of `NETWORK_SEARCH`: both searches at once, one reply."""

    def __init__(
        self,
        db: Database,
        research: ResearchJobs,
        network: NetworkSearch | None,
        settings: Settings,
        clock: Callable[[], datetime],
    ) -> None:
        self.db = db
        self.research = research
        self.network = network
        self.settings = settings
        self.clock = clock
        self.tr = Translator(settings.bot.language, tz=settings.schedule.timezone)

    def register(self, dispatcher: OutboxDispatcher) -> None:
        dispatcher.register(NETWORK_SEARCH, self, lane=NETWORK_LANE)

    async def __call__(self, item: OutboxItem) -> None:
        payload = item.payload
        query = str(payload["query"])
        prefix = self.settings.bot.prefix
        if self.network is None:  # queued before the network wiki left the settings
            text = self.tr("search.network.absent", prefix=prefix, query=query)
            notice = reply_notice(payload, text)
        else:
            (own, own_failed), answer = await asyncio.gather(
                self.research.own_results(query), self.network.find(query)
            )
            notice = network_notice(
                payload,
                self.tr,
                self.settings,
                query,
                own,
                own_failed,
                answer.hits,
                answer.reachable,
                self.research.wiki.page_url,
            )
        now = self.clock()
        await self.db.run(
            lambda repo: queue_notice(repo, f"notice:{item.kind}:{item.id}", notice, now)
        )
