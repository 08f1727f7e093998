"""A network wiki's fiche page links to the centre's page, under the template and as
inert as any user text; the centres' and the centre's category pages, the centre's own
page (created once, then the centre's)."""

from __future__ import annotations

import mwparserfromhell
import pytest

from tests.hostile_inputs import HOSTILE_INPUTS
from tests.unit.wiki_sync.test_render import make_entry
from wiki_sync.render import CENTRE_SECTION, CentreLink, begin_marker, render_page
from wiki_sync.setup import centre_page, centre_pages


def test_the_centre_block_sits_under_the_template_and_links_to_the_centre() -> None:
    page = render_page(make_entry(), centre=CentreLink("CRPV Île-de-France", "CRPV IDF"))
    template, block = page.split("\n\n")[:2]
    assert template.startswith("{{") and block.startswith(begin_marker(CENTRE_SECTION))
    assert "[[:CRPV Île-de-France|CRPV IDF]]" in block
    assert "Fiche partagée par le centre" in block
    assert begin_marker(CENTRE_SECTION) not in render_page(make_entry())  # home: none
    english = render_page(make_entry(), language="en", centre=CentreLink("C", "C"))
    assert "Fiche shared by the centre [[:C|C]]." in english


@pytest.mark.parametrize(("name", "hostile"), HOSTILE_INPUTS, ids=[n for n, _ in HOSTILE_INPUTS])
def test_a_hostile_centre_name_stays_text(name: str, hostile: str) -> None:
    page = render_page(make_entry(), centre=CentreLink("Centre", hostile))
    block = page.split("\n\n")[1]
    code = mwparserfromhell.parse(block)
    assert [str(link.title) for link in code.filter_wikilinks()] == [":Centre"]
    assert not code.filter_templates() and not code.filter_external_links()


def test_the_centre_s_pages() -> None:
    link = CentreLink("CRPV Nord", "CRPV Nord")
    pages = centre_pages(link, "CRPV Nord")
    assert set(pages) == {"Category:Centres", "Category:CRPV Nord"}
    assert "[[:CRPV Nord|CRPV Nord]]" in pages["Category:CRPV Nord"]
    assert pages["Category:CRPV Nord"].endswith("[[Category:Centres]]")
    title, text = centre_page(link, "CRPV Nord", "en")
    assert title == "CRPV Nord" and "[[:Category:CRPV Nord]]" in text
    # a namespace-looking name stays a main-namespace page
    assert centre_page(CentreLink("Catégorie:X", "X"), "X")[0] != "Catégorie:X"
