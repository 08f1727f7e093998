"""Pages that ``capibot wiki setup`` writes, and what it does to each on a live wiki.

The texts are a pure function of the configuration (`WikiMapping`), so the live writer
can skip a page whose current text is equal: running setup twice changes nothing. On a
wiki that already exists, a page someone else edited last is left alone unless forced
(`decide`): a centre's own template or category text is never replaced by surprise.
Titles use canonical namespace names (``Template:``, ``Category:``), valid on a wiki of
any language.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wiki_sync.escape import escape_inline
from wiki_sync.labels import catalogue, label
from wiki_sync.mapping import DEFAULT_PARAMETERS, FIELD_KEYS, KIND_LABELS, WikiMapping
from wiki_sync.merge import normalise
from wiki_sync.render import CentreLink
from wiki_sync.titles import page_title_from
from wiki_sync.writer import PageWriter

if TYPE_CHECKING:
    from wiki_sync.client import PageState, WikiClient

# kind -> label key of its default parent category name
KINDS: tuple[tuple[str, str], ...] = tuple(KIND_LABELS.items())

_INFOBOX_ROWS = ("territory", "themes", "room", "case", "version", "approved_by", "approved_on")
_LONG_FIELDS = ("context", "action", "results", "lessons", "resources")


def _caption(text: Mapping[str, str], key: str) -> str:
    """The row heading of a parameter: the label of our parameter of the same key."""
    return text[f"param.{DEFAULT_PARAMETERS[key]}"]


def _template(text: Mapping[str, str], doc_title: str, mapping: WikiMapping) -> str:
    title = mapping.param("title")
    rows = [
        '<includeonly>{| class="wikitable capibot-fiche" style="float:right; clear:right;'
        ' margin:0 0 1em 1em; width:22em;"',
        f"|+ {{{{{{{title}|}}}}}}",
    ]
    for key in _INFOBOX_ROWS:
        param = mapping.param(key)
        rows += [
            "|-",
            f"! {_caption(text, key)}",
            f"| {{{{#if:{{{{{{{param}|}}}}}}|{{{{{{{param}}}}}}}|—}}}}",
        ]
    # The centre's row only on a network's pages (a wiki of one centre leaves it empty).
    centre = mapping.param("centre")
    rows.append(
        f"{{{{#if:{{{{{{{centre}|}}}}}}|\n{{{{!}}}}-\n! {_caption(text, 'centre')}\n"
        f"{{{{!}}}} {{{{{{{centre}}}}}}}\n}}}}"
    )
    rows.append("|}")
    for key in _LONG_FIELDS:
        param = mapping.param(key)
        heading = _caption(text, key)
        rows.append(f"{{{{#if:{{{{{{{param}|}}}}}}|\n== {heading} ==\n{{{{{{{param}}}}}}}\n}}}}")
    return "\n".join(rows) + f"</includeonly><noinclude>\n{{{{{doc_title}}}}}\n</noinclude>"


def _doc(text: Mapping[str, str], mapping: WikiMapping) -> str:
    keys = [*FIELD_KEYS, *_INFOBOX_ROWS[2:], "centre"]
    params = [mapping.param(key) for key in keys]
    usage = "\n".join([f"{{{{{mapping.template_name}", *(f"| {p} =" for p in params), "}}"])
    table = "\n".join(
        f"* <code>{p}</code> : {_caption(text, key)}" for key, p in zip(keys, params, strict=True)
    )
    return f"{text['setup.doc']}\n\n== {text['setup.params']} ==\n{table}\n\n<pre>\n{usage}\n</pre>"


def _with_link(sentence: str, link: str) -> str:
    marker = "CAPIBOTLINK"  # survives escaping, unlike "{link}"
    return escape_inline(sentence.format(link=marker)).replace(marker, link)


def setup_pages(mapping: WikiMapping) -> dict[str, str]:
    """Title -> wikitext of the template, its /doc, the category and index pages."""
    text = catalogue(mapping.language)
    name = mapping.template_name
    cats = mapping.categories()
    doc_title = f"Template:{name}/doc"
    pages = {
        f"Template:{name}": _template(text, doc_title, mapping),
        doc_title: _doc(text, mapping),
        f"Category:{cats['fiches']}": escape_inline(text["setup.fiche_category"]),
        f"Category:{cats['withdrawn']}": escape_inline(text["setup.withdrawn_category"]),
    }
    index_name = page_title_from(text["setup.index"].format(name=cats["fiches"]))
    pages[index_name] = _with_link(text["setup.index_fiches"], f"[[:Category:{cats['fiches']}]]")
    for kind in KIND_LABELS:
        cat = cats[kind]
        pages[f"Category:{cat}"] = escape_inline(text["setup.kind_category"])
        index = page_title_from(text["setup.index"].format(name=cat))
        pages[index] = _with_link(text["setup.index_body"], f"[[:Category:{cat}]]")
    return pages


def centre_pages(centre: CentreLink, category: str, language: str = "fr") -> dict[str, str]:
    """On a network's shared wiki: the centres' parent category and this centre's
    category (its shared fiches), linking to the centre's page. Setup pages: written by
    `capibot wiki setup --network` like the others."""
    text = catalogue(language)
    parent = page_title_from(text["category.centres"])
    page = page_title_from(centre.title)
    link = f"[[:{page}|{escape_inline(centre.name)}]]"
    return {
        f"Category:{parent}": escape_inline(text["setup.centres_category"]),
        f"Category:{page_title_from(category)}": _with_link(text["setup.centre_category"], link)
        + f"\n\n[[Category:{parent}]]",
    }


def centre_page(centre: CentreLink, category: str, language: str = "fr") -> tuple[str, str]:
    """(title, text) of the centre's own page on a network's shared wiki: only created
    when absent (the centre writes its own presentation there, never replaced)."""
    text = catalogue(language)
    link = f"[[:Category:{page_title_from(category)}]]"
    marker = "CAPIBOTLINK"
    sentence = text["setup.centre_page"].format(name=centre.name, link=marker)
    body = escape_inline(sentence).replace(marker, link)
    return page_title_from(centre.title), body


def kind_category_page(kind: str, name: str, mapping: WikiMapping | None = None) -> tuple[str, str]:
    """(title, text) of a theme/territory/function category page under its parent.

    The publisher creates it when a fiche brings a new value, so the value shows in
    the index of its kind.
    """
    mapping = mapping or WikiMapping()
    parent = page_title_from(mapping.kind_category(kind))
    return f"Category:{page_title_from(name)}", f"[[Category:{parent}]]"


class Action(enum.Enum):
    """What setup does (or would do) to one page."""

    CREATE = "create"
    UNCHANGED = "unchanged"
    OVERWRITE = "overwrite"
    #: the page differs and a human (not the bot) edited it last: left alone
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class SetupStep:
    """One page of setup: what is done to it, and why (``last_user``)."""

    title: str
    action: Action
    wanted: str
    current: str | None = None
    #: who saved the current revision (None: no page)
    last_user: str | None = None
    #: it differs and someone else saved it last: overwritten only with ``force``
    by_others: bool = False

    def diff(self) -> str:
        """Unified diff of the page as it is versus as setup wants it."""
        lines = difflib.unified_diff(
            normalise(self.current or "").splitlines(),
            normalise(self.wanted).splitlines(),
            f"{self.title} (wiki)",
            f"{self.title} (capibot)",
            lineterm="",
        )
        return "\n".join(lines)


def decide(page: PageState, wanted: str, bot_name: str, *, force: bool) -> SetupStep:
    """What setup does to ``page``: create it, leave it (same text), overwrite it (the
    bot's own revision, or ``force``), or leave someone else's edit alone."""
    if not page.exists:
        return SetupStep(page.title, Action.CREATE, wanted)
    current = page.text or ""
    if normalise(current) == normalise(wanted):
        return SetupStep(page.title, Action.UNCHANGED, wanted, current, page.user)
    others = page.user != bot_name
    action = Action.SKIP if others and not force else Action.OVERWRITE
    return SetupStep(page.title, action, wanted, current, page.user, by_others=others)


def plan_setup(
    client: WikiClient, pages: Mapping[str, str], *, force: bool = False
) -> list[SetupStep]:
    """What `apply_setup` would do, page by page; reads only (the dry run)."""
    bot_name = client.whoami()[0]
    return [
        decide(client.read(title), text, bot_name, force=force) for title, text in pages.items()
    ]


def apply_setup(
    client: WikiClient, pages: Mapping[str, str], language: str = "fr", *, force: bool = False
) -> list[SetupStep]:
    """Create or update the setup pages (live part); returns what was done to each.

    A page whose text already matches is left alone, so a second run writes nothing. A
    page someone else edited last is left alone too (`Action.SKIP`) unless ``force``:
    a centre's own template or category text is not overwritten by surprise. Each
    decision is taken on a fresh read and written against that revision, so an edit
    saved in between is seen (and decided on) again.
    """
    summary = label(language, "summary.setup")
    writer = PageWriter(client)
    return [_apply_one(writer, title, text, summary, force) for title, text in pages.items()]


def _apply_one(writer: PageWriter, title: str, text: str, summary: str, force: bool) -> SetupStep:
    decided: list[SetupStep] = []  # the decision on the last read (a lost race reads again)

    def compose(page: PageState) -> str | None:
        step = decide(page, text, writer.bot_name, force=force)
        decided.append(step)
        return text if step.action in (Action.CREATE, Action.OVERWRITE) else None

    writer.edit(title, compose, summary)
    return decided[-1]


def written(steps: list[SetupStep]) -> list[str]:
    """The titles setup wrote (created or overwritten)."""
    return [s.title for s in steps if s.action in (Action.CREATE, Action.OVERWRITE)]
