from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import mwparserfromhell
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.hostile_inputs import HOSTILE_INPUTS
from wiki_sync.errors import RenderError
from wiki_sync.escape import escape_wikitext
from wiki_sync.mapping import WikiMapping
from wiki_sync.render import (
    PARAMS,
    SECTIONS,
    FicheEntry,
    Quote,
    begin_marker,
    end_marker,
    page_categories,
    render_page,
    render_withdrawal,
    safe_matrix_to,
    template_params,
)
from wiki_sync.setup import kind_category_page, setup_pages

THREAD = "https://matrix.to/#/!room:example.org/$event?via=example.org"
FIELD_KEYS = ("title", "context", "action", "results", "lessons", "territory", "resources")


def make_entry(text: str = "texte", **changes: object) -> FicheEntry:
    entry = FicheEntry(
        case_id=12,
        fields={key: f"{key} {text}" for key in FIELD_KEYS},
        themes=("Logement", text),
        territory="Seine-Saint-Denis",
        contributors=("Alice", text, "Personne 2"),
        excerpt=(
            Quote("Alice", f"Bonjour {text}", datetime(2024, 3, 1, 12, 5, tzinfo=UTC)),
            Quote(text, text, None),
        ),
        thread_url=THREAD,
        room_label=f"Salon {text}",
        room_kind="function",
        extra_categories=(),
        approved_by=f"Modo {text}",
        approved_at=datetime(2024, 3, 2, 23, 30, tzinfo=timezone(timedelta(hours=-2))),
        version=3,
    )
    return replace(entry, **changes)  # type: ignore[arg-type]


def structure(page: str) -> dict[str, list[str]]:
    """What the wiki would index: templates, links, external links, tags, headings."""
    code = mwparserfromhell.parse(page)
    return {
        "templates": [str(t.name).strip() for t in code.filter_templates()],
        "links": [str(link.title) for link in code.filter_wikilinks()],
        "external": [str(link.url) for link in code.filter_external_links()],
        "tags": sorted({str(t.tag) for t in code.filter_tags()}),
        "headings": [str(h.title).strip() for h in code.filter_headings()],
        "comments": [str(c) for c in code.filter_comments()],
        "arguments": [str(a) for a in code.filter_arguments()],
    }


EXPECTED_COMMENTS = [m for s in SECTIONS for m in (begin_marker(s), end_marker(s))]


def check_only_our_markup(page: str) -> None:
    found = structure(page)
    assert found["templates"] == ["Fiche d'expérience"]
    assert all(link.startswith("Category:") for link in found["links"])
    # Besides the thread link, only the Resources parameter may hold (re-encoded) links.
    (template,) = mwparserfromhell.parse(page).filter_templates()
    resources = [
        str(link.url)
        for param in template.params
        if str(param.name).strip() == "ressources"
        for link in param.value.filter_external_links()
    ]
    assert found["external"] == [*resources, safe_matrix_to(THREAD)]
    for url in resources:
        assert re.fullmatch(r"https?://[A-Za-z0-9%/:?=&#@$()*+,_.\-]+", url), url
    assert set(found["tags"]) <= {"b", "i", "blockquote", "br", "li"}
    assert len(found["headings"]) == 3
    assert found["comments"] == EXPECTED_COMMENTS
    assert found["arguments"] == []


@pytest.mark.parametrize(("name", "text"), HOSTILE_INPUTS, ids=[n for n, _ in HOSTILE_INPUTS])
def test_hostile_text_everywhere_adds_no_markup(name: str, text: str) -> None:
    page = render_page(make_entry(text))
    check_only_our_markup(page)
    code = mwparserfromhell.parse(page)
    (template,) = code.filter_templates()
    assert [str(p.name).strip() for p in template.params] == list(PARAMS)
    categories = [str(link.title) for link in code.filter_wikilinks()]
    entry = make_entry(text)
    assert categories == [f"Category:{c}" for c in page_categories(entry, "Fiches d'expérience")]
    assert categories[:2] == ["Category:Fiches d'expérience", "Category:Logement"]
    assert len(categories) == len(set(categories))


@given(st.dictionaries(st.sampled_from(FIELD_KEYS), st.text()), st.text(), st.text())
def test_round_trip_one_template_with_the_expected_params(
    fields: dict[str, str], quote: str, name: str
) -> None:
    entry = make_entry(fields=fields, excerpt=(Quote(name, quote, None),), contributors=(name,))
    page = render_page(entry)
    check_only_our_markup(page)
    (template,) = mwparserfromhell.parse(page).filter_templates()
    values = {str(p.name).strip(): str(p.value).strip() for p in template.params}
    assert values == dict(template_params(entry))
    assert values["contexte"] == escape_wikitext(fields.get("context", ""))


def test_page_layout() -> None:
    page = render_page(make_entry())
    assert page.startswith("{{Fiche d'expérience\n| titre = title texte\n")
    assert "| validee_le = 2024-03-03\n" in page  # UTC date
    assert "| themes = Logement, texte\n" in page
    quote = "'''Alice''' — vendredi 1er mars 2024 à 13 h 05\n<blockquote>Bonjour texte</blockquote>"
    assert quote in page  # Paris time, as readers write it
    assert "* Personne 2" in page
    assert page.endswith(end_marker("categories"))
    assert (
        "[[Category:Fiches d'expérience]]\n[[Category:Logement]]\n[[Category:Texte]]\n"
        "[[Category:Seine-Saint-Denis]]\n[[Category:Salon texte]]"
    ) in page
    assert render_page(make_entry()) == page  # deterministic


def test_room_kind_decides_the_room_category() -> None:
    page = render_page(make_entry(room_kind="moderation", extra_categories=("Extra", "Logement")))
    assert "[[Category:Salon texte]]" not in page
    assert page.count("[[Category:Logement]]") == 1
    assert "[[Category:Extra]]" in page


def test_empty_excerpt_and_english() -> None:
    page = render_page(make_entry(excerpt=(), contributors=()), language="en")
    assert "== Excerpt of the exchange ==\n''No publishable excerpt.''" in page
    with pytest.raises(ValueError, match="language"):
        render_page(make_entry(), language="de")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (THREAD, "https://matrix.to/#/%21room%3Aexample.org/%24event?via=example.org"),
        ("https://matrix.to/#/%23salon_x:ex.org", "https://matrix.to/#/%23salon%5Fx%3Aex.org"),
        ("https://matrix.to/#/@a~b:ex.org", "https://matrix.to/#/%40a%7Eb%3Aex.org"),
        (
            "https://matrix.to/#/!r:e.org/$x'']]{{y}}?via=a&via=b",
            "https://matrix.to/#/%21r%3Ae.org/%24x%27%27%5D%5D%7B%7By%7D%7D?via=a&via=b",
        ),
    ],
)
def test_matrix_to_is_reencoded(url: str, expected: str) -> None:
    assert safe_matrix_to(url) == expected


@given(st.text())
def test_emitted_thread_url_is_inert(tail: str) -> None:
    for url in ("https://matrix.to/#/!" + tail, "https://matrix.to/#/!r:e.org?" + tail):
        try:
            safe = safe_matrix_to(url)
        except RenderError:
            continue
        assert re.fullmatch(r"https://matrix\.to/#/[A-Za-z0-9%./?=&-]+", safe)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "http://matrix.to/#/!r:e.org",
        "https://matrix.to.evil.example/#/!r:e.org",
        "https://evil.example/?https://matrix.to/#/!r:e.org",
        "https://matrix.to/#/!r:e.org x]",
        "https://matrix.to/#/",
        "https://matrix.to/#/room",
        "https://matrix.to/#/!a/$b/$c",
        "https://matrix.to/#/!é:e.org",
    ],
)
def test_bad_thread_urls_are_refused(url: str) -> None:
    with pytest.raises(RenderError):
        safe_matrix_to(url)


def test_withdrawal_notice() -> None:
    text = render_withdrawal("{{x}} [[Category:Spam]]", 12, "doublon\n* ~~~~", "fr")
    found = structure(text)
    assert found["templates"] == []
    assert found["links"] == ["Category:Fiches retirées"]
    assert "cas n° 12" in text
    assert render_withdrawal("T", 1, None, "en", category="").count("[[") == 0


def test_setup_pages_are_deterministic_and_complete() -> None:
    pages = setup_pages(WikiMapping())
    assert pages == setup_pages(WikiMapping("Fiche d'expérience"))
    assert {
        "Template:Fiche d'expérience",
        "Template:Fiche d'expérience/doc",
        "Category:Fiches d'expérience",
        "Category:Thèmes",
        "Category:Territoires",
        "Category:Fonctions",
        "Category:Fiches retirées",
    } <= set(pages)
    assert sum(title.startswith("Index") for title in pages) == 4
    template = mwparserfromhell.parse(pages["Template:Fiche d'expérience"])
    used = {str(a.name).strip() for a in template.filter_arguments()}
    assert used == set(PARAMS)
    assert "Template:Fiche d'expérience/doc" in pages["Template:Fiche d'expérience"]
    english = setup_pages(WikiMapping("Case", fiche_category="Cases", language="en"))
    assert "Category:Themes" in english


def test_kind_category_page() -> None:
    assert kind_category_page("territory", "grenoble") == (
        "Category:Grenoble",
        "[[Category:Territoires]]",
    )
    with pytest.raises(ValueError):
        kind_category_page("moderation", "x")
