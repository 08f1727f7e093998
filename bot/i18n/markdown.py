"""Catalogue messages are Markdown; a notice carries it as HTML and as readable plain text.

Why two renderings: Matrix clients show `formatted_body` (bold field names, lists), while
notifications, bridges and text-only clients show `body`, which must read well without
any `**`. Rules that keep people's words safe:

- Only the catalogue (and code that builds a `Rich` on purpose) writes Markdown. Every
  value interpolated into a message is escaped first (`escape`): whatever a person typed
  (`**`, `[x](y)`, `<b>`, `# `, `1.`, `&amp;`…) is shown as typed, never as markup.
- Raw HTML is off (`html=False`) and bare URLs are not linkified: a link exists only where
  the catalogue writes one. Clients linkify URLs in text themselves.
- The plain text is the template's own plain rendering with the raw values put in, so a
  value is in `body` exactly as it was given.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

BULLET = "•"
_MD = (
    MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
    .enable("strikethrough")
    .disable("image")
)
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation may be escaped
_NEWLINES = re.compile(r"\r\n?")
_LINE_INDENT = re.compile(r"(^|\n)[ \t]+")  # indentation would start a code block
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")  # a blank line would leave the list item
_SENTINEL = 0xE000  # private-use characters stand for placeholders while rendering plain


@dataclass(frozen=True, slots=True)
class Rich:
    """A message as Markdown (for HTML) and as plain text, built together."""

    markdown: str
    plain: str

    @classmethod
    def text(cls, value: str) -> Rich:
        """Someone's words: escaped, shown exactly as written."""
        return cls(escape(value), value)

    def html(self) -> str:
        return render_html(self.markdown)

    def __add__(self, other: Rich) -> Rich:
        return Rich(self.markdown + other.markdown, self.plain + other.plain)


def escape(value: str) -> str:
    """`value` as Markdown that renders as `value`: punctuation backslash-escaped; line
    indents, blank lines and line breaks at either end dropped (they would make code
    blocks, end a list item or leave it empty)."""
    value = _NEWLINES.sub("\n", value).replace("\x00", "")
    value = _BLANK_LINES.sub("\n", _LINE_INDENT.sub(r"\1", value)).strip("\n")
    return _PUNCTUATION.sub(r"\\\1", value)


def join(parts: Iterable[Rich], separator: str = "\n") -> Rich:
    """Parts joined by a plain separator (a newline, a blank line, « , »)."""
    items = list(parts)
    sep = escape(separator) if separator.strip() else separator
    return Rich(sep.join(p.markdown for p in items), separator.join(p.plain for p in items))


def bullets(items: Sequence[Rich]) -> Rich:
    """A bulleted list (« • » in plain text); an empty list is empty. Its Markdown ends
    with a line break, so a line joined after it is a paragraph, not part of the last item."""
    markdown = "".join(f"- {item.markdown}\n" for item in items)
    plain = "\n".join(f"{BULLET} {item.plain}" for item in items)
    return Rich(markdown, plain)


def code_block(lines: Sequence[str]) -> Rich:
    """Text to copy as it is (a template, a draft): a code block, shown verbatim in HTML
    too. Its fence is longer than any run of backticks in the text, so none ends it."""
    plain = "\n".join(lines)
    text = _NEWLINES.sub("\n", plain)  # a lone CR is a line break to Markdown too
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return Rich(f"{fence}\n{text}\n{fence}", plain)


def render_html(markdown: str) -> str:
    """HTML of catalogue Markdown; one paragraph comes without its `<p>` (it follows a
    mention on the same line)."""
    rendered = str(_MD.render(markdown)).strip()
    rendered = rendered.replace("<s>", "<del>").replace("</s>", "</del>")
    inner = rendered[3:-4]
    if rendered.startswith("<p>") and rendered.endswith("</p>") and "<p>" not in inner:
        return inner
    return rendered


def lead_html(lead: str, body_html: str) -> str:
    """`lead` (a mention and « : ») put before a rendered body, inside its first paragraph."""
    if body_html.startswith("<p>"):
        return f"<p>{lead}{body_html[3:]}"
    return lead + body_html


# --- plain text ------------------------------------------------------------------------------


def to_plain(markdown: str) -> str:
    """Markdown as people read it in plain text: no `**`, « • » bullets, numbered items."""
    return _Plain().render(_MD.parse(markdown)).strip("\n")


class _Plain:
    """Walks markdown-it's tokens; blocks are separated by a blank line, in lists by a newline."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [next number] or [] for bullets
        self.item_start = False  # a list item's bullet was just written

    def render(self, tokens: Sequence[Token]) -> str:
        for token in tokens:
            self._block(token)
        return "".join(self.out)

    def _newline_block(self) -> None:
        text = "".join(self.out)
        if not text:
            return
        want = "\n" if self.lists else "\n\n"  # list items read better without gaps
        trailing = len(text) - len(text.rstrip("\n"))
        if trailing < len(want):
            self.out.append("\n" * (len(want) - trailing))

    def _block(self, token: Token) -> None:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            self._newline_block()
            start = int(token.attrGet("start") or 1) if kind == "ordered_list_open" else None
            self.lists.append([] if start is None else [start])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            self._start_line()
            indent = "  " * (len(self.lists) - 1)
            numbers = self.lists[-1]
            if numbers:
                self.out.append(f"{indent}{numbers[0]}. ")
                numbers[0] += 1
            else:
                self.out.append(f"{indent}{BULLET} ")
            self.item_start = True
        elif kind in ("paragraph_open", "heading_open", "blockquote_open", "hr"):
            if not (token.hidden or self.item_start):
                self._newline_block()
            self.item_start = False
            if kind == "hr":
                self.out.append("———")
        elif kind == "inline":
            self._inline(token.children or [])
            self.item_start = False
        elif kind in ("fence", "code_block"):
            if not self.item_start:
                self._newline_block()
            self.item_start = False
            self.out.append(token.content.rstrip("\n"))

    def _start_line(self) -> None:
        text = "".join(self.out)
        if text and not text.endswith("\n"):
            self.out.append("\n")

    def _inline(self, children: Sequence[Token]) -> None:
        href: list[str] = []
        link_text: list[str] = []
        for child in children:
            if child.type in ("text", "code_inline"):
                (link_text if href else self.out).append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                # a list item's next lines stay under its text
                (link_text if href else self.out).append("\n" + "  " * len(self.lists))
            elif child.type == "link_open":
                href.append(str(child.attrGet("href") or ""))
            elif child.type == "link_close":
                text = "".join(link_text)
                target = href.pop()
                self.out.append(text if text == target or not target else f"{text} ({target})")
                link_text.clear()


# --- templates ---------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def plain_template(template: str) -> str:
    """The plain rendering of a catalogue template, placeholders kept: `str.format`-able."""
    fields: list[str] = []
    source: list[str] = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        source.append(literal)
        if name is not None:
            field = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            source.append(chr(_SENTINEL + len(fields)))
            fields.append("{" + field + "}")
    text = "".join(source)
    body = text.strip()
    # Fragments (« (depuis le …) ») keep the spaces that join them to the sentence.
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    plain = lead + to_plain(body) + trail if body else text
    plain = plain.replace("{", "{{").replace("}", "}}")
    for n, field in enumerate(fields):
        plain = plain.replace(chr(_SENTINEL + n), field)
    return plain
