"""`capibot wiki setup`: the pages it would write, or writes, and what it leaves alone.

On a wiki that already exists, setup must not silently replace a centre's own template
or category text: a page someone else edited last is left alone unless `--force`, and
`--dry-run` shows, page by page, what would happen (with a diff) without writing.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.services.meeting_minutes import template_pages
from bot.settings import Settings
from bot.wiki import wiki_config
from wiki_sync.client import WikiClient
from wiki_sync.setup import Action, SetupStep, apply_setup, plan_setup, setup_pages

Echo = Callable[[str], None]


def dry_run_lines(steps: list[SetupStep]) -> list[str]:
    """One line per page (``create``, ``unchanged``, ``would overwrite``), each
    overwrite followed by its unified diff (wiki -> capibot)."""
    lines: list[str] = []
    for step in steps:
        if step.action is Action.CREATE:
            lines.append(f"create: {step.title}")
        elif step.action is Action.UNCHANGED:
            lines.append(f"unchanged: {step.title}")
        else:
            only = ": only with --force" if step.action is Action.SKIP else ""
            lines.append(f"would overwrite: {step.title}{_whose(step)}{only}")
            lines.append(step.diff())
    lines.append("dry run: nothing written")
    return lines


def _whose(step: SetupStep) -> str:
    return f" (last edited by {step.last_user}, not the bot)" if step.by_others else ""


def applied_lines(steps: list[SetupStep]) -> list[str]:
    """What a live run did: written pages, pages left alone and why, or nothing."""
    lines: list[str] = []
    for step in steps:
        if step.action is Action.CREATE:
            lines.append(f"created: {step.title}")
        elif step.action is Action.OVERWRITE:
            lines.append(f"overwritten: {step.title}{_whose(step)}")
        elif step.action is Action.SKIP:
            lines.append(f"left alone: {step.title}{_whose(step)}")
    skipped = sum(step.action is Action.SKIP for step in steps)
    if skipped:
        pages = "1 page" if skipped == 1 else f"{skipped} pages"
        lines.append(
            f"skipped {pages} edited by others; see the differences with --dry-run, "
            "then use --force to overwrite them"
        )
    elif not lines:
        lines.append("nothing to change")
    return lines


def wiki_setup(settings: Settings, *, dry_run: bool, force: bool, echo: Echo) -> None:
    """Plan or apply setup and print it; `WikiError` goes to the caller."""
    language = settings.bot.language
    pages = setup_pages(settings.wiki.mapping(language))
    pages |= template_pages()  # `Modèle:Compte-rendu` and its category (`!réunion`)
    client = WikiClient(wiki_config(settings))
    if dry_run:
        lines = dry_run_lines(plan_setup(client, pages, force=force))
    else:
        lines = applied_lines(apply_setup(client, pages, language, force=force))
    for line in lines:
        echo(line)
