"""`capibot wiki setup` against the real MediaWiki: creates the pages, then changes nothing."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bot.cli import app
from scripts.devstack import StackInfo
from tests.integration.wiki_support import (
    HumanEditor,
    api,
    client_for,
    run_setup,
    settings_for,
)
from wiki_sync.setup import Action, apply_setup, setup_pages, written

pytestmark = pytest.mark.integration


def test_setup_writes_every_page_then_nothing(stack: StackInfo) -> None:
    settings = settings_for(stack)
    pages = setup_pages(settings.wiki.mapping(settings.bot.language))
    run_setup(stack)
    client = client_for(settings)
    for title, text in pages.items():
        page = client.read(title)
        assert page.exists and (page.text or "").strip() == text.strip(), title
    assert written(apply_setup(client, pages)) == []

    # A human edit of the template is left alone without force, put back with it.
    template = f"Template:{settings.wiki.template}"
    HumanEditor(stack).edit(template, lambda text: text + "\nvandalisme")
    try:
        steps = apply_setup(client, pages)
        assert [(s.action, s.last_user) for s in steps if s.action is not Action.UNCHANGED] == [
            (Action.SKIP, "Admin")
        ]
        assert "vandalisme" in (client.read(template).text or "")
        assert written(apply_setup(client, pages, force=True)) == ["Modèle:Fiche d'expérience"]
    finally:
        run_setup(stack)
    assert written(apply_setup(client, pages)) == []


def test_dry_run_changes_nothing_and_setup_leaves_a_human_edit_until_forced(
    stack: StackInfo,
) -> None:
    settings = settings_for(stack)
    run_setup(stack)
    client = client_for(settings)
    template = f"Template:{settings.wiki.template}"
    wanted = client.read(template).text or ""
    HumanEditor(stack).edit(template, lambda text: text.replace("wikitable", "infobox-centre"))
    human = client.read(template)
    runner = CliRunner()
    args = ["wiki", "setup", "--config", str(stack.config_path)]
    try:
        dry = runner.invoke(app, [*args, "--dry-run"])
        assert dry.exit_code == 0, dry.output
        lines = dry.output.splitlines()
        assert (
            "would overwrite: Modèle:Fiche d'expérience (last edited by Admin, not the bot): "
            "only with --force"
        ) in lines
        assert "unchanged: Catégorie:Fiches d'expérience" in lines
        assert any(line.startswith("-") and "infobox-centre" in line for line in lines)
        assert any(line.startswith("+") and "wikitable" in line for line in lines)
        assert lines[-1] == "dry run: nothing written"
        assert client.read(template).revid == human.revid  # nothing written

        plain = runner.invoke(app, args)
        assert plain.exit_code == 0, plain.output
        assert plain.output.splitlines() == [
            "left alone: Modèle:Fiche d'expérience (last edited by Admin, not the bot)",
            "skipped 1 page edited by others; see the differences with --dry-run, "
            "then use --force to overwrite them",
        ]
        assert client.read(template).revid == human.revid

        forced = runner.invoke(app, [*args, "--force"])
        assert forced.exit_code == 0, forced.output
        assert forced.output.splitlines() == [
            "overwritten: Modèle:Fiche d'expérience (last edited by Admin, not the bot)"
        ]
        page = client.read(template)
        assert page.user == "Capibot" and (page.text or "").strip() == wanted.strip()
    finally:
        run_setup(stack)
    again = runner.invoke(app, [*args, "--dry-run"])
    assert "would overwrite" not in again.output and "create:" not in again.output


def test_template_renders_an_infobox_and_index_pages_link_categories(stack: StackInfo) -> None:
    settings = settings_for(stack)
    run_setup(stack)
    client = client_for(settings)
    info = api(
        client,
        "parse",
        text="{{Fiche d'expérience|titre=Essai|contexte=Un contexte|fiche=7}}",
        prop="text|templates|categories",
        contentmodel="wikitext",
        title="Essai",
    )["parse"]
    assert [t["title"] for t in info["templates"]] == ["Modèle:Fiche d'expérience"]
    assert "capibot-fiche" in info["text"] and "Un contexte" in info["text"]
    index = api(client, "parse", page="Index – Fiches d'expérience", prop="links")["parse"]
    assert [link["title"] for link in index["links"]] == ["Catégorie:Fiches d'expérience"]


def test_cli_wiki_setup_twice_says_nothing_to_change(stack: StackInfo) -> None:
    runner = CliRunner()
    args = ["wiki", "setup", "--config", str(stack.config_path)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert second.output.strip() == "nothing to change"
