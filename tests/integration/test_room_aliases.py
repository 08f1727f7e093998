"""Rooms named by alias in the configuration: resolved at start-up, or a clear refusal."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from nio import RoomCreateResponse

from bot.app import Bot
from bot.matrix.aliases import AliasError
from scripts.devstack import StackInfo, synapse
from tests.integration.helpers import user_client
from tests.integration.test_capture import bot_settings

pytestmark = pytest.mark.integration


async def test_moderation_room_alias_is_resolved_to_its_room_id(
    stack: StackInfo, tmp_path: Path
) -> None:
    mona = await user_client(stack, "moderator")
    local = f"moderation-{uuid.uuid4().hex[:8]}"
    try:
        created = await mona.room_create(alias=local, name="Modération")
        assert isinstance(created, RoomCreateResponse), created
    finally:
        await mona.close()
    alias = f"#{local}:{synapse.SERVER_NAME}"
    bot = Bot(bot_settings(stack, tmp_path, matrix={"moderation_room": alias}))
    await bot.start()
    try:
        assert bot.settings.matrix.moderation_room == created.room_id
        assert bot.publisher.settings.matrix.moderation_room == created.room_id
    finally:
        await bot.stop()


async def test_an_unknown_alias_stops_the_bot_with_the_setting_named(
    stack: StackInfo, tmp_path: Path
) -> None:
    wrong = f"#nowhere-{uuid.uuid4().hex[:8]}:{synapse.SERVER_NAME}"
    bot = Bot(bot_settings(stack, tmp_path, matrix={"research_room": wrong}))
    with pytest.raises(AliasError, match=r"matrix\.research_room"):
        await bot.start()
    await bot.stop()


def test_capibot_run_exits_2_on_an_unknown_alias(stack: StackInfo, tmp_path: Path) -> None:
    text = stack.config_path.read_text()
    text = text.replace(str(Path(stack.state_dir) / "bot"), str(tmp_path / "data"))
    wrong = f"#nowhere-{uuid.uuid4().hex[:8]}:{synapse.SERVER_NAME}"
    config = tmp_path / "capibot.toml"
    config.write_text(text.replace("[matrix]\n", f'[matrix]\nmoderation_room = "{wrong}"\n', 1))
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "matrix.moderation_room" in done.stderr and wrong in done.stderr
