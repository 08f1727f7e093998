"""The capture job: fetch an exchange's earlier messages, store them, acknowledge.

It runs from the outbox, after the command's transaction committed: network calls never
happen inside a database transaction, and a crash mid-way simply redoes the job (stored
messages are unique by event id; replies are deduplicated by their outbox row).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from bot.domain.lifecycle import LifecycleEvent, TransitionResult, transition
from bot.domain.models import CaseOrigin
from bot.domain.permissions import Role
from bot.domain.text import title_from_message
from bot.i18n import Translator
from bot.knowledge.related import Related, RelatedFiches
from bot.matrix.events import Inbound, InboundEdit, InboundMessage, OutboundNotice, OutboundReaction
from bot.services.batch_writer import stored_message
from bot.services.documentation import asker_messages
from bot.services.effects import Effects, mention_html, text_to_html
from bot.services.prompting import on_case_opened, on_fiche_submitted
from bot.services.published import PublishedCache, find_related, related_text
from bot.services.related import related_lines
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository

log = logging.getLogger(__name__)
MAX_REPLY_CHAIN = 50
#: « Fiches proches » found before the store transaction, with the text they were found
#: for: used only if the stored exchange reads exactly so (issue 18).
Near = tuple[str, list[Related]]


class ExchangeSource(Protocol):
    """What the job needs from the Matrix gateway."""

    async def fetch_event(self, room_id: str, event_id: str) -> Inbound | None: ...

    async def fetch_thread(self, room_id: str, root_id: str) -> list[Inbound]: ...


class CaptureJob:
    def __init__(
        self,
        db: Database,
        source: ExchangeSource,
        settings: Settings,
        bot_user_id: str,
        clock: Callable[[], datetime],
        *,
        is_command: Callable[[str], bool],
        related: RelatedFiches | None = None,
    ) -> None:
        """`is_command` tells a command to the bot (not part of the exchange) from a
        message: the command layer knows, and sits above the services."""
        self.db = db
        self.source = source
        self.settings = settings
        self.bot_user_id = bot_user_id
        self.clock = clock
        self.is_command = is_command
        self.related = related  # « Fiches proches » on a new case's answer (issue 17)
        self.published = PublishedCache()

    async def __call__(self, item_id: int, payload: dict[str, Any]) -> None:
        room_id: str = payload["room_id"]
        root_id: str = payload["root"]
        root = await self.source.fetch_event(room_id, root_id)
        origin = CaseOrigin.THREAD
        if payload.get("case_id") is None:
            # A 📌 on a message inside a thread captures the whole thread.
            if (
                isinstance(root, InboundMessage)
                and root.thread_root
                and root.thread_root != root_id
            ):
                root_id = root.thread_root
                root = await self.source.fetch_event(room_id, root_id)
        else:
            origin = await self.db.run(lambda repo: _origin(repo, payload["case_id"]))
        if origin is CaseOrigin.REPLY_CHAIN:
            exchange = await self._reply_chain(room_id, root)
        else:
            thread = await self.source.fetch_thread(room_id, root_id)
            exchange = ([root] if root is not None else []) + thread
        now = self.clock()
        if root is None and not exchange:
            # Not an event of this room (a reply or 📌 may name any event id, e.g. another
            # room's case root) or not visible to the bot: nothing to capture here.
            await self.db.run(lambda repo: self._not_here(repo, item_id, payload, now))
            return
        near = await self._find_near(exchange)
        await self.db.run(
            lambda repo: self._store(repo, item_id, payload, root_id, origin, exchange, now, near)
        )

    async def _find_near(self, exchange: list[Inbound]) -> Near | None:
        """« Fiches proches » of the exchange as it will presumably be stored, looked for
        outside the writer thread (the model parses the whole exchange: hundreds of ms,
        seconds while it loads), the fiches read in a reader thread."""
        if self.related is None:
            return None
        text = "\n".join(event.body for event in self._kept(exchange))
        published = await self.db.read(self.published.get)
        found = await asyncio.to_thread(find_related, self.related, text, published, None)
        return text, found

    def _kept(self, exchange: list[Inbound]) -> list[InboundMessage]:
        """The exchange's messages that are stored: not the bot's, no notice, no command."""
        return [
            event
            for event in exchange
            if isinstance(event, InboundMessage)
            and event.sender != self.bot_user_id
            and not event.is_notice
            and not self.is_command(event.body)
        ]

    def _not_here(
        self, repo: Repository, item_id: int, payload: dict[str, Any], now: datetime
    ) -> None:
        """Close the case `!capturer` opened on a message the room does not hold, and say
        so; a 📌 opened nothing yet."""
        case_id = payload.get("case_id")
        case = repo.get_case(case_id) if case_id is not None else None
        if case is not None and repo.count_messages(case.id) == 0:
            closed = transition(
                case.state,
                LifecycleEvent.REJECT,
                {Role.SYSTEM},
                case_id=case.id,
                actor=self.bot_user_id,
                now=now,
                reason="capture: root event not in this room",
            )
            if isinstance(closed, TransitionResult) and repo.update_case(
                case.id, state=closed.state, expect_state=case.state
            ):
                repo.add_transition(closed.record)
                on_fiche_submitted(repo, case.id, now)  # cancels its prompt timers
        if payload.get("case_id") is None:
            return  # a 📌 on something we cannot read: no answer (no noise)
        tr = Translator(self.settings.bot.language)
        text = tr("capture.root_missing")
        sender, name = payload["sender"], payload.get("sender_name") or payload["sender"]
        Effects(repo, f"capture-job:{item_id}", now).notice(
            OutboundNotice(
                room_id=payload["room_id"],
                body=f"{name}: {text}",
                html=f"{mention_html(sender, name)}: {text_to_html(text)}",
                thread_root=payload.get("reply_thread"),
                reply_to=payload["command_event"],
                mentions=(sender,),
            )
        )

    async def _reply_chain(self, room_id: str, anchor: Inbound | None) -> list[Inbound]:
        """The replied-to message and its ancestors, oldest first (bounded walk)."""
        chain: list[Inbound] = []
        current = anchor
        while isinstance(current, InboundMessage) and len(chain) < MAX_REPLY_CHAIN:
            chain.append(current)
            if not current.in_reply_to:
                break
            current = await self.source.fetch_event(room_id, current.in_reply_to)
        return list(reversed(chain))

    def _store(
        self,
        repo: Repository,
        item_id: int,
        payload: dict[str, Any],
        root_id: str,
        origin: CaseOrigin,
        exchange: list[Inbound],
        now: datetime,
        near: Near | None = None,
    ) -> None:
        case_id = payload.get("case_id")
        created = False
        if case_id is None:
            case, created = repo.create_case(
                room_id=payload["room_id"],
                root_event_id=root_id,
                origin=origin,
                title="",
                created_by=payload["sender"],
                now=now,
            )
            if created:
                on_case_opened(repo, case, self.settings, now)
        else:
            found = repo.get_case(case_id)
            if found is None:
                return
            case, created = found, True
        messages = [stored_message(event, case.id) for event in self._kept(exchange)]
        posts = [
            event
            for event in exchange
            if isinstance(event, InboundMessage) and event.sender == self.bot_user_id
        ]
        messages += asker_messages(repo, posts, case.id)  # desk questions: the asker's words
        repo.add_messages(messages)
        if origin is CaseOrigin.THREAD:  # messages of the thread given up on before
            repo.attach_undecryptable(case.room_id, root_id, case.id)
        for event in exchange:
            if isinstance(event, InboundEdit):
                repo.apply_edit(event.room_id, event.target, event.sender, event.new_body)
        if messages:
            repo.update_case(case.id, last_activity_at=max(m.sent_at for m in messages))
        title = case.title
        if not title and messages:
            title = title_from_message(messages[0].body)
            repo.update_case(case.id, title=title)
        self._acknowledge(
            repo,
            item_id,
            payload,
            root_id,
            case.id,
            title,
            created,
            case.state.value,
            repo.count_messages(case.id),
            now,
            near,
        )

    def _acknowledge(
        self,
        repo: Repository,
        item_id: int,
        payload: dict[str, Any],
        root_id: str,
        case_id: int,
        title: str,
        created: bool,
        state: str,
        count: int,
        now: datetime,
        found: Near | None = None,
    ) -> None:
        tr = Translator(self.settings.bot.language)
        effects = Effects(repo, f"capture-job:{item_id}", now)
        room_id = payload["room_id"]
        pinned = payload.get("case_id") is None
        # The ✅ goes on the command, or on the pinned message for a 📌.
        target = payload["root"] if pinned else payload["command_event"]
        effects.react(OutboundReaction(room_id=room_id, target=target, key="✅"))
        if created:
            text = tr(
                "capture.done",
                case=case_id,
                title=title or tr("capture.untitled"),
                count=count,
                prefix=self.settings.bot.prefix,
            )
            near = self._near(repo, case_id, found, tr)
            text = f"{text}\n\n{near}" if near else text
        else:
            text = tr(
                "capture.exists",
                case=case_id,
                title=title or tr("capture.untitled"),
                state=tr(f"state.{state}"),
            )
        sender, name = payload["sender"], payload.get("sender_name") or payload["sender"]
        thread_root = root_id if pinned else payload.get("reply_thread")
        reply_to = root_id if pinned else payload["command_event"]
        effects.notice(
            OutboundNotice(
                room_id=room_id,
                body=f"{name}: {text}",
                html=f"{mention_html(sender, name)}: {text_to_html(text)}",
                thread_root=thread_root,
                reply_to=reply_to,
                mentions=(sender,),
            )
        )

    def _near(self, repo: Repository, case_id: int, found: Near | None, tr: Translator) -> str:
        """The « Fiches proches » found ahead if the stored exchange is the text they
        were found for; else looked for again here (not waiting for a loading model)."""
        exchange = "\n".join(m.body for m in repo.case_messages(case_id) if not m.redacted)
        if found is not None and found[0] == exchange:
            kept = [r for r in found[1] if r.case_id != case_id]
            return related_text(repo, kept, tr) if kept else ""
        return related_lines(
            repo, self.related, exchange, tr, exclude=case_id, published=self.published
        )


def _origin(repo: Repository, case_id: int) -> CaseOrigin:
    case = repo.get_case(case_id)
    return case.origin if case else CaseOrigin.THREAD
