"""`!chercher réseau`, the job: the centre's answers first, then other centres' fiches
from the network wiki, labelled and linked there; the centre's own pages there are not
repeated; a network wiki away or slow costs a line, never the answer (issue 18).

The wikis are fakes here (what their API answers); tests/integration/
test_network_search.py runs the same through the real Synapse and two real wikis."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain.models import (
    CaseOrigin,
    CaseState,
    FicheField,
    OutboxItem,
    Publication,
    PublicationStatus,
    Review,
    ReviewDecision,
    Transition,
)
from bot.services import effects as fx
from bot.services.effects import Effects
from bot.services.forgetting import forget
from bot.services.network_search import (
    CANDIDATES,
    NETWORK_SEARCH,
    NetworkSearch,
    NetworkSearchJob,
    OutOfTime,
    fetch_fiches,
    request_network_search,
)
from bot.services.prompting import Prompting
from bot.services.research import ResearchJobs
from bot.settings import Settings
from bot.storage.database import Database
from bot.wiki import WikiWorker
from wiki_sync.errors import WikiUnavailable
from wiki_sync.mapping import WikiMapping
from wiki_sync.render import FicheEntry, render_page, render_withdrawal

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROOM, ALICE, MONA = "!quartiers:localhost", "@alice:localhost", "@mona:localhost"
NETWORK_INDEX = "http://reseau.test/w/index.php"


def _settings(**extra: Any) -> Settings:
    return Settings.model_validate(
        {
            "wiki": {"api_url": "http://wiki.test/w/api.php"},
            "network": {"centre": "crpv-a"},
            "network_wiki": {"api_url": "http://reseau.test/w/api.php"},
            **extra,
        }
    )


def _page(centre: str, case: int, title: str, action: str, **fields: str) -> str:
    entry = FicheEntry(
        case_id=case,
        fields={"title": title, "action": action, **fields},
        themes=(),
        territory="",
        contributors=(),
        excerpt=(),
        thread_url="https://matrix.to/#/!room:localhost/$event",
        room_label="",
        room_kind=None,
        extra_categories=(),
        approved_by="Mona",
        approved_at=T0,
        version=1,
        centre=centre,
    )
    return render_page(entry)


B_GARDEN = "Jardins au pied des immeubles (fiche crpv-b 3)"
A_COPY = "Jardins partagés (fiche crpv-a 1)"
PAGES = {
    B_GARDEN: _page(
        "crpv-b", 3, "Jardins au pied des immeubles", "Des parcelles de jardins partagés."
    ),
    A_COPY: _page("crpv-a", 1, "Jardins partagés", "Des jardins partagés par les habitants."),
    "Jardin retiré": render_withdrawal("Jardin retiré", 4),
    "Index des jardins": "Les jardins partagés du réseau : une liste.",
    "Bal des voisins (fiche crpv-c 9)": _page(
        "crpv-c", 9, "Bal des voisins", "Une fête de quartier, avec un stand de jardins."
    ),
}


class _NetworkWiki:
    """The network wiki's API as the search sees it: `search` finds pages whose text
    holds every word of the string (prefixes for `*`), `read_many` reads them."""

    def __init__(self, pages: dict[str, str], *, fail: bool = False) -> None:
        self.pages = pages
        self.fail = fail
        self.searched: list[str] = []
        self.read: list[list[str]] = []

    def search(self, query: str, limit: int = 3) -> list[dict[str, Any]]:
        if self.fail:
            raise WikiUnavailable("wiki unreachable: ConnectionError")
        self.searched.append(query)
        found = []
        for title, text in self.pages.items():
            words = text.lower().split()
            if all(
                any(w.startswith(t[:-1]) if t.endswith("*") else w == t for w in words)
                for t in query.split()
            ):
                found.append({"ns": 0, "title": title})
        return found[:limit]

    def read_many(self, titles: list[str]) -> dict[str, str]:
        self.read.append(list(titles))
        return {t: self.pages[t] for t in titles if t in self.pages}


class _OwnWiki:
    def search(self, query: str, limit: int = 3) -> list[dict[str, Any]]:
        return []


def _publish(db: Database, title: str, action: str) -> None:
    with db.transaction() as repo:
        case, _ = repo.create_case(
            room_id=ROOM,
            root_event_id="$root1",
            origin=CaseOrigin.THREAD,
            title=title,
            created_by=ALICE,
            now=T0,
        )
        fields = {FicheField.TITLE: title, FicheField.ACTION: action}
        repo.add_fiche_version(case.id, fields, ALICE, T0)
        repo.add_review(Review(case.id, 1, MONA, ReviewDecision.APPROVE, "", T0))
        repo.add_transition(Transition(case.id, CaseState.CAPTURING, CaseState.PUBLISHED, MONA, T0))
        repo.update_case(case.id, state=CaseState.PUBLISHED)
        repo.save_publication(Publication(case.id, title, 11, PublicationStatus.PUBLISHED, T0))


_jobs = itertools.count(1)


async def _reply(
    db: Database,
    settings: Settings,
    query: str,
    network_wiki: Any | None,
    *,
    close: bool = True,
    **search: Any,
) -> dict[str, Any]:
    """The notice the network search job queues for `query` (`close`: stop the workers'
    threads after, which waits for a request still in progress)."""
    research = ResearchJobs(db, WikiWorker(_OwnWiki(), settings), settings, lambda: T0)  # type: ignore[arg-type]
    network = None
    if network_wiki is not None:
        worker = WikiWorker(network_wiki, settings, settings.network_wiki)
        network = NetworkSearch(worker, settings, **search)
    job = NetworkSearchJob(db, research, network, settings, lambda: T0)
    payload = {"query": query, "room_id": ROOM, "sender": ALICE, "sender_name": "Alice"}
    n = next(_jobs)
    try:
        await job(OutboxItem(n, NETWORK_SEARCH, f"k{n}", payload))
    finally:
        research.wiki.close()
        if network is not None and close:
            network.close()
    with db.transaction() as repo:
        notices = repo.pending_outbox([fx.NOTICE])
    return dict(notices[-1].payload)


async def test_own_fiches_first_then_other_centres_labelled_and_linked(db: Database) -> None:
    _publish(db, "Jardins partagés", "Des jardins partagés par les habitants du quartier.")
    wiki = _NetworkWiki(PAGES)
    reply = await _reply(db, _settings(), "des jardins partagés ?", wiki)
    body = reply["body"]
    assert body.startswith("Alice: Fiches et pages du wiki pour « des jardins partagés ? » :")
    own = body.index("1. Jardins partagés — Des jardins partagés par les habitants")
    header = body.index("Sur le wiki du réseau, fiches des autres centres :")
    other = body.index(
        f"2. {B_GARDEN} (centre crpv-b) — Des parcelles de jardins partagés.\n"
        f"{NETWORK_INDEX}?title=Jardins_au_pied_des_immeubles_%28fiche_crpv-b_3%29"
    )
    assert own < header < other
    # the centre's own copy on the network wiki is not repeated; no notice, no index
    assert "crpv-a" not in body and "retiré" not in body and "Index" not in body
    # one word in common only (« jardins »): not an answer
    assert "Bal des voisins" not in body
    assert (
        '<ol start="2"><li><a href="http://reseau.test/w/index.php?title=Jardins' in (reply["html"])
    )
    # what the wiki was asked: every word, then each alone; then one read
    assert wiki.searched == ["jardin* partag*", "jardin*", "partag*"]
    assert len(wiki.read) == 1


async def test_no_own_answer_still_shows_the_networks(db: Database) -> None:
    reply = await _reply(db, _settings(), "jardins partagés", _NetworkWiki(PAGES))
    body = reply["body"]
    assert "Aucune fiche du centre ne répond à « jardins partagés »." in body
    assert f"1. {B_GARDEN} (centre crpv-b)" in body


async def test_nothing_anywhere_says_so_for_both(db: Database) -> None:
    reply = await _reply(db, _settings(), "tarte aux pommes", _NetworkWiki(PAGES))
    body = reply["body"]
    assert "Aucune page du wiki ne répond à « tarte aux pommes »." in body
    assert "Sur le wiki du réseau, aucune fiche d'un autre centre ne répond à " in body


async def test_the_network_wiki_unreachable_the_centres_answer_comes_with_a_line(
    db: Database,
) -> None:
    _publish(db, "Jardins partagés", "Des jardins partagés par les habitants du quartier.")
    reply = await _reply(db, _settings(), "jardins partagés", _NetworkWiki(PAGES, fail=True))
    body = reply["body"]
    assert "1. Jardins partagés — Des jardins partagés" in body
    assert body.endswith(
        "Le wiki du réseau ne répond pas pour le moment : seules les fiches du centre "
        "sont proposées."
    )


class _StuckWiki(_NetworkWiki):
    """A network wiki that accepts the connection and never answers (until released)."""

    def __init__(self) -> None:
        super().__init__(PAGES)
        self.release = threading.Event()
        self.asked = threading.Event()

    def search(self, query: str, limit: int = 3) -> list[dict[str, Any]]:
        self.asked.set()
        self.release.wait(30)
        return []


async def test_a_network_wiki_that_never_answers_costs_a_bounded_wait(db: Database) -> None:
    _publish(db, "Jardins partagés", "Des jardins partagés par les habitants du quartier.")
    stuck = _StuckWiki()
    start = time.monotonic()
    try:
        reply = await asyncio.wait_for(
            _reply(db, _settings(), "jardins partagés", stuck, close=False, budget=1.6, grace=0.3),
            timeout=8,
        )
    finally:
        stuck.release.set()
    assert stuck.asked.is_set()  # the request was made, and never answered
    assert time.monotonic() - start < 4  # the budget and one request's grace, not 30 s
    assert "1. Jardins partagés" in reply["body"]
    assert "Le wiki du réseau ne répond pas" in reply["body"]


async def test_queued_before_the_network_wiki_left_the_settings(db: Database) -> None:
    reply = await _reply(db, _settings(), "jardins", None)
    assert "Ce centre n'est relié à aucun wiki du réseau" in reply["body"]


async def test_in_english(db: Database) -> None:
    settings = _settings(bot={"language": "en"})
    reply = await _reply(db, settings, "jardins partagés", _NetworkWiki(PAGES))
    body = reply["body"]
    assert "No fiche of this centre answers “jardins partagés”." in body
    assert "On the network wiki, fiches of other centres:" in body
    assert f"1. {B_GARDEN} (centre crpv-b)" in body


async def test_what_another_centres_page_holds_stays_text(db: Database) -> None:
    hostile = "{{Fiche d'expérience|centre=<b>crpv-x</b> &lt;img src=x onerror=alert(1)&gt;"
    hostile += "|titre=Jardins|action=Des jardins partagés &lt;script&gt;alert(1)&lt;/script&gt;"
    hostile += " @room [[Spécial:Déconnexion|cliquez]] https://evil.example/ partout.}}"
    pages = {"Jardins <piège>": hostile}
    reply = await _reply(db, _settings(), "jardins partagés", _NetworkWiki(pages))
    body, markup = reply["body"], reply["html"]
    assert "<script>alert(1)</script>" in body  # the text, as written, in the plain body
    assert "<script" not in markup and "<img" not in markup and "<b>crpv" not in markup
    assert "&lt;script&gt;" in markup and "&lt;img" in markup
    assert "Jardins &lt;piège&gt;" in markup
    assert 'href="https://evil' not in markup  # a link is only ever the wiki's page
    assert reply["mentions"] == [ALICE]  # « @room » in a page pings nobody


async def test_the_documentation_team_is_proposed_only_when_nothing_answers(
    db: Database,
) -> None:
    documented = _settings(matrix={"documentation_room": "!doc:localhost"})
    reply = await _reply(db, documented, "jardins partagés", _NetworkWiki(PAGES))
    assert "équipe documentation" not in reply["body"]  # the network answers
    reply = await _reply(db, documented, "tarte aux pommes", _NetworkWiki(PAGES))
    assert "Posez la question à l'équipe documentation" in reply["body"]


def test_candidates_with_every_word_first_and_never_more_than_one_read() -> None:
    pages = {
        f"Jardin {n} (fiche crpv-b {n})": _page("crpv-b", n, f"Jardin {n}", "Un jardin.")
        for n in range(60)
    }
    pages["Jardins partagés (fiche crpv-b 99)"] = _page(
        "crpv-b", 99, "Jardins partagés", "Des jardins partagés."
    )
    wiki = _NetworkWiki(pages)
    fiches, every_word = fetch_fiches(
        wiki,
        "jardins partagés",
        WikiMapping(),
        "crpv-a",
        time.monotonic() + 10,  # type: ignore[arg-type]
    )
    assert fiches[0].page_title == "Jardins partagés (fiche crpv-b 99)"
    assert every_word == {"Jardins partagés (fiche crpv-b 99)"}
    assert len(wiki.read) == 1 and len(wiki.read[0]) <= CANDIDATES


def test_past_the_deadline_nothing_more_is_asked() -> None:
    wiki = _NetworkWiki(PAGES)
    with pytest.raises(OutOfTime):
        fetch_fiches(wiki, "jardins", WikiMapping(), "crpv-a", time.monotonic() - 1)  # type: ignore[arg-type]
    assert wiki.searched == [] and wiki.read == []


def test_a_pending_network_search_of_someone_forgotten_is_dropped(db: Database) -> None:
    settings = _settings()
    bob = "@bob:localhost"
    context = {"room_id": ROOM, "sender": bob, "sender_name": "Bob Leroy"}
    with db.transaction() as repo:
        request_network_search(Effects(repo, "cmd:$q", T0), "jardins de Bob", context)
    with db.transaction() as repo:
        prompting = Prompting(settings, lambda room: {})
        forget(repo, bob, names={"Bob Leroy"}, settings=settings, prompting=prompting, now=T0)
    with db.transaction() as repo:
        (row,) = [i for i in repo.all_outbox() if i.kind == NETWORK_SEARCH]
    assert row.payload == {"erased": True}  # nor the question nor who asked is kept


class _SlowWiki(_NetworkWiki):
    """Each search takes two seconds of `now` (a clock the test owns)."""

    def __init__(self, pages: dict[str, str]) -> None:
        super().__init__(pages)
        self.now = 0.0

    def search(self, query: str, limit: int = 3) -> list[dict[str, Any]]:
        self.now += 2.0
        return super().search(query, limit)


def test_short_of_time_the_searches_stop_and_what_they_found_is_read() -> None:
    wiki = _SlowWiki(PAGES)
    question = "jardins partagés immeubles parcelles"
    fiches, every_word = fetch_fiches(
        wiki,  # type: ignore[arg-type]
        question,
        WikiMapping(),
        "crpv-a",
        deadline=6.0,
        clock=lambda: wiki.now,
    )
    assert len(wiki.searched) == 3 < 1 + len(question.split())  # not all asked …
    assert [f.page_title for f in fiches][:1] == [B_GARDEN]  # … what was found is read
    assert every_word == {B_GARDEN}
