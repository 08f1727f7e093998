"""What every command-line module shares: the `--config` option and loading the
settings (a bad configuration is one line and exit code 2, then logging is set up)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.check import Failure
from bot.logging_setup import configure_logging
from bot.settings import ConfigError, Settings, load_settings

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="TOML config (default: $CAPIBOT_CONFIG, else config/capibot.toml)"
    ),
]


def settings_or_exit(config: Path | None) -> Settings:
    try:
        settings = load_settings(config)
    except ConfigError as exc:
        typer.echo(f"FAIL config: {exc}", err=True)
        raise typer.Exit(int(Failure.CONFIG)) from None
    configure_logging(settings.bot.log_level, settings.bot.log_format)
    return settings
