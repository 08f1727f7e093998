"""`capibot rapport`: the activity report a centre hands to its funders (issue 18)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from bot.services.activity import Period, collect
from bot.services.activity_report import write_report
from bot.settings import Settings
from bot.storage.database import Database


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        typer.echo(f"FAIL {name}: {value!r} is not a date (YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None


def parse_period(start: str, end: str) -> Period:
    """`--from` and `--to`, checked before anything is opened."""
    period = Period(_day(start, "from"), _day(end, "to"))
    if period.end < period.start:
        typer.echo("FAIL to: the period ends before it starts", err=True)
        raise typer.Exit(2)
    return period


def make_report(settings: Settings, database: Database, period: Period, out: Path) -> Path:
    """The period's figures, read from one read-only snapshot (the running bot keeps
    capturing), written as `out/rapport.html` and its charts."""
    with database.reading() as repo:
        activity = collect(repo, period)
    network = settings.network
    return write_report(
        activity, out, lang=settings.bot.language, centre=network.label or network.centre
    )
