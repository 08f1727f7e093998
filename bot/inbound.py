"""Applies one translated sync batch to storage, in one transaction with the sync token.

The router above both `bot.commands` and `bot.services`: it parses and dispatches
commands and hands everything else to the services.

This is the code path of every incoming event (the benchmark replays synthetic events
through it): captured messages are stored once (event ids are unique), edits and
redactions applied, commands executed, and every reply queued in the same transaction.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Callable
from datetime import datetime

from bot.commands import model
from bot.commands.capture import PIN, capture_enabled, capture_payload
from bot.commands.context import CommandContext
from bot.commands.meetings import MeetingCmd
from bot.commands.parser import parse_if_addressed
from bot.commands.registry import handle, help_text, render_usage_error
from bot.commands.room import RoomCmd
from bot.i18n import Translator
from bot.matrix.events import (
    InboundEdit,
    InboundInvite,
    InboundMessage,
    InboundReaction,
    InboundRedaction,
    OutboundNotice,
    RoomSnapshot,
    SyncBatch,
)
from bot.matrix.sync import record_position
from bot.services import effects as fx
from bot.services.batch_writer import BatchWriter, CaseRoots
from bot.services.documentation import relay_answer
from bot.services.effects import Effects, mention_html, text_to_html
from bot.services.meetings import edit_line, record_line
from bot.services.publication_requests import request_republish
from bot.services.ratelimit import Admission, CommandRateLimit
from bot.services.review_cards import is_card_action, on_card_reaction
from bot.services.roles import roles_in
from bot.services.undecryptable import as_message, record_undecryptable
from bot.settings import Settings
from bot.storage.outage import database_unavailable
from bot.storage.repository import Repository

log = logging.getLogger(__name__)
PIN_KEYS = {PIN, PIN + "\ufe0f"}


class InboundService:
    """Holds the latest room snapshots (for permissions) between batches."""

    def __init__(self, settings: Settings, bot_user_id: str, clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self.bot_user_id = bot_user_id
        self.clock = clock
        self.rooms: dict[str, RoomSnapshot] = {}
        self.rate_limit = CommandRateLimit()
        self.case_roots = CaseRoots()
        #: rooms' `short_forms` setting, read once per room (`!salon` drops its entry)
        self._short_forms: dict[str, bool] = {}
        #: rooms with an open meeting, read once (a `!réunion` command drops it): the
        #: common message costs no query. May hold a room whose meeting the timer closed
        #: meanwhile, never miss one (meetings only open through this service).
        self._meeting_rooms: set[str] | None = None

    def apply(self, repo: Repository, batch: SyncBatch) -> None:
        """Everything of the batch, then its token: the caller commits them together."""
        self.rooms.update(batch.rooms)
        self.case_roots.watch(repo.session)
        unreadable = tuple(as_message(e) for e in batch.undecryptable)  # their cases too
        writer = BatchWriter(
            repo,
            self.case_roots,
            batch.events + unreadable,
            on_redacted=lambda case_ids: self._republish(repo, case_ids),
            may_act=lambda key: key in PIN_KEYS or is_card_action(key),
        )
        for event in batch.events:
            if isinstance(event, InboundMessage):
                # A command read by a late key is not run: its sender was told it was
                # lost and may have sent it again since.
                late = bool(batch.recovered) and event.event_id in batch.recovered
                self._on_message(repo, writer, event, run_commands=not (batch.initial or late))
            elif isinstance(event, InboundEdit):
                writer.edit(event.room_id, event.target, event.sender, event.new_body)
                if self._in_meeting(repo, event.room_id):
                    room = self.rooms.get(event.room_id, RoomSnapshot(room_id=event.room_id))
                    edit_line(repo, event.target, event.sender, event.new_body, room)
            elif isinstance(event, InboundRedaction):
                writer.redact(event.room_id, event.target)
                if self._in_meeting(repo, event.room_id):
                    repo.redact_meeting_line(event.target)
            elif isinstance(event, InboundInvite):
                self._on_invite(repo, event)
            elif isinstance(event, InboundReaction) and not batch.initial:
                self._on_reaction(repo, writer, event)
        if batch.undecryptable:
            tr = Translator(self.settings.bot.language, tz=self.settings.schedule.timezone)
            record_undecryptable(
                repo, writer, batch.undecryptable, self.rooms, tr, self.bot_user_id, self.clock()
            )
        writer.flush()
        if batch.recovered:  # read by a late key: stored above when in a case
            repo.mark_recovered(batch.recovered, self.clock())
        record_position(repo, batch)

    def _republish(self, repo: Repository, case_ids: set[int]) -> None:
        """A published page quoting an erased message is rebuilt."""
        for case_id in sorted(repo.live_pages_among(case_ids)):
            request_republish(repo, case_id, "redaction", self.clock())

    # -- invites ---------------------------------------------------------------------

    def _on_invite(self, repo: Repository, event: InboundInvite) -> None:
        allowed = any(
            fnmatch.fnmatchcase(event.inviter, pattern)
            for pattern in self.settings.matrix.allowed_inviters
        )
        effects = Effects(repo, f"invite:{event.room_id}:{event.inviter}", self.clock())
        effects.job(fx.JOIN if allowed else fx.REJECT_INVITE, {"room_id": event.room_id})
        log.info(
            "invite to %s by %s: %s",
            event.room_id,
            event.inviter,
            "joining" if allowed else "rejected",
        )

    # -- messages --------------------------------------------------------------------

    def _on_message(
        self, repo: Repository, writer: BatchWriter, event: InboundMessage, *, run_commands: bool
    ) -> None:
        if event.sender == self.bot_user_id:
            return
        command = None if event.is_notice else self._parse(repo, event)
        if command is None or isinstance(command, model.UnknownCommand):
            # Exchanges are stored, commands to the bot are not part of them (is_bot_command).
            case_id = writer.case_of(event)
            if case_id is not None:
                writer.add(event, case_id)
            room = self.rooms.get(event.room_id, RoomSnapshot(room_id=event.room_id))
            if self._in_meeting(repo, event.room_id) and not record_line(repo, event, room):
                self._meeting_rooms = None  # closed meanwhile (its timer): read again
            if run_commands and event.room_id == self.settings.matrix.documentation_room:
                relay_answer(repo, self.settings, event, room, self.clock)
        if run_commands and command is not None:
            writer.flush()
            self._run_command(repo, event, command)

    def _parse(self, repo: Repository, event: InboundMessage) -> model.ParseResult:
        """What the message asks of the bot. Only a message that names one of our commands
        costs a look at its room's profile (once per room): where the room left the English
        short forms to another bot, `!help` or `!list` are that bot's, not ours."""
        prefix = self.settings.bot.prefix
        result = parse_if_addressed(event.body, prefix)
        if result is None or isinstance(result, model.UnknownCommand):
            return result
        if self._short_forms_on(repo, event.room_id):
            return result
        return parse_if_addressed(event.body, prefix, short_forms=False)

    def _in_meeting(self, repo: Repository, room_id: str) -> bool:
        if self._meeting_rooms is None:
            self._meeting_rooms = repo.rooms_with_open_meetings()
        return room_id in self._meeting_rooms

    def _short_forms_on(self, repo: Repository, room_id: str) -> bool:
        known = self._short_forms.get(room_id)
        if known is None:
            room = repo.get_room(room_id)
            known = self._short_forms[room_id] = room is None or room.short_forms
        return known

    def _run_command(
        self, repo: Repository, event: InboundMessage, result: model.ParseResult
    ) -> None:
        prefix = self.settings.bot.prefix
        if result is None:
            return
        admission = self.rate_limit.admit(event.sender, event.sent_at)
        if admission is Admission.REFUSE_SILENTLY:
            return
        room = self.rooms.get(event.room_id, RoomSnapshot(room_id=event.room_id))
        ctx = CommandContext(
            repo=repo,
            settings=self.settings,
            now=self.clock(),
            event=event,
            room=room,
            roles=roles_in(event.sender, room, self.rooms, self.settings),
            effects=Effects(repo, f"cmd:{event.event_id}", self.clock()),
            rooms=self.rooms,
        )
        lang = Translator(self.settings.bot.language).lang
        if admission is Admission.REFUSE_AND_SAY:
            ctx.reply(ctx.tr("rate_limited"))
            return
        if isinstance(result, model.UnknownCommand):
            if room.is_direct:
                ctx.reply(
                    ctx.tr("dm.unknown", word=result.word)
                    + "\n\n"
                    + help_text(lang, ctx.roles, prefix=prefix)
                )
            return
        if isinstance(result, model.UsageError):
            ctx.reply(
                render_usage_error(lang, result.command, result.reason, result.params, prefix)
            )
            return
        if isinstance(result, RoomCmd):
            self._short_forms.pop(event.room_id, None)  # the profile may change: read again
        if isinstance(result, MeetingCmd):
            self._meeting_rooms = None  # a meeting may open or close: read again
        try:
            with repo.session.begin_nested():  # a savepoint: a failing command undoes itself
                handle(result, ctx)
        except Exception as exc:
            if database_unavailable(exc):
                raise  # not the command's fault: the whole batch waits for the database
            # One bad command must never poison the batch (and the sync token with it).
            log.exception("command %s in %s failed", type(result).__name__, event.room_id)
            ctx.effects = Effects(repo, f"cmd-error:{event.event_id}", self.clock())
            ctx.reply(ctx.tr("error.internal"))

    # -- reactions -------------------------------------------------------------------

    def _on_reaction(self, repo: Repository, writer: BatchWriter, event: InboundReaction) -> None:
        """📌 captures; ✅ / ❌ on a review card curates. A reaction that would act costs a
        token of the sender's command rate limit (DESIGN §4): a flood of pins must not open
        a flood of cases. Other reactions (a 👍 on a message) cost nothing: no query of
        their own (the batch's cards are looked up at once), no flush of the batch."""
        if event.sender == self.bot_user_id:
            return
        card_action = is_card_action(event.key)
        if not card_action and event.key not in PIN_KEYS:
            return  # a ❤️ acts on nothing, card or not
        on_card = writer.is_review_card(event.target)
        if on_card:
            if not card_action:
                return
        elif event.key not in PIN_KEYS or not capture_enabled(repo, event.room_id):
            return
        writer.flush()  # what acts next may read the batch's messages
        if not self._admit_reaction(repo, event):
            return
        if on_card:
            on_card_reaction(repo, self.settings, self.rooms, event, self.clock)
            return
        stored = repo.message_in_room(event.room_id, event.target)
        if stored is not None and stored.case_id is not None:
            return  # already part of a captured exchange
        snapshot = self.rooms.get(event.room_id, RoomSnapshot(room_id=event.room_id))
        pseudo = InboundMessage(
            room_id=event.room_id,
            event_id=event.event_id,
            sender=event.sender,
            sent_at=event.sent_at,
            body="",
            thread_root=None,
            in_reply_to=event.target,
        )
        ctx = CommandContext(
            repo=repo,
            settings=self.settings,
            now=self.clock(),
            event=pseudo,
            room=snapshot,
            roles=frozenset(),
            effects=Effects(repo, f"pin:{event.event_id}", self.clock()),
        )
        # The root is resolved by the capture job (the pinned message may sit in a thread).
        ctx.effects.job(fx.CAPTURE, capture_payload(ctx, root=event.target, case_id=None))

    def _admit_reaction(self, repo: Repository, event: InboundReaction) -> bool:
        """The command rate limit, for a reaction: a refusal acts on nothing, and the first
        one of the minute is answered like a command's, replying to the reacted event."""
        admission = self.rate_limit.admit(event.sender, event.sent_at)
        if admission is Admission.ALLOW:
            return True
        if admission is Admission.REFUSE_AND_SAY:
            snapshot = self.rooms.get(event.room_id, RoomSnapshot(room_id=event.room_id))
            name = snapshot.display_names.get(event.sender) or event.sender
            text = Translator(self.settings.bot.language)("rate_limited")
            Effects(repo, f"reaction-limited:{event.event_id}", self.clock()).notice(
                OutboundNotice(
                    room_id=event.room_id,
                    body=f"{name}: {text}",
                    html=f"{mention_html(event.sender, name)}: {text_to_html(text)}",
                    reply_to=event.target,
                    mentions=(event.sender,),
                )
            )
        return False
