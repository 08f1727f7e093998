"""`[metrics]`: /metrics and /health over real HTTP, on a real database, following what
the bot does (issue 15). The integration test runs the same through the real Synapse."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.domain.models import OutboxItem
from bot.observability import Observability, lane_of
from bot.services import effects as fx
from bot.services.network_requests import NETWORK_PAGE, NETWORK_PAGE_BULK
from bot.services.outbox import MAIN_LANE, OutboxDispatcher
from bot.services.publication_requests import PUBLISH
from bot.settings import MetricsSettings
from bot.storage.database import Database
from bot.version import capibot_version
from bot.wiki import WIKI_LANE
from scripts.devstack.procs import free_port
from tests.unit.services.test_inbound import NOW, _apply, _batch, _msg, _service
from wiki_sync.errors import WikiUnavailable

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


class Clock:
    def __init__(self) -> None:
        self.now = NOW + timedelta(seconds=10)

    def __call__(self) -> datetime:
        return self.now


async def _scrape(obs: Observability) -> Samples:
    url = f"http://127.0.0.1:{obs.port}/metrics"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def _health(obs: Observability) -> tuple[int, dict[str, object]]:
    url = f"http://127.0.0.1:{obs.port}/health"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.json()


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
async def served(db: Database) -> AsyncIterator[tuple[Observability, Clock, OutboxDispatcher]]:
    clock = Clock()
    dispatcher = OutboxDispatcher(db, clock)
    settings = MetricsSettings(enabled=True, host="127.0.0.1", port=free_port())
    obs = Observability(db, settings, clock, lane_of(dispatcher.lanes))  # as `bot.app` does
    await obs.start()
    try:
        yield obs, clock, dispatcher
    finally:
        await obs.stop()


async def test_metrics_change_when_an_exchange_is_captured(
    db: Database, served: tuple[Observability, Clock, OutboxDispatcher]
) -> None:
    obs, clock, _ = served
    before = await _scrape(obs)
    assert _value(before, "capibot_info", version=capibot_version()) == 1
    assert _value(before, "capibot_events_total", type="message") == 0
    assert _value(before, "capibot_cases") == 0
    assert _value(before, "capibot_database_up") == 1
    assert _value(before, "capibot_sync_age_seconds") == -1

    batch = _batch(
        "t1",
        _msg(1, "Comment associer les habitants ?"),
        _msg(2, "Avec des ateliers", thread="$e1"),
        _msg(3, "!capturer", thread="$e1"),
    )
    _apply(db, _service(), batch)  # what Bot._handle_batch commits, then reports
    obs.batch_applied(batch)
    clock.now += timedelta(seconds=4)
    after = await _scrape(obs)

    assert _value(after, "capibot_events_total", type="message") == 3
    assert _value(after, "capibot_sync_batches_total") == 1
    assert _value(after, "capibot_cases") == 1
    assert _value(after, "capibot_outbox_jobs", lane="main", status="pending") >= 1
    assert _value(after, "capibot_event_lag_seconds_count") == 3
    assert _value(after, "capibot_event_lag_seconds_sum") == pytest.approx(10 - 1 + 10 - 2 + 10 - 3)
    assert _value(after, "capibot_sync_age_seconds") == 4
    assert _value(after, "capibot_last_sync_timestamp_seconds") == (NOW.timestamp() + 10)


async def test_wiki_failures_and_undecryptable_events_are_counted(
    db: Database, served: tuple[Observability, Clock, OutboxDispatcher]
) -> None:
    obs, clock, dispatcher = served

    async def wiki_down(item: OutboxItem) -> None:
        raise WikiUnavailable("wiki unreachable: ConnectionError")

    dispatcher.register(PUBLISH, wiki_down, lane=WIKI_LANE)
    with db.transaction() as repo:
        repo.enqueue(PUBLISH, "publish:1:v1", {"case_id": 1}, NOW)
        repo.enqueue(fx.NOTICE, "n1", {"room_id": "!r:x", "body": "b"}, NOW)
        repo.save_key_waits([("$enc1", "!r:x", {"type": "m.room.encrypted"}, NOW)])
    await dispatcher.run_once([PUBLISH])  # the real dispatcher records the outcome

    samples = await _scrape(obs)
    assert _value(samples, "capibot_outbox_jobs", lane="wiki", status="pending") == 1
    assert _value(samples, "capibot_outbox_jobs", lane="main", status="pending") == 1
    assert _value(samples, "capibot_wiki_jobs_in_error", outcome="unavailable") == 1
    assert _value(samples, "capibot_undecryptable_events") == 1

    # The key arrives (the sync loop ends the wait) and the wiki comes back.
    with db.transaction() as repo:
        repo.drop_key_waits(["$enc1"])

    async def wiki_up(item: OutboxItem) -> None:
        return None

    dispatcher.register(PUBLISH, wiki_up, lane=WIKI_LANE)
    clock.now += timedelta(hours=1)
    await dispatcher.run_once([PUBLISH])
    samples = await _scrape(obs)
    assert _value(samples, "capibot_outbox_jobs", lane="wiki", status="pending") == 0
    assert _value(samples, "capibot_wiki_jobs_in_error", outcome="unavailable") == 0
    assert _value(samples, "capibot_undecryptable_events") == 0


async def test_network_wiki_jobs_count_in_their_lanes_even_with_the_network_wiki_off(
    db: Database, served: tuple[Observability, Clock, OutboxDispatcher]
) -> None:
    obs, _, _ = served  # no network publisher registered: [network_wiki] removed
    with db.transaction() as repo:
        repo.enqueue(NETWORK_PAGE, "network_page:1", {"case_id": 1}, NOW)
        for n in range(2, 5):  # a room's back-fill, left waiting
            repo.enqueue(NETWORK_PAGE_BULK, f"network_page:{n}", {"case_id": n}, NOW)
    samples = await _scrape(obs)
    assert _value(samples, "capibot_outbox_jobs", lane="network-wiki", status="pending") == 1
    assert _value(samples, "capibot_outbox_jobs", lane="network-wiki-bulk", status="pending") == 3
    assert _value(samples, "capibot_outbox_jobs", lane="main", status="pending") == 0


async def test_health_says_ok_only_while_syncing_and_the_database_answers(
    db: Database, served: tuple[Observability, Clock, OutboxDispatcher]
) -> None:
    obs, clock, _ = served
    status, body = await _health(obs)
    assert status == 503 and body["reasons"] == ["no sync batch committed yet"]

    obs.batch_applied(_batch("t1"))
    status, body = await _health(obs)
    assert status == 200 and body == {
        "status": "ok",
        "reasons": [],
        "last_sync_age_seconds": 0.0,
        "version": capibot_version(),
    }

    clock.now += timedelta(minutes=3)  # past sync_stale_after (2 min)
    status, body = await _health(obs)
    assert status == 503 and body["status"] == "unhealthy"
    assert body["reasons"] == ["no sync batch committed for 180 s (limit 120 s)"]


async def test_health_and_metrics_say_when_the_database_is_unreachable() -> None:
    nowhere = Database.from_url(f"postgresql+psycopg://capibot@127.0.0.1:{free_port()}/capibot")
    clock = Clock()
    settings = MetricsSettings(enabled=True, port=free_port())
    obs = Observability(nowhere, settings, clock, lambda kind: MAIN_LANE)
    await obs.start()
    try:
        obs.batch_applied(_batch("t1"))
        status, body = await _health(obs)
        assert status == 503
        assert body["reasons"] == ["database unreachable (OperationalError)"]
        samples = await _scrape(obs)
        assert _value(samples, "capibot_database_up") == 0
        assert _value(samples, "capibot_events_total", type="message") == 0
    finally:
        await obs.stop()
        nowhere.close()


async def test_metrics_are_off_by_default() -> None:
    assert MetricsSettings().enabled is False
    assert MetricsSettings().host == "127.0.0.1"
