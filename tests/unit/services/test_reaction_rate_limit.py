"""Reactions that act (📌, ✅ / ❌ on a review card) count against the command rate limit
(DESIGN §4); reactions that act on nothing cost nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.domain.models import CaseOrigin, CaseState, FicheField
from bot.matrix.events import InboundReaction
from bot.services import effects as fx
from bot.storage.database import Database
from tests.unit.services.test_inbound import (
    ALICE,
    MALLORY,
    NOW,
    ROOM,
    _apply,
    _batch,
    _msg,
    _notices,
    _service,
)

MONA = "@mona:localhost"  # a network moderator in `_service`'s settings
LIMITED = "beaucoup de commandes"


def _react(n: int, sender: str, target: str, key: str, ms: int = 20) -> InboundReaction:
    return InboundReaction(
        ROOM, f"$r{sender}{n}", sender, NOW + timedelta(milliseconds=ms * n), target, key
    )


def _capture_jobs(db: Database) -> list[str]:
    with db.transaction() as repo:
        return [job.payload["sender"] for job in repo.pending_outbox([fx.CAPTURE])]


def test_a_pin_flood_opens_the_burst_only_and_gets_one_rate_limit_reply(db: Database) -> None:
    service = _service()
    messages = [_msg(n, f"message {n}") for n in range(1, 202)]
    _apply(db, service, _batch("t1", *messages))
    # 200 pins in 4 s, then Alice pins the last message.
    pins = [_react(n, MALLORY, f"$e{n}", "📌") for n in range(1, 201)]
    alice = InboundReaction(ROOM, "$ralice", ALICE, NOW + timedelta(seconds=3), "$e201", "📌")
    _apply(db, service, _batch("t2", *pins[:150], alice, *pins[150:]))
    jobs = _capture_jobs(db)
    assert 10 <= jobs.count(MALLORY) <= 10 + 2 + 1  # the burst, then 0.5 per second
    assert jobs.count(ALICE) == 1
    notices = _notices(db)
    assert len(notices) == 1 and LIMITED in notices[0]
    with db.transaction() as repo:
        (notice,) = repo.pending_outbox([fx.NOTICE])
    pinned = {f"$e{n}" for n in range(1, 201)}
    assert notice.payload["reply_to"] in pinned and notice.payload["room_id"] == ROOM


def test_a_pin_flood_also_spends_the_tokens_of_commands(db: Database) -> None:
    service = _service()
    _apply(db, service, _batch("t1", *[_msg(n, f"message {n}") for n in range(1, 21)]))
    pins = [_react(n, MALLORY, f"$e{n}", "📌", ms=1) for n in range(1, 21)]
    command = replace(_msg(21, "!aide", sender=MALLORY), sent_at=NOW + timedelta(milliseconds=30))
    _apply(db, service, _batch("t2", *pins, command))
    notices = _notices(db)
    assert not any("Les commandes utiles ici" in n for n in notices)
    assert sum(LIMITED in n for n in notices) == 1


def test_reactions_that_act_on_nothing_cost_nothing(db: Database) -> None:
    service = _service()
    _apply(db, service, _batch("t1", *[_msg(n, f"message {n}") for n in range(1, 51)]))
    likes = [_react(n, MALLORY, f"$e{n}", "👍", ms=1) for n in range(1, 51)]
    commands = [
        replace(_msg(60 + n, "!aide", sender=MALLORY), sent_at=NOW + timedelta(milliseconds=100))
        for n in range(10)
    ]
    _apply(db, service, _batch("t2", *likes, *commands))
    notices = _notices(db)
    assert sum("Les commandes utiles ici" in n for n in notices) == 10
    assert not any(LIMITED in n for n in notices)


def test_approvals_by_reaction_count_like_commands(db: Database) -> None:
    service = _service()
    with db.transaction() as repo:
        for n in range(20):
            case, _ = repo.create_case(
                room_id=ROOM,
                root_event_id=f"$root{n}",
                origin=CaseOrigin.THREAD,
                title=f"Fiche {n}",
                created_by=ALICE,
                now=NOW,
                state=CaseState.IN_REVIEW,
            )
            fields = {FicheField.TITLE: f"Fiche {n}", FicheField.CONTEXT: "contexte"}
            repo.add_fiche_version(case.id, fields, ALICE, NOW)
            repo.add_review_card(f"$card{n}", case.id, 1)
    approvals = [_react(n, MONA, f"$card{n}", "✅", ms=1) for n in range(20)]
    _apply(db, service, _batch("t1", *approvals))
    with db.transaction() as repo:
        states = [case.state for case in repo.list_cases()]
    assert states.count(CaseState.APPROVED) == 10  # the burst
    assert sum(LIMITED in n for n in _notices(db)) == 1
