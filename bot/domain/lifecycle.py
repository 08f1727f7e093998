"""The case lifecycle of DESIGN §3 as one pure function.

Commands, reactions, the scheduler and the CLI all call `transition`, so the rules (which
state may follow which, who may trigger it, what must be given) are the same whatever
triggered them, and every accepted move yields its audit record.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.models import CaseState, Involvement, Transition
from bot.domain.permissions import Role
from bot.i18n import t

S = CaseState


class LifecycleEvent(enum.StrEnum):
    CAPTURE_CLOSED = "capture_closed"
    PROMPT_DUE = "prompt_due"
    FICHE_SUBMITTED = "fiche_submitted"
    APPROVE = "approve"
    PUBLISHED = "published"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"
    WITHDRAW = "withdraw"
    RESTORE = "restore"


class Who(enum.StrEnum):
    """Who may trigger an event."""

    SYSTEM = "system"  #: the bot's own machinery (scheduler, publisher) or the CLI
    SYSTEM_OR_MODERATOR = "system_or_moderator"
    MODERATOR = "moderator"
    #: wrote in the exchange, captured it or submitted a fiche version
    PARTICIPANT_OR_MODERATOR = "participant_or_moderator"
    #: submitted a version of the fiche (DESIGN §4 "authors")
    AUTHOR_OR_MODERATOR = "author_or_moderator"


@dataclass(frozen=True, slots=True)
class Rule:
    sources: frozenset[CaseState]
    target: CaseState
    who: Who
    needs_reason: bool = False
    needs_fiche: bool = False


_OPEN = frozenset(CaseState) - {S.REJECTED, S.WITHDRAWN}

#: The whole lifecycle. A fiche may be resubmitted while in review (a new version).
RULES: Mapping[LifecycleEvent, Rule] = {
    LifecycleEvent.CAPTURE_CLOSED: Rule(
        frozenset({S.CAPTURING}), S.AWAITING_SUMMARY, Who.SYSTEM_OR_MODERATOR
    ),
    LifecycleEvent.PROMPT_DUE: Rule(frozenset({S.CAPTURING}), S.AWAITING_SUMMARY, Who.SYSTEM),
    LifecycleEvent.FICHE_SUBMITTED: Rule(
        frozenset(
            {S.CAPTURING, S.AWAITING_SUMMARY, S.IN_REVIEW, S.CHANGES_REQUESTED}
            | {S.APPROVED, S.PUBLISHED}
        ),
        S.IN_REVIEW,
        Who.PARTICIPANT_OR_MODERATOR,
    ),
    LifecycleEvent.APPROVE: Rule(
        frozenset({S.IN_REVIEW}), S.APPROVED, Who.MODERATOR, needs_fiche=True
    ),
    LifecycleEvent.PUBLISHED: Rule(frozenset({S.APPROVED}), S.PUBLISHED, Who.SYSTEM),
    # Any time before approval (DESIGN §3): a thread not worth a fiche, a fiche whose
    # changes never came. After it, `!retirer` takes a page down; rejecting an
    # amendment of a published case keeps the page (see `transition`).
    LifecycleEvent.REJECT: Rule(
        frozenset({S.CAPTURING, S.AWAITING_SUMMARY, S.IN_REVIEW, S.CHANGES_REQUESTED}),
        S.REJECTED,
        Who.MODERATOR,
        needs_reason=True,
    ),
    LifecycleEvent.REQUEST_CHANGES: Rule(
        frozenset({S.IN_REVIEW}), S.CHANGES_REQUESTED, Who.MODERATOR, needs_reason=True
    ),
    LifecycleEvent.WITHDRAW: Rule(_OPEN, S.WITHDRAWN, Who.AUTHOR_OR_MODERATOR),
    # Undoes a withdrawal: back to where the case was (its target is computed from the
    # state it was withdrawn from, see `restored_state`).
    LifecycleEvent.RESTORE: Rule(frozenset({S.WITHDRAWN}), S.WITHDRAWN, Who.MODERATOR),
}


NOT_INVOLVED = Involvement()


def restored_state(withdrawn_from: CaseState | None) -> CaseState | None:
    """Where `!rétablir` takes a case withdrawn from `withdrawn_from`: the same state,
    except that a published case comes back approved (its page is then rebuilt, and the
    publisher moves it to published as for any approval)."""
    if withdrawn_from is None or withdrawn_from in (S.WITHDRAWN, S.REJECTED):
        return None
    return S.APPROVED if withdrawn_from is S.PUBLISHED else withdrawn_from


@dataclass(frozen=True, slots=True)
class TransitionResult:
    state: CaseState
    record: Transition


@dataclass(frozen=True, slots=True)
class Refused:
    """Why a move is refused: an i18n key and its params (render with `message`)."""

    reason_key: str
    params: Mapping[str, str] = field(default_factory=dict)

    def message(self, lang: str, prefix: str = "!") -> str:
        params: dict[str, str] = {"prefix": prefix, **self.params}
        if "state" in params:
            params["state"] = t(lang, f"state.{params['state']}")
        if "event" in params:
            params["event"] = t(lang, f"event.{params['event']}")
        return t(lang, self.reason_key, **params)


def transition(
    state: CaseState,
    event: LifecycleEvent,
    actor_roles: Iterable[Role],
    *,
    case_id: int,
    actor: str,
    now: datetime,
    has_fiche: bool = False,
    involvement: Involvement = NOT_INVOLVED,
    allow_self_approval: bool = False,
    reason: str = "",
    was_published: bool = False,
    withdrawn_from: CaseState | None = None,
) -> TransitionResult | Refused:
    """Apply `event` to a case in `state`, or say why not.

    `involvement`: how the actor took part in the case (authorship, four eyes).
    `was_published`: the case has a live page, so rejecting an amendment returns it to
    `published` instead of rejecting the whole case. `withdrawn_from`: for a restore,
    the state the case was withdrawn from.
    """
    rule = RULES[event]
    params = {"case": str(case_id), "state": state.value, "event": event.value}
    roles = frozenset(actor_roles)
    if not _allowed(rule.who, roles, involvement):
        return Refused(f"lifecycle.forbidden.{rule.who.value}", params)
    if (
        event is LifecycleEvent.APPROVE
        and Role.SYSTEM not in roles
        and not allow_self_approval
        and (involvement.submitted or involvement.wrote)
    ):
        # Four eyes: nobody approves what they wrote (DESIGN §4).
        why = "submitted" if involvement.submitted else "wrote"
        return Refused(f"lifecycle.four_eyes.{why}", params)
    if event is LifecycleEvent.RESTORE:
        if state is not S.WITHDRAWN:
            return Refused("lifecycle.not_withdrawn", params)
        back = restored_state(withdrawn_from)
        if back is None:
            return Refused("lifecycle.invalid", params)
        return TransitionResult(back, Transition(case_id, state, back, actor, now, reason.strip()))
    if state is S.WITHDRAWN:
        return Refused("lifecycle.withdrawn", params)
    if state is S.REJECTED:
        return Refused("lifecycle.rejected", params)
    if rule.needs_fiche and not has_fiche:
        return Refused("lifecycle.no_fiche", params)
    if state not in rule.sources:
        return Refused(_wrong_state_key(event, state), params)
    if rule.needs_reason and not reason.strip():
        return Refused(f"lifecycle.reason_required.{event.value}", params)
    target = rule.target
    if event is LifecycleEvent.REJECT and was_published:
        target = S.PUBLISHED
    record = Transition(case_id, state, target, actor, now, reason.strip())
    return TransitionResult(target, record)


def _allowed(who: Who, roles: frozenset[Role], involvement: Involvement) -> bool:
    if Role.SYSTEM in roles:
        return True
    moderator = Role.MODERATOR in roles
    if who is Who.SYSTEM:
        return False
    if who is Who.AUTHOR_OR_MODERATOR:
        return moderator or involvement.submitted
    if who is Who.PARTICIPANT_OR_MODERATOR:
        return moderator or involvement.participant
    return moderator


def _wrong_state_key(event: LifecycleEvent, state: CaseState) -> str:
    """The most specific explanation for an event arriving in the wrong state."""
    if event in (LifecycleEvent.APPROVE, LifecycleEvent.REJECT) and state in (
        S.APPROVED,
        S.PUBLISHED,
    ):
        return "lifecycle.already_approved"
    if state is S.CHANGES_REQUESTED:
        return "lifecycle.waiting_for_changes"
    if event in (LifecycleEvent.APPROVE, LifecycleEvent.REJECT, LifecycleEvent.REQUEST_CHANGES):
        return "lifecycle.not_in_review"
    return "lifecycle.invalid"
