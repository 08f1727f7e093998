from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.hostile_inputs import HOSTILE_INPUTS
from tests.unit.wiki_sync.inert import markup_triggers
from wiki_sync.escape import clean_text, escape_inline, escape_wikitext, escape_wikitext_links

MARKUP_ALPHABET = st.sampled_from(
    [
        *"{}[]|<>~_=!:;*#-' \"&/\n\t\r\x7f\u202e\u00a0\u037e\u0338",
        "ISBN",
        "RFC",
        "PMID",
        "http",
        "1",
    ]
)
markup_text = st.lists(MARKUP_ALPHABET, max_size=40).map("".join)
any_text = st.one_of(st.text(), markup_text)


def unescaped(escaped: str) -> str:
    return html.unescape(escaped.replace("<br />\n", "\n"))


def test_hostile_inputs_are_many_and_named_uniquely() -> None:
    names = [name for name, _ in HOSTILE_INPUTS]
    assert len(names) >= 40
    assert len(set(names)) == len(names)


@pytest.mark.parametrize(("name", "text"), HOSTILE_INPUTS, ids=[n for n, _ in HOSTILE_INPUTS])
def test_hostile_input_is_inert_and_readable(name: str, text: str) -> None:
    escaped = escape_wikitext(text)
    assert markup_triggers(escaped) == []
    assert unescaped(escaped) == clean_text(text)
    inline = escape_inline(text)
    assert "\n" not in inline
    assert markup_triggers(inline) == []


@given(any_text)
def test_escaped_text_never_holds_a_trigger(text: str) -> None:
    assert markup_triggers(escape_wikitext(text)) == []
    assert markup_triggers(escape_inline(text)) == []


@given(any_text)
def test_escape_only_changes_the_spelling(text: str) -> None:
    # Decoding the entities gives back the cleaned text: nothing is lost or added.
    assert unescaped(escape_wikitext(text)) == clean_text(text)


@given(any_text, any_text)
def test_escape_is_injective_on_cleaned_text(a: str, b: str) -> None:
    if clean_text(a) != clean_text(b):
        assert escape_wikitext(a) != escape_wikitext(b)


@given(any_text)
def test_clean_text_is_idempotent(text: str) -> None:
    assert clean_text(clean_text(text)) == clean_text(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{x}}", "&#123;&#123;x&#125;&#125;"),
        ("a | b = c", "a &#124; b &#61; c"),
        ("~~~~", "&#126;&#126;&#126;&#126;"),
        ("__NOTOC__", "_&#95;NOTOC_&#95;"),
        ("https://x.org", "https&#58;//x.org"),
        ("ISBN 97", "ISB&#78; 97"),
        ("rfc 1", "rf&#99; 1"),
        ("* a", "&#42; a"),
        ("# a", "&#35; a"),
        ("----", "&#45;---"),
        ("l'été", "l&#39;été"),
        ("<b>", "&#60;b&#62;"),
        ("&amp;", "&#38;amp&#59;"),
    ],
)
def test_known_escapes(text: str, expected: str) -> None:
    assert escape_wikitext(text) == expected


def test_newline_policy() -> None:
    text = "  premier\r\nsecond  \n\n\n\n* troisième\n \n"
    assert escape_wikitext(text) == "premier<br />\nsecond\n\n&#42; troisième"
    assert escape_inline("a\n\n b\tc") == "a b c"


def test_invisible_and_invalid_characters() -> None:
    assert clean_text("a\x00b\u202ec\ud800d\ufffe") == "abc\ufffdd\ufffd"
    assert clean_text("a\u037e") == "a;"  # NFC before escaping
    assert escape_wikitext("a\u037e") == "a&#59;"
    assert escape_wikitext("") == ""


_LINK = re.compile(r"\[(https?://[^\]\s]*) ([^\]]*)\]")
url_text = st.lists(
    st.one_of(MARKUP_ALPHABET, st.sampled_from(["https://", "http://ex.org/", ".", ")", "("])),
    max_size=40,
).map("".join)


@given(st.one_of(any_text, url_text))
def test_links_are_the_only_markup_of_the_resources_field(text: str) -> None:
    escaped = escape_wikitext_links(text)
    for url, label in _LINK.findall(escaped):
        assert re.fullmatch(r"https?://[A-Za-z0-9%/:?=&#@$()*+,_.\-]+", url), url
        assert "__" not in url and "--" not in url
        assert markup_triggers(label) == []
    assert markup_triggers(_LINK.sub("L", escaped)) == []  # a link stands for plain text
    # Readers see the text as written: the labels are the addresses.
    assert unescaped(_LINK.sub(lambda m: m.group(2), escaped)) == clean_text(text)


def test_resources_keep_their_addresses_as_links() -> None:
    text = "Guide : https://exemple.fr/guide_v2.pdf, et la charte (https://ex.org/a?b=1)."
    assert escape_wikitext_links(text) == (
        "Guide &#58; [https://exemple.fr/guide_v2.pdf https&#58;//exemple.fr/guide_v2.pdf], "
        "et la charte ([https://ex.org/a?b=1 https&#58;//ex.org/a?b&#61;1])."
    )
    assert escape_wikitext_links("https://x.org/__TOC__") == (
        "[https://x.org/_%5FTOC_%5F https&#58;//x.org/_&#95;TOC_&#95;]"
    )
    assert escape_wikitext_links("ftp://x.org") == "ftp&#58;//x.org"
