"""`capibot wiki setup`: the pages it would write, or writes, and what it leaves alone.

On a wiki that already exists, setup must not silently replace a centre's own template
or category text: a page someone else edited last is left alone unless `--force`, and
`--dry-run` shows, page by page, what would happen (with a diff) without writing.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.services.meeting_minutes import template_pages
from bot.services.network_pages import network_setup_pages
from bot.settings import Settings
from bot.wiki import wiki_config
from wiki_sync.client import WikiClient
from wiki_sync.labels import label
from wiki_sync.setup import Action, SetupStep, apply_setup, plan_setup, setup_pages
from wiki_sync.writer import PageWriter

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


def wiki_setup(
    settings: Settings, *, dry_run: bool, force: bool, echo: Echo, network: bool = False
) -> None:
    """Plan or apply setup and print it; `WikiError` goes to the caller. `network`: the
    network's shared wiki (`[network_wiki]`) instead of the centre's own."""
    if network:
        _network_setup(settings, dry_run=dry_run, force=force, echo=echo)
        return
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


def _network_setup(settings: Settings, *, dry_run: bool, force: bool, echo: Echo) -> None:
    """The network wiki: the fiche template, its doc, categories and index pages (its
    own names, `[network_wiki]`), the centres' category and this centre's; and the
    centre's page, created when absent and never touched once it exists (the centre
    writes its presentation there)."""
    language = settings.bot.language
    target = settings.network_wiki
    own, (centre_title, centre_text) = network_setup_pages(settings)
    pages = setup_pages(target.mapping(language)) | own
    client = WikiClient(wiki_config(settings, target))
    exists = client.read(centre_title).exists
    if dry_run:
        lines = dry_run_lines(plan_setup(client, pages, force=force))
        verb = "exists, left as it is" if exists else "create"
        lines.insert(-1, f"{verb}: {centre_title} (the centre's page)")
    else:
        lines = applied_lines(apply_setup(client, pages, language, force=force))
        summary = label(language, "summary.setup")
        if PageWriter(client).ensure_pages({centre_title: centre_text}, summary):
            others = [line for line in lines if line != "nothing to change"]
            lines = [f"created: {centre_title} (the centre's page)", *others]
    for line in lines:
        echo(line)
