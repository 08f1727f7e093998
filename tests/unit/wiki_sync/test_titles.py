from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.hostile_inputs import HOSTILE_INPUTS
from wiki_sync.errors import TitleError
from wiki_sync.titles import MAX_TITLE_BYTES, disambiguate, is_valid_title, page_title_from

TITLE_ALPHABET = st.sampled_from(
    [
        *"#<>[]|{}_%&;:./~ \t\n\x00\x7f\u202e\u200b\ufffd\u00a0\u3000aAé09",
        "Category:",
        "Catégorie :",
        "Talk:",
        "User talk:",
        "w:",
        "../",
        "&amp;",
        "%2F",
        "&#35;",
    ]
)
title_text = st.one_of(st.text(), st.lists(TITLE_ALPHABET, max_size=30).map("".join))


def mediawiki_refuses(title: str) -> bool:
    """Independent restatement of MediaWikiTitleCodec's rules for the main namespace."""
    dbkey = title.replace(" ", "_")
    return bool(
        not title
        or re.search(r"[#<>\[\]|{}\x00-\x1f\x7f\ufffd]", title)
        or re.search(r"%[0-9A-Fa-f]{2}", title)
        or re.search(r"&[A-Za-z0-9\x80-\U0010ffff]+;", title)
        or "~~~" in title
        or title.startswith((":", " "))
        or title.endswith(" ")
        or len(dbkey.encode()) > 255
        or dbkey in (".", "..")
        or dbkey.startswith(("./", "../"))
        or "/./" in dbkey
        or "/../" in dbkey
        or dbkey.endswith(("/.", "/.."))
    )


@given(title_text)
def test_title_is_valid_or_refused_with_a_reason(text: str) -> None:
    try:
        title = page_title_from(text)
    except TitleError as err:
        assert err.reason
        assert err.code in {"empty", "no_alnum"}
        return
    assert is_valid_title(title)
    assert not mediawiki_refuses(title)
    assert page_title_from(title) == title  # stable: a second pass changes nothing
    assert unicodedata.normalize("NFC", title) == title


@pytest.mark.parametrize(("name", "text"), HOSTILE_INPUTS, ids=[n for n, _ in HOSTILE_INPUTS])
def test_hostile_titles(name: str, text: str) -> None:
    try:
        title = page_title_from(text)
    except TitleError:
        return
    assert is_valid_title(title) and not mediawiki_refuses(title)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jardins partagés", "Jardins partagés"),
        ("  Jardins   partagés_2024 ", "Jardins partagés 2024"),
        ("Catégorie:Spam", "Catégorie∶Spam"),
        ("category : Spam", "Category ∶ Spam"),
        ("Discussion utilisateur:Bob", "Discussion utilisateur∶Bob"),
        ("w:Paris", "W∶Paris"),
        (":Accueil", "Accueil"),
        ("Jardins partagés : retour", "Jardins partagés : retour"),
        ("a [b] {c} <d> e|f #g", "A (b) (c) ‹d› e-f ＃g"),
        ("Hausse de 20%AB", "Hausse de 20％AB"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("x &foo; y", "X ＆foo; y"),
        ("sign ~~~~", "Sign ~~"),
        ("../secret", "․․/secret"),
        ("a/./b", "A/․/b"),
        ("\u202eadmin\x00", "Admin"),
        ("ßtraße", "SStraße"),  # what MediaWiki 1.39 on PHP 8 answers
        ("ﬁn", "FIn"),
    ],
)
def test_repairs(raw: str, expected: str) -> None:
    assert page_title_from(raw) == expected


@pytest.mark.parametrize(("raw", "code"), [("", "empty"), (" :: ", "empty"), ("...", "no_alnum")])
def test_refusals(raw: str, code: str) -> None:
    with pytest.raises(TitleError) as info:
        page_title_from(raw)
    assert info.value.code == code


def test_custom_namespace_prefixes() -> None:
    assert page_title_from("Mon Wiki:Accueil", ["Mon wiki"]) == "Mon Wiki∶Accueil"
    assert page_title_from("Mon Wiki:Accueil") == "Mon Wiki:Accueil"


def test_length_is_cut_on_a_character_boundary() -> None:
    title = page_title_from("é" * 300)
    assert len(title.encode()) <= MAX_TITLE_BYTES
    assert title == "É" + "é" * 126


def test_disambiguate() -> None:
    taken = {"Jardins", "Jardins (fiche 12)", "Jardins (fiche 12-2)"}
    assert disambiguate("Libre", taken.__contains__, 12) == "Libre"
    assert disambiguate("Jardins", taken.__contains__, 12) == "Jardins (fiche 12-3)"


@given(st.text(min_size=1, max_size=300), st.integers(min_value=1, max_value=10**9))
def test_disambiguated_title_fits(text: str, case_id: int) -> None:
    try:
        title = page_title_from(text)
    except TitleError:
        return
    result = disambiguate(title, lambda t: t == title, case_id)
    assert result != title
    assert result.endswith(f" (fiche {case_id})")
    assert len(result.encode()) <= MAX_TITLE_BYTES
    assert is_valid_title(result)


def test_disambiguate_gives_up() -> None:
    with pytest.raises(TitleError) as info:
        disambiguate("X", lambda _: True, 1)
    assert info.value.code == "exhausted"
