"""MediaWiki normalises a saved page to NFC: that must not change what the bot wrote.

A quote that starts with U+0338 (COMBINING LONG SOLIDUS OVERLAY) written right after
``<blockquote>`` would become ``<blockquote≯`` once the wiki normalises the page: the tag
breaks, and the rest of the page is shown as raw markup. Every escaped piece is NFC and
starts with no character that could fuse with the markup before it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import replace

import mwparserfromhell
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.wiki_sync.test_render import make_entry
from wiki_sync.escape import escape_inline, escape_wikitext, escape_wikitext_links, joins_previous
from wiki_sync.pages import annotation_section
from wiki_sync.render import Quote, render_page, render_withdrawal

NFC = "NFC"
COMBINING = "\u0338\u0301\u0300\u0327\u0308\u20d2\u05b0\u0e31\u302a"
SPACING = "\u09be\u0b3e\u0bbe\u102e\u1161\u11a8"  # compose although of combining class 0
MARKUPISH = "<>=aAeE\u1100\u0b47\u0bc6 \n*#:;'|{}[]-_~&"
# Text that often opens with marks that compose with what precedes them.
text_with_marks = st.builds(
    lambda lead, body: lead + body,
    st.text(alphabet=COMBINING + SPACING, max_size=3),
    st.one_of(
        st.text(alphabet=COMBINING + SPACING + MARKUPISH, max_size=20),
        st.text(max_size=20),
    ),
)


def blockquotes(page: str) -> list[str]:
    code = mwparserfromhell.parse(page)
    return [str(t.contents) for t in code.filter_tags() if str(t.tag) == "blockquote"]


def template_params(page: str) -> list[tuple[str, str]]:
    (template,) = mwparserfromhell.parse(page).filter_templates(recursive=False)
    return [(str(p.name).strip(), str(p.value).strip()) for p in template.params]


def test_a_quote_opening_with_a_combining_mark_keeps_its_blockquote() -> None:
    quotes = (Quote("Alice", "\u0338 barré"), Quote("Bruno", "\u0301 et la suite"))
    page = render_page(make_entry(excerpt=quotes))
    stored = unicodedata.normalize(NFC, page)  # what MediaWiki saves
    assert stored == page
    found = blockquotes(stored)
    assert len(found) == 2
    assert [mwparserfromhell.parse(q).strip_code() for q in found] == [
        "\u0338 barré",
        "\u0301 et la suite",
    ]
    assert "\u226f" not in stored  # no "≯" made of the tag's ">"


@pytest.mark.parametrize("escape", [escape_wikitext, escape_inline, escape_wikitext_links])
@pytest.mark.parametrize("before", ["<blockquote>", "| titre = ", "=", ">", "<", "a", "'''"])
@settings(max_examples=150, deadline=None)
@given(text=text_with_marks)
def test_escaped_text_is_stable_under_nfc_after_any_markup(
    escape: Callable[[str], str], before: str, text: str
) -> None:
    written = before + escape(text) + "</blockquote>"
    assert unicodedata.normalize(NFC, written) == written


@settings(max_examples=200, deadline=None)
@given(
    quotes=st.lists(st.tuples(text_with_marks, text_with_marks), min_size=1, max_size=4),
    field=text_with_marks,
    name=text_with_marks,
)
def test_page_structure_survives_the_wikis_nfc(
    quotes: list[tuple[str, str]], field: str, name: str
) -> None:
    entry = make_entry(
        excerpt=tuple(Quote(author, text) for author, text in quotes),
        contributors=(name, "Alice"),
        room_label=name,
        approved_by=name,
    )
    entry = replace(entry, fields={**entry.fields, "title": field, "context": field})
    page = render_page(entry)
    stored = unicodedata.normalize(NFC, page)
    assert stored == page
    assert len(blockquotes(stored)) == len(quotes)
    assert template_params(stored) == template_params(page)
    notice = render_withdrawal(field, 3, name)
    assert unicodedata.normalize(NFC, notice) == notice
    section = annotation_section(1, name, entry.approved_at, field)
    assert unicodedata.normalize(NFC, section) == section


def test_every_character_that_composes_with_a_previous_one_is_known() -> None:
    """Kept in step with the running Python's Unicode data: any character that is the
    second half of a canonical composition counts as joining the previous one."""
    seconds = set()
    for cp in range(0x110000):
        decomposition = unicodedata.decomposition(chr(cp))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                seconds.add(chr(int(parts[1], 16)))
    seconds |= {chr(c) for c in range(0x1161, 0x1176)} | {chr(c) for c in range(0x11A8, 0x11C3)}
    assert [hex(ord(c)) for c in sorted(seconds) if not joins_previous(c)] == []
