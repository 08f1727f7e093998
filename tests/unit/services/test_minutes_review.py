"""Compte-rendus through moderation (the default), on the batch path (InboundService into
SQLite): the card in the moderation room, `!cr` decisions by network moderators only,
final decisions, the room setting by room admins only, `!oublier` before approval.

The same rules through the real Synapse and MediaWiki: tests/integration/
test_minutes_review.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.commands.minutes_review import MinutesAction, MinutesCmd
from bot.commands.parser import parse
from bot.domain.meetings import Line, Tag, build_minutes
from bot.domain.minutes_review import MinutesReview, refusal
from bot.domain.models import Consent, OutboxItem, OutboxStatus, Participant
from bot.inbound import InboundService
from bot.matrix.events import InboundMessage, RoomSnapshot, SyncBatch
from bot.services import effects as fx
from bot.services.forgetting import forget
from bot.services.meeting_minutes import page_text
from bot.services.meetings import (
    AUTO_CLOSE,
    PUBLISH_MINUTES,
    MinutesPublisher,
    auto_close_handler,
    minutes_of,
    translator,
)
from bot.services.minutes_card import minutes_rich
from bot.services.prompting import Prompting
from bot.settings import Settings
from bot.storage.database import Database

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
ROOM = "!gt:localhost"
MOD = "!moderation:localhost"
BOT = "@capibot:localhost"
ALICE, BOB, EVE, MONA, KARIM = (f"@{n}:localhost" for n in ("alice", "bob", "eve", "mona", "karim"))
NAMES = {ALICE: "Alice", BOB: "Bob", EVE: "Eve", MONA: "Mona", KARIM: "Karim"}


def _settings(moderation_room: str = MOD, language: str = "fr") -> Settings:
    return Settings.model_validate(
        {
            "bot": {"language": language},
            "matrix": {"user_id": BOT, "moderation_room": moderation_room},
        }
    )


SETTINGS = _settings()


class _Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def _service(settings: Settings = SETTINGS) -> InboundService:
    return InboundService(settings, BOT, _Clock())


_N = iter(range(1, 10_000))


def _msg(body: str, sender: str = ALICE, room: str = ROOM) -> InboundMessage:
    n = next(_N)
    return InboundMessage(
        room_id=room,
        event_id=f"$e{n}",
        sender=sender,
        sent_at=NOW + timedelta(seconds=n),
        body=body,
    )


def _apply(db: Database, service: InboundService, *events: InboundMessage) -> None:
    # Alice created the meeting's room (its admin); Mona and Karim moderate the network.
    rooms = {
        ROOM: RoomSnapshot(
            room_id=ROOM, display_names=NAMES, member_count=5, power_levels={ALICE: 100}
        ),
        MOD: RoomSnapshot(
            room_id=MOD, display_names=NAMES, member_count=3, power_levels={MONA: 50, KARIM: 50}
        ),
    }
    batch = SyncBatch(
        next_batch="t",
        initial=False,
        events=events,
        rooms=rooms,
        joined_rooms=frozenset(rooms),
    )
    with db.transaction() as repo:
        service.apply(repo, batch)


def _notices(db: Database, room: str) -> list[str]:
    with db.transaction() as repo:
        return [
            i.payload["body"]
            for i in repo.pending_outbox([fx.NOTICE])
            if i.payload["room_id"] == room
        ]


def _jobs(db: Database) -> list[dict[str, Any]]:
    with db.transaction() as repo:
        return [i.payload for i in repo.pending_outbox([PUBLISH_MINUTES])]


def _review(db: Database, meeting_id: int = 1) -> MinutesReview | None:
    with db.transaction() as repo:
        meeting = repo.meeting(meeting_id)
        assert meeting is not None
        return meeting.review


def _consent(db: Database, *users: str) -> None:
    with db.transaction() as repo:
        for user in users:
            repo.save_participant(Participant(user, NAMES[user], Consent.GRANTED, NOW))


def _closed_meeting(db: Database, service: InboundService) -> None:
    _consent(db, ALICE, BOB)
    _apply(
        db,
        service,
        _msg("!réunion début GT jardins"),
        _msg("#sujet Calendrier", BOB),
        _msg("#décision On ouvre le samedi"),
        _msg("#info Bob-mot-7Q : la mairie prête la salle", BOB),
        _msg("#action @Bob réserver la salle"),
        _msg("#info secret d'Eve", EVE),
        _msg("!réunion fin"),
    )


# --- closing under review ------------------------------------------------------------


def test_closing_in_a_room_under_review_posts_the_card_and_publishes_nothing(
    db: Database,
) -> None:
    service = _service()
    _closed_meeting(db, service)
    summary = _notices(db, ROOM)[-1]
    assert summary.startswith("Compte-rendu de « GT jardins »")
    assert "une fois relu par l'équipe de modération du réseau" in summary
    assert "sera publié sur le wiki." not in summary.replace("une fois relu", "")
    assert _jobs(db) == []  # no page before a moderator's approval
    assert _review(db) is MinutesReview.PENDING
    (card,) = _notices(db, MOD)
    assert card.startswith("Compte-rendu à relire : n° 1 « GT jardins »")
    assert "Page du wiki : Compte-rendu 1 – GT jardins" in card
    assert "Personnes présentes : Alice, Bob et 1 autre personne" in card
    # every item the page will carry, #info included, each with its tag; not Eve's words
    assert "• Décision : On ouvre le samedi" in card
    assert "• Info : Bob-mot-7Q : la mairie prête la salle" in card
    assert "• Action : Bob : réserver la salle" in card
    assert "Calendrier" in card and "secret" not in card and "Eve" not in card
    assert "!cr approuver 1 pour le publier sur le wiki · !cr rejeter 1 motif" in card


def test_a_meeting_closing_itself_under_review_waits_too(db: Database) -> None:
    service = _service()
    _apply(db, service, _msg("!réunion début"), _msg("#info x"))
    with db.transaction() as repo:
        (timer,) = repo.pending_timers([AUTO_CLOSE])
        auto_close_handler(SETTINGS)(repo, timer, NOW + timedelta(hours=5))
    assert _jobs(db) == []
    assert _review(db) is MinutesReview.PENDING
    assert "Compte-rendu à relire : n° 1" in _notices(db, MOD)[-1]


def test_without_a_moderation_room_it_waits_for_the_configured_moderators(
    db: Database,
) -> None:
    settings = Settings.model_validate({"bot": {"moderators": [MONA]}, "matrix": {"user_id": BOT}})
    service = _service(settings)
    _closed_meeting(db, service)
    assert _jobs(db) == [] and _review(db) is MinutesReview.PENDING
    _apply(db, service, _msg("!cr approuver 1", MONA))  # anywhere: there is no such room
    assert _review(db) is MinutesReview.APPROVED
    assert [j["meeting"] for j in _jobs(db)] == [1]


# --- decisions -----------------------------------------------------------------------


def test_approval_queues_the_page_once_and_tells_the_room(db: Database) -> None:
    service = _service()
    _closed_meeting(db, service)
    _apply(db, service, _msg("!cr approuver 1", MONA, MOD))
    assert _notices(db, MOD)[-1] == "Mona: Compte-rendu n° 1 approuvé ; publication en cours."
    assert _notices(db, ROOM)[-1] == (
        "✅ Le compte-rendu « GT jardins » est approuvé par Mona : il va être publié sur le wiki."
    )
    assert [j["meeting"] for j in _jobs(db)] == [1]
    assert _review(db) is MinutesReview.APPROVED
    # again, by another moderator, or a rejection now: a clear answer, no second page
    _apply(db, service, _msg("!cr approuver 1", KARIM, MOD))
    assert (
        "déjà approuvé (par Mona) : il n'est pas publié une seconde fois" in (_notices(db, MOD)[-1])
    )
    _apply(db, service, _msg("!cr rejeter 1 trop tard", KARIM, MOD))
    assert "déjà approuvé" in _notices(db, MOD)[-1]
    assert len(_jobs(db)) == 1 and _review(db) is MinutesReview.APPROVED


def test_rejection_publishes_nothing_and_is_final(db: Database) -> None:
    service = _service()
    _closed_meeting(db, service)
    _apply(db, service, _msg("!cr rejeter 1 noms de tiers cités", MONA, MOD))
    assert _notices(db, MOD)[-1] == (
        "Mona: Compte-rendu n° 1 rejeté : rien n'est publié, son salon est prévenu."
    )
    told = _notices(db, ROOM)[-1]
    assert "n'est pas retenu par Mona" in told and "Motif : noms de tiers cités" in told
    _apply(db, service, _msg("!cr approuver 1", KARIM, MOD))
    assert "a été rejeté (par Mona) : il ne sera pas publié" in _notices(db, MOD)[-1]
    assert _jobs(db) == [] and _review(db) is MinutesReview.REJECTED


async def test_the_publisher_never_writes_a_pending_or_rejected_compte_rendu(
    db: Database,
) -> None:
    """Defence in depth: a `meeting_minutes` job for a meeting not approved (queued by
    an older path, or by hand) writes nothing."""

    class NoWiki:
        def run(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("the wiki was called")

    service = _service()
    _closed_meeting(db, service)
    publisher = MinutesPublisher(db, NoWiki(), SETTINGS, lambda: NOW)  # type: ignore[arg-type]
    job = OutboxItem(1, PUBLISH_MINUTES, "k", {"meeting": 1}, OutboxStatus.PENDING, 0, NOW)
    await publisher(job)  # pending
    _apply(db, service, _msg("!cr rejeter 1", MONA, MOD))
    await publisher(job)  # rejected


def test_a_direct_room_has_nothing_to_review_and_an_open_meeting_neither(db: Database) -> None:
    service = _service()
    _apply(db, service, _msg("!salon comptes-rendus direct"), _msg("!réunion début"))
    _apply(db, service, _msg("!cr approuver 1", MONA, MOD))
    assert "encore ouverte" in _notices(db, MOD)[-1]
    _apply(db, service, _msg("!réunion fin"))
    assert "Le compte-rendu sera publié sur le wiki." in _notices(db, ROOM)[-1]
    assert [j["meeting"] for j in _jobs(db)] == [1]
    assert not any("Compte-rendu à relire" in n for n in _notices(db, MOD))  # no card
    _apply(db, service, _msg("!cr approuver 1", MONA, MOD), _msg("!cr approuver 9", MONA, MOD))
    assert "publié directement" in _notices(db, MOD)[-2]
    assert "pas de compte-rendu n° 9" in _notices(db, MOD)[-1]
    assert len(_jobs(db)) == 1


# --- who may --------------------------------------------------------------------------


def test_a_room_admin_who_is_no_network_moderator_cannot_decide(db: Database) -> None:
    service = _service()
    _closed_meeting(db, service)
    before = len(_notices(db, ROOM))
    # Alice created the meeting's room: admin there, nothing in the network.
    _apply(db, service, _msg("!cr approuver 1", ALICE, MOD), _msg("!cr approuver 1", ALICE))
    _apply(db, service, _msg("!minutes reject 1", ALICE), _msg("!cr", ALICE))
    refusals = _notices(db, MOD)[-1:] + _notices(db, ROOM)[before:]
    assert len(refusals) == 4
    assert all("réservée (équipe de modération du réseau)" in r for r in refusals)
    assert _jobs(db) == [] and _review(db) is MinutesReview.PENDING


def test_a_network_moderator_decides_in_the_moderation_room_only(db: Database) -> None:
    service = _service()
    _closed_meeting(db, service)
    _apply(db, service, _msg("!cr approuver 1", MONA))  # typed in the meeting's room
    assert "se relisent dans le salon de modération" in _notices(db, ROOM)[-1]
    assert _jobs(db) == [] and _review(db) is MinutesReview.PENDING


def test_only_room_admins_switch_the_room_to_direct(db: Database) -> None:
    service = _service()
    _apply(db, service, _msg("!salon comptes-rendus direct", BOB))
    assert "réservée (administration du salon)" in _notices(db, ROOM)[-1]
    with db.transaction() as repo:
        stored = repo.get_room(ROOM)
        assert stored is None or stored.minutes_review
    _apply(db, service, _msg("!salon comptes-rendus n'importe"))
    assert "écrivez modération" in _notices(db, ROOM)[-1]
    _apply(db, service, _msg("!salon comptes-rendus direct"))
    assert _notices(db, ROOM)[-1].endswith(
        "Comptes-rendus des réunions : publiés directement sur le wiki."
    )
    _apply(db, service, _msg("!salon"))
    assert "publiés directement" in _notices(db, ROOM)[-1]
    _apply(db, service, _msg("!salon comptes-rendus modération"))
    assert "relus par l'équipe de modération du réseau" in _notices(db, ROOM)[-1]
    with db.transaction() as repo:
        room = repo.get_room(ROOM)
        assert room is not None and room.minutes_review


# --- listing and showing -----------------------------------------------------------------


def test_listing_and_showing_what_waits(db: Database) -> None:
    service = _service()
    _apply(db, service, _msg("!cr", MONA, MOD))
    assert _notices(db, MOD)[-1] == "Mona: Aucun compte-rendu n'attend de relecture."
    _closed_meeting(db, service)
    _apply(db, service, _msg("!cr", MONA, MOD))
    listing = _notices(db, MOD)[-1]
    assert "1 compte-rendu à relire :" in listing
    assert "n° 1 « GT jardins » — !gt:localhost, réunion fermée le" in listing
    _apply(db, service, _msg("!cr 1", MONA, MOD))
    assert "Compte-rendu à relire : n° 1 « GT jardins »" in _notices(db, MOD)[-1]
    _apply(db, service, _msg("!cr approuver 1", MONA, MOD), _msg("!cr voir 1", KARIM, MOD))
    shown = _notices(db, MOD)[-1]
    assert "Décision : On ouvre le samedi" in shown
    assert "déjà approuvé (par Mona)" in shown and "!cr approuver" not in shown
    _apply(db, service, _msg("!cr", MONA, MOD))
    assert "Aucun compte-rendu" in _notices(db, MOD)[-1]


# --- consent -------------------------------------------------------------------------


def test_forgetting_before_approval_leaves_the_person_out_of_the_page(db: Database) -> None:
    service = _service()
    _closed_meeting(db, service)
    prompting = Prompting(SETTINGS, lambda room: {})
    with db.transaction() as repo:
        forget(repo, BOB, names={"Bob"}, settings=SETTINGS, prompting=prompting, now=NOW)
    assert _jobs(db) == []  # no page for a compte-rendu nobody approved
    _apply(db, service, _msg("!cr approuver 1", MONA, MOD))
    assert [j["meeting"] for j in _jobs(db)] == [1]
    with db.transaction() as repo:  # what the publisher builds now
        meeting = repo.meeting(1)
        assert meeting is not None
        tr = translator(SETTINGS)
        minutes = minutes_of(repo, meeting, tr)
    page = page_text(minutes, tr, room="GT", date="3 décembre 2026", categories=())
    assert "Bob" not in page and "7Q" not in page and "Calendrier" not in page
    assert "On ouvre le samedi" in page.replace("&#32;", " ")


def test_forgetting_after_a_rejection_publishes_nothing(db: Database) -> None:
    service = _service()
    _closed_meeting(db, service)
    _apply(db, service, _msg("!cr rejeter 1 Bob-motif-secret", MONA, MOD))
    prompting = Prompting(SETTINGS, lambda room: {})
    with db.transaction() as repo:
        forget(repo, BOB, names={"Bob"}, settings=SETTINGS, prompting=prompting, now=NOW)
        forget(repo, MONA, names={"Mona"}, settings=SETTINGS, prompting=prompting, now=NOW)
        meeting = repo.meeting(1)
    assert _jobs(db) == []
    assert meeting is not None and meeting.review_reason == ""  # Mona's words, erased
    assert meeting.reviewed_by == MONA  # the decision's key stays


def test_forgetting_an_opener_rebuilds_their_published_page(db: Database) -> None:
    """Opening a meeting names you on its page even without a line of your own."""
    service = _service()
    _consent(db, ALICE)
    _apply(
        db,
        service,
        _msg("!salon comptes-rendus direct"),
        _msg("!réunion début GT"),
        _msg("#info mot de Mona", MONA),
        _msg("!réunion fin", MONA),
    )
    before = len(_jobs(db))
    prompting = Prompting(SETTINGS, lambda room: {})
    with db.transaction() as repo:
        forget(repo, ALICE, names={"Alice"}, settings=SETTINGS, prompting=prompting, now=NOW)
    assert len(_jobs(db)) == before + 1


# --- the parser and the rule ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!cr", MinutesCmd()),
        ("!compte-rendu liste", MinutesCmd()),
        ("!minutes", MinutesCmd()),
        ("!cr 3", MinutesCmd(MinutesAction.SHOW, 3)),
        ("!minutes show #3", MinutesCmd(MinutesAction.SHOW, 3)),
        ("!cr approuver 3", MinutesCmd(MinutesAction.APPROVE, 3)),
        ("!CR Valider #3", MinutesCmd(MinutesAction.APPROVE, 3)),
        ("!minutes approve 3", MinutesCmd(MinutesAction.APPROVE, 3)),
        ("!cr rejeter 3", MinutesCmd(MinutesAction.REJECT, 3)),
        ("!minutes reject 3 off  topic", MinutesCmd(MinutesAction.REJECT, 3, "off topic")),
    ],
)
def test_parser(text: str, expected: MinutesCmd) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("!cr approuver", "usage.missing_minutes_number"),
        ("!cr approuver trois", "usage.invalid_minutes_number"),
        ("!cr approuver 0", "usage.invalid_minutes_number"),
        ("!cr approuver 3 4", "usage.unexpected_argument"),
        ("!cr publie 3", "usage.minutes_verb"),
        ("!salon comptes-rendus oui", "usage.room_invalid_minutes"),
    ],
)
def test_parser_refusals(text: str, reason: str) -> None:
    result = parse(text)
    assert getattr(result, "reason", None) == reason, result


def test_a_decision_is_taken_once() -> None:
    assert refusal(MinutesReview.PENDING, closed=True) is None
    assert refusal(None, closed=False) == "still_open"
    assert refusal(MinutesReview.APPROVED, closed=True) == "already_approved"
    assert refusal(MinutesReview.REJECTED, closed=True) == "already_rejected"
    assert refusal(MinutesReview.DIRECT, closed=True) == "not_reviewed"
    assert refusal(None, closed=True) == "not_reviewed"


def test_in_english(db: Database) -> None:
    settings = _settings(language="en")
    service = _service(settings)
    _closed_meeting(db, service)
    assert "once the network's moderators have reviewed them" in _notices(db, ROOM)[-1]
    card = _notices(db, MOD)[-1]
    assert card.startswith("Minutes to review: no. 1 “GT jardins”")
    assert "!minutes approve 1 to publish them on the wiki" in card
    _apply(db, service, _msg("!minutes approve 1", MONA, MOD))
    assert _notices(db, MOD)[-1] == "Mona: Minutes no. 1 approved; publishing."
    assert "were approved by Mona" in _notices(db, ROOM)[-1]


def test_an_item_cannot_put_markup_links_or_a_heading_in_the_card() -> None:
    lines = [
        Line("$1", ALICE, "", Tag.INFO, "<b>x</b> [clic](https://evil.example) **gras**"),
        Line("$2", ALICE, "", Tag.TOPIC, "# Faux titre <script>"),
    ]
    rich = minutes_rich(build_minutes("T", lines, {ALICE: "Alice"}, {}), translator(SETTINGS))
    html = rich.html()
    assert "<b>" not in html and "<script>" not in html and "<h1>" not in html
    assert 'href="https://evil.example"' not in html and "<strong>gras" not in html
    assert "Info : <b>x</b> [clic](https://evil.example) **gras**" in rich.plain
