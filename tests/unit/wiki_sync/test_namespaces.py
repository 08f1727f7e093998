"""A fiche title never names a namespace of the wiki it is published on.

``siteinfo_capiwiki.json`` is the siteinfo (namespaces, aliases, interwiki map) of the
devstack's French wiki "Capiwiki", as MediaWiki 1.39 answers it: its project namespace
is "Capiwiki" and its talk "Discussion Capiwiki", names no fixed list can know.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wiki_sync.client import EditResult
from wiki_sync.errors import TitleError
from wiki_sync.namespaces import INTERWIKI, SiteNamespaces
from wiki_sync.titles import is_valid_title, page_title_from
from wiki_sync.writer import PageWriter

SITEINFO: dict[str, Any] = json.loads(
    (Path(__file__).parent / "siteinfo_capiwiki.json").read_text(encoding="utf-8")
)
SITE = SiteNamespaces.from_siteinfo(SITEINFO)


@pytest.mark.parametrize(
    ("title", "ns"),
    [
        ("Discussion Capiwiki:Règles", 5),
        ("discussion_capiwiki : Règles", 5),  # MediaWiki ignores case, "_" and blanks
        ("DISCUSSION  CAPIWIKI:x", 5),
        ("Capiwiki:x", 4),
        ("Project:x", 4),
        ("Project talk:x", 5),
        ("Image:x", 6),  # an alias
        ("Discussion Image:x", 7),
        ("Utilisatrice:x", 2),
        (":Catégorie:x", 14),
        ("wikipedia:x", INTERWIKI),
        ("Projet:x", 0),  # no such namespace on this wiki
        ("Mon avis: super", 0),
        ("Sans deux-points", 0),
    ],
)
def test_the_wiki_names_its_namespaces(title: str, ns: int) -> None:
    assert SITE.sitename == "Capiwiki"
    assert SITE.namespace_of(title) == ns


@pytest.mark.parametrize(
    ("wanted", "made"),
    [
        ("Discussion Capiwiki:Règles", "Discussion Capiwiki∶Règles"),
        ("discussion capiwiki : règles", "Discussion capiwiki ∶ règles"),
        ("Capiwiki:x", "Capiwiki∶x"),
        ("Projet:x", "Projet∶x"),  # one word: could be an interwiki added later
        ("Image:x", "Image∶x"),
        ("Discussion Capiwiki:Project talk:x", "Discussion Capiwiki∶Project talk:x"),
        ("Mon avis: super", "Mon avis: super"),  # not a namespace: left as written
    ],
)
def test_a_namespace_prefix_is_neutralised(wanted: str, made: str) -> None:
    assert page_title_from(wanted, SITE.prefixes) == made
    assert SITE.namespace_of(made) == 0
    assert is_valid_title(made, SITE.prefixes)


def test_without_the_siteinfo_the_site_name_is_unknown() -> None:
    """Why the siteinfo is needed: the fixed list cannot know the project's name."""
    assert page_title_from("Discussion Capiwiki:Règles") == "Discussion Capiwiki:Règles"


def test_admin_aliases_and_formatversion_1_are_read() -> None:
    site = SiteNamespaces.from_siteinfo(
        {
            "namespaces": {"4": {"id": 4, "*": "Capiwiki", "canonical": "Project"}},
            "namespacealiases": [{"id": 12, "*": "Guide pratique"}, {"id": 4, "*": "WP"}],
            "interwikimap": [{"prefix": "fr wiki"}],
        }
    )
    assert site.namespace_of("guide_pratique:x") == 12
    assert site.namespace_of("WP:x") == 4
    assert site.namespace_of("Fr_Wiki:x") == INTERWIKI
    for wanted in ("Guide pratique:x", "Fr wiki:x", "Capiwiki:x"):
        assert site.namespace_of(page_title_from(wanted, site.prefixes)) == 0


NAMES = [*SITE.names, *SITE.interwiki, "Projet", "Mon avis", "a b c"]


@given(
    st.lists(st.sampled_from(NAMES), min_size=1, max_size=3),
    st.sampled_from([":", " : ", "_:_", "::"]),
    st.text(max_size=20),
    st.sampled_from(["", ":", " "]),
)
def test_no_made_title_lands_outside_main(
    names: list[str], colon: str, tail: str, lead: str
) -> None:
    wanted = lead + colon.join(n.swapcase() if len(n) % 2 else n for n in names) + colon + tail
    try:
        title = page_title_from(wanted, SITE.prefixes)
    except TitleError:
        return
    assert SITE.namespace_of(title) == 0


class _Wiki:
    """Stands in for a wiki that moved the page into a namespace behind our back:
    `main_title` would have caught it, so only `_created`'s check is left."""

    def namespaces(self) -> SiteNamespaces:
        return SITE


def test_a_page_reported_outside_main_is_a_refused_title() -> None:
    writer = PageWriter(_Wiki(), "Fiche")  # type: ignore[arg-type]
    with pytest.raises(TitleError) as info:
        writer._created(EditResult("Discussion Capiwiki:Règles", 5, None, False), "texte")
    assert info.value.code == "namespace"
    written = writer._created(EditResult("Règles", 5, None, False), "texte")
    assert (written.title, written.action) == ("Règles", "created")


def test_prefixes_are_the_wikis_own_only() -> None:
    """No built-in list: a French namespace name is no namespace on an English wiki, so a
    title there keeps its colon; on the French wiki the same title is neutralised."""
    english = SiteNamespaces.from_siteinfo(
        {
            "general": {"sitename": "Casewiki"},
            "namespaces": [
                {"id": 0, "name": ""},
                {"id": 10, "name": "Template", "canonical": "Template"},
                {"id": 11, "name": "Template talk", "canonical": "Template talk"},
                {"id": 4, "name": "Casewiki", "canonical": "Project"},
            ],
        }
    )
    assert "Discussion modèle" not in english.prefixes
    assert page_title_from("Discussion modèle: x", english.prefixes) == "Discussion modèle: x"
    assert page_title_from("Template talk: x", english.prefixes) == "Template talk∶ x"
    assert page_title_from("Discussion modèle: x", SITE.prefixes) == "Discussion modèle∶ x"
