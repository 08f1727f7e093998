"""Research and diffusion against the real MediaWiki: search, talk-page annotations, the
directory page and the digest (driven through the outbox, the scheduler and a fake clock)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain.models import (
    Consent,
    DirectoryProfile,
    OutboxItem,
    Participant,
    Room,
    RoomKind,
)
from bot.scheduling import Scheduler
from bot.services.diffusion import (
    DIGEST,
    DIGEST_PAGE,
    DIRECTORY,
    Diffusion,
    request_directory,
)
from bot.services.effects import NOTICE, Effects
from bot.services.forgetting import forget
from bot.services.outbox import OutboxDispatcher
from bot.services.prompting import Prompting
from bot.services.publisher import Publisher
from bot.services.research import (
    ANNOTATE,
    SEARCH,
    UNANNOTATE,
    ResearchJobs,
    reply_context,
    request_annotation,
    request_search,
)
from bot.settings import Settings
from bot.storage.database import Database
from scripts.devstack import StackInfo, mediawiki
from tests.integration.wiki_support import (
    ALICE,
    NOW,
    Clock,
    HumanEditor,
    fiche_fields,
    seed_case,
    settings_for,
    unique,
    worker_for,
)
from wiki_sync.pages import annotation_marker, talk_title

pytestmark = pytest.mark.integration
RESEARCHER = "@claire:localhost"
ROOM = "!salon:localhost"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(wiki_ready: StackInfo) -> Settings:
    return settings_for(wiki_ready)


@pytest.fixture
def publisher(settings: Settings, db: Database, clock: Clock) -> Iterator[Publisher]:
    pub = Publisher(db, worker_for(settings, max_retries=1), settings, clock)
    yield pub
    pub.worker.close()


@pytest.fixture
def dispatcher(
    db: Database, clock: Clock, publisher: Publisher, settings: Settings
) -> OutboxDispatcher:
    disp = OutboxDispatcher(db, clock, backoff_base=1.0, backoff_cap=30.0)
    publisher.register(disp)
    ResearchJobs(db, publisher.worker, settings, clock).register(disp)
    Diffusion(db, publisher.worker, settings, clock).register(disp)
    return disp


async def drain(dispatcher: OutboxDispatcher, kinds: list[str] | None = None) -> None:
    wanted = [k for k in dispatcher.executors if k != NOTICE] if kinds is None else kinds
    for _ in range(20):
        if not await dispatcher.run_once(wanted):
            return


def notices(db: Database) -> list[dict[str, Any]]:
    return db.run_sync(lambda repo: [i.payload for i in repo.pending_outbox([NOTICE])])


def context(sender: str = ALICE.user_id) -> dict[str, Any]:
    return reply_context(ROOM, f"$cmd{unique('x').split()[1]}", "$thread", sender, "Alice Martin")


async def test_search_answers_with_the_best_pages_or_suggests_capture(
    wiki_ready: StackInfo, db: Database, dispatcher: OutboxDispatcher
) -> None:
    word = unique("Xylophonie").split()[1]  # a word only these fiches hold
    titles = [unique("Médiation par la musique"), unique("Chorale de quartier")]
    for n, title in enumerate(titles):
        seed_case(db, fiche_fields(title, context=f"Un atelier xylo{word} n°{n} <b>gras</b>."))
    await drain(dispatcher)
    mediawiki.run_jobs(wiki_ready.local_settings)

    db.run_sync(lambda repo: request_search(Effects(repo, "s1", NOW), f"xylo{word}", context()))
    db.run_sync(
        lambda repo: request_search(Effects(repo, "s2", NOW), "zzqqnothingmatches", context())
    )
    await drain(dispatcher, [SEARCH])
    found, empty = [n for n in notices(db) if str(n.get("reply_to")).startswith("$cmd")]
    body = found["body"]
    for title in titles:
        assert title in body and "index.php?title=" in body
    assert "searchmatch" not in body and "<span" not in body and "{{" not in body
    assert f"xylo{word}" in body  # the snippet, as plain text
    assert found["mentions"] == [ALICE.user_id] and found["thread_root"] == "$thread"
    assert '<a href="' in found["html"]
    assert "zzqqnothingmatches" in empty["body"] and "!capturer" in empty["body"]


async def test_annotation_goes_to_the_talk_page_once_and_is_announced_in_the_thread(
    db: Database, dispatcher: OutboxDispatcher, publisher: Publisher
) -> None:
    title = unique("Accueil des familles")
    case_id = seed_case(db, fiche_fields(title))
    await drain(dispatcher)
    page_title = db.run_sync(lambda repo: repo.get_publication(case_id)).page_title
    hostile = "Très juste. [[Catégorie:Spam]] {{subst:foo}} ~~~~ <script>x</script>"

    def annotate(repo: Any) -> int:
        repo.save_participant(Participant(RESEARCHER, "Claire Petit"))
        annotation = repo.add_annotation(case_id, RESEARCHER, hostile, NOW)
        request_annotation(Effects(repo, "a1", NOW), annotation, context(RESEARCHER))
        return int(annotation.id)

    annotation_id = db.run_sync(annotate)
    await drain(dispatcher, [ANNOTATE])
    talk = publisher.worker.client.read(talk_title(page_title))
    assert talk.exists and talk.text is not None
    assert "Claire Petit" in talk.text and annotation_marker(annotation_id) in talk.text
    assert "[[Catégorie" not in talk.text and "~~~~" not in talk.text and "<script" not in talk.text
    parsed = publisher.worker.client.parse(talk_title(page_title), prop="text|categories|templates")
    assert parsed["categories"] == [] and parsed["templates"] == []
    assert "Très juste." in parsed["text"] and "<script" not in parsed["text"]
    stored = db.run_sync(lambda repo: repo.get_annotation(annotation_id))
    assert stored is not None and stored.wiki_revid == talk.revid

    (notice,) = [n for n in notices(db) if "Claire" in n["body"]]
    case = db.run_sync(lambda repo: repo.get_case(case_id))
    assert notice["room_id"] == case.room_id and notice["thread_root"] == case.root_event_id
    assert "Claire Petit" in notice["body"] and "Très juste." in notice["body"]
    assert "Talk" in notice["body"] or "Discussion" in notice["body"]

    # The same job redone (crash after the wiki write): no second section, no 2nd notice.
    items = db.run_sync(lambda repo: repo.pending_outbox([ANNOTATE]))
    assert items == []
    await dispatcher.executors[ANNOTATE](
        OutboxItem(
            id=10_000,
            kind=ANNOTATE,
            dedupe_key="redo",
            payload={"annotation_id": annotation_id},
        )
    )
    again = publisher.worker.client.read(talk_title(page_title))
    assert again.revid == talk.revid
    assert (again.text or "").count(annotation_marker(annotation_id)) == 1


async def test_directory_page_is_rebuilt_escaped_and_grouped_by_territory(
    db: Database, dispatcher: OutboxDispatcher, publisher: Publisher, settings: Settings
) -> None:
    def opt_in(repo: Any) -> None:
        for user, name, function, territory, expertise in (
            ("@z1:localhost", "Zoé Nord", "Éducatrice", "Nord", ("logement",)),
            ("@z2:localhost", "Yves [[Spam]]", "CESF {{x}}", "Sud", ("santé", "budget")),
            ("@z3:localhost", "Xavier Nord", "Médiateur", "Nord", ()),
        ):
            profile = DirectoryProfile(function, territory, expertise, NOW)
            repo.save_participant(Participant(user, name, profile=profile))
        repo.save_participant(Participant("@hidden:localhost", "Pas Inscrit"))
        request_directory(Effects(repo, "d1", NOW))

    db.run_sync(opt_in)
    await drain(dispatcher)
    title = "Annuaire du réseau"
    page = publisher.worker.client.read(title)
    assert page.exists and page.text is not None
    text = page.text
    assert text.index("== Nord ==") < text.index("Xavier Nord") < text.index("Zoé Nord")
    assert text.index("== Sud ==") > text.index("Zoé Nord")
    assert "Pas Inscrit" not in text and "[[Spam]]" not in text and "{{x}}" not in text
    parsed = publisher.worker.client.parse(title, prop="templates|links")
    assert parsed["templates"] == [] and parsed["links"] == []

    # Leaving the directory rebuilds the page without that person.
    def leave(repo: Any) -> None:
        person = repo.get_participant("@z2:localhost")
        repo.save_participant(Participant(person.user_id, person.display_name))
        request_directory(Effects(repo, "d2", NOW))

    db.run_sync(leave)
    await drain(dispatcher)
    text = publisher.worker.client.read(title).text or ""
    assert "Yves" not in text and "== Sud ==" not in text and "Zoé Nord" in text


async def test_the_directory_under_its_former_title_becomes_a_redirect_listing_nobody(
    db: Database, dispatcher: OutboxDispatcher, publisher: Publisher
) -> None:
    # A wiki set up before the epicene wording has the directory under its old title:
    # left alone it would go on listing people who later left the directory.
    former = "Annuaire des professionnels"
    publisher.worker.writer.put(former, "* Ancienne Inscrite — Nord", "ancien annuaire")

    def opt_in(repo: Any) -> None:
        profile = DirectoryProfile("Éducatrice", "Nord", ("logement",), NOW)
        repo.save_participant(Participant("@z9:localhost", "Zoé Sud", profile=profile))
        request_directory(Effects(repo, "d-former", NOW))

    db.run_sync(opt_in)
    await drain(dispatcher)
    old = publisher.worker.client.read(former).text or ""
    assert "Ancienne Inscrite" not in old and "Zoé Sud" not in old
    assert "[[Annuaire du réseau]]" in old and old.upper().startswith("#REDIRECT")
    assert "Zoé Sud" in (publisher.worker.client.read("Annuaire du réseau").text or "")


async def test_digest_page_and_room_notices_at_the_cron_time_and_nothing_when_idle(
    db: Database,
    dispatcher: OutboxDispatcher,
    publisher: Publisher,
    settings: Settings,
    clock: Clock,
) -> None:
    settings = settings.model_copy(
        update={
            "schedule": settings.schedule.model_copy(
                update={"digest_cron": "0 9 * * mon", "timezone": "Europe/Paris"}
            )
        }
    )
    clock.now = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)  # a Tuesday
    diffusion = Diffusion(db, publisher.worker, settings, clock)
    diffusion.register(dispatcher)
    scheduler = Scheduler(db, clock)
    scheduler.register(DIGEST, diffusion.on_digest)
    await diffusion.start()
    await diffusion.start()  # restart: still one pending digest timer
    (timer,) = db.run_sync(lambda repo: repo.pending_timers([DIGEST]))
    assert timer.due_at == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # Monday 09:00 Paris

    def rooms(repo: Any) -> None:
        repo.save_room(Room("!lettre:localhost", RoomKind.THEME, "Logement", digest_enabled=True))
        repo.save_room(Room("!autre:localhost", RoomKind.THEME, "Autre"))

    db.run_sync(rooms)
    title = unique("Permanence logement")
    case_id = seed_case(db, fiche_fields(title, themes="Logement", territory="Lyon"), now=clock.now)
    clock.now = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    await drain(dispatcher, ["publish"])
    db.run_sync(
        lambda repo: repo.add_annotation(case_id, RESEARCHER, "Piste à creuser.", clock.now)
    )
    db.run_sync(lambda repo: repo.save_participant(Participant(RESEARCHER, "Claire Petit")))

    assert await scheduler.run_due() == 0  # not yet Monday
    clock.now = datetime(2026, 3, 9, 8, 0, 30, tzinfo=UTC)
    assert await scheduler.run_due() == 1
    await drain(dispatcher, [DIGEST_PAGE])
    digest_title = "Lettre d'information du 2 au 9 mars 2026"
    page = publisher.worker.client.read(digest_title)
    assert page.exists and page.text is not None
    assert title in page.text and "Logement" in page.text and "Lyon" in page.text
    assert "Claire Petit" in page.text and "Piste à creuser." in page.text
    sent = [n for n in notices(db) if "Lettre" in n["body"] or "lettre" in n["body"]]
    assert [n["room_id"] for n in sent] == ["!lettre:localhost"]
    assert "index.php?title=Lettre" in sent[0]["body"]
    (following,) = db.run_sync(lambda repo: repo.pending_timers([DIGEST]))
    assert following.due_at == datetime(2026, 3, 16, 8, 0, tzinfo=UTC)

    # A week with nothing new: no page job, no notice, and the next timer is there.
    clock.now = datetime(2026, 3, 16, 8, 1, tzinfo=UTC)
    assert await scheduler.run_due() == 1
    assert db.run_sync(lambda repo: repo.pending_outbox([DIGEST_PAGE])) == []
    assert not publisher.worker.client.read(
        "Lettre d'information du 9 au 16 mars 2026"
    ).exists
    # The directory is refreshed on the same schedule, once per digest time.
    refreshes = db.run_sync(lambda repo: repo.pending_outbox([DIRECTORY]))
    assert [r.dedupe_key for r in refreshes] == [
        "directory:scheduled:2026-03-09T08:00:00+00:00",
        "directory:scheduled:2026-03-16T08:00:00+00:00",
    ]
    (third,) = db.run_sync(lambda repo: repo.pending_timers([DIGEST]))
    assert third.due_at == datetime(2026, 3, 23, 8, 0, tzinfo=UTC)
    assert len([n for n in notices(db) if "lettre" in n["body"].lower()]) == 1


async def test_digest_and_talk_page_name_no_researcher_without_consent_nor_by_matrix_id(
    db: Database, dispatcher: OutboxDispatcher, publisher: Publisher, clock: Clock
) -> None:
    """DESIGN §7: a researcher who said `!consentement non` is named by role; one the bot
    knows no name of (e.g. after `!oublier`) is never shown by Matrix id."""
    clock.now = datetime(2027, 5, 4, 10, 0, tzinfo=UTC)
    title = unique("Permanence du soir")
    case_id = seed_case(db, fiche_fields(title), now=clock.now)
    await drain(dispatcher, ["publish"])
    refusing, nameless = "@claire:localhost", "@rene:localhost"

    def annotate(repo: Any) -> None:
        repo.save_participant(Participant(refusing, "Claire Petit", Consent.REFUSED))
        repo.save_participant(Participant(nameless, "", Consent.REFUSED))  # as !oublier left it
        for who, text in ((refusing, "Piste sans nom."), (nameless, "Autre piste.")):
            annotation = repo.add_annotation(case_id, who, text, clock.now)
            effects = Effects(repo, f"a{annotation.id}", clock.now)
            request_annotation(effects, annotation, context(who))
        repo.enqueue(
            DIGEST_PAGE,
            unique("digest"),
            {"start": "2027-05-03T08:00:00+00:00", "end": "2027-05-10T08:00:00+00:00"},
            clock.now,
        )

    db.run_sync(annotate)
    await drain(dispatcher, [ANNOTATE, DIGEST_PAGE])
    digest = (
        publisher.worker.client.read("Lettre d'information du 3 au 10 mai 2027").text or ""
    )
    page_title = db.run_sync(lambda repo: repo.get_publication(case_id)).page_title
    talk = publisher.worker.client.read(talk_title(page_title)).text or ""
    for text in (digest, talk):
        assert "Piste sans nom." in text and "Autre piste." in text
        assert "Claire" not in text and "@claire" not in text and "@rene" not in text
        # wikitext escapes the apostrophe (l&#39;équipe), which the wiki shows as « ' »
        assert "équipe de recherche" in text.replace("&#39;", "'")


async def test_forget_takes_a_researcher_s_annotations_off_the_talk_page_and_the_digest(
    db: Database,
    dispatcher: OutboxDispatcher,
    publisher: Publisher,
    settings: Settings,
    clock: Clock,
    wiki_ready: StackInfo,
) -> None:
    clock.now = datetime(2028, 3, 7, 10, 0, tzinfo=UTC)  # a Tuesday
    diffusion = Diffusion(db, publisher.worker, settings, clock)
    diffusion.register(dispatcher)
    scheduler = Scheduler(db, clock)
    scheduler.register(DIGEST, diffusion.on_digest)
    await diffusion.start()
    title = unique("Veille de nuit")
    case_id = seed_case(db, fiche_fields(title), now=clock.now)
    await drain(dispatcher, ["publish"])
    note = f"Piste {unique('n').split()[1]}"

    def annotate(repo: Any) -> None:
        repo.save_participant(Participant(RESEARCHER, "Claire Petit"))
        annotation = repo.add_annotation(case_id, RESEARCHER, note, clock.now)
        request_annotation(Effects(repo, "forget-a1", clock.now), annotation, context(RESEARCHER))

    db.run_sync(annotate)
    await drain(dispatcher, [ANNOTATE])
    page_title = db.run_sync(lambda repo: repo.get_publication(case_id)).page_title
    talk = talk_title(page_title)
    human = "Réponse d'une personne sur la page de discussion."
    HumanEditor(wiki_ready).edit(talk, lambda text: text + "\n" + human)
    clock.now = datetime(2028, 3, 13, 8, 0, 30, tzinfo=UTC)
    assert await scheduler.run_due() == 1
    await drain(dispatcher, [DIGEST_PAGE])
    digest_title = "Lettre d'information du 6 au 13 mars 2028"
    assert note in (publisher.worker.client.read(digest_title).text or "")
    # A letter of the same week written before dates were spelled out (ISO title).
    legacy_title = "Lettre d'information – 2028-03-06 au 2028-03-13"
    letter = publisher.worker.client.read(digest_title).text or ""
    publisher.worker.client.edit(
        legacy_title, letter, "old letter", base_revid=None, create_only=True
    )

    prompting = Prompting(settings)
    db.run_sync(
        lambda repo: forget(
            repo,
            RESEARCHER,
            names=["Claire Petit"],
            settings=settings,
            prompting=prompting,
            now=clock.now,
        )
    )
    await drain(dispatcher, [UNANNOTATE, DIGEST_PAGE])
    for text in (
        publisher.worker.client.read(talk).text or "",
        publisher.worker.client.read(digest_title).text or "",
        publisher.worker.client.read(legacy_title).text or "",
    ):
        assert note not in text and "Claire" not in text and RESEARCHER not in text
    talk_text = publisher.worker.client.read(talk).text or ""
    assert human in talk_text and "Annotation retirée" in talk_text
    assert title in (
        publisher.worker.client.read(digest_title).text or ""
    )  # the fiche stays listed
