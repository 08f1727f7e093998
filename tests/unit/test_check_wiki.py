"""`capibot check` on the wiki's setup: ParserFunctions and the fiche template."""

from __future__ import annotations

from bot.check import Failure, Verdict
from bot.check_wiki import extension_verdict, template_verdict, with_wiki_setup
from bot.settings import Settings
from wiki_sync.mapping import WikiMapping
from wiki_sync.setup import setup_pages

OURS = setup_pages(WikiMapping())["Template:Fiche d'expérience"]


def test_missing_parser_functions_fails_naming_the_extension() -> None:
    for text in (OURS, None):  # our template, or none yet (setup will write ours)
        verdict = extension_verdict({"Cite"}, "Modèle:Fiche d'expérience", text)
        assert verdict.failure is Failure.CONFIG
        assert verdict.line().startswith("FAIL wiki extensions: the ParserFunctions extension")
        assert "wfLoadExtension( 'ParserFunctions' );" in verdict.line()
    assert extension_verdict({"ParserFunctions"}, "T", OURS).line() == (
        "OK   wiki extensions: ParserFunctions installed"
    )


def test_a_centres_template_without_parser_functions_needs_no_extension() -> None:
    verdict = extension_verdict(set(), "Modèle:Rex", "{{{titre}}} — {{{fiche}}}")
    assert verdict.ok and not verdict.warning


def test_template_missing_or_ignoring_parameters_is_a_warning() -> None:
    missing = template_verdict("Modèle:Fiche d'expérience", None, WikiMapping())
    assert missing.ok and missing.warning
    assert "run `capibot wiki setup`" in missing.line()
    assert template_verdict("Modèle:F", OURS, WikiMapping()).line() == (
        "OK   wiki template: Modèle:F exists and uses every parameter"
    )
    own = WikiMapping(parameters={"title": "nom"})
    partial = template_verdict("Modèle:F", OURS, own)
    assert partial.warning and "the parameter(s) nom:" in partial.line()


def test_setup_verdicts_follow_the_wiki_only_when_it_let_the_bot_in() -> None:
    def never(_: Settings) -> object:
        raise AssertionError("the wiki was not usable: no setup check")

    down = [Verdict("wiki", Failure.UNREACHABLE, "down"), Verdict("database", Failure.OK, "ok")]
    assert with_wiki_setup(Settings(), down, never) == down  # type: ignore[arg-type]
