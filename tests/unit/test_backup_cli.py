"""`capibot backup`, `capibot restore` and `capibot migrate --backup-dir` as an operator
runs them (the real CLI in a subprocess), on SQLite and PostgreSQL.

The backup is taken while another connection keeps writing cases (the running bot):
what comes back is a consistent snapshot (every case with its message) that the bot's
own commands read (`capibot export`, `capibot check`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, select

from bot.domain.models import CaseOrigin, Message
from bot.storage import migrate
from bot.storage.database import Database
from bot.storage.repository import Repository
from bot.storage.tables import CaseRow, MessageRow

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SESSION = (
    '{"homeserver": "http://hs", "user_id": "@capibot:x", "device_id": "DEV1", '
    '"access_token": "syt_secret"}'
)


def _capibot(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
        env={**os.environ, "CAPIBOT__PRIVACY__PSEUDONYM_SECRET": "s" * 32},
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _config(tmp_path: Path, name: str, url: str) -> Path:
    state = tmp_path / name
    state.mkdir()
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'[database]\nurl = "{url}"\n[matrix]\nstore_path = "{state / "matrix"}"\n',
        encoding="utf-8",
    )
    return path


def _store(config: Path) -> Path:
    return Path(config.read_text().split('store_path = "')[1].split('"')[0])


def _add_cases(db: Database, first: int, count: int) -> None:
    """Cases each with one message, one transaction per case (as the bot captures)."""
    for n in range(first, first + count):

        def write(repo: Repository, n: int = n) -> None:
            case, _ = repo.create_case(
                room_id="!room:x",
                root_event_id=f"$root{n}",
                origin=CaseOrigin.THREAD,
                title=f"Échange {n}",
                created_by="@alice:x",
                now=NOW,
            )
            repo.add_messages(
                [Message(f"$m{n}", "!room:x", "@alice:x", NOW, f"message {n}", case.id)]
            )

        db.run_sync(write)


def _counts(url: str) -> tuple[int, int, int]:
    """(cases, messages, cases without their message) of a database."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            cases = connection.scalar(select(func.count()).select_from(CaseRow))
            messages = connection.scalar(select(func.count()).select_from(MessageRow))
            orphans = connection.scalar(
                select(func.count())
                .select_from(CaseRow)
                .where(~CaseRow.id.in_(select(MessageRow.case_id)))
            )
    finally:
        engine.dispose()
    return int(cases or 0), int(messages or 0), int(orphans or 0)


@pytest.fixture(params=["sqlite", "postgresql"])
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A source database URL and an empty target one, on the same engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/live/capibot.db", f"sqlite:///{tmp_path}/fresh/capibot.db"
    else:
        cluster = request.getfixturevalue("pg_cluster")
        yield cluster.create_database(), cluster.create_database()


def test_a_backup_of_a_live_database_restores_the_bots_data(
    urls: tuple[str, str], tmp_path: Path
) -> None:
    source_url, target_url = urls
    live = _config(tmp_path, "live", source_url)
    fresh = _config(tmp_path, "fresh", target_url)
    _ok(_capibot("migrate", "-c", str(live), cwd=tmp_path))
    _store(live).mkdir(mode=0o700)
    (_store(live) / "session.json").write_text(SESSION)
    db = Database.from_url(source_url)
    _add_cases(db, 1, 20)
    stop = threading.Event()

    def keep_writing() -> None:  # the running bot, capturing during the backup
        n = 1000
        while not stop.wait(0.01):
            _add_cases(db, n, 1)
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        out = _ok(_capibot("backup", str(tmp_path / "backups"), "-c", str(live), cwd=tmp_path))
    finally:
        stop.set()
        writer.join()
        db.close()
    made = Path(out.split("backup written: ")[1].strip())
    assert made.parent == tmp_path / "backups" and made.name.startswith("capibot-20")
    manifest = json.loads((made / "manifest.json").read_text())
    assert manifest["database"]["revision"] == migrate.head_revision()
    assert "syt_secret" not in (made / "manifest.json").read_text()

    restored = _ok(_capibot("restore", str(made), "-c", str(fresh), cwd=tmp_path))
    assert "database restored" in restored
    cases, messages, orphans = _counts(target_url)
    assert cases >= 20 and messages == cases and orphans == 0  # a consistent snapshot
    assert (_store(fresh) / "session.json").read_text() == SESSION
    assert oct(_store(fresh).stat().st_mode & 0o777) == "0o700"
    exported = _ok(_capibot("export", "-c", str(fresh), cwd=tmp_path))
    titles = {json.loads(line)["title"] for line in exported.splitlines()}
    assert {f"Échange {n}" for n in range(1, 21)} <= titles
    assert len(titles) == cases


def test_restore_refuses_to_overwrite_a_database_without_force(
    urls: tuple[str, str], tmp_path: Path
) -> None:
    live_url, other_url = urls
    live = _config(tmp_path, "live", live_url)
    other = _config(tmp_path, "other", other_url)
    for config, url, first in ((live, live_url, 1), (other, other_url, 100)):
        _ok(_capibot("migrate", "-c", str(config), cwd=tmp_path))
        db = Database.from_url(url)
        _add_cases(db, first, 3 if first == 1 else 5)
        db.close()
    out = _ok(_capibot("backup", str(tmp_path / "backups"), "-c", str(live), cwd=tmp_path))
    made = out.split("backup written: ")[1].strip()

    refused = _capibot("restore", made, "-c", str(other), cwd=tmp_path)
    assert refused.returncode == 1
    assert "--force" in refused.stderr
    assert _counts(other_url) == (5, 5, 0)  # nothing changed

    forced = _ok(_capibot("restore", made, "--force", "-c", str(other), cwd=tmp_path))
    assert _counts(other_url) == (3, 3, 0)  # replaced, not merged
    exported = _ok(_capibot("export", "-c", str(other), cwd=tmp_path))
    assert "Échange 1" in exported and "Échange 100" not in exported
    if other_url.startswith("sqlite"):
        assert "moved aside" in forced
        target = Path(other_url.removeprefix("sqlite:///"))
        assert len(list(target.parent.glob(f"{target.name}.before-restore-*"))) == 1
    else:
        assert "dropped the" in forced


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    config = _config(tmp_path, "live", f"sqlite:///{tmp_path}/live/capibot.db")
    result = _capibot("restore", str(tmp_path), "-c", str(config), cwd=tmp_path)
    assert result.returncode == 1 and "not a capibot backup" in result.stderr
    assert not (tmp_path / "live" / "capibot.db").exists()


def _previous_revision() -> str:
    script = ScriptDirectory.from_config(migrate._config())
    head = script.get_revision(migrate.head_revision())
    assert head is not None and isinstance(head.down_revision, str)
    return head.down_revision


def _downgrade(url: str, revision: str) -> None:
    config = migrate._config()
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    engine.dispose()


def test_migrate_backs_up_only_when_a_migration_is_pending(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/live/capibot.db"
    config = _config(tmp_path, "live", url)
    backups = tmp_path / "backups"

    # A fresh database: nothing to lose, no backup.
    _ok(_capibot("migrate", "--backup-dir", str(backups), "-c", str(config), cwd=tmp_path))
    assert not backups.exists() or not any(backups.iterdir())
    # Up to date: no backup.
    out = _ok(_capibot("migrate", "--backup-dir", str(backups), "-c", str(config), cwd=tmp_path))
    assert "backup" not in out
    assert not backups.exists() or not any(backups.iterdir())

    # One revision behind, with data: a backup of the old schema, then the migration.
    db = Database.from_url(url)
    _add_cases(db, 1, 2)
    db.close()
    _downgrade(url, _previous_revision())
    out = _ok(_capibot("migrate", "--backup-dir", str(backups), "-c", str(config), cwd=tmp_path))
    made = [p for p in backups.iterdir() if p.name.startswith("capibot-")]
    assert len(made) == 1 and f"backup before migration from {_previous_revision()}" in out
    manifest = json.loads((made[0] / "manifest.json").read_text())
    assert manifest["database"]["revision"] == _previous_revision()
    assert _counts(f"sqlite:///{made[0] / 'database.sqlite3'}") == (2, 2, 0)
    engine = create_engine(url)
    assert migrate.is_up_to_date(engine)  # and the live database was migrated after it
    engine.dispose()
    assert _counts(url) == (2, 2, 0)


def test_the_systemd_unit_backs_up_before_migrating_into_its_state_directory() -> None:
    """ProtectSystem=strict leaves only StateDirectory writable: the backups go there."""
    unit = (Path(__file__).resolve().parents[2] / "config" / "capibot.service").read_text()
    settings = dict(
        line.split("=", 1) for line in unit.splitlines() if "=" in line and line[0] != "#"
    )
    pre = settings["ExecStartPre"].split()
    assert pre[1:3] == ["migrate", "--backup-dir"]
    assert pre[3].startswith(f"/var/lib/{settings['StateDirectory']}/")
    assert settings["ExecStart"].split()[1] == "run"
    assert settings["ProtectSystem"] == "strict"
