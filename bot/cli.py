"""The command line (`capibot`, also `python -m bot`): the one composition root."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import Annotated

import typer

from bot import cli_ops
from bot.check import (
    BAD_DATABASE_URL,
    DATABASE_UNREACHABLE,
    Failure,
    Verdict,
    bad_database_url,
    config_verdicts,
    database_unreachable,
    exit_code,
    run_checks,
)
from bot.check_wiki import with_wiki_setup
from bot.cli_common import ConfigOption
from bot.cli_common import settings_or_exit as _settings
from bot.cli_e2ee import e2ee_app
from bot.cli_export import FORMATS as QDA_FORMATS
from bot.cli_export import write_refi_qda
from bot.domain.models import OutboxItem, Outcome
from bot.settings import Settings, resolve_config_path
from bot.storage.database import Database

app = typer.Typer(
    help="capibot: capture exchanges of practice from Matrix into a curated MediaWiki.",
    no_args_is_help=True,
    add_completion=False,
)
wiki_app = typer.Typer(help="Wiki maintenance.", no_args_is_help=True)
app.add_typer(wiki_app, name="wiki")
app.add_typer(e2ee_app, name="e2ee")

def _fail(verdict: Verdict) -> typer.Exit:
    typer.echo(verdict.line(), err=True)
    return typer.Exit(int(verdict.failure))


@contextmanager
def _database(settings: Settings, *, migrated: bool = True) -> Iterator[Database]:
    """The database, or a one-line verdict and the exit code of its failure class: a bad
    `database.url` (2), a database that does not answer (3), not migrated (6)."""
    url = settings.database.url
    try:
        database = Database.from_url(url)
    except BAD_DATABASE_URL as exc:
        raise _fail(bad_database_url(url, exc)) from None
    try:
        if migrated and not database.is_migrated():
            typer.echo("FAIL database: not migrated (run `capibot migrate`)", err=True)
            raise typer.Exit(int(Failure.NOT_MIGRATED))
        yield database
    except DATABASE_UNREACHABLE as exc:
        raise _fail(database_unreachable(url, exc)) from None
    finally:
        database.close()


@app.command()
def check(config: ConfigOption = None) -> None:
    """Check the config, the homeserver, the wiki and the database; one line each (WARN:
    works, but needs a look). Creates nothing and leaves a running bot's store alone."""
    import os

    settings = _settings(config)
    source = resolve_config_path(config)
    verdicts = config_verdicts(settings, source if source.exists() else None)
    for verdict in verdicts:
        typer.echo(verdict.line())
    admin_token = os.environ.get("CAPIBOT_SYNAPSE_ADMIN_TOKEN", "")
    verdicts = with_wiki_setup(settings, run_checks(settings, admin_token))
    for verdict in verdicts:
        typer.echo(verdict.line())
    raise typer.Exit(exit_code(verdicts))


@app.command()
def migrate(config: ConfigOption = None, backup_dir: cli_ops.BackupDirOption = None) -> None:
    """Create or upgrade the database schema (Alembic)."""
    settings = _settings(config)
    with _database(settings, migrated=False) as database:
        cli_ops.backup_if_pending(settings, database, backup_dir)
        database.migrate()
    typer.echo("database migrated")


@app.command()
def run(config: ConfigOption = None) -> None:
    """Run the bot until interrupted."""
    from bot.app import run_bot
    from bot.matrix.aliases import AliasError
    from bot.matrix.errors import MatrixAuthError, MatrixUnavailable
    from bot.matrix.store_lock import StoreLocked

    settings = _settings(config)
    try:
        asyncio.run(run_bot(settings))
    except KeyboardInterrupt:
        logging.getLogger(__name__).info("interrupted: stopped")
    except StoreLocked as exc:
        typer.echo(f"capibot cannot start: {exc}", err=True)
        raise typer.Exit(int(Failure.ALREADY_RUNNING)) from None
    except (AliasError, MatrixAuthError, MatrixUnavailable) as exc:
        # Exit codes as `capibot check`: 2 configuration, 3 unreachable, 4 refused.
        code = 2 if isinstance(exc, AliasError) else 4 if isinstance(exc, MatrixAuthError) else 3
        typer.echo(f"capibot cannot start: {exc}", err=True)
        raise typer.Exit(code) from None


def _wiki_failure(exc: Exception) -> Failure:
    from wiki_sync.errors import WikiAuthError, WikiPermissionError

    if isinstance(exc, WikiAuthError):
        return Failure.AUTH
    if isinstance(exc, WikiPermissionError):
        return Failure.PERMISSION
    return Failure.UNREACHABLE


@wiki_app.command("setup")
def wiki_setup(
    config: ConfigOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change (with diffs); write nothing.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Also overwrite pages someone else edited last.")
    ] = False,
    network: Annotated[
        bool,
        typer.Option(
            "--network",
            help="Set up the network's shared wiki ([network_wiki]): its template, "
            "categories, the centre's category and page (created if absent).",
        ),
    ] = False,
) -> None:
    """Create or update the fiche template, its doc, the category and index pages; pages
    someone else edited last are left alone unless --force (exit 0, with a line saying
    how many)."""
    from bot.cli_wiki import wiki_setup as setup
    from wiki_sync.errors import WikiError

    settings = _settings(config)
    if network and not settings.network_wiki.enabled:
        typer.echo("FAIL config: --network needs [network_wiki] api_url", err=True)
        raise typer.Exit(int(Failure.CONFIG))
    try:
        setup(settings, dry_run=dry_run, force=force, echo=typer.echo, network=network)
    except WikiError as exc:
        typer.echo(f"FAIL wiki: {exc}", err=True)
        raise typer.Exit(int(_wiki_failure(exc))) from None


@app.command()
def publish(config: ConfigOption = None) -> None:
    """Retry pending and failed publications now; list what is still not published, with
    its last error (exit non-zero if any: 4 login refused, 5 right missing, 3 wiki
    unreachable, 1 otherwise)."""
    from bot.services.network_publisher import NetworkPublisher, publish_network_pending
    from bot.services.publisher import Publisher, publish_pending
    from bot.wiki import WikiWorker

    settings = _settings(config)

    def clock() -> datetime:
        return datetime.now(UTC)

    with _database(settings) as database:

        async def work() -> list[OutboxItem]:
            wiki = WikiWorker.from_settings(settings)
            try:
                left = await publish_pending(
                    database, Publisher(database, wiki, settings, clock), clock
                )
            finally:
                wiki.close()
            network = WikiWorker.for_network(settings)  # [network_wiki]: its jobs too
            if network is not None:
                try:
                    publisher = NetworkPublisher(database, network, settings, clock)
                    left += await publish_network_pending(database, publisher, clock)
                finally:
                    network.close()
            return left

        left = asyncio.run(work())
    for item in left:
        case = item.payload.get("case_id", "?")
        typer.echo(
            f"{item.status.value}: {item.kind} case #{case} attempts={item.attempts} "
            f"last error: {item.last_error or '-'}"
        )
    if left:
        raise typer.Exit(_publication_failure(left))
    typer.echo("nothing pending")


# What a job left waiting means to the operator: the exit code `capibot check` gives the
# same problem. Any other outcome (retry, failed) is 1.
_OUTCOME_EXIT = {
    Outcome.UNAVAILABLE: Failure.UNREACHABLE,
    Outcome.LOGIN_REFUSED: Failure.AUTH,
    Outcome.RIGHT_MISSING: Failure.PERMISSION,
}


def _publication_failure(items: list[OutboxItem]) -> int:
    """The exit code of what is left: that of the first stored outcome with a class of
    its own (3 unreachable, 4 login refused, 5 right missing), else 1."""
    for item in items:
        failure = _OUTCOME_EXIT.get(item.outcome) if item.outcome is not None else None
        if failure is not None:
            return int(failure)
    return 1


# -- export (research and diffusion, issue 6) ----------------------------------------------


def _date_option(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        typer.echo(f"FAIL {name}: {value!r} is not a date (YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command()
def export(
    config: ConfigOption = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="jsonl, csv, qdpx (REFI-QDA project), qdc (its codebook) or codebook-csv "
            "(the codebook as CSV, for Taguette)",
        ),
    ] = "jsonl",
    since: Annotated[str | None, typer.Option(help="cases opened on/after (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, typer.Option(help="cases opened before (YYYY-MM-DD)")] = None,
    room: Annotated[str | None, typer.Option(help="room id or label")] = None,
    theme: Annotated[str | None, typer.Option(help="a theme of the fiche")] = None,
    state: Annotated[str | None, typer.Option(help="case state, e.g. published")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="file (default: stdout)")] = None,
    bom: Annotated[bool, typer.Option(help="CSV: start with a UTF-8 BOM (Excel)")] = False,
) -> None:
    """Export the cases for research, pseudonymised (one record per case)."""
    import sys

    from bot.domain.models import CaseState
    from bot.services.export import (
        ExportError,
        ExportFilter,
        count_cases,
        export_records,
        prepare,
        write_export,
    )
    from bot.services.pseudonyms import export_secret

    if fmt not in ("jsonl", "csv", *QDA_FORMATS):
        typer.echo(f"FAIL format: {fmt!r}: use jsonl, csv, qdpx, qdc or codebook-csv", err=True)
        raise typer.Exit(2)
    if fmt == "qdpx" and out is None:
        typer.echo("FAIL format: qdpx is a zip file: give --out FILE.qdpx", err=True)
        raise typer.Exit(2)
    try:
        wanted_state = CaseState(state) if state else None
    except ValueError:
        states = ", ".join(s.value for s in CaseState)
        typer.echo(f"FAIL state: {state!r}: one of {states}", err=True)
        raise typer.Exit(2) from None
    filters = ExportFilter(
        since=_date_option(since, "since"),
        until=_date_option(until, "until"),
        room=room,
        theme=theme,
        state=wanted_state,
    )
    settings = _settings(config)
    privacy = settings.privacy
    secret = export_secret(
        privacy.network_pseudonym_secret.get_secret_value(),
        privacy.pseudonym_secret.get_secret_value(),
    )
    # One read-only snapshot, streamed case by case: the running bot keeps capturing.
    with _database(settings) as database, database.reading() as repo:
        try:
            pseudo = prepare(repo, secret)
        except ExportError as exc:
            typer.echo(f"FAIL config: {exc}", err=True)
            raise typer.Exit(int(Failure.CONFIG)) from None
        records = export_records(repo, pseudo, filters, settings.network.centre)
        if fmt == "jsonl":  # meetings too (`"kind": "meeting"`): CSV rows are cases'
            from bot.services.meeting_export import meeting_records

            records = chain(records, meeting_records(repo, pseudo, filters))
        if fmt in QDA_FORMATS:
            count = write_refi_qda(records, fmt, out, settings)
            typer.echo(f"exported {count} case(s)", err=True)
            return
        stream = out.open("w", encoding="utf-8", newline="") if out is not None else sys.stdout
        try:
            total = count_cases(repo, filters) if sys.stderr.isatty() else 0
            if total > 1:
                with typer.progressbar(
                    records, length=total, label="export", file=sys.stderr
                ) as bar:
                    count = write_export(bar, stream, fmt, bom=bom)
            else:
                count = write_export(records, stream, fmt, bom=bom)
        finally:
            if out is not None:
                stream.close()
    typer.echo(f"exported {count} case(s)", err=True)


@app.command("rapport")
def rapport(
    start: Annotated[str, typer.Option("--from", help="first day (YYYY-MM-DD)")],
    end: Annotated[str, typer.Option("--to", help="last day (YYYY-MM-DD), included")],
    out: Annotated[Path, typer.Option("--out", "-o", help="folder for rapport.html")] = Path(
        "rapport"
    ),
    config: ConfigOption = None,
) -> None:
    """Activity report for funders: HTML and PNG charts, counts only (no personal data)."""
    from bot.cli_report import make_report, parse_period

    period = parse_period(start, end)
    settings = _settings(config)
    with _database(settings) as database:
        page = make_report(settings, database, period, out)
    typer.echo(f"report written: {page}", err=True)
cli_ops.register(app)  # --version, backup, restore


def main() -> None:
    app()
