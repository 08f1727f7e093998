"""An extractive, offline, deterministic fiche draft from a captured exchange.

Writing a fiche from scratch is what people put off; a draft made of their own words
(the opening message as context, the substantial replies as action and results, the
links as resources) turns the prompt into an editing job. No model, no network: the
same exchange always gives the same draft.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain.fiche import HINT_MARK, MAX_TITLE, field_label
from bot.domain.models import FicheField
from bot.domain.text import fold
from bot.i18n import t

MIN_SUBSTANTIAL = 40  # shorter replies ("merci !", "+1") are not material for a fiche
MAX_SNIPPET = 600
MAX_CONTEXT = 800
MAX_PICKS = 2
MAX_LINKS = 10

_URL = re.compile(r"https?://[^\s<>\"']+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_RESULT_MARKERS = (
    "resultat",
    "a permis",
    "ont permis",
    "grace a",
    "augment",
    "baisse",
    "diminu",
    "amelior",
    "bilan",
    "impact",
    "%",
    "result",
    "led to",
    "helped",
    "increase",
    "decrease",
    "improv",
    "outcome",
)


def draft_from_exchange(messages: Sequence[tuple[str, str]], lang: str, prefix: str = "!") -> str:
    """Draft fiche text from `(sender, body)` pairs, root message first.

    Every field value is one line, so exchange text can never be mistaken for a field
    key; hint lines start with the hint mark and are ignored by `parse_fiche`.
    """
    cleaned = [(sender, clean_body(body, prefix)) for sender, body in messages]
    cleaned = [(sender, body) for sender, body in cleaned if body]
    root = cleaned[0][1] if cleaned else ""
    replies = [(s, b) for s, b in cleaned[1:] if len(b) >= MIN_SUBSTANTIAL]
    results = [b for _, b in replies if _looks_like_result(b)][:MAX_PICKS]
    action = _most_substantial([(s, b) for s, b in replies if b not in results])
    values = {
        FicheField.TITLE: title_of(root),
        FicheField.CONTEXT: cut(root, MAX_CONTEXT),
        FicheField.ACTION: " — ".join(cut(b, MAX_SNIPPET) for b in action),
        FicheField.RESULTS: " — ".join(cut(b, MAX_SNIPPET) for b in results),
        FicheField.LESSONS: "",
        FicheField.THEMES: "",
        FicheField.TERRITORY: "",
        FicheField.RESOURCES: resources_of(messages),
    }
    return render_draft(values, lang, prefix)


#: The first drafter, kept so a better one can be measured against it (issue 17).
legacy_draft = draft_from_exchange


def render_draft(values: dict[FicheField, str], lang: str, prefix: str) -> str:
    """The labelled draft text: one line per field, hint lines where humans must write."""
    lines = [f"{HINT_MARK} {t(lang, 'draft.label', prefix=prefix)}"]
    for fiche_field, value in values.items():
        lines.append(f"{field_label(lang, fiche_field)}: {value}")
        if fiche_field is FicheField.LESSONS:
            lines.append(f"{HINT_MARK} {t(lang, 'draft.hint_lessons')}")
        elif not value and fiche_field in (FicheField.ACTION, FicheField.RESULTS):
            lines.append(f"{HINT_MARK} {t(lang, 'draft.hint_missing')}")
    return "\n".join(line.rstrip() for line in lines)


def resources_of(messages: Sequence[tuple[str, str]]) -> str:
    """The exchange's links, once each, in order of first appearance."""
    links = dict.fromkeys(
        url.rstrip(".,;:!?)") for _, body in messages for url in _URL.findall(body)
    )
    return cut(", ".join(list(links)[:MAX_LINKS]), MAX_CONTEXT)


def clean_body(body: str, prefix: str) -> str:
    """One line of the message's own words: no quoted reply fallback, no commands."""
    lines = [line for line in body.splitlines() if not line.lstrip().startswith(">")]
    text = " ".join(" ".join(lines).split())
    return "" if prefix and text.startswith(prefix) else text


def _looks_like_result(body: str) -> bool:
    folded = fold(body)
    return any(marker in folded for marker in _RESULT_MARKERS)


def _most_substantial(replies: list[tuple[str, str]]) -> list[str]:
    """The longest reply of each sender, the longest few of those, in exchange order."""
    best: dict[str, int] = {}
    for index, (sender, body) in enumerate(replies):
        if sender not in best or len(body) > len(replies[best[sender]][1]):
            best[sender] = index
    ranked = sorted(best.values(), key=lambda i: (-len(replies[i][1]), i))[:MAX_PICKS]
    return [replies[i][1] for i in sorted(ranked)]


def title_of(root: str) -> str:
    first = _SENTENCE_END.split(root, maxsplit=1)[0] if root else ""
    return cut(first, MAX_TITLE)


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:") + "…"
