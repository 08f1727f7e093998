"""A meeting's compte-rendu as text: the summary posted in the room and the wiki page.

Pure rendering of `Minutes` (already filtered by consent). On the page every piece of
user text is entity-escaped (`escape_inline`), links go through `safe_url`: an item such
as `#info [[Catégorie:X]] {{Modèle}}` stays text, never a category or a template.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.meetings import Item, Minutes, Tag, Topic
from bot.i18n import Translator, format_list
from wiki_sync.escape import escape_inline, safe_url
from wiki_sync.titles import page_title_from

#: The wiki template of compte-rendus, created by `capibot wiki setup` (one place: another
#: change makes template names configurable).
TEMPLATE = "Compte-rendu"
#: The category every compte-rendu is in, besides the room's own.
CATEGORY = "Comptes-rendus"


def participants(minutes: Minutes, tr: Translator) -> str:
    """« Alice, Bob et 2 autres personnes »: only consenting people by name."""
    names = list(minutes.named)
    if minutes.others:
        names.append(tr("meeting.others", count=minutes.others))
    return format_list(tr.lang, names) if names else tr("meeting.nobody")


def participants_line(minutes: Minutes, tr: Translator) -> str:
    return tr("meeting.present", names=participants(minutes, tr))


def item_text(item: Item, tr: Translator) -> str:
    text = item.text if item.text is not None else tr("meeting.hidden")
    if item.tag is Tag.ACTION and (item.owner or item.owner_hidden):
        owner = item.owner or tr("meeting.hidden_owner")
        return tr("meeting.owner", owner=owner, text=text)
    return text


def topic_heading(topic: Topic, tr: Translator) -> str:
    """A part of the compte-rendu: its #sujet, the opening part, or a title left out."""
    if topic.title is None and not topic.hidden:
        return tr("meeting.opening")
    return topic.title if topic.title is not None else tr("meeting.hidden_topic")


def summary_text(minutes: Minutes, tr: Translator, *, auto_closed: str | None = None) -> str:
    """The notice posted in the room when the meeting closes."""
    lines = [tr("meeting.summary", title=minutes.title)]
    if auto_closed:
        lines.append(tr("meeting.auto_closed", limit=auto_closed))
    lines.append(participants_line(minutes, tr))
    marked = False
    for key, tag in (
        ("meeting.decisions", Tag.DECISION),
        ("meeting.actions", Tag.ACTION),
        ("meeting.links", Tag.LINK),
    ):
        items = minutes.of(tag)
        if items:
            marked = True
            lines.append("")
            lines.append(tr(key) + " :" if tr.lang == "fr" else tr(key) + ":")
            lines += [f"- {item_text(item, tr)}" for item in items]
    if not marked and not any(t.items for t in minutes.topics):
        lines += ["", tr("meeting.empty")]
    return "\n".join(lines)


def page_title(number: int, minutes: Minutes, tr: Translator) -> str:
    return page_title_from(tr("meeting.page_title", number=number, title=minutes.title))


def _wiki_item(item: Item, tr: Translator) -> str:
    if item.tag is Tag.LINK and item.text is not None:
        url, _, rest = item.text.partition(" ")
        safe = safe_url(url)
        if safe is not None:
            label = escape_inline(rest) if rest.strip() else safe
            return f"* {tr('meeting.tag.link')} : [{safe} {label}]"
    return f"* {escape_inline(tr(f'meeting.tag.{item.tag.value}'))} : " + escape_inline(
        item_text(item, tr)
    )


def page_text(
    minutes: Minutes,
    tr: Translator,
    *,
    room: str,
    date: str,
    categories: Sequence[str],
) -> str:
    """The wikitext of the compte-rendu page: the template's box, the topics with their
    items, then decisions, actions and links gathered, then the categories."""
    out = [
        f"{{{{{TEMPLATE}",
        f"| titre = {escape_inline(minutes.title)}",
        f"| salon = {escape_inline(room)}",
        f"| date = {escape_inline(date)}",
        f"| presents = {escape_inline(participants(minutes, tr))}",
        "}}",
    ]
    for topic in minutes.topics:
        out += ["", f"== {escape_inline(topic_heading(topic, tr))} =="]
        out += [_wiki_item(item, tr) for item in topic.items]
    for key, tag in (
        ("meeting.decisions", Tag.DECISION),
        ("meeting.actions", Tag.ACTION),
        ("meeting.links", Tag.LINK),
    ):
        items = minutes.of(tag)
        if items:
            out += ["", f"== {escape_inline(tr(key))} =="]
            out += [_wiki_item(item, tr) for item in items]
    out.append("")
    out += [f"[[Category:{page_title_from(c)}]]" for c in (*categories, CATEGORY) if c.strip()]
    return "\n".join(out) + "\n"


def template_pages() -> dict[str, str]:
    """`Modèle:Compte-rendu` for `capibot wiki setup`: a box with the meeting's facts."""
    box = (
        '<includeonly>{| class="wikitable capibot-compte-rendu" style="float:right;'
        ' margin:0 0 1em 1em; width:22em;"\n|+ {{{titre|}}}\n'
        "|-\n! Salon\n| {{{salon|}}}\n|-\n! Date\n| {{{date|}}}\n"
        "|-\n! Présences\n| {{{presents|}}}\n|}</includeonly>"
        "<noinclude>Modèle des compte-rendus de réunion publiés par capibot "
        "(paramètres : titre, salon, date, presents).</noinclude>"
    )
    return {
        f"Template:{TEMPLATE}": box,
        f"Category:{CATEGORY}": "Comptes-rendus des réunions tenues dans les salons du réseau.",
    }
