"""`!oublier` blanks the quote and name blocks of the stored merge base at once
(`blank_blocks`): the base keeps none of the person's words, and the page still merges
right: the privacy rebuild writes the bot's blocks, any other update stops on a conflict
rather than keep the old quotes as if a human had written them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from tests.unit.wiki_sync.test_render import make_entry
from wiki_sync.mapping import WikiMapping
from wiki_sync.merge import PRIVACY_BLOCKS, blank_blocks, merge_page
from wiki_sync.render import FicheEntry, Quote, render_page

TEMPLATE = "Fiche d'expérience"
WORDS = "Les mots de Claire sur le soir"


def render(entry: FicheEntry) -> str:
    return render_page(entry, mapping=WikiMapping(TEMPLATE))


def _pages() -> tuple[str, str]:
    """(the page as the bot wrote it, quoting Claire; the rebuild without her)."""
    entry = make_entry()
    quoted = replace(
        entry,
        contributors=("Alice", "Claire Petit"),
        excerpt=(*entry.excerpt, Quote("Claire Petit", WORDS, datetime(2024, 3, 1, tzinfo=UTC))),
    )
    return render(quoted), render(entry)


def test_a_blanked_base_holds_none_of_the_words_and_the_rest_unchanged() -> None:
    written, _ = _pages()
    base = blank_blocks(written, PRIVACY_BLOCKS)
    assert WORDS not in base and "Claire" not in base
    assert (
        base.split("<!-- capibot:begin excerpt -->")[0]
        == written.split("<!-- capibot:begin excerpt -->")[0]
    )  # the template, its parameters: as written
    assert blank_blocks(base, PRIVACY_BLOCKS) == base


def test_the_privacy_rebuild_over_a_blanked_base_writes_the_page_without_her() -> None:
    written, new = _pages()
    result = merge_page(
        written, blank_blocks(written, PRIVACY_BLOCKS), new, TEMPLATE, bot_wins=PRIVACY_BLOCKS
    )
    assert result.text is not None and result.kept == ()
    assert WORDS not in result.text and "Claire" not in result.text
    assert result.text.strip() == new.strip()


def test_an_ordinary_update_over_a_blanked_base_stops_instead_of_keeping_her_words() -> None:
    written, new = _pages()
    result = merge_page(written, blank_blocks(written, PRIVACY_BLOCKS), new, TEMPLATE)
    assert result.text is None and "section:excerpt" in result.conflicts
