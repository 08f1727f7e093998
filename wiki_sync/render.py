"""Wikitext of a fiche page and of a withdrawal notice.

Every user-supplied string goes through ``escape``; the only raw markup is ours.
Bot-owned blocks sit between ``<!-- capibot:begin NAME -->`` and
``<!-- capibot:end NAME -->`` lines (NAME in ``SECTIONS``) so ``merge`` can update
them while keeping human text elsewhere; escaped text cannot contain ``<`` and so
cannot forge a marker. Namespaces use their canonical English names (``Category:``):
they work whatever the wiki's content language is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from wiki_sync.dates import DEFAULT_TIMEZONE, date_and_time
from wiki_sync.errors import RenderError, TitleError
from wiki_sync.escape import escape_inline, escape_wikitext, escape_wikitext_links
from wiki_sync.labels import catalogue, label
from wiki_sync.mapping import (
    DEFAULT_PARAMETERS,
    FIELD_KEYS,
    META_KEYS,
    WikiMapping,
)
from wiki_sync.titles import page_title_from

# The default template parameter names; a wiki's own are in its `WikiMapping`.
FIELD_PARAMS: tuple[tuple[str, str], ...] = tuple((k, DEFAULT_PARAMETERS[k]) for k in FIELD_KEYS)
META_PARAMS: tuple[str, ...] = tuple(DEFAULT_PARAMETERS[k] for k in META_KEYS)
PARAMS: tuple[str, ...] = tuple(p for _, p in FIELD_PARAMS) + META_PARAMS
SECTIONS: tuple[str, ...] = ("excerpt", "contributors", "thread", "categories")
#: On a network's shared wiki, the block under the template that links to the centre.
CENTRE_SECTION = "centre"
CATEGORY_ROOM_KINDS = ("function", "theme", "territory")

_MATRIX_TO = "https://matrix.to/#/"


def _label(language: str, key: str, **values: object) -> str:
    return escape_inline(label(language, key, **values))


_ID_SIGILS = ("!", "#", "@", "$", "+")


@dataclass(frozen=True)
class Quote:
    """One consented message of the excerpt; ``author`` is already a name or pseudonym."""

    author: str
    text: str
    sent_at: datetime | None = None


@dataclass(frozen=True)
class FicheEntry:
    """Everything a page shows, already filtered for consent by the caller."""

    case_id: int
    fields: Mapping[str, str]
    themes: tuple[str, ...]
    territory: str
    contributors: tuple[str, ...]
    excerpt: tuple[Quote, ...]
    thread_url: str
    room_label: str
    room_kind: str | None
    extra_categories: tuple[str, ...]
    approved_by: str
    approved_at: datetime
    version: int
    #: the centre whose case this is (`network.centre`; "" for a wiki of one centre)
    centre: str = ""


def begin_marker(name: str) -> str:
    return f"<!-- capibot:begin {name} -->"


def end_marker(name: str) -> str:
    return f"<!-- capibot:end {name} -->"


def _block(name: str, body: str) -> str:
    return f"{begin_marker(name)}\n{body}\n{end_marker(name)}"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def safe_matrix_to(url: str) -> str:
    """Re-encode a matrix.to link so it is inert inside ``[url text]``.

    Only ``https://matrix.to/#/<ids>[?query]`` is accepted; each id and query part is
    percent-encoded (as the Matrix spec recommends), which leaves no character that
    wikitext could read as markup (``_``, ``~``, ``'``, ``:`` ... are encoded too).
    """
    if (
        not url.startswith(_MATRIX_TO)
        or any(c.isspace() or ord(c) < 32 for c in url)
        or not url.isascii()  # matrix.to links are percent-encoded; also rules out surrogates
    ):
        raise RenderError(f"not a matrix.to link: {url!r}")
    parts = urlsplit(url)
    fragment = parts.fragment  # "/<id>[/<event id>][?via=...]"
    path, _, query = fragment[1:].partition("?")
    ids = [unquote(p) for p in path.split("/")]
    if not ids or not all(i[:1] in _ID_SIGILS and len(i) > 1 for i in ids) or len(ids) > 2:
        raise RenderError(f"not a matrix.to room, user or event link: {url!r}")

    def enc(value: str) -> str:
        return quote(value, safe="").replace("_", "%5F").replace("~", "%7E")

    out = _MATRIX_TO + "/".join(enc(i) for i in ids)
    pairs = parse_qsl(query, keep_blank_values=True)
    if pairs:
        out += "?" + "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs)
    return out


def template_params(entry: FicheEntry, mapping: WikiMapping | None = None) -> list[tuple[str, str]]:
    """(parameter, escaped value) pairs, in ``PARAMS`` order, named as ``mapping`` says."""
    mapping = mapping or WikiMapping()
    values = dict(entry.fields)
    values["themes"] = ", ".join(t.strip() for t in entry.themes if t.strip())
    values["territory"] = entry.territory or values.get("territory", "")
    # Resources are links (DESIGN §4): their web addresses become external links.
    escape = {"resources": escape_wikitext_links}
    out = [
        (mapping.param(key), escape.get(key, escape_wikitext)(values.get(key, "")))
        for key in FIELD_KEYS
    ]
    meta = {
        "room": escape_inline(entry.room_label),
        "case": str(entry.case_id),
        "version": str(entry.version),
        "approved_by": escape_inline(entry.approved_by),
        "approved_on": _utc(entry.approved_at).date().isoformat(),
        "centre": escape_inline(entry.centre),
    }
    return out + [(mapping.param(key), meta[key]) for key in META_KEYS]


def _template_call(name: str, params: Iterable[tuple[str, str]]) -> str:
    lines = [f"{{{{{name}"]
    lines += [f"| {p} = {v}" if v else f"| {p} =" for p, v in params]
    return "\n".join([*lines, "}}"])


def _excerpt(quotes: tuple[Quote, ...], language: str, timezone: str) -> str:
    body = [f"== {_label(language, 'page.excerpt')} =="]
    if not quotes:
        body.append(f"''{_label(language, 'page.no_excerpt')}''")
    for q in quotes:
        when = ""
        if q.sent_at is not None:
            when = " — " + escape_inline(date_and_time(language, q.sent_at, timezone))
        body.append(f"'''{escape_inline(q.author) or '?'}'''{when}")
        body.append(f"<blockquote>{escape_wikitext(q.text)}</blockquote>")
    return "\n".join(body)


def _contributors(names: tuple[str, ...], language: str) -> str:
    items = [f"* {escape_inline(n)}" for n in names if n.strip()]
    return "\n".join([f"== {_label(language, 'page.contributors')} ==", *(items or ["* —"])])


def _thread(entry: FicheEntry, language: str) -> str:
    link = f"[{safe_matrix_to(entry.thread_url)} {_label(language, 'page.thread_link')}]"
    room = (
        f" ({_label(language, 'page.room')} {escape_inline(entry.room_label)})"
        if entry.room_label
        else ""
    )
    return f"== {_label(language, 'page.thread')} ==\n{link}{room}"


@dataclass(frozen=True)
class CentreLink:
    """On a wiki several centres share: the page of the centre whose fiche this is
    (``title``, a main-namespace title) and how it is named (``name``)."""

    title: str
    name: str


def _centre(link: CentreLink, language: str) -> str:
    title = page_title_from(link.title)
    marker = "CAPIBOTLINK"  # survives escaping, unlike the link itself
    sentence = escape_inline(label(language, "page.centre", link=marker))
    return "''" + sentence.replace(marker, f"[[:{title}|{escape_inline(link.name)}]]") + "''"


def category_names(names: Iterable[str]) -> list[str]:
    """Valid, de-duplicated category names; unusable ones are dropped."""
    out: list[str] = []
    for name in names:
        try:
            title = page_title_from(name)
        except TitleError:
            continue
        if title not in out:
            out.append(title)
    return out


def page_categories(entry: FicheEntry, fiche_category: str) -> list[str]:
    """Fiche category, themes, territory, room (function/theme/territory), extras."""
    wanted = [fiche_category, *entry.themes]
    wanted.append(entry.territory or entry.fields.get("territory", ""))
    if entry.room_kind in CATEGORY_ROOM_KINDS:
        wanted.append(entry.room_label)
    return category_names([*wanted, *entry.extra_categories])


def _categories(names: Iterable[str]) -> str:
    return "\n".join(f"[[Category:{n}]]" for n in names)


def render_page(
    entry: FicheEntry,
    *,
    mapping: WikiMapping | None = None,
    language: str | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    centre: CentreLink | None = None,
) -> str:
    """The whole page: template call, bot-owned blocks, categories; no trailing newline.

    Names come from ``mapping`` (default: ours); ``language`` defaults to its language.
    Quotes are dated in `timezone`, as the network's readers write dates. ``centre``
    (a network's shared wiki): a block under the template links to the centre's page.
    """
    mapping = mapping or WikiMapping(language=language or "fr")
    language = language or mapping.language
    catalogue(language)  # an unknown language is refused before anything is built
    parts = [_template_call(mapping.template_name, template_params(entry, mapping))]
    if centre is not None:
        parts.append(_block(CENTRE_SECTION, _centre(centre, language)))
    parts += [
        _block("excerpt", _excerpt(entry.excerpt, language, timezone)),
        _block("contributors", _contributors(entry.contributors, language)),
        _block("thread", _thread(entry, language)),
        _block("categories", _categories(page_categories(entry, mapping.fiche_category))),
    ]
    return "\n\n".join(parts)


def render_withdrawal(
    entry_title: str,
    case_id: int,
    reason: str | None = None,
    language: str = "fr",
    *,
    category: str | None = None,
) -> str:
    """Short notice replacing a withdrawn fiche (history stays on the wiki).

    ``category`` defaults to the language's "withdrawn fiches" category; pass ``""``
    for none.
    """
    notice = _label(language, "withdrawal.notice", case=case_id)
    body = f"'''{notice}''' ''{escape_inline(entry_title)}''"
    if reason and reason.strip():
        body += f"\n\n{_label(language, 'withdrawal.reason')} {escape_wikitext(reason)}"
    withdrawn = label(language, "category.withdrawn")
    cats = category_names([withdrawn if category is None else category])
    parts = [_block("withdrawal", body)]
    if cats:
        parts.append(_block("categories", _categories(cats)))
    return "\n\n".join(parts)
