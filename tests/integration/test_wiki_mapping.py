"""A centre's own names end to end, on the real MediaWiki: a config renaming the template,
its parameters and the categories; `capibot wiki setup` writes those pages, `capibot
check` finds them, and the publisher's pages use them (first publication, update by
merge, withdrawal) and land in the renamed categories."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.check_wiki import check_wiki_setup
from bot.cli import app
from bot.services.outbox import OutboxDispatcher
from bot.services.publication_requests import KINDS, request_withdrawal
from bot.services.publisher import Publisher
from bot.settings import Settings, load_settings
from bot.storage.database import Database
from scripts.devstack import StackInfo, mediawiki
from tests.integration.wiki_support import (
    Clock,
    amend,
    fiche_fields,
    parse,
    seed_case,
    unique,
    worker_for,
)
from wiki_sync.mapping import PARAMETER_KEYS

pytestmark = pytest.mark.integration

RENAMED = {key: f"rex_{key}" for key in PARAMETER_KEYS}


def centre_config(stack: StackInfo, tmp_path: Path, tag: str) -> Path:
    """The stack's config, mapped onto the centre's own names (tables appended)."""
    params = "\n".join(f'{key} = "{name}"' for key, name in RENAMED.items())
    text = stack.config_path.read_text(encoding="utf-8")
    names = f'template = "Retour {tag}"\ncategory = "Retours {tag}"\n'
    assert text.count("[wiki]\n") == 1 and "template =" not in text
    text = text.replace("[wiki]\n", "[wiki]\n" + names)
    text += (
        f"\n[wiki.template_parameters]\n{params}\n"
        f'\n[wiki.categories]\nwithdrawn = "Retours archivés {tag}"\n'
        f'themes = "Sujets {tag}"\nterritories = "Lieux {tag}"\nfunctions = "Métiers {tag}"\n'
    )
    path = tmp_path / "centre.toml"
    path.write_text(text, encoding="utf-8")
    return path


def centre_settings(path: Path) -> Settings:
    settings = load_settings(path)
    return settings.model_copy(
        update={"wiki": settings.wiki.model_copy(update={"edit_interval": 0.0})}
    )


def categories(stack: StackInfo, publisher: Publisher, title: str) -> set[str]:
    mediawiki.run_jobs(stack.local_settings)
    return {
        c["category"].replace("_", " ") for c in parse(publisher.worker.client, title)["categories"]
    }


async def test_renamed_template_parameters_and_categories_end_to_end(
    stack: StackInfo, db: Database, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    config = centre_config(stack, tmp_path, tag)
    settings = centre_settings(config)
    assert settings.wiki.template == f"Retour {tag}"
    before = {v.subject: v for v in check_wiki_setup(settings)}
    assert before["wiki template"].warning and "run `capibot wiki setup`" in (
        before["wiki template"].detail
    )

    setup = CliRunner().invoke(app, ["wiki", "setup", "--config", str(config)])
    assert setup.exit_code == 0, setup.output
    for title in (
        f"Modèle:Retour {tag}",
        f"Catégorie:Retours {tag}",
        f"Catégorie:Retours archivés {tag}",
        f"Catégorie:Sujets {tag}",
        f"Catégorie:Lieux {tag}",
        f"Catégorie:Métiers {tag}",
    ):
        assert f"created: {title}" in setup.output.splitlines(), setup.output
    after = [v.line() for v in check_wiki_setup(settings)]
    assert after == [
        "OK   wiki extensions: ParserFunctions installed",
        f"OK   wiki template: Modèle:Retour {tag} exists and uses every parameter",
    ]

    clock = Clock()
    publisher = Publisher(db, worker_for(settings, max_retries=1), settings, clock)
    dispatcher = OutboxDispatcher(db, clock, backoff_base=1.0, backoff_cap=30.0)
    publisher.register(dispatcher)
    try:
        title = unique("Accueil partagé")
        theme = f"Thème {tag}"
        case_id = seed_case(db, fiche_fields(title, themes=theme))
        assert await dispatcher.run_once(list(KINDS))
        client = publisher.worker.client
        text = client.read(title).text or ""
        assert text.startswith(f"{{{{Retour {tag}\n| rex_title = {title}\n| rex_context = Un")
        assert f"| rex_case = {case_id}\n" in text
        assert "| titre" not in text and "| fiche =" not in text
        page = parse(client, title)
        assert [t["title"] for t in page["templates"]] == [f"Modèle:Retour {tag}"]
        assert "Un contexte." in page["text"]  # the template shows the renamed parameters
        assert f"Retours {tag}" in categories(stack, publisher, title)
        assert "Fiches d'expérience" not in categories(stack, publisher, title)
        assert client.read(f"Catégorie:{theme}").text == f"[[Category:Sujets {tag}]]"

        # An update merges into the renamed template's parameters.
        amend(db, case_id, clock(), context="Un contexte revu.")
        assert await dispatcher.run_once(list(KINDS))
        updated = client.read(title).text or ""
        assert "| rex_context = Un contexte revu.\n" in updated
        assert updated.count(f"{{{{Retour {tag}") == 1

        db.run_sync(lambda repo: request_withdrawal(repo, case_id, "@mona:localhost", clock(), "x"))
        assert await dispatcher.run_once(list(KINDS))
        assert categories(stack, publisher, title) == {f"Retours archivés {tag}"}
    finally:
        publisher.worker.close()
