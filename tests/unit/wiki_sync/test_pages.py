"""Pure renderers of the research and diffusion pages, and search snippets."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.commands.directory import matches
from bot.domain.models import DirectoryProfile
from tests.hostile_inputs import HOSTILE_INPUTS
from wiki_sync.labels import EN, FR
from wiki_sync.pages import (
    DigestAnnotation,
    DigestFiche,
    DirectoryEntry,
    annotation_marker,
    annotation_section,
    append_section,
    plain_snippet,
    remove_annotation_section,
    render_digest,
    render_directory,
    talk_title,
)

WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NASTY = "[[Catégorie:X]] {{subst:Y}} ~~~~ <script>z</script> __NOTOC__ | == h =="


def test_annotation_section_is_signed_marked_and_escaped() -> None:
    section = annotation_section(7, "Claire [[P]]", WHEN, NASTY, "fr")
    assert section.startswith("== Annotation de Claire &#91;&#91;P&#93;&#93; (2 mars 2026) ==")
    assert annotation_marker(7) in section and "— Claire" in section
    assert "le lundi 2 mars 2026 à 10 h 00 (via capibot)" in section  # Paris time
    for bad in ("[[", "{{", "~~~", "<script", "__NOTOC__", "| ==", "\n=="):
        assert bad not in section.split("\n", 2)[2], bad
    assert append_section("old\n\n", section) == "old\n\n" + section
    assert append_section(None, section) == section
    assert talk_title("Fiche") == "Talk:Fiche"


def test_directory_grouped_by_territory_escaped() -> None:
    text = render_directory(
        [
            DirectoryEntry("@b:x", "Bea", "CESF", "Sud", ("budget",)),
            DirectoryEntry("@a:x", "Ana {{x}}", "Éduc", "Nord", ("santé", "[[y]]")),
            DirectoryEntry("@c:x", "Cyd", "", "", ()),
        ]
    )
    assert text.index("== Nord ==") < text.index("== Sud ==") < text.index("== Sans territoire")
    assert "{{" not in text and "[[" not in text
    assert "https://matrix.to/#/%40a%3Ax" in text
    assert "Personne" in render_directory([])


def test_digest_groups_by_theme_then_territory_and_lists_annotations() -> None:
    fiches = [
        DigestFiche("Page A", "A", ("Logement", "Santé"), "Lyon", True),
        DigestFiche("Page B", "B {{x}}", (), "", False),
    ]
    notes = [DigestAnnotation("Page A", "Claire", WHEN, "Une piste " + NASTY)]
    text = render_digest(WHEN, WHEN, fiches, notes, "fr")
    assert text.index("== Nouvelles fiches ==") < text.index("=== Logement ===")
    assert "; Lyon" in text and "[[:Page A|A]]" in text
    assert "== Fiches mises à jour ==" in text and "=== Sans thème ===" in text
    assert "[[:Talk:Page A|Page A]]" in text and "{{x}}" not in text and "[[Cat" not in text
    assert "Claire sur [[:Talk:Page A|Page A]] (2 mars 2026)" in text


def test_digest_and_annotations_write_dates_as_readers_do() -> None:
    """No ISO date on the wiki: the period with weekdays, in the network's timezone."""
    start, end = datetime(2025, 3, 2, 23, 0, tzinfo=UTC), datetime(2025, 3, 9, 23, 0, tzinfo=UTC)
    intro = render_digest(start, end, [], [], "fr").splitlines()[0]
    assert intro == (
        "Lettre d'information du réseau pour la période du lundi 3 mars au lundi 10 mars 2025."
    )
    english = render_digest(start, end, [], [], "en", "America/New_York").splitlines()[0]
    assert english.endswith("from Sunday, March 2 to Sunday, March 9, 2025.")
    years = render_digest(datetime(2025, 12, 29, 12), datetime(2026, 1, 5, 12), [], [], "fr")
    assert "du lundi 29 décembre 2025 au lundi 5 janvier 2026." in years
    section = annotation_section(1, "Inès", datetime(2025, 8, 1, 7, 5, tzinfo=UTC), "x", "en")
    assert section.startswith("== Annotation by Inès (August 1, 2025) ==")
    assert "Friday, August 1, 2025 at 9&#58;05 AM" in section
    for text in (intro, english, years, section):
        assert not re.search(r"\d{4}-\d{2}-\d{2}", text), text
    for labels in (FR, EN):  # nor a hedged plural in any wiki label or summary
        assert not [k for k, v in labels.items() if "(s)" in v]


def test_plain_snippet_drops_html_and_markup() -> None:
    raw = "| contexte = Un <span class='searchmatch'>atelier</span> &amp;#58; {{Modèle|a=b}}\n"
    assert "span" not in plain_snippet(raw) and "Un atelier :" in plain_snippet(raw)
    assert "<" not in plain_snippet(raw) and "{{" not in plain_snippet(raw)


def test_experts_match_ignores_case_and_accents() -> None:
    profile = DirectoryProfile("Éducatrice", "Nord", ("Santé mentale", "logement"))
    assert matches("SANTE", profile) and matches("educatrice nord", profile)
    assert not matches("budget", profile) and not matches("", profile)


def test_hostile_inputs_never_become_markup_in_the_directory() -> None:
    for _, text in HOSTILE_INPUTS:
        page = render_directory([DirectoryEntry("@a:x", text, text, text, (text,))])
        body = page.split("\n", 2)[2]
        assert "{{" not in body and "[[" not in body and "~~~" not in body, text


def test_an_annotation_section_is_replaced_by_a_neutral_note_and_nothing_else() -> None:
    when = datetime(2026, 3, 2, tzinfo=UTC)
    first = annotation_section(1, "Claire Petit", when, "Première piste.", "fr")
    second = annotation_section(2, "René", when, "Seconde piste.", "fr")
    human = "Une réponse humaine sous la première annotation. ~~~~"
    page = append_section(append_section("Intro humaine.", first) + "\n" + human, second)
    text = remove_annotation_section(page, 1, "fr")
    assert "Claire" not in text and "Première piste." not in text
    assert "Intro humaine." in text and human in text  # what humans wrote stays
    assert "Seconde piste." in text and "René" in text  # another annotation stays
    assert annotation_marker(1) in text and "Annotation retirée" in text
    assert remove_annotation_section(text, 1, "fr") == text  # once
    assert remove_annotation_section(text, 3, "fr") == text  # absent: unchanged
