"""Outbound effects are rows of the outbox, written in the transaction that decided them.

So a reply is never lost (it is stored before it is sent) and never doubled (each row has
a dedupe key derived from the event that caused it, and its id is the Matrix txn id).
"""

from __future__ import annotations

import html
from dataclasses import asdict
from datetime import datetime
from typing import Any

from bot.domain.links import user_pill_href
from bot.i18n.markdown import Rich, lead_html
from bot.matrix.events import OutboundNotice, OutboundReaction
from bot.storage.repository import Repository

NOTICE = "notice"
REACTION = "reaction"
JOIN = "join"
REJECT_INVITE = "reject_invite"
CAPTURE = "capture"


def text_to_html(text: str) -> str:
    """Escaped HTML of plain text: user text can never inject markup into a notice."""
    return html.escape(text).replace("\n", "<br/>")


def mention_html(user_id: str, name: str) -> str:
    return f'<a href="{html.escape(user_pill_href(user_id))}">{html.escape(name)}</a>'


def body_and_html(text: str | Rich) -> tuple[str, str]:
    """A notice's plain `body` and its HTML: plain text is escaped, a `Rich` message (the
    catalogue's Markdown, values escaped) rendered."""
    if isinstance(text, Rich):
        return text.plain, text.html()
    return text, text_to_html(text)


def led(lead_plain: str, lead_markup: str, text: str | Rich) -> tuple[str, str]:
    """`body_and_html` of `text` after a lead (mentions and « : »), on its first line."""
    body, markup = body_and_html(text)
    return f"{lead_plain}{body}", lead_html(lead_markup, markup)


class Effects:
    """Collects the effects of handling one event, each with a deterministic dedupe key."""

    def __init__(self, repo: Repository, cause: str, now: datetime) -> None:
        self.repo = repo
        self.cause = cause
        self.now = now
        self._count = 0

    def _key(self, kind: str) -> str:
        self._count += 1
        return f"{kind}:{self.cause}:{self._count}"

    def notice(self, notice: OutboundNotice) -> None:
        queue_notice(self.repo, self._key(NOTICE), notice, self.now)

    def react(self, reaction: OutboundReaction) -> None:
        self.repo.enqueue(REACTION, self._key(REACTION), _payload(reaction), self.now)

    def job(self, kind: str, payload: dict[str, Any]) -> None:
        self.repo.enqueue(kind, self._key(kind), payload, self.now)


def queue_notice(repo: Repository, key: str, notice: OutboundNotice, now: datetime) -> None:
    """A notice as an outbox row under an explicit dedupe key (e.g. an outbox job's id,
    so a redone job does not repeat its notices)."""
    repo.enqueue(NOTICE, key, _payload(notice), now)


def notice_payload(notice: OutboundNotice) -> dict[str, Any]:
    """The outbox payload of a notice (as `queue_notice` stores it)."""
    return _payload(notice)


def _payload(value: OutboundNotice | OutboundReaction) -> dict[str, Any]:
    data = asdict(value)
    if "mentions" in data:
        data["mentions"] = list(data["mentions"])
    return data


def notice_from_payload(payload: dict[str, Any]) -> OutboundNotice:
    return OutboundNotice(
        room_id=payload["room_id"],
        body=payload["body"],
        html=payload["html"],
        thread_root=payload.get("thread_root"),
        reply_to=payload.get("reply_to"),
        mentions=tuple(payload.get("mentions", ())),
    )


def reaction_from_payload(payload: dict[str, Any]) -> OutboundReaction:
    return OutboundReaction(
        room_id=payload["room_id"], target=payload["target"], key=payload["key"]
    )
