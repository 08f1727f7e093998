"""A centre's own template, parameter and category names reach every page the bot
renders (fiche, withdrawal, setup, category pages), and the planning of `wiki setup`
never overwrites someone else's edit without `force`."""

from __future__ import annotations

import mwparserfromhell
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli_wiki import applied_lines, dry_run_lines
from tests.unit.wiki_sync.test_render import make_entry
from wiki_sync.client import EditResult, PageState
from wiki_sync.errors import EditConflict
from wiki_sync.mapping import DEFAULT_PARAMETERS, PARAMETER_KEYS, WikiMapping
from wiki_sync.render import PARAMS, render_page, template_params
from wiki_sync.setup import Action, apply_setup, decide, kind_category_page, setup_pages
from wiki_sync.writer import PageWriter

OWN = WikiMapping(
    template="Modèle:Retour d'expérience",
    parameters={key: f"rex_{key}" for key in PARAMETER_KEYS},
    fiche_category="Retours d'expérience",
    withdrawn_category="Retours archivés",
    kind_categories={"theme": "Sujets", "territory": "Lieux", "function": "Métiers"},
)


def test_default_mapping_is_todays_names() -> None:
    assert [WikiMapping().param(key) for key in PARAMETER_KEYS] == list(PARAMS)
    assert WikiMapping(language="en").categories() == {
        "fiches": "Fiches d'expérience",
        "withdrawn": "Withdrawn fiches",
        "theme": "Themes",
        "territory": "Territories",
        "function": "Functions",
    }
    assert WikiMapping().problems() == []


def test_a_fiche_page_uses_the_centres_names() -> None:
    page = render_page(make_entry(), mapping=OWN)
    (template,) = mwparserfromhell.parse(page).filter_templates()
    assert str(template.name).strip() == "Retour d'expérience"
    names = [str(p.name).strip() for p in template.params]
    assert names == [f"rex_{key}" for key in PARAMETER_KEYS]
    assert dict(template_params(make_entry(), OWN))["rex_case"] == "12"
    assert "[[Category:Retours d'expérience]]" in page
    assert not set(DEFAULT_PARAMETERS.values()) & set(names)


def test_setup_pages_and_category_pages_use_the_centres_names() -> None:
    pages = setup_pages(OWN)
    assert {
        "Template:Retour d'expérience",
        "Template:Retour d'expérience/doc",
        "Category:Retours d'expérience",
        "Category:Retours archivés",
        "Category:Sujets",
        "Category:Lieux",
        "Category:Métiers",
    } <= set(pages)
    template = mwparserfromhell.parse(pages["Template:Retour d'expérience"])
    used = {str(a.name).strip() for a in template.filter_arguments()}
    assert used == {f"rex_{key}" for key in PARAMETER_KEYS}
    assert "{{Retour d'expérience\n| rex_title =" in pages["Template:Retour d'expérience/doc"]
    assert not any("Thèmes" in title or "Fiches" in title for title in pages)
    category = kind_category_page("theme", "Logement", OWN)
    assert category == ("Category:Logement", "[[Category:Sujets]]")


@pytest.mark.parametrize(
    ("mapping", "problem"),
    [
        (WikiMapping(parameters={"title": "a|b"}), "parameter title"),
        (WikiMapping(parameters={"title": "contexte"}), "parameters title and context"),
        (WikiMapping(withdrawn_category="Fiches d'expérience"), "categories fiches and withdrawn"),
        (WikiMapping(kind_categories={"theme": "territoires"}), "categories theme and territory"),
        (WikiMapping(template="  "), "template"),
    ],
)
def test_unusable_mappings_are_named(mapping: WikiMapping, problem: str) -> None:
    assert any(problem in p for p in mapping.problems()), mapping.problems()


# -- planning of `capibot wiki setup` --------------------------------------------------

BOT = "Capibot"


def page(text: str | None, user: str = BOT) -> PageState:
    if text is None:
        return PageState("Modèle:Fiche", exists=False)
    return PageState("Modèle:Fiche", exists=True, revid=7, text=text, user=user)


def test_a_missing_page_is_created_an_equal_one_left_alone() -> None:
    assert decide(page(None), "x", BOT, force=False).action is Action.CREATE
    assert decide(page("x\n"), "x", "Admin", force=False).action is Action.UNCHANGED


def test_only_the_bots_own_revision_is_overwritten_without_force() -> None:
    assert decide(page("old"), "new", BOT, force=False).action is Action.OVERWRITE
    step = decide(page("ours, edited", user="Admin"), "new", BOT, force=False)
    assert step.action is Action.SKIP and step.by_others and step.last_user == "Admin"
    forced = decide(page("ours, edited", user="Admin"), "new", BOT, force=True)
    assert forced.action is Action.OVERWRITE and forced.by_others


@given(st.text(), st.text(), st.sampled_from([BOT, "Admin"]), st.booleans())
def test_planning_never_overwrites_another_edit_without_force(
    current: str, wanted: str, user: str, force: bool
) -> None:
    step = decide(page(current, user=user), wanted, BOT, force=force)
    if step.action is Action.OVERWRITE and user != BOT:
        assert force and step.by_others
    if step.action is Action.SKIP:
        assert user != BOT and not force
    if current == wanted:
        assert step.action is Action.UNCHANGED


def test_dry_run_lines_show_each_page_and_the_diff() -> None:
    steps = [
        decide(PageState("Catégorie:A", exists=False), "a", BOT, force=False),
        decide(page("same"), "same", BOT, force=False),
        decide(page("line\nhuman\n", user="Admin"), "line\nbot\n", BOT, force=False),
    ]
    lines = dry_run_lines(steps)
    assert lines[0] == "create: Catégorie:A"
    assert lines[1] == "unchanged: Modèle:Fiche"
    assert lines[2] == (
        "would overwrite: Modèle:Fiche (last edited by Admin, not the bot): only with --force"
    )
    assert "-human\n+bot" in lines[3] and lines[3].startswith("--- Modèle:Fiche (wiki)")
    assert lines[-1] == "dry run: nothing written"


def test_applied_lines_say_what_was_left_alone_and_how_to_force() -> None:
    skipped = decide(page("human", user="Admin"), "bot", BOT, force=False)
    assert applied_lines([skipped]) == [
        "left alone: Modèle:Fiche (last edited by Admin, not the bot)",
        "skipped 1 page edited by others; see the differences with --dry-run, "
        "then use --force to overwrite them",
    ]
    assert applied_lines([decide(page("x"), "x", BOT, force=False)]) == ["nothing to change"]


class _SetupWiki:
    """Pages with their last editor; a human may save between setup's read and write."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, str, str]] = {}
        self.revid = 1
        self.human_text: str | None = None  # saved by a human just before the bot's write

    def whoami(self) -> tuple[str, frozenset[str]]:
        return BOT, frozenset({"bot"})

    def save(self, title: str, text: str, user: str) -> None:
        self.revid += 1
        self.pages[title] = (self.revid, text, user)

    def read(self, title: str) -> PageState:
        if title not in self.pages:
            return PageState(title, exists=False)
        revid, text, user = self.pages[title]
        return PageState(title, exists=True, revid=revid, text=text, user=user)

    def edit(
        self, title: str, text: str, summary: str, *, base_revid: int | None, create_only: bool
    ) -> EditResult:
        if self.human_text is not None:
            self.save(title, self.human_text, "Admin")
            self.human_text = None
        current = self.pages.get(title)
        if (create_only and current) or (current and current[0] != base_revid):
            raise EditConflict(title)
        self.save(title, text, BOT)
        return EditResult(title, self.revid, current[0] if current else None, False)


def test_a_human_edit_saved_during_setup_is_seen_and_left_alone() -> None:
    wiki = _SetupWiki()
    wiki.save("Modèle:Fiche", "ancien texte du robot", BOT)
    wiki.human_text = "le modèle du centre"  # saved after setup read the bot's revision
    (step,) = apply_setup(wiki, {"Modèle:Fiche": "nouveau"})  # type: ignore[arg-type]
    assert step.action is Action.SKIP and step.last_user == "Admin"
    assert wiki.pages["Modèle:Fiche"][1:] == ("le modèle du centre", "Admin")
    (forced,) = apply_setup(wiki, {"Modèle:Fiche": "nouveau"}, force=True)  # type: ignore[arg-type]
    assert forced.action is Action.OVERWRITE and wiki.pages["Modèle:Fiche"][1:] == ("nouveau", BOT)


def test_the_writer_finds_the_case_under_the_centres_parameter() -> None:
    page = render_page(make_entry(), mapping=OWN)
    writer = PageWriter(None, OWN.template, case_param=OWN.param("case"))  # type: ignore[arg-type]
    assert writer.case_of(page) == "12"
    assert PageWriter(None, OWN.template).case_of(page) is None  # type: ignore[arg-type]
