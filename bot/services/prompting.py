"""Summary prompts, reminders and the escalation to moderators (DESIGN §5).

Everything is a timer row handled by `bot.scheduling.Scheduler`: the handlers below run
inside the transaction that completes their timer and only write rows (outbox notices,
the lifecycle transition, the next timers), so a restart neither loses nor repeats one.

The schedule, with Q = when the case went quiet = its opening or its latest message
(capturing is itself activity: an old thread captured today is not prompted at once):

- prompt at Q + `summary_after`; if new activity moved Q meanwhile, the prompt timer is
  re-added at the new Q + `summary_after` instead (activity pushes the prompt back);
- the prompt moves the case capturing → awaiting_summary and adds, from the moment P it
  was actually posted, one reminder at P + each of `schedule.reminders` (default P+3d,
  P+7d) and the escalation at P + last + gap, gap being the interval between the last
  two reminders (or the only one's offset; `summary_after` if there are none): by
  default P+11d, giving the last reminder as long to work as the one before;
- after a downtime, of several reminders due at once only the latest is posted;
- reminders and the escalation do nothing once the case has left awaiting_summary, and
  `on_fiche_submitted` cancels whatever is still pending.
"""

from __future__ import annotations

import html
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from bot.domain.fiche import fiche_template
from bot.domain.lifecycle import LifecycleEvent, Refused, transition
from bot.domain.links import thread_link
from bot.domain.models import Case, CaseOrigin, CaseState, Message, Timer
from bot.domain.permissions import Role
from bot.i18n import Translator
from bot.i18n.markdown import Rich, code_block, join, lead_html
from bot.knowledge.drafting import Drafter
from bot.knowledge.related import RelatedFiches
from bot.matrix.events import OutboundNotice
from bot.scheduling import Scheduler
from bot.services.effects import Effects, mention_html, text_to_html
from bot.services.prompt_draft import PromptDrafts
from bot.services.undecryptable import gap_line
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository

log = logging.getLogger(__name__)

PROMPT = "prompt"
REMINDER = "reminder"
ESCALATE = "escalate"
KINDS = (PROMPT, REMINDER, ESCALATE)
SYSTEM_ACTOR = "capibot"
MAX_MENTIONED = 3

#: (room id) → display names seen at sync time; the bot's room snapshots provide it.
DisplayNames = Callable[[str], Mapping[str, str]]


def quiet_since(repo: Repository, case: Case) -> datetime:
    """When the case last saw activity: its opening, or its latest captured message (read
    from the messages, so capture never has to update the case row)."""
    latest = repo.latest_message_at(case.id)
    return max(case.created_at, case.last_activity_at, *([latest] if latest else []))


def on_case_opened(repo: Repository, case: Case, settings: Settings, now: datetime) -> None:
    """Schedule the prompt of a new case (idempotent: a second call adds nothing)."""
    if case.state is not CaseState.CAPTURING or _pending(repo, case.id, PROMPT):
        return
    due = max(now, quiet_since(repo, case)) + settings.schedule.summary_after
    repo.add_timer(PROMPT, due, case.id)


def on_fiche_submitted(repo: Repository, case_id: int, now: datetime) -> None:
    """A fiche arrived: no more prompt, reminder or escalation for this case."""
    repo.cancel_timers(case_id, list(KINDS), now)


def follow_up_times(settings: Settings, prompted_at: datetime) -> tuple[list[datetime], datetime]:
    """(reminder times, escalation time) after a prompt posted at `prompted_at`."""
    offsets = sorted(settings.schedule.reminders)
    if len(offsets) >= 2:
        gap = offsets[-1] - offsets[-2]
    elif offsets:
        gap = offsets[-1]
    else:
        gap = settings.schedule.summary_after
    last = offsets[-1] if offsets else timedelta(0)
    return [prompted_at + o for o in offsets], prompted_at + last + max(gap, timedelta(0))


class Prompting:
    """The timer handlers; `register` hands them to the scheduler."""

    def __init__(
        self,
        settings: Settings,
        display_names: DisplayNames | None = None,
        drafter: Drafter | None = None,
        related: RelatedFiches | None = None,
    ) -> None:
        self.settings = settings
        self.display_names = display_names
        self.drafter = drafter  # None: the legacy extract (no language model)
        self.related = related  # None: no « Fiches proches »
        self.tr = Translator(settings.bot.language)
        self.drafts = PromptDrafts(drafter, related, self.tr.lang, settings.bot.prefix)

    def register(self, scheduler: Scheduler) -> None:
        scheduler.register(PROMPT, self.on_prompt, self.prepare_prompt)
        scheduler.register(REMINDER, self.on_reminder)
        scheduler.register(ESCALATE, self.on_escalate)

    async def prepare_prompt(self, db: Database, timer: Timer, now: datetime) -> None:
        """Before the prompt's transaction: the draft, made outside the writer thread
        (`PromptDrafts`), for a prompt that will be posted now."""
        case_id = timer.case_id
        if case_id is None:
            return

        def due(repo: Repository) -> bool:
            case = repo.get_case(case_id)
            return (
                case is not None
                and case.state is CaseState.CAPTURING
                and quiet_since(repo, case) + self.settings.schedule.summary_after <= now
            )

        if await db.read(due):
            await self.drafts.prepare(db, case_id)

    # -- handlers (inside the transaction that completes the timer) ----------------------

    def on_prompt(self, repo: Repository, timer: Timer, now: datetime) -> None:
        case = repo.get_case(timer.case_id) if timer.case_id is not None else None
        if case is None or case.state is not CaseState.CAPTURING:
            if timer.case_id is not None:
                self.drafts.forget(timer.case_id)
            return
        due = quiet_since(repo, case) + self.settings.schedule.summary_after
        if due > now:  # the thread spoke since: ask later
            self.drafts.forget(case.id)
            repo.add_timer(PROMPT, due, case.id)
            return
        moved = transition(
            case.state,
            LifecycleEvent.PROMPT_DUE,
            {Role.SYSTEM},
            case_id=case.id,
            actor=SYSTEM_ACTOR,
            now=now,
        )
        if isinstance(moved, Refused):  # pragma: no cover - capturing → awaiting is allowed
            log.warning("case #%d not prompted: %s", case.id, moved.reason_key)
            return
        if not repo.update_case(case.id, state=moved.state, expect_state=CaseState.CAPTURING):
            return  # moved concurrently (a fiche came in): no prompt
        repo.add_transition(moved.record)
        Effects(repo, f"timer:{timer.id}", now).notice(self.prompt_notice(repo, case))
        reminders, escalate_at = follow_up_times(self.settings, now)
        for when in reminders:
            repo.add_timer(REMINDER, when, case.id)
        repo.add_timer(ESCALATE, escalate_at, case.id)

    def on_reminder(self, repo: Repository, timer: Timer, now: datetime) -> None:
        case = repo.get_case(timer.case_id) if timer.case_id is not None else None
        if case is None or case.state is not CaseState.AWAITING_SUMMARY:
            return
        later = [
            t for t in repo.pending_timers([REMINDER]) if t.case_id == case.id and t.id != timer.id
        ]
        if any(t.due_at <= now for t in later):
            return  # back after a long downtime: only the latest due reminder is posted
        notice = self.reminder_notice(repo, case, last=not later)
        Effects(repo, f"timer:{timer.id}", now).notice(notice)

    # -- notices, from what is stored (rebuilt as is after `!oublier`) ----------------

    def prompt_notice(self, repo: Repository, case: Case) -> OutboundNotice:
        """The prompt: template and a draft made from the exchange's stored messages
        (prepared outside the writer thread if they have not changed since)."""
        messages = repo.case_messages(case.id)
        people = self._contributors(case, messages)
        lang, prefix = self.tr.lang, self.settings.bot.prefix
        title = case.title or self.tr("capture.untitled")
        command = f"{prefix}fiche {case.id}"
        draft, near = self.drafts.take(repo, case.id, self.tr)
        blocks = [
            join([self.tr.rich("prompt.template"), code_block([command, fiche_template(lang)])]),
            join([self.tr.rich("prompt.draft"), code_block([command, draft])]),
        ]
        intro = self.tr.rich("prompt.intro", case=case.id, title=title, command=command)
        gap = gap_line(self.tr, repo.count_undecryptable(case.id))
        if gap:  # the draft lacks what could not be read: say so where it is shown
            intro = join([intro, Rich.text(gap)], " ")
        text = join([intro, *blocks, *([Rich.text(near)] if near else [])], "\n\n")
        return self._notice_in_case(repo, case, people, text.plain, text.html())

    def reminder_notice(self, repo: Repository, case: Case, *, last: bool) -> OutboundNotice:
        title = case.title or self.tr("capture.untitled")
        command = f"{self.settings.bot.prefix}fiche {case.id}"
        text = self.tr("reminder.body", case=case.id, title=title, command=command)
        if last:
            text += " " + self.tr("reminder.last")
        people = self._contributors(case, repo.case_messages(case.id))
        return self._notice_in_case(repo, case, people, text, text_to_html(text))

    def on_escalate(self, repo: Repository, timer: Timer, now: datetime) -> None:
        case = repo.get_case(timer.case_id) if timer.case_id is not None else None
        if case is None or case.state is not CaseState.AWAITING_SUMMARY:
            return
        moderation = self.settings.matrix.moderation_room
        if not moderation:
            log.info("case #%d needs a summary; no moderation room configured", case.id)
            return
        room = repo.get_room(case.room_id)
        link = thread_link(case.room_id, case.root_event_id)
        marker = "\x00link\x00"

        def render(link_text: str) -> str:
            return self.tr(
                "escalate.body",
                case=case.id,
                title=case.title or self.tr("capture.untitled"),
                room=(room.label if room and room.label else case.room_id),
                link=link_text,
                count=len(self.settings.schedule.reminders),
            )

        anchor = f'<a href="{html.escape(link)}">{html.escape(link)}</a>'
        body_html = text_to_html(render(marker)).replace(html.escape(marker), anchor)
        Effects(repo, f"timer:{timer.id}", now).notice(
            OutboundNotice(room_id=moderation, body=render(link), html=body_html)
        )

    # -- helpers ---------------------------------------------------------------------

    def _contributors(self, case: Case, messages: list[Message]) -> list[tuple[str, str]]:
        """The 1–3 main contributors (most messages, then earliest), with display names."""
        counts = Counter(m.sender for m in messages if not m.redacted)
        order = {sender: i for i, sender in reversed(list(enumerate(m.sender for m in messages)))}
        top = sorted(counts, key=lambda s: (-counts[s], order[s]))[:MAX_MENTIONED]
        if not top:
            top = [case.created_by]
        names = dict(self.display_names(case.room_id)) if self.display_names else {}
        return [(user, names.get(user) or user) for user in top]

    def _notice_in_case(
        self,
        repo: Repository,
        case: Case,
        people: list[tuple[str, str]],
        body: str,
        body_html: str,
    ) -> OutboundNotice:
        """One notice in the case's thread (or replying to its root), mentioning people
        (`body_html` may be rendered Markdown: the mentions go into its first paragraph)."""
        names = repo.participants(user for user, _ in people)
        named = [(u, (names[u].display_name if u in names else "") or n) for u, n in people]
        plain = ", ".join(name for _, name in named)
        linked = ", ".join(mention_html(user, name) for user, name in named)
        thread = case.origin is CaseOrigin.THREAD
        return OutboundNotice(
            room_id=case.room_id,
            body=f"{plain}: {body}",
            html=lead_html(f"{linked}: ", body_html),
            thread_root=case.root_event_id if thread else None,
            reply_to=None if thread else case.root_event_id,
            mentions=tuple(user for user, _ in named),
        )


def _pending(repo: Repository, case_id: int, kind: str, besides: int | None = None) -> bool:
    return any(t.case_id == case_id and t.id != besides for t in repo.pending_timers([kind]))
