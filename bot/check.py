"""`capibot check`: one verdict per dependency, and an exit code per failure class.

It creates nothing and takes no lock: an SQLite file that does not exist is reported,
not created, and every transaction is read-only (see check_matrix for the homeserver).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError, SQLAlchemyError

from bot.check_config import config_verdicts
from bot.check_matrix import check_homeserver
from bot.settings import Settings
from bot.storage.database import Database
from bot.verdict import Failure, Verdict, exit_code
from bot.wiki import wiki_config
from wiki_sync.client import WikiClient
from wiki_sync.errors import WikiAuthError, WikiError, WikiUnavailable


def check_wiki(
    settings: Settings,
    make: Callable[[Settings], WikiClient] | None = None,
    *,
    network: bool = False,
) -> Verdict:
    """The bot's wiki answers and lets it write; `network`: the same of the network's
    shared wiki (`[network_wiki]`), its own verdict line, so an operator sees which."""
    subject = "network wiki" if network else "wiki"
    config = wiki_config(settings, settings.network_wiki if network else None, max_retries=0)
    client = make(settings) if make else WikiClient(config)
    try:
        client.connect()
        name, rights = client.whoami()
    except WikiAuthError as exc:
        return Verdict(
            subject, Failure.AUTH, f"{config.api_url} reachable, but login refused ({exc})"
        )
    except WikiUnavailable as exc:
        return Verdict(subject, Failure.UNREACHABLE, f"{config.api_url} unreachable ({exc})")
    except WikiError as exc:
        return Verdict(subject, Failure.UNREACHABLE, f"{config.api_url}: {exc}")
    missing = {"bot", "edit", "createpage"} - rights
    if missing:
        return Verdict(
            subject,
            Failure.PERMISSION,
            f"logged in as {name}, but the account lacks the right(s) {', '.join(sorted(missing))}",
        )
    return Verdict(
        subject, Failure.OK, f"{config.api_url} reachable, logged in as {name} with the bot right"
    )


# `Database.from_url` on a URL SQLAlchemy cannot use: unparsable, unknown dialect, driver
# not installed, the SQLite file's folder not creatable.
BAD_DATABASE_URL = (ArgumentError, ImportError, ValueError, OSError)
# A database that does not answer (server down, refused connection, unopenable file).
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)


def shown_url(url: str) -> str:
    """The database URL without its credentials: never print a password."""
    return url.split("@")[-1] if "@" in url else url


def _first_line(exc: BaseException) -> str:
    """The driver's own one-line reason (not SQLAlchemy's SQL and parameters)."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def bad_database_url(url: str, exc: BaseException) -> Verdict:
    return Verdict(
        "config", Failure.CONFIG, f"database.url: {shown_url(url)}: unusable ({_first_line(exc)})"
    )


def database_unreachable(url: str, exc: BaseException) -> Verdict:
    return Verdict(
        "database", Failure.UNREACHABLE, f"{shown_url(url)} unreachable ({_first_line(exc)})"
    )


def check_database(settings: Settings) -> Verdict:
    subject = "database"
    url = settings.database.url
    shown = shown_url(url)
    try:
        missing = missing_sqlite_file(url)
    except BAD_DATABASE_URL as exc:
        return bad_database_url(url, exc)
    if missing is not None:
        return Verdict(
            subject, Failure.NOT_MIGRATED, f"{missing}: database missing: run `capibot migrate`"
        )
    try:
        database = Database.from_url(url)
    except BAD_DATABASE_URL as exc:
        return bad_database_url(url, exc)
    try:
        database.ping()
        migrated = database.is_migrated()
        set_aside = (
            database.read_sync(lambda repo: repo.dead_letter_summary()) if migrated else None
        )
    except SQLAlchemyError as exc:
        return database_unreachable(url, exc)
    finally:
        database.close()
    if not migrated:
        return Verdict(
            subject, Failure.NOT_MIGRATED, f"{shown} reachable, not migrated: run `capibot migrate`"
        )
    count, oldest = set_aside or (0, None)
    if count and oldest is not None:
        return Verdict(subject, Failure.OK, set_aside_detail(shown, count, oldest), warning=True)
    return Verdict(subject, Failure.OK, f"{shown} reachable and migrated")


def set_aside_detail(shown: str, count: int, oldest: datetime) -> str:
    """Events that failed alone are kept, not lost: say how many, since when, what next."""
    events = "1 event" if count == 1 else f"{count} events"
    return (
        f"{shown} reachable and migrated; {events} set aside since {oldest:%Y-%m-%d %H:%M} "
        "UTC (failed alone, not applied, kept whole in table dead_letters): the bot log has "
        "each error — report it, and delete a row once its event is dealt with"
    )


def missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file `url` names when it does not exist (opening would create it)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):  # a URI filename: its path, without its parameters
        database = database[len("file:") :].split("?")[0]
    path = Path(database)
    return None if path.exists() else path


def check_undecryptable(settings: Settings) -> Verdict | None:
    """Encrypted messages never read (issue #15): None when the database cannot say
    (its own verdict explains why)."""
    try:
        if missing_sqlite_file(settings.database.url) is not None:
            return None  # opening it would create it: check_database says it is missing
        database = Database.from_url(settings.database.url)
    except BAD_DATABASE_URL:
        return None
    try:
        if not database.is_migrated():
            return None
        count, oldest = database.read_sync(lambda repo: repo.undecryptable_summary())
    except SQLAlchemyError:
        return None
    finally:
        database.close()
    return undecryptable_verdict(count, oldest)


def undecryptable_verdict(count: int, oldest: datetime | None) -> Verdict:
    subject = "undecryptable"
    if not count or oldest is None:
        return Verdict(subject, Failure.OK, "every encrypted message was read")
    messages = "1 message" if count == 1 else f"{count} messages"
    return Verdict(
        subject,
        Failure.OK,
        f"{messages} could not be decrypted (oldest sent {oldest:%Y-%m-%d %H:%M} UTC; "
        "rooms were told, table undecryptable_events): their senders' keys never reached "
        "the bot — its device may need verifying",
        warning=True,
    )


def run_checks(settings: Settings, admin_token: str = "") -> list[Verdict]:
    """Homeserver (its rate limit, the bot's cross-signing), wiki, database, then the
    encrypted messages never read, in the order they are printed."""
    verdicts = [
        *asyncio.run(check_homeserver(settings, admin_token)),
        check_wiki(settings),
        *([check_wiki(settings, network=True)] if settings.network_wiki.enabled else []),
        check_database(settings),
    ]
    undecryptable = check_undecryptable(settings)
    return verdicts + ([undecryptable] if undecryptable is not None else [])


__all__ = ["Failure", "Verdict", "config_verdicts", "exit_code", "run_checks"]
