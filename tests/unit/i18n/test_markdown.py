"""Catalogue Markdown: HTML for clients, readable plain text, and people's words kept as
typed — never turned into markup, links or tags (property-tested with hostile text)."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import Translator
from bot.i18n.markdown import (
    Rich,
    bullets,
    code_block,
    escape,
    lead_html,
    plain_template,
    render_html,
    to_plain,
)
from tests.hostile_inputs import HOSTILE_INPUTS

TAG = re.compile(r"<[^>]*>")


def _visible(markup: str) -> str:
    """What a client shows of HTML, whitespace folded (Markdown folds it too)."""
    return " ".join(html.unescape(TAG.sub(" ", markup)).split())


def _folded(text: str) -> str:
    return " ".join(text.replace("\x00", "").split())


MARKDOWN_ATTACKS = [
    "**gras** _it_ `code` ~~barré~~",
    "[lien](https://evil.example) <https://evil.example> ![img](x.png)",
    "<b>html</b> <script>alert(1)</script> &amp; &lt;",
    "# titre\n- liste\n1. numérotée\n> citation\n\n    code indenté\n---",
    "fin de ligne\\\nsuite  \navec espaces",
    "\r\n\r\n| a | b |\n|---|---|",
    *(text for _, text in HOSTILE_INPUTS),
]


@given(st.one_of(st.text(), st.sampled_from(MARKDOWN_ATTACKS)))
def test_a_value_is_shown_as_typed_and_never_becomes_markup(text: str) -> None:
    tr = Translator("fr", strict=True)
    rich = tr.rich("review.field", field="Contexte", value=text)
    assert rich.plain == f"Contexte : {text}"  # the plain body has the words exactly
    markup = rich.html()
    prefix = "<strong>Contexte</strong> :"
    assert markup.startswith(prefix)
    rest = markup[len(prefix) :].replace("<br />", "")
    assert "<" not in rest  # no tag at all came from the value: no link, no bold, no list
    assert _folded(html.unescape(rest)) == _folded(text)


@given(st.lists(st.one_of(st.text(), st.sampled_from(MARKDOWN_ATTACKS)), max_size=4))
def test_list_items_keep_their_words_and_their_list(items: list[str]) -> None:
    rich = bullets([Rich.text(item) for item in items])
    markup = rich.html() if items else ""
    assert markup.count("<li>") == len(items)
    assert set(re.findall(r"</?(\w+)", markup)) <= {"ul", "li", "br"}
    assert _visible(markup) == _folded(" ".join(items))
    assert rich.plain == "\n".join(f"• {item}" for item in items)


def test_escape_neutralises_block_and_inline_syntax() -> None:
    assert render_html(escape("# x\n- y\n1. z")) == "# x<br />\n- y<br />\n1. z"
    assert render_html(escape("a\n\n    b")) == "a<br />\nb"  # no code block, no new paragraph
    assert render_html(escape("&amp; <i>")) == "&amp;amp; &lt;i&gt;"


def test_plain_text_reads_without_markup() -> None:
    source = "**Titre** : x\n\n- a **b**\n- c\nsuite\n\n1. un\n2. deux\n\n[lien](https://x.org)"
    assert to_plain(source) == (
        "Titre : x\n\n• a b\n• c\n  suite\n\n1. un\n2. deux\n\nlien (https://x.org)"
    )


def test_templates_keep_placeholders_braces_and_the_spaces_of_fragments() -> None:
    assert plain_template(" (depuis {date})") == " (depuis {date})"
    assert plain_template("**{field}** : {value!r:>3}") == "{field} : {value!r:>3}"
    assert plain_template("{{littéral}} {n}. suite") == "{{littéral}} {n}. suite"
    assert plain_template("- {a}\n- {b}") == "• {a}\n• {b}"


def test_one_paragraph_follows_a_mention_on_its_line() -> None:
    assert render_html("**a** b") == "<strong>a</strong> b"
    assert lead_html("<a>x</a>: ", "<p>un</p>\n<ul><li>deux</li></ul>") == (
        "<p><a>x</a>: un</p>\n<ul><li>deux</li></ul>"
    )
    assert render_html("~~old~~") == "<del>old</del>"


@given(st.lists(st.one_of(st.text(), st.sampled_from(["```", "````end", "~~~", "**x**"]))))
def test_a_code_block_shows_any_draft_verbatim(lines: list[str]) -> None:
    """The prompt's draft quotes the exchange: no backtick run in it ends its block."""
    rich = code_block(lines)
    markup = render_html(rich.markdown)
    assert markup.startswith("<pre><code>") and markup.endswith("</code></pre>")
    inner = markup.removeprefix("<pre><code>").removesuffix("</code></pre>")
    assert "<" not in inner
    expected = "\n".join(lines).replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    assert html.unescape(inner) == expected + "\n"
    assert rich.plain == "\n".join(lines)
