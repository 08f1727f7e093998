"""What `!chercher réseau` sends to the network wiki's search (plain words and prefixes,
never an operator), and how it reads a fiche page back (issue 18)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.knowledge.network_query import (
    MAX_SINGLE,
    MAX_WORDS,
    parse_fiche,
    plain,
    query_words,
    same_centre,
    search_strings,
    search_term,
)
from wiki_sync.escape import clean_text, escape_wikitext
from wiki_sync.mapping import WikiMapping
from wiki_sync.render import FicheEntry, render_page, render_withdrawal

#: one search string: words of letters or digits, each perhaps ending in `*`, one space
PLAIN_STRING = re.compile(r"[^\W_]+\*?(?: [^\W_]+\*?)*")


def test_a_french_question_becomes_its_content_words_as_prefixes() -> None:
    question = "Comment mobiliser les résidents d'un QPV pour un diagnostic en marchant ?"
    assert query_words(question) == ["mobiliser", "résidents", "qpv", "diagnostic", "marchant"]
    strings = search_strings(question)
    # every word at once first (the pages with all of them), then each alone, longest first
    assert strings[0] == "mobilis* résident* qpv diagnostic* march*"
    assert strings[1:] == ["diagnostic*", "résident*", "mobilis*", "march*"]


def test_a_stem_that_is_no_prefix_of_its_word_sends_the_word() -> None:
    assert search_term("payer") == "payer"  # Snowball: « pai »
    assert search_term("jardins") == "jardin*"
    assert search_term("qpv") == "qpv"


def test_one_word_is_one_string_and_no_word_none() -> None:
    assert search_strings("les jardins ?") == ["jardin*"]
    assert search_strings("comment faire pour les ?") == []
    assert search_strings("") == []


def test_search_operators_and_markup_do_not_reach_the_wiki() -> None:
    hostile = '-jardin "marche" intitle:x incategory:Y [[Catégorie:Z]] {{M}} <b>b</b> a*b +c ~d'
    strings = search_strings(hostile)
    assert strings, strings
    for string in strings:
        assert PLAIN_STRING.fullmatch(string), string
        assert not set(string) & set('-"+~<>[]{}|:=')


@given(st.text(max_size=400))
def test_any_question_gives_only_plain_words(question: str) -> None:
    strings = search_strings(question)
    assert len(strings) <= 1 + MAX_SINGLE
    for string in strings:
        assert PLAIN_STRING.fullmatch(string), string
        assert len(string.split()) <= MAX_WORDS


def _entry(centre: str, **fields: str) -> FicheEntry:
    values = {"title": "Jardin partagé", "action": "Un jardin au pied des immeubles."}
    values.update(fields)
    return FicheEntry(
        case_id=7,
        fields=values,
        themes=("Cadre de vie",),
        territory="Essonne",
        contributors=("Alice",),
        excerpt=(),
        thread_url="https://matrix.to/#/!room:localhost/$event",
        room_label="Salon",
        room_kind="function",
        extra_categories=(),
        approved_by="Mona",
        approved_at=datetime(2026, 3, 2, tzinfo=UTC),
        version=2,
        centre=centre,
    )


def test_a_rendered_fiche_reads_back_with_its_centre_case_and_fields() -> None:
    mapping = WikiMapping()
    text = render_page(_entry("crpv-b", lessons="Le samedi [[marche]] mieux : {{oui}}."))
    fiche = parse_fiche("Jardin partagé (fiche crpv-b 7)", text, mapping)
    assert fiche is not None
    assert (fiche.centre, fiche.case) == ("crpv-b", "7")
    assert fiche.fields["title"] == "Jardin partagé"
    assert fiche.fields["lessons"] == "Le samedi [[marche]] mieux : {{oui}}."
    assert fiche.fields["territory"] == "Essonne"


def test_a_wiki_with_its_own_template_and_parameter_names() -> None:
    mapping = WikiMapping(
        template="Modèle:Retour d'expérience",
        parameters={"centre": "structure", "title": "intitule", "case": "numero"},
    )
    text = render_page(_entry("crpv-c"), mapping=mapping)
    fiche = parse_fiche("Jardin partagé", text, mapping)
    assert fiche is not None and fiche.centre == "crpv-c" and fiche.case == "7"
    assert fiche.fields["title"] == "Jardin partagé"
    # read with the default names, the same page is no fiche
    assert parse_fiche("Jardin partagé", text, WikiMapping()) is None


def test_pages_that_are_no_fiche() -> None:
    mapping = WikiMapping()
    assert parse_fiche("Retirée", render_withdrawal("Jardin", 7), mapping) is None
    assert parse_fiche("Accueil", "Bienvenue sur le wiki du réseau.", mapping) is None
    assert parse_fiche("Vide", "", mapping) is None
    called = "{{modèle:Fiche_d'expérience|centre=crpv-d|titre=Écrit à la main}}"
    fiche = parse_fiche("À la main", called, mapping)
    assert fiche is not None and fiche.centre == "crpv-d"
    assert fiche.fields["title"] == "Écrit à la main"


def test_a_centre_parameter_someone_bloated_is_one_short_line() -> None:
    text = "{{Fiche d'expérience|centre=" + "x\n" * 100 + "}}"
    fiche = parse_fiche("P", text, WikiMapping())
    assert fiche is not None
    assert "\n" not in fiche.centre and len(fiche.centre) <= 32


@given(st.text(max_size=300))
def test_an_escaped_field_reads_back_as_the_text_typed(text: str) -> None:
    assert plain(escape_wikitext(text)) == " ".join(clean_text(text).split())


def test_centres_compare_without_case_or_accents_and_empty_is_nobody() -> None:
    assert same_centre("CRPV-A", "crpv-a")
    assert same_centre("crpv-é", "crpv-e")
    assert not same_centre("crpv-b", "crpv-a")
    assert not same_centre("", "")
