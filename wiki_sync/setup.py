"""Pages that ``capibot wiki setup`` writes on a fresh wiki.

The texts are a pure function of the configuration, so the live writer can skip a page
whose current text is equal: running setup twice changes nothing. Titles use canonical
namespace names (``Template:``, ``Category:``), valid on a wiki of any language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from wiki_sync.escape import escape_inline
from wiki_sync.labels import catalogue, label
from wiki_sync.render import FIELD_PARAMS, template_name
from wiki_sync.titles import page_title_from
from wiki_sync.writer import PageWriter

if TYPE_CHECKING:
    from wiki_sync.client import WikiClient

# kind -> label key of its parent category
KINDS: tuple[tuple[str, str], ...] = (
    ("theme", "category.theme"),
    ("territory", "category.territory"),
    ("function", "category.function"),
)

_INFOBOX_ROWS = ("territoire", "themes", "salon", "fiche", "version", "validee_par", "validee_le")
_LONG_FIELDS = ("contexte", "action", "resultats", "enseignements", "ressources")


def _template(text: Mapping[str, str], doc_title: str) -> str:
    rows = [
        '<includeonly>{| class="wikitable capibot-fiche" style="float:right; clear:right;'
        ' margin:0 0 1em 1em; width:22em;"',
        "|+ {{{titre|}}}",
    ]
    for param in _INFOBOX_ROWS:
        rows += [
            "|-",
            f"! {text[f'param.{param}']}",
            f"| {{{{#if:{{{{{{{param}|}}}}}}|{{{{{{{param}}}}}}}|—}}}}",
        ]
    rows.append("|}")
    for param in _LONG_FIELDS:
        heading = text[f"param.{param}"]
        rows.append(f"{{{{#if:{{{{{{{param}|}}}}}}|\n== {heading} ==\n{{{{{{{param}}}}}}}\n}}}}")
    return "\n".join(rows) + f"</includeonly><noinclude>\n{{{{{doc_title}}}}}\n</noinclude>"


def _doc(text: Mapping[str, str], name: str) -> str:
    params = [p for _, p in FIELD_PARAMS] + list(_INFOBOX_ROWS[2:])
    usage = "\n".join([f"{{{{{name}", *(f"| {p} =" for p in params), "}}"])
    table = "\n".join(f"* <code>{p}</code> : {text[f'param.{p}']}" for p in params)
    return f"{text['setup.doc']}\n\n== {text['setup.params']} ==\n{table}\n\n<pre>\n{usage}\n</pre>"


def _with_link(sentence: str, link: str) -> str:
    marker = "CAPIBOTLINK"  # survives escaping, unlike "{link}"
    return escape_inline(sentence.format(link=marker)).replace(marker, link)


def setup_pages(template: str, fiche_category: str, language: str = "fr") -> dict[str, str]:
    """Title -> wikitext of the template, its /doc, the category and index pages."""
    text = catalogue(language)
    name = template_name(template)
    fiche_cat = page_title_from(fiche_category)
    doc_title = f"Template:{name}/doc"
    pages = {
        f"Template:{name}": _template(text, doc_title),
        doc_title: _doc(text, name),
        f"Category:{fiche_cat}": escape_inline(text["setup.fiche_category"]),
        f"Category:{page_title_from(text['category.withdrawn'])}": escape_inline(
            text["setup.withdrawn_category"]
        ),
    }
    index_name = page_title_from(text["setup.index"].format(name=fiche_cat))
    pages[index_name] = _with_link(text["setup.index_fiches"], f"[[:Category:{fiche_cat}]]")
    for _kind, key in KINDS:
        cat = page_title_from(text[key])
        pages[f"Category:{cat}"] = escape_inline(text["setup.kind_category"])
        index = page_title_from(text["setup.index"].format(name=cat))
        pages[index] = _with_link(text["setup.index_body"], f"[[:Category:{cat}]]")
    return pages


def kind_category_page(kind: str, name: str, language: str = "fr") -> tuple[str, str]:
    """(title, text) of a theme/territory/function category page under its parent.

    The publisher creates it when a fiche brings a new value, so the value shows in
    the index of its kind.
    """
    key = dict(KINDS).get(kind)
    if key is None:
        raise ValueError(f"unknown category kind {kind!r}")
    parent = page_title_from(label(language, key))
    return f"Category:{page_title_from(name)}", f"[[Category:{parent}]]"


def apply_setup(client: WikiClient, pages: Mapping[str, str], language: str = "fr") -> list[str]:
    """Create or update the setup pages (live part); returns the titles written.

    A page whose text already matches is left alone, so a second run writes nothing.
    Setup is an operator's act: a page that differs is overwritten (history keeps it).
    """
    summary = label(language, "summary.setup")
    writer = PageWriter(client)
    return [title for title, text in pages.items() if writer.put(title, text, summary).wrote]
