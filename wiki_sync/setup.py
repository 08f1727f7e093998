"""Pages that ``capibot wiki setup`` writes on a fresh wiki.

The texts are a pure function of the configuration, so the live writer can skip a page
whose current text is equal: running setup twice changes nothing. Titles use canonical
namespace names (``Template:``, ``Category:``), valid on a wiki of any language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from wiki_sync.escape import escape_inline
from wiki_sync.render import FIELD_PARAMS, labels, template_name
from wiki_sync.titles import page_title_from
from wiki_sync.writer import PageWriter

if TYPE_CHECKING:
    from wiki_sync.client import WikiClient

# kind -> label key of its parent category
KINDS: tuple[tuple[str, str], ...] = (
    ("theme", "cat_theme"),
    ("territory", "cat_territory"),
    ("function", "cat_function"),
)

_TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "titre": "Titre",
        "contexte": "Contexte",
        "action": "Action",
        "resultats": "Résultats",
        "enseignements": "Enseignements",
        "themes": "Thèmes",
        "territoire": "Territoire",
        "ressources": "Ressources",
        "salon": "Salon",
        "fiche": "Cas",
        "version": "Version",
        "validee_par": "Validée par",
        "validee_le": "Validée le",
        "doc": (
            "Modèle des fiches d'expérience publiées par capibot à partir des échanges"
            " Matrix. Les pages sont écrites par le robot ; vous pouvez les compléter"
            " sous le modèle, le robot conserve vos ajouts."
        ),
        "params": "Paramètres",
        "fiche_cat": (
            "Fiches d'expérience issues des échanges du réseau, validées par la modération."
        ),
        "kind_cat": "Catégories de fiches d'expérience, une par valeur.",
        "withdrawn_cat": "Fiches d'expérience retirées par leurs auteurs ou la modération.",
        "index": "Index – {name}",
        "index_body": "Toutes les catégories de ce type sont listées dans {link}.",
        "index_fiches": "La liste des fiches se trouve dans {link}.",
    },
    "en": {
        "titre": "Title",
        "contexte": "Context",
        "action": "Action",
        "resultats": "Results",
        "enseignements": "Lessons",
        "themes": "Themes",
        "territoire": "Territory",
        "ressources": "Resources",
        "salon": "Room",
        "fiche": "Case",
        "version": "Version",
        "validee_par": "Approved by",
        "validee_le": "Approved on",
        "doc": (
            "Template of the experience fiches that capibot publishes from Matrix"
            " exchanges. The bot writes these pages; you may add text below the"
            " template, the bot keeps your additions."
        ),
        "params": "Parameters",
        "fiche_cat": "Experience fiches from the network's exchanges, approved by moderators.",
        "kind_cat": "Categories of experience fiches, one per value.",
        "withdrawn_cat": "Experience fiches withdrawn by their authors or the moderators.",
        "index": "Index – {name}",
        "index_body": "Every category of this kind is listed in {link}.",
        "index_fiches": "The list of fiches is in {link}.",
    },
}

_INFOBOX_ROWS = ("territoire", "themes", "salon", "fiche", "version", "validee_par", "validee_le")
_LONG_FIELDS = ("contexte", "action", "resultats", "enseignements", "ressources")


def _text(language: str) -> Mapping[str, str]:
    labels(language)  # same languages as the pages; raises ValueError otherwise
    return _TEXT[language]


def _template(text: Mapping[str, str], doc_title: str) -> str:
    rows = [
        '<includeonly>{| class="wikitable capibot-fiche" style="float:right; clear:right;'
        ' margin:0 0 1em 1em; width:22em;"',
        "|+ {{{titre|}}}",
    ]
    for param in _INFOBOX_ROWS:
        rows += [
            "|-",
            f"! {text[param]}",
            f"| {{{{#if:{{{{{{{param}|}}}}}}|{{{{{{{param}}}}}}}|—}}}}",
        ]
    rows.append("|}")
    for param in _LONG_FIELDS:
        rows.append(
            f"{{{{#if:{{{{{{{param}|}}}}}}|\n== {text[param]} ==\n{{{{{{{param}}}}}}}\n}}}}"
        )
    return "\n".join(rows) + f"</includeonly><noinclude>\n{{{{{doc_title}}}}}\n</noinclude>"


def _doc(text: Mapping[str, str], name: str) -> str:
    params = [p for _, p in FIELD_PARAMS] + list(_INFOBOX_ROWS[2:])
    usage = "\n".join([f"{{{{{name}", *(f"| {p} =" for p in params), "}}"])
    table = "\n".join(f"* <code>{p}</code> : {text[p]}" for p in params)
    return f"{text['doc']}\n\n== {text['params']} ==\n{table}\n\n<pre>\n{usage}\n</pre>"


def _with_link(sentence: str, link: str) -> str:
    marker = "CAPIBOTLINK"  # survives escaping, unlike "{link}"
    return escape_inline(sentence.format(link=marker)).replace(marker, link)


def setup_pages(template: str, fiche_category: str, language: str = "fr") -> dict[str, str]:
    """Title -> wikitext of the template, its /doc, the category and index pages."""
    text = _text(language)
    names = labels(language)
    name = template_name(template)
    fiche_cat = page_title_from(fiche_category)
    doc_title = f"Template:{name}/doc"
    pages = {
        f"Template:{name}": _template(text, doc_title),
        doc_title: _doc(text, name),
        f"Category:{fiche_cat}": escape_inline(text["fiche_cat"]),
        f"Category:{page_title_from(names['cat_withdrawn'])}": escape_inline(text["withdrawn_cat"]),
    }
    index_name = page_title_from(text["index"].format(name=fiche_cat))
    pages[index_name] = _with_link(text["index_fiches"], f"[[:Category:{fiche_cat}]]")
    for _kind, key in KINDS:
        cat = page_title_from(names[key])
        pages[f"Category:{cat}"] = escape_inline(text["kind_cat"])
        index = page_title_from(text["index"].format(name=cat))
        pages[index] = _with_link(text["index_body"], f"[[:Category:{cat}]]")
    return pages


def kind_category_page(kind: str, name: str, language: str = "fr") -> tuple[str, str]:
    """(title, text) of a theme/territory/function category page under its parent.

    The publisher creates it when a fiche brings a new value, so the value shows in
    the index of its kind.
    """
    key = dict(KINDS).get(kind)
    if key is None:
        raise ValueError(f"unknown category kind {kind!r}")
    parent = page_title_from(labels(language)[key])
    return f"Category:{page_title_from(name)}", f"[[Category:{parent}]]"


def apply_setup(
    client: WikiClient, pages: Mapping[str, str], summary: str = "capibot: wiki setup"
) -> list[str]:
    """Create or update the setup pages (live part); returns the titles written.

    A page whose text already matches is left alone, so a second run writes nothing.
    Setup is an operator's act: a page that differs is overwritten (history keeps it).
    """
    writer = PageWriter(client)
    return [title for title, text in pages.items() if writer.put(title, text, summary).wrote]
