"""`capibot export` (JSON lines) carries closed meetings as `"kind": "meeting"` records,
pseudonymised, with a non-consenting person's lines withheld; CSV stays cases only."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.domain.meetings import parse_line
from bot.domain.models import Consent, Participant
from bot.services.export import NO_CONSENT
from bot.storage.database import Database
from tests.unit.services.test_export import empty_config

NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
ALICE, BRUNO = "@alice:localhost", "@bruno:localhost"


def _env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path}/capibot.db"
    db = Database.from_url(url)
    db.migrate()
    with db.transaction() as repo:
        repo.save_participant(Participant(ALICE, "Alice Martin", Consent.GRANTED, NOW))
        done = repo.start_meeting("!gt:localhost", "GT jardins", ALICE, NOW)
        for n, (who, body) in enumerate(
            [(ALICE, "#décision On ouvre, dit Alice Martin"), (BRUNO, "#info secret de Bruno")]
        ):
            at = NOW + timedelta(minutes=n)
            repo.add_meeting_line(done.id, f"$m{n}", who, at, body, parse_line(body))
        repo.close_meeting(done.id, NOW + timedelta(hours=1))
        repo.start_meeting("!autre:localhost", "encore ouverte", ALICE, NOW)
    db.close()
    return {
        "CAPIBOT__DATABASE__URL": url,
        "CAPIBOT__PRIVACY__PSEUDONYM_SECRET": "s3cret-for-tests",
        "CAPIBOT_CONFIG": empty_config(tmp_path),
    }


def _export(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(app, ["export", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_closed_meetings_are_exported_pseudonymised_without_refusers_words(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path)
    out = _export(env)
    records = [json.loads(line) for line in out.splitlines()]
    meetings = [r for r in records if r.get("kind") == "meeting"]
    assert [m["title"] for m in meetings] == ["GT jardins"]  # the open one waits
    log = meetings[0]["log"]
    assert [entry["tag"] for entry in log] == ["decision", "info"]
    assert log[1]["text"] == NO_CONSENT
    assert "On ouvre" in log[0]["text"]
    assert "Alice" not in out and "@alice" not in out and "secret" not in out
    assert "GT jardins" not in _export(env, "--format", "csv")  # CSV rows are cases
    assert all(
        r.get("kind") != "meeting"
        for r in map(json.loads, _export(env, "--state", "published").splitlines())
    )
