"""A fiche as people read it in a notice, and what changed between two of its versions.

Moderators re-reading an amended fiche want to see what moved, not hunt for it: the
review card lists the fields added, removed and changed, and for a changed text the few
words around each change, once as they were (struck out) and once as they are (bold).
The plain text shows the same « avant / après » lines, so it reads without formatting.
Every value is someone's words: it goes through `Rich.text`, never as Markdown.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.domain.models import FicheField
from bot.i18n import Translator
from bot.i18n.markdown import Rich, bullets, escape, join

#: words kept around a change, and changes shown per field (the card stays short)
CONTEXT_WORDS = 4
MAX_HUNKS = 4
#: a changed value this short (one line) is shown whole, before → after
SHORT_VALUE = 80
ELLIPSIS = "…"


def fields_rich(tr: Translator, fields: Mapping[FicheField, str]) -> Rich:
    """The fields as a list, names in bold, in display order."""
    return bullets(
        [
            tr.rich("review.field", field=tr(f"fiche.field.{f.value}"), value=fields[f])
            for f in FicheField
            if f in fields
        ]
    )


@dataclass(frozen=True, slots=True)
class Change:
    """One field's change: `before`/`after` are "" when it was added/removed."""

    field: FicheField
    before: str
    after: str


def changes(before: Mapping[FicheField, str], after: Mapping[FicheField, str]) -> list[Change]:
    """The fields that differ, in display order (whitespace-only edits do not count)."""
    found = []
    for f in FicheField:
        old, new = before.get(f, ""), after.get(f, "")
        if " ".join(old.split()) != " ".join(new.split()):
            found.append(Change(f, old, new))
    return found


def changes_rich(tr: Translator, previous: int, found: Sequence[Change]) -> Rich:
    """The card's « what changed since version N » section (empty when nothing did)."""
    if not found:
        return Rich("", "")
    items = []
    for change in found:
        name = tr(f"fiche.field.{change.field.value}")
        if not change.before:
            items.append(tr.rich("review.added", field=name, value=_cut(change.after)))
        elif not change.after:
            items.append(tr.rich("review.removed", field=name))
        elif _is_short(change.before) and _is_short(change.after):
            items.append(
                tr.rich(
                    "review.changed_short",
                    field=name,
                    before=_struck(change.before.split()),
                    after=_bold(change.after.split()),
                )
            )
        else:
            old, new = word_diff(change.before, change.after)
            items.append(
                tr.rich("review.changed", field=name)
                + Rich("\n", "\n  ")
                + tr.rich("review.before", text=old)
                + Rich("\n", "\n  ")
                + tr.rich("review.after", text=new)
            )
    header = tr.rich("review.changes", previous=previous, count=len(found))
    return join([header, bullets(items)])


def word_diff(before: str, after: str) -> tuple[Rich, Rich]:
    """The changed passages of two texts, a few words of context around each: the old
    words struck out in the first, the new ones in bold in the second."""
    old, new = before.split(), after.split()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    hunks = list(matcher.get_grouped_opcodes(CONTEXT_WORDS))
    shown, hidden = hunks[:MAX_HUNKS], len(hunks) > MAX_HUNKS
    old_parts, new_parts = [], []
    for hunk in shown:
        old_parts.append(_side(old, hunk, False, _struck))
        new_parts.append(_side(new, hunk, True, _bold))
    sep = Rich(f" {ELLIPSIS} ", f" {ELLIPSIS} ")
    return (
        _framed(old_parts, sep, hunks, len(old), False, hidden),
        _framed(new_parts, sep, hunks, len(new), True, hidden),
    )


_Opcode = tuple[str, int, int, int, int]


def _span(op: _Opcode, new: bool) -> tuple[int, int]:
    """The words an opcode covers in the old text, or in the new one."""
    return (op[3], op[4]) if new else (op[1], op[2])


def _side(
    words: Sequence[str],
    hunk: Sequence[_Opcode],
    new: bool,
    mark: Callable[[Sequence[str]], Rich],
) -> Rich:
    """One side of a hunk: equal words plain, changed ones marked."""
    parts: list[Rich] = []
    for op in hunk:
        lo, hi = _span(op, new)
        if lo == hi:
            continue
        segment = list(words[lo:hi])
        parts.append(Rich.text(" ".join(segment)) if op[0] == "equal" else mark(segment))
    return join(parts, " ")


def _framed(
    parts: list[Rich],
    sep: Rich,
    hunks: Sequence[Sequence[_Opcode]],
    total: int,
    new: bool,
    hidden: bool,
) -> Rich:
    """Hunks joined by « … », with « … » where text is left out at either end."""
    if not parts:
        return Rich("", "")
    body = parts[0]
    for part in parts[1:]:
        body = body + sep + part
    first, last = hunks[0][0], hunks[min(len(hunks), MAX_HUNKS) - 1][-1]
    dots = Rich(ELLIPSIS, ELLIPSIS)
    if _span(first, new)[0] > 0:
        body = dots + Rich(" ", " ") + body
    if _span(last, new)[1] < total or hidden:
        body = body + Rich(" ", " ") + dots
    return body


def _struck(words: Sequence[str]) -> Rich:
    text = " ".join(words)
    return Rich(f"~~{escape(text)}~~", text) if text else Rich("", "")


def _bold(words: Sequence[str]) -> Rich:
    text = " ".join(words)
    return Rich(f"**{escape(text)}**", text) if text else Rich("", "")


def _is_short(value: str) -> bool:
    return "\n" not in value.strip() and len(value) <= SHORT_VALUE


def _cut(value: str, limit: int = 200) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + ELLIPSIS
