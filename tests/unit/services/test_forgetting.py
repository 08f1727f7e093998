"""`!oublier` in storage and the outbox (DESIGN §7): a pending prompt is rebuilt without
the person, what was addressed to them alone is dropped, their name leaves every other
payload, done rows keep nothing of them; titles taken from their words are replaced;
done rows are purged after the retention period."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.models import CaseOrigin, FicheField, Message, OutboxStatus, Participant
from bot.domain.text import title_from_message
from bot.matrix.events import OutboundNotice
from bot.services import effects as fx
from bot.services.effects import Effects, queue_notice
from bot.services.forgetting import forget
from bot.services.prompting import PROMPT, Prompting
from bot.services.retention import purge_once
from bot.storage.database import Database
from bot.storage.repository import Repository
from tests.unit.services.test_prompting import ALICE, BOB, ROOM, T0, Clock, _settings

MARK = "Marqueur-7f3a Nous recevons les familles le soir sans rendez-vous"
NAMES = {ALICE: "Alice Martin", BOB: "Bob Leroy"}


def _case(repo: Repository, root: str, messages: list[tuple[str, str]], **kw: str) -> int:
    case, _ = repo.create_case(
        room_id=ROOM,
        root_event_id=root,
        origin=CaseOrigin.THREAD,
        title=kw.get("title", title_from_message(messages[0][1])),
        created_by=kw.get("by", ALICE),
        now=T0,
    )
    repo.add_messages(
        [
            Message(
                event_id=root if n == 0 else f"{root}.{n}",
                room_id=ROOM,
                sender=sender,
                sent_at=T0 + timedelta(minutes=n),
                body=body,
                case_id=case.id,
                thread_root=None if n == 0 else root,
            )
            for n, (sender, body) in enumerate(messages)
        ]
    )
    return int(case.id)


def test_forget_rebuilds_prompts_drops_and_scrubs_the_outbox_and_retitles(db: Database) -> None:
    settings = _settings()
    prompting = Prompting(settings, lambda room: NAMES if room == ROOM else {})
    clock = Clock()
    with db.transaction() as repo:
        repo.save_participant(Participant(BOB, "Bob Leroy"))
        derived = _case(
            repo,
            "$a",
            [
                (BOB, f"{MARK}. Comment faites-vous ?"),
                (ALICE, "Chez nous, une permanence le mardi soir avec le bailleur social."),
                (BOB, f"Merci ! {MARK}, et nous prévenons les écoles du quartier."),
            ],
        )
        titled = _case(
            repo, "$b", [(ALICE, "Question d'Alice ?")], title=f"Mon titre {MARK}", by=BOB
        )
        repo.add_fiche_version(titled, {FicheField.TITLE: "Fiche d'Alice"}, ALICE, T0)
        kept = _case(repo, "$c", [(ALICE, "Racine d'Alice. Suite."), (BOB, MARK)], by=BOB)
        repo.add_timer(PROMPT, T0, derived)
        (timer,) = repo.pending_timers([PROMPT])
        repo.complete_timer(timer.id, T0)
        prompting.on_prompt(repo, timer, T0 + timedelta(days=2))
        to_bob = OutboundNotice(ROOM, "Bob Leroy: votre fiche", "…", mentions=(BOB,))
        Effects(repo, "cmd:$x", T0).notice(to_bob)
        both = OutboundNotice(
            ROOM,
            "Alice Martin, Bob Leroy: rappel",
            '<a href="https://matrix.to/#/@bob:localhost">Bob Leroy</a>: rappel',
            mentions=(ALICE, BOB),
        )
        Effects(repo, "cmd:$y", T0).notice(both)
        queue_notice(repo, "notice:done", OutboundNotice(ROOM, f"« {MARK} »", "…"), T0)
        repo.outbox_done(repo.pending_outbox([fx.NOTICE])[-1].id, T0)
        repo.enqueue("republish", f"republish:{derived}:t:consent:{BOB}", {"case_id": 1}, T0)
        prompt_id = next(i.id for i in repo.pending_outbox([fx.NOTICE]) if "timer:" in i.dedupe_key)
        assert MARK in str([i.payload for i in repo.pending_outbox([fx.NOTICE])])

    with db.transaction() as repo:
        forget(repo, BOB, names={"Bob Leroy"}, settings=settings, prompting=prompting, now=clock())

    with db.transaction() as repo:
        rows = {item.id: item for item in repo.all_outbox()}
        for item in rows.values():
            assert MARK not in str(item.payload) and "Bob Leroy" not in str(item.payload)
            assert BOB not in item.dedupe_key
        prompt = rows[prompt_id]
        assert prompt.status is OutboxStatus.PENDING  # rebuilt, still to be sent
        assert "permanence le mardi soir" in prompt.payload["body"]  # Alice's words stay
        assert prompt.payload["mentions"] == [ALICE]
        by_body = {str(i.payload.get("body")): i for i in rows.values()}
        assert "une personne participante: votre fiche" not in by_body  # to Bob alone: dropped …
        dropped = [i for i in rows.values() if i.payload == {"erased": True}]
        assert len(dropped) == 2 and all(i.status is OutboxStatus.DONE for i in dropped)
        mixed = by_body["Alice Martin, une personne participante: rappel"]  # … shared: scrubbed
        assert mixed.status is OutboxStatus.PENDING and mixed.payload["mentions"] == [ALICE]
        assert "matrix.to/#/@bob" not in mixed.payload["html"]
        titles = {c.id: c.title for c in repo.list_cases()}
        assert titles[derived] == f"Échange #{derived}"  # derived from Bob's message
        assert titles[titled] == "Fiche d'Alice"  # typed by Bob: the fiche title instead
        assert titles[kept] == "Racine d'Alice."  # Bob captured it, but the words are Alice's
        bob = repo.get_participant(BOB)
        assert bob is not None and bob.display_name == "" and bob.profile is None


async def test_done_outbox_rows_are_purged_after_the_retention_period(db: Database) -> None:
    clock = Clock()
    privacy = _settings().privacy.model_copy(update={"outbox_retention": timedelta(days=30)})
    settings = _settings().model_copy(update={"privacy": privacy})
    with db.transaction() as repo:
        for key in ("old", "recent", "pending", "failed"):
            repo.enqueue(fx.NOTICE, key, {"body": key}, T0)
        items = {i.dedupe_key: i.id for i in repo.pending_outbox()}
        repo.outbox_done(items["old"], T0)
        repo.outbox_done(items["recent"], T0 + timedelta(days=20))
        repo.outbox_failed(items["failed"], "x", T0)
    clock.now = T0 + timedelta(days=31)
    assert await purge_once(db, settings, clock) == 1
    with db.transaction() as repo:
        assert sorted(i.dedupe_key for i in repo.all_outbox()) == ["failed", "pending", "recent"]


def test_forget_erases_the_persons_desk_questions_and_their_queued_answers(
    db: Database,
) -> None:
    """`!oublier` after `!question`: the question's text leaves the database, and an
    answer still queued for the asker's room no longer quotes it."""
    settings = _settings()
    prompting = Prompting(settings, lambda room: NAMES if room == ROOM else {})
    question = "Qui finance les jardins partagés du quartier des Tilleuls ?"
    with db.transaction() as repo:
        repo.save_participant(Participant(BOB, "Bob Leroy"))
        mine = repo.add_question(
            room_id=ROOM,
            asker=BOB,
            asked_event_id="$q1",
            asked_thread_root=None,
            text=question,
            now=T0,
        )
        theirs = repo.add_question(
            room_id=ROOM,
            asker=ALICE,
            asked_event_id="$q2",
            asked_thread_root=None,
            text="Et les ruches ?",
            now=T0,
        )
        Effects(repo, "desk-answer:$a", T0).notice(
            OutboundNotice(ROOM, f"Bob Leroy: réponse à « {question} »", "…", mentions=(BOB,))
        )
    with db.transaction() as repo:
        forget(repo, BOB, names={"Bob Leroy"}, settings=settings, prompting=prompting, now=T0)
    with db.transaction() as repo:
        assert repo.question(mine.id) is None
        assert repo.question(theirs.id) is not None  # Alice's stays
        assert all("jardins partagés" not in str(i.payload) for i in repo.all_outbox())
