"""The compte-rendu as wikitext and as the room's summary: escaped, consent-filtered."""

from __future__ import annotations

from bot.domain.meetings import Line, build_minutes, parse_line
from bot.i18n import Translator
from bot.services.meeting_minutes import CATEGORY, TEMPLATE, page_text, summary_text

ALICE, EVE = "@alice:hs", "@eve:hs"


def _line(n: int, sender: str, body: str) -> Line:
    parsed = parse_line(body)
    if parsed is None:
        return Line(f"${n}", sender, body)
    return Line(f"${n}", sender, body, parsed.tag, parsed.text, parsed.owner)


def test_hostile_item_cannot_inject_categories_templates_or_links() -> None:
    lines = [
        _line(1, ALICE, "#info [[Catégorie:X]] {{Modèle}} <script>"),
        _line(2, ALICE, "#sujet == Faux titre == [[Category:Y]]"),
        _line(3, ALICE, "#lien javascript:alert(1) clic"),
        _line(4, ALICE, "#lien https://ok.example/a]] [[Category:Z]]"),
    ]
    minutes = build_minutes("{{Titre}} [[Category:T]]", lines, {ALICE: "Alice|[[x]]"}, {})
    text = page_text(
        minutes, Translator("fr"), room="[[Category:R]]", date="1 déc.", categories=["Jardins"]
    )
    body = text.split("\n", 6)[6]  # after the template call's parameters
    for bad in ("[[Catégorie:X]]", "{{Modèle}}", "[[Category:Y]]", "[[Category:Z]]", "<script>"):
        assert bad not in text
    assert "[[Category:T]]" not in text and "[[Category:R]]" not in text
    assert "javascript:" not in text.replace("javascript&#58;", "")
    assert "{{" not in body and "[[Category:" in body  # only our own categories
    assert text.count("[[Category:") == 2
    assert "[[Category:Jardins]]" in text and f"[[Category:{CATEGORY}]]" in text
    assert text.startswith(f"{{{{{TEMPLATE}\n")


def test_non_consenting_words_never_reach_the_page_or_the_summary() -> None:
    lines = [
        _line(1, ALICE, "#décision On ouvre le samedi"),
        _line(2, EVE, "#décision Mot secret d'Eve"),
        _line(3, EVE, "#action @alice:hs tâche secrète"),
        _line(4, ALICE, "#action @eve:hs appeler la mairie"),
        _line(5, EVE, "#sujet Sujet secret"),
    ]
    minutes = build_minutes("GT", lines, {ALICE: "Alice"}, {})
    tr = Translator("fr")
    page = page_text(minutes, tr, room="Salon", date="1 déc.", categories=[])
    summary = summary_text(minutes, tr)
    for text in (page, summary):
        assert "secret" not in text.lower() and "Eve" not in text
        assert "On ouvre le samedi" in text.replace("&#32;", " ")
    assert "Personnes présentes : Alice et 1 autre personne" in summary
    assert "une personne sans consentement : appeler la mairie" in summary
    assert "contribution non reprise" in summary


def test_summary_lists_decisions_actions_and_links_in_english() -> None:
    lines = [
        _line(1, ALICE, "#decision Keep Saturday"),
        _line(2, ALICE, "#action @Alice book the room"),
        _line(3, ALICE, "#link https://example.org/plan"),
    ]
    minutes = build_minutes("WG", lines, {ALICE: "Alice"}, {"alice": ALICE})
    summary = summary_text(minutes, Translator("en"))
    assert summary.splitlines()[:2] == ["Minutes of “WG”", "Present: Alice"]
    assert "Decisions:\n- Keep Saturday" in summary
    assert "Actions:\n- Alice: book the room" in summary
    assert "Links:\n- https://example.org/plan" in summary
