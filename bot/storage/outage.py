"""Is a failure the database being unavailable, or something wrong with what we asked?

The sync loop needs the answer: an unavailable database means "wait and retry the same
batch" (nothing is lost, nothing moves), anything else may be a bad event, which is set
aside once it fails alone while the database answers.
"""

from __future__ import annotations

from sqlalchemy import exc as sa_exc

# What SQLAlchemy raises when the server or the file does not answer: connection refused
# or lost, server shutting down, "database is locked" after the busy timeout, disk I/O
# error, pool exhausted. (On SQLite a missing table is an OperationalError too: a schema
# that is not there is an infrastructure problem as well, not a bad event.)
UNAVAILABLE: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
)
# The same failures raised by a driver directly, outside SQLAlchemy.
_DRIVER_MODULES = ("sqlite3", "psycopg", "psycopg2")
_DRIVER_NAMES = ("OperationalError", "InterfaceError")


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc`, or what explicitly caused it (`raise … from`), says the database
    did not answer."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, UNAVAILABLE):
            return True
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        if _is_driver_outage(current):
            return True
        current = current.__cause__
    return False


def _is_driver_outage(exc: BaseException) -> bool:
    for cls in type(exc).__mro__:
        if cls.__name__ in _DRIVER_NAMES and cls.__module__.split(".")[0] in _DRIVER_MODULES:
            return True
    return False


def short_reason(exc: BaseException) -> str:
    """The driver's one-line reason (not SQLAlchemy's SQL and parameters)."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
