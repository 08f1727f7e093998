"""Backup and restore of the bot's state: the database and the Matrix store.

Both are needed together: the database holds the cases and the sync token, the store
holds the session (access token, device id) and the end-to-end keys. A database without
its store means a new device that cannot read earlier encrypted messages; a store
without its database replays nothing it missed.

A backup is consistent while the bot runs: SQLite files (the database and nio's crypto
store) are copied with SQLite's online backup API (`sqlite3.Connection.backup`: one
read transaction, which WAL lets the writer work beside), PostgreSQL with `pg_dump`
(one snapshot). It is written under a temporary name and renamed once complete, so a
`capibot-…` directory is always a whole backup.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import URL, make_url

from bot.storage import migrate
from bot.version import capibot_version

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_DUMP_FILE = "database.pgdump"
STORE_DIR = "matrix"
PREFIX = "capibot-"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    manifest: dict[str, Any]


# -- database URLs ---------------------------------------------------------------------


def dialect(url: str) -> str:
    return make_url(url).get_backend_name()


def sqlite_file(url: str) -> Path:
    """The file of a `sqlite:///…` URL (an in-memory database has nothing to back up)."""
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"{url}: an in-memory SQLite database cannot be backed up")
    return Path(database)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL for pg_dump/pg_restore, and the environment carrying its password
    (never on the command line, where `ps` shows it)."""
    parsed: URL = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def masked(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def schema_revision(url: str) -> str | None:
    """The database's Alembic revision (None: never migrated)."""
    engine = create_engine(url)
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


# -- SQLite files ------------------------------------------------------------------------


def is_sqlite_file(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False


def copy_sqlite(source: Path, target: Path) -> None:
    """Online backup of one SQLite file: a consistent copy even while it is written."""
    if not source.is_file():
        raise BackupError(f"{source}: no such database file")
    src = sqlite3.connect(source, timeout=30)  # read only by the backup (a WAL reader)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        # The copy is a plain file: no WAL beside it to lose when it is moved.
        dst.execute("PRAGMA journal_mode=DELETE")
        verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if verdict != "ok":
        raise BackupError(f"{source}: the copy fails SQLite's check: {verdict}")
    target.chmod(0o600)


def copy_tree(source: Path, target: Path) -> int:
    """A directory's files (the Matrix store), SQLite ones through the backup API and
    their -wal/-shm side files left out (the backup holds their content). Returns the
    number of files copied."""
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    count = 0
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        out = target / relative
        if path.is_dir():
            out.mkdir(mode=0o700, exist_ok=True)
            continue
        if path.name.endswith(_SQLITE_SIDE_FILES) and is_sqlite_file(
            path.with_name(path.name.rsplit("-", 1)[0])
        ):
            continue
        if path.suffix == ".tmp":
            continue  # a session being written (bot.matrix.session writes then renames)
        if is_sqlite_file(path):
            copy_sqlite(path, out)
        else:
            shutil.copy2(path, out)
            out.chmod(0o600)
        count += 1
    return count


# -- backup ------------------------------------------------------------------------------


def backup_name(now: datetime) -> str:
    return PREFIX + now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _free(path: Path) -> Path:
    """`path`, or `path-2`, `path-3`… if a backup of the same second exists."""
    found, n = path, 1
    while found.exists() or found.with_name(f".{found.name}.partial").exists():
        n += 1
        found = path.with_name(f"{path.name}-{n}")
    return found


def make_backup(database_url: str, store: Path, into: Path, now: datetime) -> Backup:
    """Back up the database and the Matrix store into `into/capibot-<UTC time>/`."""
    into.mkdir(parents=True, exist_ok=True)
    final = _free(into / backup_name(now))
    partial = into / f".{final.name}.partial"
    partial.mkdir(mode=0o700)
    try:
        manifest = _back_up_into(database_url, store, partial, now)
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        (partial / MANIFEST).chmod(0o600)
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Backup(final, manifest)


def _back_up_into(database_url: str, store: Path, target: Path, now: datetime) -> dict[str, Any]:
    kind = dialect(database_url)
    revision = schema_revision(database_url)
    if kind == "sqlite":
        copy_sqlite(sqlite_file(database_url), target / SQLITE_FILE)
        db_file = SQLITE_FILE
    elif kind == "postgresql":
        pg_dump(database_url, target / PG_DUMP_FILE)
        db_file = PG_DUMP_FILE
    else:
        raise BackupError(f"{masked(database_url)}: no backup for {kind} databases")
    files = copy_tree(store, target / STORE_DIR) if store.is_dir() else 0
    return {
        "capibot_version": capibot_version(),
        "created_at": now.astimezone(UTC).isoformat(),
        "database": {
            "dialect": kind,
            "file": db_file,
            "url": masked(database_url),
            "revision": revision,
        },
        "matrix_store": {"dir": STORE_DIR, "source": str(store), "files": files},
    }


def pg_dump(url: str, target: Path) -> None:
    """`pg_dump --format=custom` (one snapshot: consistent while the bot writes)."""
    if shutil.which("pg_dump") is None:
        libpq, _ = _libpq(url)
        raise BackupError(
            "pg_dump not found: install PostgreSQL's client (Debian: postgresql-client, "
            f"the server's major version or newer), or run: pg_dump --format=custom "
            f"--file={target} '{libpq}'"
        )
    libpq, env = _libpq(url)
    result = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", libpq],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    target.chmod(0o600)


# -- restore -----------------------------------------------------------------------------


def read_backup(path: Path) -> Backup:
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{path}: not a capibot backup (no {MANIFEST})")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return Backup(path, manifest)


def restore(
    backup: Backup, database_url: str, store: Path, *, force: bool, now: datetime
) -> list[str]:
    """Put a backup's database and Matrix store where the configuration says. Refuses to
    overwrite existing state unless `force`; then the state found there is moved aside
    (SQLite file, store directory) or dropped and replaced (PostgreSQL), never merged.
    Returns what was done, one line each. The bot must be stopped."""
    db_info = backup.manifest["database"]
    kind = dialect(database_url)
    if kind != db_info["dialect"]:
        raise BackupError(
            f"the backup holds a {db_info['dialect']} database, the configuration names a "
            f"{kind} one"
        )
    store_backup = backup.path / STORE_DIR
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    if not force:
        _refuse_existing(database_url, store if store_backup.is_dir() else None)
    done: list[str] = []
    if kind == "sqlite":
        done.append(
            _restore_sqlite(backup.path / db_info["file"], sqlite_file(database_url), stamp)
        )
    else:
        dropped = drop_tables(database_url)
        if dropped:
            done.append(f"dropped the {dropped} tables found in {masked(database_url)}")
        done.append(pg_restore(backup.path / db_info["file"], database_url))
    if store_backup.is_dir():
        if store.exists():
            aside = store.with_name(f"{store.name}.before-restore-{stamp}")
            store.rename(aside)
            done.append(f"moved the existing Matrix store aside to {aside}")
        copy_tree(store_backup, store)
        store.chmod(0o700)
        done.append(f"Matrix store restored into {store}")
    return done


def _refuse_existing(database_url: str, store: Path | None) -> None:
    problems = []
    if dialect(database_url) == "sqlite":
        path = sqlite_file(database_url)
        if path.exists():
            problems.append(f"the database file {path} exists")
    elif schema_revision(database_url) is not None:
        problems.append(f"the database {masked(database_url)} holds capibot's tables")
    if store is not None and store.exists() and any(store.iterdir()):
        problems.append(f"the Matrix store {store} is not empty")
    if problems:
        raise BackupError(
            "; ".join(problems) + ": stop the bot, then restore with --force (what is there "
            "is moved aside, or dropped for PostgreSQL), or point the configuration elsewhere"
        )


def _restore_sqlite(source: Path, target: Path, stamp: str) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    note = ""
    if target.exists():
        aside = target.with_name(f"{target.name}.before-restore-{stamp}")
        target.rename(aside)
        for suffix in _SQLITE_SIDE_FILES:
            side = target.with_name(target.name + suffix)
            if side.exists():
                side.rename(aside.with_name(aside.name + suffix))
        note = f" (the existing file moved aside to {aside})"
    partial = target.with_name(f".{target.name}.restoring")
    copy_sqlite(source, partial)
    partial.rename(target)
    return f"database restored into {target}{note}"


def drop_tables(url: str) -> int:
    """Every table of the database's schema, whatever version created it (reflected, not
    taken from this code's models): a restore never lands beside newer tables."""
    engine = create_engine(url)
    try:
        found = MetaData()
        found.reflect(engine)
        with engine.begin() as connection:
            found.drop_all(connection)
        return len(found.tables)
    finally:
        engine.dispose()


def pg_restore(dump: Path, url: str) -> str:
    """Replace the database's content by the dump's, in one transaction."""
    libpq, env = _libpq(url)
    if shutil.which("pg_restore") is None:
        raise BackupError(
            "pg_restore not found: install PostgreSQL's client, or run: pg_restore --clean "
            f"--if-exists --no-owner --single-transaction --dbname='{libpq}' {dump}"
        )
    result = subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={libpq}",
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    return f"database restored into {masked(url)}"
