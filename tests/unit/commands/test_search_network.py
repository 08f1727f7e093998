"""`!chercher réseau question` / `!search network question`: the keyword, and what the
command does with and without a network wiki (issue 18)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands.model import UsageError
from bot.commands.parser import parse
from bot.commands.search import Search
from bot.domain.text import fold
from bot.inbound import InboundService
from bot.matrix.events import InboundMessage, RoomSnapshot, SyncBatch
from bot.services import effects as fx
from bot.services.network_search import NETWORK_SEARCH
from bot.services.research import SEARCH
from bot.settings import Settings
from bot.storage.database import Database

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BOT, ROOM, EVE = "@capibot:localhost", "!quartiers:localhost", "@eve:localhost"
_ids = itertools.count(1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!chercher réseau jardins partagés", Search("jardins partagés", network=True)),
        ("!chercher Réseau jardins", Search("jardins", network=True)),
        ("!chercher RESEAU jardins", Search("jardins", network=True)),
        ("!search network shared gardens", Search("shared gardens", network=True)),
        ("!rechercher réseau  les   jardins", Search("les jardins", network=True)),
        ("!search réseau jardins", Search("jardins", network=True)),
        # the word itself, quoted or inflected, or not first: an ordinary search
        ('!chercher "réseau" de chaleur', Search('"réseau" de chaleur')),
        ("!chercher réseaux sociaux", Search("réseaux sociaux")),
        ("!chercher le réseau des centres", Search("le réseau des centres")),
        ("!chercher jardins", Search("jardins")),
    ],
)
def test_the_network_keyword(text: str, expected: Search) -> None:
    assert parse(text) == expected


def test_the_keyword_alone_is_a_question_missing() -> None:
    result = parse("!chercher réseau")
    assert isinstance(result, UsageError) and result.reason == "usage.missing_query"
    result = parse("!search network   ")
    assert isinstance(result, UsageError) and result.reason == "usage.missing_query"


_words = st.text(
    st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")), min_size=1, max_size=20
).filter(lambda w: w[0] not in "\"“”„«'‘")


@given(st.lists(_words, min_size=1, max_size=8))
def test_only_a_first_network_word_asks_for_the_network(words: list[str]) -> None:
    result = parse("!chercher " + " ".join(words))
    if isinstance(result, UsageError):  # too long, or the keyword alone
        return
    assert isinstance(result, Search)
    assert result.network is (fold(words[0]) in {"reseau", "network"})
    query = " ".join(words[1:] if result.network else words)
    assert result.query == query


def _settings(**extra: Any) -> Settings:
    return Settings.model_validate(
        {
            "matrix": {"user_id": BOT, "allowed_inviters": ["@*:localhost"]},
            "wiki": {"api_url": "http://wiki.test/w/api.php"},
            **extra,
        }
    )


NETWORKED = {
    "network": {"centre": "crpv-a"},
    "network_wiki": {"api_url": "http://reseau.test/w/api.php"},
}


def _command(db: Database, settings: Settings, body: str) -> tuple[list[str], list[str]]:
    """The kinds of the jobs queued and the bodies of the notices, after `body`."""
    service = InboundService(settings, BOT, lambda: T0)
    event = InboundMessage(ROOM, f"$cmd{next(_ids)}", EVE, T0, body)
    snapshot = RoomSnapshot(room_id=ROOM, member_count=3)
    batch = SyncBatch(next_batch="t", initial=False, events=(event,), rooms={ROOM: snapshot})
    with db.transaction() as repo:
        service.apply(repo, batch)
    with db.transaction() as repo:
        jobs = [i.kind for i in repo.pending_outbox([SEARCH, NETWORK_SEARCH])]
        notices = [str(i.payload["body"]) for i in repo.pending_outbox([fx.NOTICE])]
    return jobs, notices


def test_without_a_network_wiki_the_answer_says_there_is_none(db: Database) -> None:
    jobs, notices = _command(db, _settings(), "!chercher réseau jardins partagés")
    assert jobs == []  # not a silent search of the centre's fiches alone
    assert notices[-1].endswith(
        "Ce centre n'est relié à aucun wiki du réseau : la recherche « réseau » n'est pas "
        "possible ici. Pour chercher dans les fiches du centre : !chercher jardins partagés"
    )


def test_in_english_too(db: Database) -> None:
    settings = _settings(bot={"language": "en"})
    _, notices = _command(db, settings, "!search network shared gardens")
    assert notices[-1].endswith(
        "This centre is linked to no network wiki: a “network” search is not possible "
        "here. To search this centre's fiches: !search shared gardens"
    )


def test_with_a_network_wiki_a_network_search_is_queued(db: Database) -> None:
    jobs, notices = _command(db, _settings(**NETWORKED), "!chercher réseau jardins")
    assert jobs == [NETWORK_SEARCH] and notices == []
    jobs, _ = _command(db, _settings(**NETWORKED), "!chercher jardins")
    assert jobs == [NETWORK_SEARCH, SEARCH]  # the plain search stays the centre's own
