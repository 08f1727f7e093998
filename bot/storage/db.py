"""Engine creation: SQLite with WAL and foreign keys by default, any SQLAlchemy URL accepted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

#: Execution option of a reader's engine (`read_only`): its transactions take no lock.
READ_ONLY = "capibot_read_only"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the engine; for file SQLite, create its folder and set the pragmas we rely on."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
        event.listen(engine, "begin", _postgresql_begin)
        return engine
    database = parsed.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    event.listen(engine, "checkin", _sqlite_writable_again)
    return engine


def read_only(engine: Engine) -> Engine:
    """The same engine (pool, pragmas) whose transactions only read: see `_sqlite_begin`
    and `_postgresql_begin`. Readers (export, `check`, listings) use it."""
    return engine.execution_options(**{READ_ONLY: True})


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is disabled so "begin" below controls it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Capture commits once per sync batch; with SQLite's default checkpoint every 1,000
    # pages (two fsyncs each), the checkpoints were a third of the commit time
    # (scripts/bench_capture.py). 10,000 pages: a WAL of up to ~40 MB, cut back after.
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.execute("PRAGMA journal_size_limit=67108864")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    if connection.get_execution_options().get(READ_ONLY):
        # A deferred BEGIN takes no lock: in WAL mode the first read fixes a snapshot and
        # the writer (the running bot) goes on committing. query_only turns a write by
        # mistake into an error instead of a lock upgrade; reset when the connection
        # returns to the pool.
        connection.connection.info["query_only"] = True
        connection.exec_driver_sql("PRAGMA query_only=ON")
        connection.exec_driver_sql("BEGIN")
        return
    # BEGIN IMMEDIATE takes the write lock up front: two writers (two moderators approving
    # at once) serialise instead of failing with "database is locked" on upgrade.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_writable_again(dbapi_connection: Any, record: Any) -> None:
    if record is not None and record.info.pop("query_only", False):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=OFF")
        cursor.close()


def _postgresql_begin(connection: Any) -> None:
    # One snapshot for the whole unit of work (an export reads many cases), and no write.
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def make_session_factory(
    engine: Engine, info: dict[str, Any] | None = None
) -> sessionmaker[Session]:
    """Sessions of `engine`; each starts with a copy of `info` (the database's shared
    objects, such as its count of opened cases)."""
    return sessionmaker(engine, expire_on_commit=False, info=info)
