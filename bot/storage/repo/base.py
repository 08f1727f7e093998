"""The unit of work every store shares: one session, its connection, insert-or-ignore."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

_INSERT_IGNORE: dict[tuple[str, str], Any] = {}


class RepositoryBase:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._connection: Connection | None = None
        self.queued = 0  # outbox rows queued in this unit of work: is a dispatch due?
        self.timers_added = False  # timers added in this unit of work: wake the scheduler

    @property
    def connection(self) -> Connection:
        """The transaction's connection, for Core statements (looked up once: asking the
        session for it each time costs more than a small statement)."""
        if self._connection is None:
            self._connection = self.session.connection()
        return self._connection

    def _insert_ignore(self, table: Any, values: dict[str, Any] | list[dict[str, Any]]) -> int:
        """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL; returns rows inserted."""
        return len(self._insert_ignore_keys(table, values))

    def _insert_ignore_keys(
        self, table: Any, values: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> list[Any]:
        """The primary keys of the rows actually inserted (a replayed one is skipped).

        One cached Core statement run as executemany (compiling per row cost ~5 ms);
        counted with RETURNING, since psycopg reports no rowcount for it.
        """
        rows = [values] if isinstance(values, Mapping) else list(values)
        if not rows:
            return []
        keys = list(table.__table__.primary_key.columns)
        stmt = self._insert_ignore_stmt(table).returning(*keys)
        result = self.connection.execute(stmt, rows)
        return [row[0] if len(keys) == 1 else tuple(row) for row in result.all()]

    def _insert_ignore_stmt(self, table: Any) -> Any:
        """INSERT … ON CONFLICT DO NOTHING for this engine, built once per table."""
        key = (self.session.get_bind().dialect.name, table.__tablename__)
        stmt = _INSERT_IGNORE.get(key)
        if stmt is None:
            stmt = _INSERT_IGNORE[key] = (
                self._dialect_module().insert(table.__table__).on_conflict_do_nothing()
            )
        return stmt

    def _dialect_module(self) -> Any:
        """The dialect whose `insert` has ON CONFLICT (SQLite and PostgreSQL)."""
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql":
            return postgresql
        if dialect == "sqlite":
            return sqlite
        raise NotImplementedError(f"unsupported database dialect {dialect}")  # pragma: no cover
