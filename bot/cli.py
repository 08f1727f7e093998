"""The command line (`capibot`, also `python -m bot`): the one composition root."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated

import typer

from bot.check import Failure, exit_code, run_checks
from bot.domain.models import OutboxItem
from bot.logging_setup import configure_logging
from bot.settings import ConfigError, Settings, load_settings
from bot.storage.database import Database

app = typer.Typer(
    help="capibot: capture exchanges of practice from Matrix into a curated MediaWiki.",
    no_args_is_help=True,
    add_completion=False,
)
wiki_app = typer.Typer(help="Wiki maintenance.", no_args_is_help=True)
app.add_typer(wiki_app, name="wiki")

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="TOML config (default: $CAPIBOT_CONFIG, else config/capibot.toml)"
    ),
]


def _settings(config: Path | None) -> Settings:
    try:
        settings = load_settings(config)
    except ConfigError as exc:
        typer.echo(f"FAIL config: {exc}", err=True)
        raise typer.Exit(int(Failure.CONFIG)) from None
    configure_logging(settings.bot.log_level)
    return settings


@app.command()
def check(config: ConfigOption = None) -> None:
    """Check the config, the homeserver, the wiki and the database; one line each."""
    settings = _settings(config)
    typer.echo("OK   config: loaded")
    verdicts = run_checks(settings)
    for verdict in verdicts:
        typer.echo(verdict.line())
    raise typer.Exit(exit_code(verdicts))


@app.command()
def migrate(config: ConfigOption = None) -> None:
    """Create or upgrade the database schema (Alembic)."""
    settings = _settings(config)
    database = Database.from_url(settings.database.url)
    try:
        database.migrate()
    finally:
        database.close()
    typer.echo("database migrated")


@app.command()
def run(config: ConfigOption = None) -> None:
    """Run the bot until interrupted."""
    from bot.app import run_bot

    settings = _settings(config)
    try:
        asyncio.run(run_bot(settings))
    except KeyboardInterrupt:
        logging.getLogger(__name__).info("interrupted: stopped")


def _wiki_failure(exc: Exception) -> Failure:
    from wiki_sync.errors import WikiAuthError, WikiPermissionError

    if isinstance(exc, WikiAuthError):
        return Failure.AUTH
    if isinstance(exc, WikiPermissionError):
        return Failure.PERMISSION
    return Failure.UNREACHABLE


@wiki_app.command("setup")
def wiki_setup(config: ConfigOption = None) -> None:
    """Create or update the fiche template, its doc, the category and index pages."""
    from bot.wiki import wiki_config
    from wiki_sync.client import WikiClient
    from wiki_sync.errors import WikiError
    from wiki_sync.setup import apply_setup, setup_pages

    settings = _settings(config)
    pages = setup_pages(settings.wiki.template, settings.wiki.category, settings.bot.language)
    try:
        changed = apply_setup(WikiClient(wiki_config(settings)), pages)
    except WikiError as exc:
        typer.echo(f"FAIL wiki: {exc}", err=True)
        raise typer.Exit(int(_wiki_failure(exc))) from None
    for title in changed:
        typer.echo(f"written: {title}")
    if not changed:
        typer.echo("nothing to change")


@app.command()
def publish(config: ConfigOption = None) -> None:
    """Retry pending publications now; list what is still pending (exit 1 if any)."""
    from datetime import UTC, datetime

    from bot.services.publishing import Publisher, publish_pending
    from bot.wiki import wiki_config
    from wiki_sync.client import WikiClient

    settings = _settings(config)
    database = Database.from_url(settings.database.url)

    def clock() -> datetime:
        return datetime.now(UTC)

    async def work() -> list[OutboxItem]:
        publisher = Publisher(database, WikiClient(wiki_config(settings)), settings, clock)
        try:
            return await publish_pending(database, publisher, clock)
        finally:
            publisher.close()

    try:
        if not database.is_migrated():
            typer.echo("FAIL database: not migrated (run `capibot migrate`)", err=True)
            raise typer.Exit(int(Failure.NOT_MIGRATED))
        pending = asyncio.run(work())
    finally:
        database.close()
    for item in pending:
        case = item.payload.get("case_id", "?")
        typer.echo(
            f"pending: {item.kind} case #{case} attempts={item.attempts} last error: "
            f"{item.last_error or '-'}"
        )
    if pending:
        raise typer.Exit(1)
    typer.echo("nothing pending")


def main() -> None:
    app()
