"""The lifecycle table: every valid move, the invalid ones, who may do what."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain.lifecycle import (
    NOT_INVOLVED,
    RULES,
    Involvement,
    LifecycleEvent,
    Refused,
    TransitionResult,
    transition,
)
from bot.domain.models import CaseState, Transition
from bot.domain.permissions import Role

S = CaseState
E = LifecycleEvent
NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
SYSTEM = frozenset({Role.SYSTEM})
MODERATOR = frozenset({Role.EVERYONE, Role.MODERATOR})
PARTICIPANT = frozenset({Role.EVERYONE, Role.PARTICIPANT})
WROTE = Involvement(wrote=True)
SUBMITTED = Involvement(submitted=True)
ANYONE = frozenset({Role.EVERYONE})
RESEARCHER = frozenset({Role.EVERYONE, Role.RESEARCHER})
ADMIN_ONLY = frozenset({Role.EVERYONE, Role.ROOM_ADMIN})


def run(
    state: CaseState,
    event: LifecycleEvent,
    roles: frozenset[Role],
    *,
    has_fiche: bool = True,
    involvement: Involvement = NOT_INVOLVED,
    allow_self_approval: bool = False,
    reason: str = "",
    was_published: bool = False,
    withdrawn_from: CaseState | None = None,
) -> TransitionResult | Refused:
    return transition(
        state,
        event,
        roles,
        case_id=7,
        actor="@who:ex.org",
        now=NOW,
        has_fiche=has_fiche,
        involvement=involvement,
        allow_self_approval=allow_self_approval,
        reason=reason,
        was_published=was_published,
        withdrawn_from=withdrawn_from,
    )


VALID = [
    (S.CAPTURING, E.CAPTURE_CLOSED, SYSTEM, S.AWAITING_SUMMARY),
    (S.CAPTURING, E.CAPTURE_CLOSED, MODERATOR, S.AWAITING_SUMMARY),
    (S.CAPTURING, E.PROMPT_DUE, SYSTEM, S.AWAITING_SUMMARY),
    (S.CAPTURING, E.FICHE_SUBMITTED, PARTICIPANT, S.IN_REVIEW),
    (S.AWAITING_SUMMARY, E.FICHE_SUBMITTED, PARTICIPANT, S.IN_REVIEW),
    (S.IN_REVIEW, E.FICHE_SUBMITTED, PARTICIPANT, S.IN_REVIEW),
    (S.CHANGES_REQUESTED, E.FICHE_SUBMITTED, PARTICIPANT, S.IN_REVIEW),
    (S.APPROVED, E.FICHE_SUBMITTED, PARTICIPANT, S.IN_REVIEW),
    (S.PUBLISHED, E.FICHE_SUBMITTED, PARTICIPANT, S.IN_REVIEW),
    (S.AWAITING_SUMMARY, E.FICHE_SUBMITTED, MODERATOR, S.IN_REVIEW),
    (S.IN_REVIEW, E.APPROVE, MODERATOR, S.APPROVED),
    (S.IN_REVIEW, E.APPROVE, SYSTEM, S.APPROVED),
    (S.APPROVED, E.PUBLISHED, SYSTEM, S.PUBLISHED),
    (S.IN_REVIEW, E.REJECT, MODERATOR, S.REJECTED),
    (S.CAPTURING, E.REJECT, MODERATOR, S.REJECTED),
    (S.AWAITING_SUMMARY, E.REJECT, MODERATOR, S.REJECTED),
    (S.CHANGES_REQUESTED, E.REJECT, MODERATOR, S.REJECTED),
    (S.IN_REVIEW, E.REQUEST_CHANGES, MODERATOR, S.CHANGES_REQUESTED),
    (S.WITHDRAWN, E.RESTORE, MODERATOR, S.IN_REVIEW),
    *[
        (state, E.WITHDRAW, roles, S.WITHDRAWN)
        for state in (
            S.CAPTURING,
            S.AWAITING_SUMMARY,
            S.IN_REVIEW,
            S.CHANGES_REQUESTED,
            S.APPROVED,
            S.PUBLISHED,
        )
        for roles in (MODERATOR, PARTICIPANT)
    ],
]


@pytest.mark.parametrize(("state", "event", "roles", "target"), VALID)
def test_valid_transitions(
    state: CaseState, event: LifecycleEvent, roles: frozenset[Role], target: CaseState
) -> None:
    # PARTICIPANT stands for "took part": wrote in the case, and for a withdrawal,
    # submitted a version of its fiche (an author).
    involvement = Involvement()
    if roles is PARTICIPANT:
        involvement = SUBMITTED if event is E.WITHDRAW else WROTE
    withdrawn_from = S.IN_REVIEW if event is E.RESTORE else None
    result = run(
        state,
        event,
        roles,
        reason="motif",
        involvement=involvement,
        withdrawn_from=withdrawn_from,
    )
    assert isinstance(result, TransitionResult), result
    assert result.state is target
    assert result.record == Transition(7, state, target, "@who:ex.org", NOW, "motif")


def test_the_table_matches_the_valid_list() -> None:
    """Every (source, event) allowed by the rules is exercised above."""
    covered = {(state, event) for state, event, _, _ in VALID}
    for event, rule in RULES.items():
        for state in rule.sources:
            assert (state, event) in covered, (state, event)


def test_only_submitters_may_withdraw_among_participants() -> None:
    """A stray reply in the thread gives no power over the case (issue 12 item 2)."""
    assert isinstance(run(S.PUBLISHED, E.WITHDRAW, ANYONE, involvement=SUBMITTED), TransitionResult)
    for took_part in (WROTE, Involvement(captured=True)):
        refused = run(S.PUBLISHED, E.WITHDRAW, PARTICIPANT, involvement=took_part)
        assert isinstance(refused, Refused)
        assert refused.reason_key == "lifecycle.forbidden.author_or_moderator"


def test_writers_and_capturers_may_submit_a_fiche() -> None:
    for took_part in (WROTE, SUBMITTED, Involvement(captured=True)):
        result = run(S.AWAITING_SUMMARY, E.FICHE_SUBMITTED, ANYONE, involvement=took_part)
        assert isinstance(result, TransitionResult)
        assert result.state is S.IN_REVIEW
    refused = run(S.AWAITING_SUMMARY, E.FICHE_SUBMITTED, ANYONE)
    assert isinstance(refused, Refused)


@pytest.mark.parametrize(("involvement", "why"), [(SUBMITTED, "submitted"), (WROTE, "wrote")])
def test_four_eyes(involvement: Involvement, why: str) -> None:
    refused = run(S.IN_REVIEW, E.APPROVE, MODERATOR, involvement=involvement)
    assert isinstance(refused, Refused)
    assert refused.reason_key == f"lifecycle.four_eyes.{why}"
    assert "#7" in refused.message("fr") and "#7" in refused.message("en")
    allowed = run(
        S.IN_REVIEW, E.APPROVE, MODERATOR, involvement=involvement, allow_self_approval=True
    )
    assert isinstance(allowed, TransitionResult)
    # a capturer who wrote nothing is not an author of the words: four eyes hold
    captured = run(S.IN_REVIEW, E.APPROVE, MODERATOR, involvement=Involvement(captured=True))
    assert isinstance(captured, TransitionResult)
    # rejecting or asking for changes to one's own fiche is not self-approval
    assert isinstance(
        run(S.IN_REVIEW, E.REJECT, MODERATOR, involvement=involvement, reason="x"),
        TransitionResult,
    )


@pytest.mark.parametrize(
    ("withdrawn_from", "back"),
    [
        (S.PUBLISHED, S.APPROVED),
        (S.APPROVED, S.APPROVED),
        (S.IN_REVIEW, S.IN_REVIEW),
        (S.CAPTURING, S.CAPTURING),
        (S.CHANGES_REQUESTED, S.CHANGES_REQUESTED),
    ],
)
def test_restore_returns_to_the_state_before_withdrawal(
    withdrawn_from: CaseState, back: CaseState
) -> None:
    result = run(S.WITHDRAWN, E.RESTORE, MODERATOR, withdrawn_from=withdrawn_from)
    assert isinstance(result, TransitionResult)
    assert result.state is back


def test_restore_is_for_moderators_and_withdrawn_cases() -> None:
    by_author = run(S.WITHDRAWN, E.RESTORE, PARTICIPANT, involvement=SUBMITTED,
                    withdrawn_from=S.PUBLISHED)
    assert isinstance(by_author, Refused)
    assert by_author.reason_key == "lifecycle.forbidden.moderator"
    live = run(S.PUBLISHED, E.RESTORE, MODERATOR, withdrawn_from=S.PUBLISHED)
    assert isinstance(live, Refused)
    assert live.reason_key == "lifecycle.not_withdrawn"
    unknown = run(S.WITHDRAWN, E.RESTORE, MODERATOR, withdrawn_from=None)
    assert isinstance(unknown, Refused)


def test_rejecting_an_amendment_keeps_the_page_published() -> None:
    result = run(S.IN_REVIEW, E.REJECT, MODERATOR, reason="non", was_published=True)
    assert isinstance(result, TransitionResult)
    assert result.state is S.PUBLISHED


def test_reason_is_recorded_trimmed() -> None:
    result = run(S.IN_REVIEW, E.REJECT, MODERATOR, reason="  hors sujet \n")
    assert isinstance(result, TransitionResult)
    assert result.record.reason == "hors sujet"


REFUSED = [
    # permissions come first
    (S.IN_REVIEW, E.APPROVE, PARTICIPANT, {}, "lifecycle.forbidden.moderator"),
    (S.IN_REVIEW, E.APPROVE, ANYONE, {"involvement": SUBMITTED}, "lifecycle.forbidden.moderator"),
    (S.IN_REVIEW, E.APPROVE, RESEARCHER, {}, "lifecycle.forbidden.moderator"),
    (S.IN_REVIEW, E.APPROVE, ADMIN_ONLY, {}, "lifecycle.forbidden.moderator"),
    (S.IN_REVIEW, E.REJECT, PARTICIPANT, {"reason": "x"}, "lifecycle.forbidden.moderator"),
    (S.IN_REVIEW, E.REQUEST_CHANGES, ANYONE, {"reason": "x"}, "lifecycle.forbidden.moderator"),
    (S.CAPTURING, E.PROMPT_DUE, MODERATOR, {}, "lifecycle.forbidden.system"),
    (S.APPROVED, E.PUBLISHED, MODERATOR, {}, "lifecycle.forbidden.system"),
    (
        S.CAPTURING,
        E.CAPTURE_CLOSED,
        PARTICIPANT,
        {},
        "lifecycle.forbidden.system_or_moderator",
    ),
    (S.PUBLISHED, E.WITHDRAW, ANYONE, {}, "lifecycle.forbidden.author_or_moderator"),
    (
        S.PUBLISHED,
        E.WITHDRAW,
        PARTICIPANT,
        {"involvement": WROTE},
        "lifecycle.forbidden.author_or_moderator",
    ),
    (
        S.CAPTURING,
        E.FICHE_SUBMITTED,
        RESEARCHER,
        {},
        "lifecycle.forbidden.participant_or_moderator",
    ),
    # closed cases
    (S.WITHDRAWN, E.WITHDRAW, MODERATOR, {}, "lifecycle.withdrawn"),
    (S.WITHDRAWN, E.FICHE_SUBMITTED, PARTICIPANT, {"involvement": WROTE}, "lifecycle.withdrawn"),
    (S.WITHDRAWN, E.APPROVE, MODERATOR, {}, "lifecycle.withdrawn"),
    (S.REJECTED, E.WITHDRAW, MODERATOR, {}, "lifecycle.rejected"),
    (S.REJECTED, E.FICHE_SUBMITTED, PARTICIPANT, {"involvement": WROTE}, "lifecycle.rejected"),
    (S.REJECTED, E.APPROVE, MODERATOR, {}, "lifecycle.rejected"),
    # approving needs a fiche in review
    (S.CAPTURING, E.APPROVE, MODERATOR, {"has_fiche": False}, "lifecycle.no_fiche"),
    (S.AWAITING_SUMMARY, E.APPROVE, MODERATOR, {"has_fiche": False}, "lifecycle.no_fiche"),
    (S.APPROVED, E.APPROVE, MODERATOR, {}, "lifecycle.already_approved"),
    (S.PUBLISHED, E.APPROVE, MODERATOR, {}, "lifecycle.already_approved"),
    (S.CHANGES_REQUESTED, E.APPROVE, MODERATOR, {}, "lifecycle.waiting_for_changes"),
    (S.APPROVED, E.REJECT, MODERATOR, {"reason": "x"}, "lifecycle.already_approved"),
    (S.PUBLISHED, E.REQUEST_CHANGES, MODERATOR, {"reason": "x"}, "lifecycle.not_in_review"),
    # wrong state for the machinery
    (S.IN_REVIEW, E.PUBLISHED, SYSTEM, {}, "lifecycle.invalid"),
    (S.PUBLISHED, E.PUBLISHED, SYSTEM, {}, "lifecycle.invalid"),
    (S.AWAITING_SUMMARY, E.PROMPT_DUE, SYSTEM, {}, "lifecycle.invalid"),
    (S.IN_REVIEW, E.CAPTURE_CLOSED, SYSTEM, {}, "lifecycle.invalid"),
    # reasons required
    (S.IN_REVIEW, E.REJECT, MODERATOR, {"reason": "  "}, "lifecycle.reason_required.reject"),
    (
        S.IN_REVIEW,
        E.REQUEST_CHANGES,
        MODERATOR,
        {},
        "lifecycle.reason_required.request_changes",
    ),
]


@pytest.mark.parametrize(("state", "event", "roles", "kwargs", "key"), REFUSED)
def test_refused_transitions(
    state: CaseState,
    event: LifecycleEvent,
    roles: frozenset[Role],
    kwargs: dict[str, Any],
    key: str,
) -> None:
    result = run(state, event, roles, **kwargs)
    assert isinstance(result, Refused), result
    assert result.reason_key == key
    for lang in ("fr", "en"):
        message = result.message(lang)
        assert "#7" in message or key == "lifecycle.forbidden.system"
        assert "{" not in message


def test_refusal_messages_name_the_state_in_the_language() -> None:
    result = run(S.AWAITING_SUMMARY, E.REQUEST_CHANGES, MODERATOR, reason="x")
    assert isinstance(result, Refused)
    assert result.message("fr") == (
        "La fiche du cas #7 n'est pas en relecture (état : fiche attendue)."
    )
    assert result.message("en") == (
        "The fiche of case #7 is not in review (state: awaiting a fiche)."
    )


def test_approve_without_fiche_is_clear() -> None:
    result = run(S.AWAITING_SUMMARY, E.APPROVE, MODERATOR, has_fiche=False)
    assert isinstance(result, Refused)
    assert result.message("fr") == "Le cas #7 n'a pas encore de fiche à valider."
    assert result.message("en") == "Case #7 has no fiche yet: cannot approve it."


def test_second_approval_is_refused() -> None:
    first = run(S.IN_REVIEW, E.APPROVE, MODERATOR)
    assert isinstance(first, TransitionResult)
    second = run(first.state, E.APPROVE, MODERATOR)
    assert isinstance(second, Refused)
    assert second.reason_key == "lifecycle.already_approved"


def test_full_cycle_with_amendment() -> None:
    state = S.CAPTURING
    steps = [
        (E.PROMPT_DUE, SYSTEM, ""),
        (E.FICHE_SUBMITTED, PARTICIPANT, ""),
        (E.REQUEST_CHANGES, MODERATOR, "précisez"),
        (E.FICHE_SUBMITTED, PARTICIPANT, ""),
        (E.APPROVE, MODERATOR, ""),
        (E.PUBLISHED, SYSTEM, ""),
        (E.FICHE_SUBMITTED, PARTICIPANT, ""),  # amendment of the published fiche
        (E.APPROVE, MODERATOR, ""),
        (E.PUBLISHED, SYSTEM, ""),
        (E.WITHDRAW, PARTICIPANT, "plus d'actualité"),
    ]
    history = []
    for event, roles, reason in steps:
        involvement = SUBMITTED if roles is PARTICIPANT else Involvement()
        result = run(state, event, roles, reason=reason, involvement=involvement)
        assert isinstance(result, TransitionResult), (state, event, result)
        history.append(result.record)
        state = result.state
    assert state is S.WITHDRAWN
    assert [r.to_state for r in history][-3:] == [S.APPROVED, S.PUBLISHED, S.WITHDRAWN]
    assert all(a.to_state == b.from_state for a, b in itertools.pairwise(history))
