"""The command line (`capibot`, also `python -m bot`): the one composition root."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated

import typer

from bot.check import Failure, exit_code, run_checks
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


def main() -> None:
    app()
