from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.wiki_sync.test_render import FIELD_KEYS, make_entry
from wiki_sync.escape import escape_wikitext
from wiki_sync.mapping import WikiMapping
from wiki_sync.merge import merge_page, normalise
from wiki_sync.render import FicheEntry, begin_marker, end_marker, render_page

TEMPLATE = "Fiche d'expérience"
HUMAN = "Un paragraphe ajouté sur le wiki.\n\n[[Catégorie:Ajout humain]]"


def render(entry: FicheEntry) -> str:
    return render_page(entry, mapping=WikiMapping(TEMPLATE))


def amended(entry: FicheEntry, **fields: str) -> FicheEntry:
    return replace(entry, fields={**entry.fields, **fields}, version=entry.version + 1)


@pytest.fixture
def pages() -> tuple[str, str]:
    entry = make_entry()
    last = render(entry)
    new = render(replace(amended(entry, action="nouvelle action"), themes=("Emploi",)))
    return last, new


def test_untouched_page_takes_the_new_text(pages: tuple[str, str]) -> None:
    last, new = pages
    assert merge_page(last, last, new, TEMPLATE).text == new
    # MediaWiki strips trailing whitespace and stores \n newlines: still untouched.
    assert merge_page(last.replace("\n", "\r\n") + "\n\n", last, new, TEMPLATE).text == new


def test_human_text_below_the_template_survives(pages: tuple[str, str]) -> None:
    last, new = pages
    current = last.replace("}}\n", "}}\n" + HUMAN + "\n", 1) + "\n[[Catégorie:En bas]]"
    result = merge_page(current, last, new, TEMPLATE)
    assert result.conflicts == ()
    assert result.text is not None
    assert HUMAN in result.text
    assert result.text.endswith("[[Catégorie:En bas]]")
    assert "| action = action nouvelle action\n" not in result.text
    assert "| action = nouvelle action\n" in result.text
    assert "[[Category:Emploi]]" in result.text
    assert "[[Category:Logement]]" not in result.text


def test_human_edit_of_a_parameter_the_bot_keeps_is_kept(pages: tuple[str, str]) -> None:
    last, new = pages
    current = last.replace("| contexte = context texte", "| contexte = corrigé à la main")
    result = merge_page(current, last, new, TEMPLATE)
    assert result.text is not None
    assert "| contexte = corrigé à la main\n" in result.text
    assert "| action = nouvelle action\n" in result.text


def test_human_edit_of_a_parameter_the_bot_changes_is_a_conflict(pages: tuple[str, str]) -> None:
    last, new = pages
    current = last.replace("| action = action texte", "| action = version humaine")
    assert merge_page(current, last, new, TEMPLATE).text is None
    assert merge_page(current, last, new, TEMPLATE).conflicts == ("action",)


def test_same_change_on_both_sides_is_no_conflict(pages: tuple[str, str]) -> None:
    last, new = pages
    current = last.replace("| action = action texte", "| action = nouvelle action") + "\nx"
    result = merge_page(current, last, new, TEMPLATE)
    assert result.conflicts == ()
    assert result.text is not None and result.text.endswith("\nx")


def test_removed_parameter_is_a_conflict_when_the_bot_changes_it(pages: tuple[str, str]) -> None:
    last, new = pages
    current = last.replace("| action = action texte\n", "")
    assert merge_page(current, last, new, TEMPLATE).conflicts == ("action",)


def test_removed_template_is_a_conflict(pages: tuple[str, str]) -> None:
    last, new = pages
    current = last[last.index("}}\n") + 3 :]
    assert merge_page(current, last, new, TEMPLATE) == merge_page(current, last, new, TEMPLATE)
    assert merge_page(current, last, new, TEMPLATE).conflicts == ("template",)
    doubled = last + "\n" + last[: last.index("}}\n") + 2]
    assert merge_page(doubled, last, new, TEMPLATE).conflicts == ("template",)


def test_removed_markers_are_a_conflict(pages: tuple[str, str]) -> None:
    last, new = pages
    current = last.replace(begin_marker("categories") + "\n", "").replace(
        end_marker("categories"), ""
    )
    result = merge_page(current, last, new, TEMPLATE)
    assert result.text is None
    assert result.conflicts == ("section:categories",)


def test_human_edit_inside_a_bot_section(pages: tuple[str, str]) -> None:
    last, new = pages
    current = last.replace("* Alice\n", "* Alice (corrigé)\n")
    assert merge_page(current, last, new, TEMPLATE).text is not None  # bot keeps contributors
    entry = make_entry()
    newer = render(replace(entry, contributors=("Bob",)))
    assert merge_page(current, last, newer, TEMPLATE).conflicts == ("section:contributors",)


def test_template_name_is_matched_like_mediawiki(pages: tuple[str, str]) -> None:
    last, new = pages
    current = last.replace("{{Fiche d'expérience", "{{ modèle:fiche_d'expérience ", 1) + "\nx"
    result = merge_page(current, last, new, TEMPLATE)
    assert result.text is not None
    assert "| action = nouvelle action\n" in result.text


def test_new_text_without_the_template_is_refused(pages: tuple[str, str]) -> None:
    last, _ = pages
    with pytest.raises(ValueError):
        merge_page(last + "\nx", last, "pas de modèle", TEMPLATE)


fields = st.dictionaries(st.sampled_from(FIELD_KEYS), st.text(max_size=50), max_size=4)


@given(fields, fields)
def test_no_human_edit_gives_the_new_text(a: dict[str, str], b: dict[str, str]) -> None:
    last, new = render(make_entry(fields=a)), render(make_entry(fields=b))
    assert merge_page(last, last, new, TEMPLATE).text == new


@given(fields, fields, st.text(min_size=1, max_size=80), st.booleans())
def test_human_text_outside_owned_parts_is_preserved(
    a: dict[str, str], b: dict[str, str], human: str, at_end: bool
) -> None:
    paragraph = f"Note : {escape_wikitext(human)} (fin)."
    last, new = render(make_entry(fields=a)), render(make_entry(fields=b))
    if at_end:
        current = f"{last}\n\n{paragraph}"
    else:
        current = last.replace("}}\n", f"}}}}\n{paragraph}\n", 1)
    result = merge_page(current, last, new, TEMPLATE)
    assert result.conflicts == ()
    assert result.text is not None
    assert paragraph in result.text
    # Applying the same update again is a no-op: the merge is stable.
    assert merge_page(result.text, new, new, TEMPLATE).text == result.text
    assert normalise(result.text).replace(paragraph, "").replace("\n", "") == normalise(
        new
    ).replace("\n", "")


# -- privacy rebuilds (DESIGN §7): quotes and names leave the page over human edits ------

PRIVATE = ("excerpt", "contributors")


@pytest.fixture
def privacy() -> tuple[str, str]:
    """A page quoting and naming "Alice", then the rebuild without her (redaction)."""
    entry = make_entry()
    gone = replace(
        entry,
        contributors=("Personne 1", "texte", "Personne 2"),
        excerpt=entry.excerpt[1:],
    )
    return render(entry), render(gone)


def test_privacy_rebuild_removes_the_quote_over_a_human_edit_of_its_block(
    privacy: tuple[str, str],
) -> None:
    last, new = privacy
    assert "Bonjour texte" in last and "Alice" in last
    current = (
        last.replace("Bonjour texte", "Bonjour texte (cité par un humain)")
        .replace("* Personne 2", "* Personne 2\n* Contributeur ajouté")
        .replace("| contexte = context texte", "| contexte = corrigé à la main")
        + "\n"
        + HUMAN
    )
    assert merge_page(current, last, new, TEMPLATE).text is None  # ordinary: a conflict
    result = merge_page(current, last, new, TEMPLATE, bot_wins=PRIVATE)
    assert result.text is not None and result.conflicts == () and result.kept == ()
    assert "Bonjour texte" not in result.text and "Alice" not in result.text
    assert "Contributeur ajouté" not in result.text  # the bot's block, rebuilt whole
    assert "| contexte = corrigé à la main\n" in result.text  # elsewhere: humans keep theirs
    assert result.text.endswith(HUMAN)
    assert result.base is None  # nothing left in conflict: the base is the new text


def test_privacy_rebuild_keeps_other_conflicts_as_humans_left_them(
    privacy: tuple[str, str],
) -> None:
    last, new_private = privacy
    # The bot also changes `action` (an amendment not yet on the page) and the thread.
    new = new_private.replace("| action = action texte", "| action = nouvelle action")
    new = new.replace("Salon texte)", "Salon renommé)")
    current = (
        last.replace("| action = action texte", "| action = version humaine")
        .replace("Salon texte)", "Salon humain)")
        .replace("Bonjour texte", "Bonjour texte !")
    )
    result = merge_page(current, last, new, TEMPLATE, bot_wins=PRIVATE)
    assert result.text is not None
    assert result.kept == ("action", "section:thread")
    assert "Bonjour texte" not in result.text
    assert "| action = version humaine\n" in result.text and "Salon humain)" in result.text
    # The remembered base leaves those conflicts to the next ordinary update.
    assert result.base is not None
    again = merge_page(result.text, result.base, new, TEMPLATE)
    assert again.text is None and again.conflicts == ("action", "section:thread")


def test_privacy_rebuild_of_a_removed_or_duplicated_block(privacy: tuple[str, str]) -> None:
    last, new = privacy
    begin, end = begin_marker("excerpt"), end_marker("excerpt")
    start, stop = last.index(begin), last.index(end) + len(end)
    removed = last[:start] + "Texte humain à la place." + last[stop:]
    result = merge_page(removed, last, new, TEMPLATE, bot_wins=PRIVATE)
    assert result.text is not None and result.kept == ()
    assert "Bonjour texte" not in result.text and begin not in result.text  # stays removed
    assert "Texte humain à la place." in result.text

    block = last[start:stop]
    duplicated = last + "\n\n" + block
    result = merge_page(duplicated, last, new, TEMPLATE, bot_wins=PRIVATE)
    assert result.text is not None
    assert "Bonjour texte" not in result.text
    assert result.text.count(begin) == 1


def test_privacy_rebuild_over_a_broken_template_still_rebuilds_the_blocks(
    privacy: tuple[str, str],
) -> None:
    last, new = privacy
    current = last.replace("{{Fiche d'expérience", "{{Autre modèle", 1)
    assert merge_page(current, last, new, TEMPLATE).conflicts == ("template",)
    result = merge_page(current, last, new, TEMPLATE, bot_wins=PRIVATE)
    assert result.text is not None and result.kept == ("template",)
    assert "Bonjour texte" not in result.text and "{{Autre modèle" in result.text


def test_privacy_rebuild_that_changes_nothing_gives_the_page_back(
    privacy: tuple[str, str],
) -> None:
    _, new = privacy
    current = new + "\n" + HUMAN
    result = merge_page(current, new, new, TEMPLATE, bot_wins=PRIVATE)
    assert result.text is not None and normalise(result.text) == normalise(current)
