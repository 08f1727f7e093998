"""`!fiches`: filters (state, theme, territory, room, free text) and pages, in SQL.

Run through the real batch path on SQLite and PostgreSQL: what a member reads back is
the newest 30 cases matching, with the total and "page N/M" (issue 14: the listing used
to read every case of the network into Python inside the sync transaction).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bot.commands.curation import ListCases
from bot.commands.model import UsageError
from bot.commands.parser import parse
from bot.domain.models import CaseOrigin, CaseState, FicheField, Room
from bot.i18n import Translator
from bot.inbound import InboundService
from bot.matrix.events import InboundMessage, RoomSnapshot, SyncBatch
from bot.services import effects as fx
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
BOT = "@capibot:localhost"
GARDENS = "!jardins:localhost"
HOUSING = "!logement:localhost"
MODERATION = "!moderation:localhost"
ALICE = "@alice:localhost"
MODO = "@modo:localhost"
ROOMS = {
    GARDENS: RoomSnapshot(room_id=GARDENS, member_count=5),
    HOUSING: RoomSnapshot(room_id=HOUSING, member_count=5),
    MODERATION: RoomSnapshot(room_id=MODERATION, power_levels={MODO: 50}, member_count=4),
}
_ids = itertools.count(1)


def _settings(language: str) -> Settings:
    return Settings.model_validate(
        {
            "bot": {"language": language},
            "matrix": {
                "user_id": BOT,
                "allowed_inviters": ["@*:localhost"],
                "moderation_room": MODERATION,
            },
        }
    )


def _fiche(title: str, themes: str, territory: str) -> dict[FicheField, str]:
    return {
        FicheField.TITLE: title,
        FicheField.CONTEXT: "c",
        FicheField.ACTION: "a",
        FicheField.LESSONS: "l",
        FicheField.THEMES: themes,
        FicheField.TERRITORY: territory,
    }


def _case(
    repo: Repository, room: str, n: int, state: CaseState, fiche: dict[FicheField, str] | None
) -> int:
    case, _ = repo.create_case(
        room_id=room,
        root_event_id=f"$root{n}",
        origin=CaseOrigin.THREAD,
        title=fiche[FicheField.TITLE] if fiche else f"Échange {n}",
        created_by=ALICE,
        now=NOW,
        state=state,
    )
    if fiche is not None:
        repo.add_fiche_version(case.id, fiche, ALICE, NOW)
    return case.id


@pytest.fixture
def network(any_db: Database) -> Database:
    """75 cases in the gardens room (every 3rd in review, every 5th about housing in
    Lyon), then 5 in the housing room."""
    with any_db.transaction() as repo:
        repo.save_room(Room(room_id=HOUSING, label="Logement", joined_at=NOW))
        for n in range(1, 76):
            state = CaseState.IN_REVIEW if n % 3 == 0 else CaseState.CAPTURING
            themes = "Logement, Jeunesse" if n % 5 == 0 else "Jardins"
            fiche = _fiche(f"Jardin {n}", themes, "Lyon" if n % 5 == 0 else "Brest")
            _case(repo, GARDENS, n, state, fiche if n % 2 == 1 or n % 5 == 0 else None)
        for n in range(76, 81):
            _case(repo, HOUSING, n, CaseState.PUBLISHED, _fiche(f"Bail {n}", "Logement", "Paris"))
    return any_db


def _ask(db: Database, body: str, *, room: str = GARDENS, sender: str = ALICE) -> str:
    """One command through the real batch path; the bot's answer, without the mention."""
    language = "en" if body.startswith("!cases") else "fr"
    service = InboundService(_settings(language), BOT, lambda: NOW)
    event = InboundMessage(room, f"$cmd{next(_ids)}", sender, NOW + timedelta(seconds=1), body)
    batch = SyncBatch(next_batch="t", initial=False, events=(event,), rooms=dict(ROOMS))
    with db.transaction() as repo:
        service.apply(repo, batch)
    with db.transaction() as repo:
        notices = [i for i in repo.pending_outbox([fx.NOTICE]) if i.payload["room_id"] == room]
        for item in notices:
            repo.outbox_done(item.id, NOW)
    return notices[-1].payload["body"].split(": ", 1)[1]


def _ids_listed(answer: str) -> list[int]:
    return [int(line[3:].split(" ", 1)[0]) for line in answer.splitlines() if line[:3] == "• #"]


fr = Translator("fr")
en = Translator("en")


def test_the_filter_syntax_in_french_and_english() -> None:
    assert parse("!fiches état:relecture thème:logement page 2") == ListCases(
        None, (CaseState.IN_REVIEW,), ("logement",), None, None, 2
    )
    assert parse('!cases STATE:review Theme:"Santé  mentale" territory:Lyon room:Jardins') == (
        ListCases(None, (CaseState.IN_REVIEW,), ("sante mentale",), "lyon", "Jardins", 1)
    )
    assert parse("!fiches jardins partagés page:3") == ListCases("jardins partagés", page=3)
    assert parse("!fiches etat:validée,publiée") == ListCases(
        states=(CaseState.APPROVED, CaseState.PUBLISHED)
    )
    # today's free text is unchanged; "page" followed by a word is text too
    assert parse("!fiches en relecture") == ListCases("en relecture")
    assert parse("!fiches page web") == ListCases("page web")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("!fiches état:bidule", "usage.unknown_state"),
        ("!fiches page 0", "usage.invalid_page"),
        ("!fiches page:deux", "usage.invalid_page"),
        ("!fiches page " + "9" * 5000, "usage.invalid_page"),
        ("!fiches salon:a salon:b", "usage.filter_duplicate_key"),
        ("!fiches thème:", "usage.filter_missing_value"),
        ('!fiches thème:"santé', "usage.unbalanced_quote"),
    ],
)
def test_a_bad_filter_gets_a_usage_reply(body: str, reason: str) -> None:
    result = parse(body)
    assert isinstance(result, UsageError) and result.reason == reason


def test_newest_first_thirty_a_page_with_the_total(network: Database) -> None:
    first = _ask(network, "!fiches")
    assert first.splitlines()[0] == fr("cases.header", count=75, page=1, pages=3)
    assert _ids_listed(first) == list(range(75, 45, -1))
    assert first.splitlines()[-1] == fr("cases.more", prefix="!", next=2)
    last = _ask(network, "!fiches page 3")
    assert last.splitlines()[0] == fr("cases.header", count=75, page=3, pages=3)
    assert _ids_listed(last) == list(range(15, 0, -1))
    assert _ask(network, "!fiches page 4") == fr("cases.page_out_of_range", page=4, count=3)


def test_filters_by_state_theme_and_territory(network: Database) -> None:
    in_review = _ask(network, "!fiches état:relecture")
    assert in_review.splitlines()[0] == fr("cases.header", count=25, page=1, pages=1)
    assert _ids_listed(in_review) == list(range(75, 0, -3))
    housing = _ask(network, "!cases theme:LOGEMENT")  # folded: case and accents ignored
    assert _ids_listed(housing) == list(range(75, 0, -5))
    both = _ask(network, "!fiches thème:logement thème:jeunesse état:relecture territoire:lyon")
    assert _ids_listed(both) == [75, 60, 45, 30, 15]
    assert _ask(network, "!fiches territoire:Paris") == fr("cases.no_match")


def test_the_theme_filter_follows_the_latest_fiche_version(network: Database) -> None:
    with network.transaction() as repo:
        repo.add_fiche_version(75, _fiche("Jardin 75", "Jardins", "Brest"), ALICE, NOW)
    assert 75 not in _ids_listed(_ask(network, "!fiches thème:logement"))
    assert 75 in _ids_listed(_ask(network, "!fiches thème:jardins"))


def test_free_text_still_matches_title_or_state(network: Database) -> None:
    assert _ids_listed(_ask(network, "!fiches jardin 7")) == [75, 73, 71, 70, 7]
    assert len(_ids_listed(_ask(network, "!cases in review"))) == 25
    assert _ask(network, "!fiches 100 % bio") == fr("cases.no_match")  # % is literal


def test_listings_stay_confined_to_the_room_typed_in(network: Database) -> None:
    assert _ask(network, "!fiches salon:Logement") == fr("cases.room_confined")
    assert _ask(network, "!fiches salon:inconnu") == fr("cases.unknown_room", room="inconnu")
    # the moderation room's moderator sees every room, and narrows to one
    everything = _ask(network, "!fiches", room=MODERATION, sender=MODO)
    assert everything.splitlines()[0] == fr("cases.header", count=80, page=1, pages=3)
    assert _ids_listed(everything)[:6] == [80, 79, 78, 77, 76, 75]
    housing = _ask(network, "!fiches salon:logement", room=MODERATION, sender=MODO)
    assert _ids_listed(housing) == [80, 79, 78, 77, 76]
    # a member of the moderation room without the role sees that room's cases only
    assert _ask(network, "!fiches", room=MODERATION) == fr("cases.empty")


def test_the_listing_never_reads_every_case(
    network: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def everything(*args: object, **kwargs: object) -> None:
        raise AssertionError("!fiches read every case into Python")

    monkeypatch.setattr(Repository, "list_cases", everything)
    assert len(_ids_listed(_ask(network, "!fiches thème:jardins"))) == 30
    assert en("cases.header", count=1, page=1, pages=1) == "Cases (1) — page 1/1:"
