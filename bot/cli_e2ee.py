"""`capibot e2ee …`: the bot's cross-signing identity, set up by hand.

The bot sets it up by itself at start when it can; this command is for when it cannot
(the homeserver asks for a password the config does not hold, e.g. after a token login)
and for replacing an identity made elsewhere. The recovery material goes to stdout once,
never to the logs.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.settings import Settings

e2ee_app = typer.Typer(help="End-to-end encryption: the bot's cross-signing.", no_args_is_help=True)


def _recovery_lines(seeds: dict[str, str], keys_file: Path) -> list[str]:
    return [
        "Recovery material (shown once; keep it offline, it can vouch for any device):",
        *(f"  {usage}: {seed}" for usage, seed in seeds.items()),
        f"The same keys are in {keys_file} (mode 0600): back up the store directory.",
    ]


async def _run(settings: Settings, password: str | None, reset: bool) -> int:
    from bot.check import Failure
    from bot.matrix.cross_signing import NeedsPassword, Status, bootstrap
    from bot.matrix.errors import MatrixAuthError, MatrixError
    from bot.matrix.session import log_in, make_client
    from bot.matrix.signing import keys_path

    client = make_client(settings.matrix)
    try:
        await log_in(client, settings.matrix)
        try:
            outcome = await bootstrap(client, settings.matrix, password=password, reset=reset)
        except NeedsPassword as exc:
            if password is not None or not sys.stdin.isatty():
                raise
            typer.echo(f"{exc}")
            typed = typer.prompt(f"Password of {client.user_id}", hide_input=True)
            outcome = await bootstrap(client, settings.matrix, password=typed, reset=reset)
    except MatrixAuthError as exc:
        typer.echo(f"FAIL cross-signing: {exc}", err=True)
        return int(Failure.AUTH)
    except MatrixError as exc:
        code = Failure.AUTH if isinstance(exc, NeedsPassword) else Failure.UNREACHABLE
        typer.echo(f"FAIL cross-signing: {exc}", err=True)
        return int(code)
    finally:
        await client.close()
    if outcome.status is Status.FOREIGN:
        typer.echo(
            f"FAIL cross-signing: {client.user_id} already has an identity (master key "
            f"{outcome.master_key_id}) whose private keys are not in "
            f"{settings.matrix.store_path}; `capibot e2ee bootstrap --reset` replaces it "
            "(other people's verifications of the bot are then lost)",
            err=True,
        )
        return 1
    if outcome.status is Status.UNCHANGED:
        typer.echo(f"cross-signing already set up: master key {outcome.master_key_id}")
    else:
        typer.echo(f"cross-signing identity published: master key {outcome.master_key_id}")
    device = client.device_id
    typer.echo(f"device {device} " + ("signed" if outcome.device_signed else "already signed"))
    if outcome.new_keys is not None:
        seeds = outcome.new_keys.seeds()
        for line in _recovery_lines(seeds, keys_path(settings.matrix.store_path)):
            typer.echo(line)
    return 0


@e2ee_app.command("bootstrap")
def bootstrap_command(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="TOML config (default: $CAPIBOT_CONFIG, else config/capibot.toml)",
        ),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the account's password from stdin")
    ] = False,
    reset: Annotated[
        bool, typer.Option(help="replace an identity whose keys capibot does not hold")
    ] = False,
) -> None:
    """Publish the bot's cross-signing keys (or re-use them) and sign its device."""
    from bot.check import Failure
    from bot.logging_setup import configure_logging
    from bot.settings import ConfigError, load_settings

    try:
        settings = load_settings(config)
    except ConfigError as exc:
        typer.echo(f"FAIL config: {exc}", err=True)
        raise typer.Exit(int(Failure.CONFIG)) from None
    configure_logging(settings.bot.log_level)
    password = settings.matrix.password.get_secret_value() or None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n") or None
    raise typer.Exit(asyncio.run(_run(settings, password, reset)))
