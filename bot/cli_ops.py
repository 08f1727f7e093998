"""Operator commands of the command line: `--version`, `backup`, `restore`, and the
backup `migrate --backup-dir` takes before a pending migration.

Registered on the main app by `bot.cli` (`register`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.backup import Backup, BackupError, make_backup, read_backup, restore
from bot.cli_common import ConfigOption, settings_or_exit
from bot.version import capibot_version

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.storage.database import Database

BackupDirOption = Annotated[
    Path | None,
    typer.Option(
        "--backup-dir",
        help="back up the database and the Matrix store here first, when a migration is "
        "pending (nothing is written when the schema is up to date)",
    ),
]


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"capibot {capibot_version()}")
        raise typer.Exit()


def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="print the version"),
    ] = False,
) -> None:
    """capibot: capture exchanges of practice from Matrix into a curated MediaWiki."""


def backup(
    directory: Annotated[Path, typer.Argument(help="where to write the backup directory")],
    config: ConfigOption = None,
) -> None:
    """Back up the database (SQLite online backup, or pg_dump) and the Matrix store into
    DIRECTORY/capibot-<UTC time>/; safe while the bot runs."""
    made = _backup_or_exit(settings_or_exit(config), directory, "FAIL backup: {}")
    typer.echo(f"backup written: {made.path}")


def restore_command(
    source: Annotated[Path, typer.Argument(help="a capibot-<time> directory made by backup")],
    config: ConfigOption = None,
    force: Annotated[
        bool,
        typer.Option(help="replace existing state (moved aside; PostgreSQL: dropped)"),
    ] = False,
) -> None:
    """Restore a backup where the configuration puts the database and the Matrix store.
    Stop the bot first; then `capibot migrate` (if the backup is older) and start it."""
    settings = settings_or_exit(config)
    try:
        done = restore(
            read_backup(source),
            settings.database.url,
            settings.matrix.store_path,
            force=force,
            now=datetime.now(UTC),
        )
    except (BackupError, OSError, ValueError) as exc:
        typer.echo(f"FAIL restore: {exc}", err=True)
        raise typer.Exit(1) from None
    for line in done:
        typer.echo(line)


def backup_if_pending(settings: Settings, database: Database, directory: Path | None) -> None:
    """`migrate --backup-dir`: a backup when the schema is behind the code's head (a
    migration is about to change it), none when it is up to date or was never created."""
    from bot.storage import migrate

    if directory is None:
        return
    current = migrate.current_revision(database.engine)
    if current is None or current == migrate.head_revision():
        return
    failure = "FAIL backup before migration: {} (nothing was migrated)"
    made = _backup_or_exit(settings, directory, failure)
    typer.echo(f"backup before migration from {current}: {made.path}")


def _backup_or_exit(settings: Settings, directory: Path, failure: str) -> Backup:
    """A backup of the configured database and Matrix store in `directory`, or exit 1
    with `failure` (its `{}` gets the reason) on stderr."""
    try:
        return make_backup(
            settings.database.url, settings.matrix.store_path, directory, datetime.now(UTC)
        )
    except (BackupError, OSError) as exc:
        typer.echo(failure.format(exc), err=True)
        raise typer.Exit(1) from None


def register(app: typer.Typer) -> None:
    app.callback()(main_options)
    app.command()(backup)
    app.command("restore")(restore_command)
