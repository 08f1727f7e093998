"""`capibot check`: one verdict per dependency, and an exit code per failure class."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import aiohttp
from nio import AsyncClient
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError, SQLAlchemyError

from bot.matrix.aliases import AliasError, resolve_room_aliases
from bot.matrix.cross_signing import describe as describe_cross_signing
from bot.matrix.errors import MatrixAuthError, MatrixError
from bot.matrix.session import log_in, make_client
from bot.settings import Settings
from bot.storage.database import Database
from bot.wiki import wiki_config
from wiki_sync.client import WikiClient
from wiki_sync.errors import WikiAuthError, WikiError, WikiUnavailable


class Failure(enum.IntEnum):
    """Exit codes of the CLI; the numbers are part of the stable surface (README)."""

    OK = 0
    CONFIG = 2
    UNREACHABLE = 3
    AUTH = 4
    PERMISSION = 5
    NOT_MIGRATED = 6


@dataclass(frozen=True, slots=True)
class Verdict:
    subject: str
    failure: Failure
    detail: str
    #: Works, but needs a look (events set aside): printed WARN, exit code unchanged.
    warning: bool = False

    @property
    def ok(self) -> bool:
        return self.failure is Failure.OK

    def line(self) -> str:
        status = ("WARN" if self.warning else "OK  ") if self.ok else "FAIL"
        return f"{status} {self.subject}: {self.detail}"


def exit_code(verdicts: list[Verdict]) -> int:
    """The first failure's class decides: callers fix problems in the printed order."""
    for verdict in verdicts:
        if not verdict.ok:
            return int(verdict.failure)
    return 0


async def check_matrix(settings: Settings) -> list[Verdict]:
    """The homeserver, then (logged in) the bot's cross-signing: a missing one is a
    warning, the bot works without it (Element shows its device as unverified)."""
    client = make_client(settings.matrix)
    try:
        verdict = await check_homeserver(settings, client)
        if not verdict.ok:
            return [verdict]
        try:
            ok, detail = await describe_cross_signing(client, settings.matrix)
        except MatrixError as exc:
            ok, detail = False, f"not checked: {exc}"
        return [verdict, Verdict("cross-signing", Failure.OK, detail, warning=not ok)]
    finally:
        await client.close()


async def check_homeserver(settings: Settings, client: AsyncClient | None = None) -> Verdict:
    """Reachable, login accepted, room aliases resolved; `client` is left open if given."""
    subject = "homeserver"
    url = f"{settings.matrix.homeserver}/_matrix/client/versions"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
            http.get(url) as response,
        ):
            if response.status != 200:
                return Verdict(
                    subject, Failure.UNREACHABLE, f"{url} answered HTTP {response.status}"
                )
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return Verdict(
            subject, Failure.UNREACHABLE, f"{settings.matrix.homeserver} unreachable ({exc})"
        )
    own_client = client is None
    client = client or make_client(settings.matrix)
    try:
        session = await log_in(client, settings.matrix)
        await resolve_room_aliases(client, settings)
    except MatrixAuthError as exc:
        return Verdict(subject, Failure.AUTH, f"reachable, but login refused: {exc}")
    except AliasError as exc:
        return Verdict(subject, Failure.CONFIG, f"logged in, but {exc}")
    except MatrixError as exc:
        return Verdict(subject, Failure.UNREACHABLE, str(exc))
    finally:
        if own_client:
            await client.close()
    return Verdict(
        subject,
        Failure.OK,
        f"{settings.matrix.homeserver} reachable, logged in as {session.user_id} "
        f"(device {session.device_id})",
    )


def check_wiki(settings: Settings, make: Callable[[Settings], WikiClient] | None = None) -> Verdict:
    subject = "wiki"
    config = wiki_config(settings, max_retries=0)
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


def check_undecryptable(settings: Settings) -> Verdict | None:
    """Encrypted messages never read (issue #15): None when the database cannot say
    (its own verdict explains why)."""
    try:
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


def run_checks(settings: Settings) -> list[Verdict]:
    verdicts = [
        *asyncio.run(check_matrix(settings)),
        check_wiki(settings),
        check_database(settings),
    ]
    undecryptable = check_undecryptable(settings)
    return verdicts + ([undecryptable] if undecryptable is not None else [])
