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
from wiki_sync.setup import apply_setup, setup_pages

pytestmark = pytest.mark.integration


def test_setup_writes_every_page_then_nothing(stack: StackInfo) -> None:
    settings = settings_for(stack)
    pages = setup_pages(settings.wiki.template, settings.wiki.category, settings.bot.language)
    run_setup(stack)
    client = client_for(settings)
    for title, text in pages.items():
        page = client.read(title)
        assert page.exists and (page.text or "").strip() == text.strip(), title
    assert apply_setup(client, pages) == []

    # A human edit of the template is put back by the next setup, and only that page.
    template = f"Template:{settings.wiki.template}"
    HumanEditor(stack).edit(template, lambda text: text + "\nvandalisme")
    assert apply_setup(client, pages) == [template]
    assert apply_setup(client, pages) == []


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
