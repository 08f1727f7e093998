"""Operations through the real Synapse (issue 15): a running bot's /health and /metrics
follow what happens in its rooms; `capibot backup` taken while it runs is restored
elsewhere, and the bot started from it is the same device with the same cases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import aiohttp
from nio import AsyncClient
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Bot
from bot.settings import MetricsSettings, Settings
from bot.version import capibot_version
from scripts.devstack import StackInfo
from scripts.devstack.procs import free_port
from tests.integration.answers import answer_after, answer_with
from tests.integration.helpers import eventually
from tests.integration.test_capture import bot_settings, case_of, room_with_bot, send


def _with_metrics(settings: Settings) -> Settings:
    return settings.model_copy(update={"metrics": MetricsSettings(enabled=True, port=free_port())})


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.text()


async def _metric(bot: Bot, name: str, **labels: str) -> float:
    status, text = await _get(f"http://127.0.0.1:{bot.observability.port}/metrics")
    assert status == 200
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


def _capibot(stack: StackInfo, settings: Settings, *args: str) -> str:
    """The CLI as an operator runs it, on the stack's config with this bot's state."""
    env = {
        **os.environ,
        "CAPIBOT_CONFIG": str(stack.config_path),
        "CAPIBOT__DATABASE__URL": settings.database.url,
        "CAPIBOT__MATRIX__STORE_PATH": str(settings.matrix.store_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=settings.matrix.store_path.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


async def test_health_metrics_and_a_backup_restored_into_a_new_bot(
    stack: StackInfo, tmp_path: Path, alice: AsyncClient
) -> None:
    (tmp_path / "live").mkdir()
    (tmp_path / "fresh").mkdir()
    settings = _with_metrics(bot_settings(stack, tmp_path / "live"))
    bot = Bot(settings)
    await bot.start()
    try:
        health_url = f"http://127.0.0.1:{bot.observability.port}/health"

        async def healthy() -> bool:
            return (await _get(health_url))[0] == 200

        await eventually(healthy)
        assert f'"version": "{capibot_version()}"' in (await _get(health_url))[1]
        before = await _metric(bot, "capibot_events_total", type="message")

        room = await room_with_bot(alice, bot)
        root = await send(alice, room, "Comment associer les habitants au NPNRU ?")
        await send(alice, room, "Par des ateliers en pied d'immeuble.", thread=root)
        await send(alice, room, "!capturer", thread=root)
        await answer_with(alice, room, "#1")

        assert await _metric(bot, "capibot_events_total", type="message") >= before + 3
        assert await _metric(bot, "capibot_cases") == 1
        assert await _metric(bot, "capibot_sync_batches_total") >= 1
        assert await _metric(bot, "capibot_event_lag_seconds_count") >= 3

        # A backup while the bot runs, by the operator's command.
        out = _capibot(stack, settings, "backup", str(tmp_path / "backups"))
        made = out.split("backup written: ")[1].strip()
        device = bot.client.device_id
    finally:
        await bot.stop()

    fresh = bot_settings(stack, tmp_path / "fresh")
    restored = _capibot(stack, fresh, "restore", made)
    assert "Matrix store restored" in restored
    again = Bot(fresh)
    await again.start()
    try:
        assert again.client.device_id == device  # the same device: no new login
        case = await case_of(again, room, root)
        assert case is not None and case.id == 1
        listing = await answer_after(alice, room, "!cas", "NPNRU")
        assert "#1" in listing
    finally:
        await again.stop()
