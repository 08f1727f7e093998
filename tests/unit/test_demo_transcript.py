"""The guide's transcript (docs/guide/transcript-demo.md) keeps the demo's shape: what
`render` writes, `parse_structure` reads back, and each bot answer is recognised."""

from __future__ import annotations

from pathlib import Path

from bot.i18n import t
from scripts.demo_transcript import Line, kind_of, parse_structure, render, structure

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide" / "transcript-demo.md"
BOT = "@capibot:localhost"


def test_a_rendered_transcript_reads_back_as_it_was_played() -> None:
    answer = t("fr", "consent.granted")
    rooms = [
        (
            "Renouvellement urbain",
            [
                Line("@alice:localhost", "Alice Martin", "Une question ?", bot=False),
                Line("@alice:localhost", "Alice Martin", "!consentement oui", bot=False),
                Line(BOT, "capibot", f"Alice Martin: {answer}", bot=True),
            ],
        ),
        ("Modération", [Line("@mona:localhost", "Mona Dupont", "!valider 1", bot=False)]),
    ]
    expected = [
        "room Renouvellement urbain",
        "Alice Martin message",
        "Alice Martin !consentement",
        "bot consent.granted",
        "room Modération",
        "Mona Dupont !valider",
    ]
    assert structure(rooms) == expected
    assert parse_structure(render("Titre", rooms)) == expected


def test_an_answer_is_known_by_its_catalogue_key_whatever_its_values() -> None:
    body = t("fr", "capture.done", case=12, title="Accueil", count=3, prefix="!")
    assert kind_of(f"Bruno Leroy: {body}", frozenset({"Bruno Leroy"})) == "capture.done"
    assert kind_of("Rien de connu ici") == "other"


def test_the_guide_transcript_has_the_whole_exchange() -> None:
    played = parse_structure(GUIDE.read_text(encoding="utf-8"))
    assert "bot other" not in played
    for step in (
        "Alice Martin !capturer",
        "bot capture.done",
        "Bruno Leroy !consentement",
        "bot consent.granted",
        "Alice Martin !fiche",
        "bot curation.card",
        "Mona Dupont !valider",
        "bot publication.published",
    ):
        assert step in played


def test_a_rich_answer_is_known_by_its_plain_text() -> None:
    """The card's template has Markdown (`**Fiche à relire**`); its body has none."""
    card = t(
        "fr",
        "curation.card",
        case=3,
        title="Titre",
        version=2,
        fields="• Titre : Titre",
        contributors="A",
        link="https://matrix.to/#/!r:x/$e",
        prefix="!",
    )
    assert card.startswith("Fiche à relire : cas #3") and "**" not in card
    assert kind_of(card) == "curation.card"
