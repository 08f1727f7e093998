"""What the bot asks its database, driven through its real code paths (issue 14).

`run_workload` plays a network's day on a migrated database: capture batches (threads,
replies, 📌, edits, redactions), every command (`!fiches` with each filter included),
curation and the review card's ✅, publication planning, prompting timers, the outbox
dispatcher, the digest's reads, retention, the research export and `capibot check`.
`tests/unit/storage/test_query_plans.py` records each statement it issues.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.check import check_database
from bot.domain.models import OutboxItem, Publication, PublicationStatus, Timer
from bot.inbound import InboundService
from bot.matrix.events import (
    Inbound,
    InboundEdit,
    InboundMessage,
    InboundReaction,
    InboundRedaction,
    RoomSnapshot,
    SyncBatch,
)
from bot.observability import snapshot
from bot.services import effects as fx
from bot.services.diffusion import DIGEST, digest_period, ensure_digest_timer
from bot.services.diffusion import request_digest_rebuilds as rebuild_digests
from bot.services.export import ExportFilter, export_records, prepare
from bot.services.knowledge import KnowledgeBase
from bot.services.network_pages import plan_network_page
from bot.services.network_requests import NETWORK_KINDS
from bot.services.outbox import OutboxDispatcher
from bot.services.page_building import plan_page
from bot.services.prompting import ESCALATE, PROMPT, REMINDER, Prompting
from bot.services.publication_requests import PUBLISH, REPUBLISH, request_republish_for
from bot.services.ratelimit import CommandRateLimit
from bot.services.retention import purge_once
from bot.settings import Settings
from bot.storage.database import Database

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
BOT = "@capibot:localhost"
ROOM = "!jardins:localhost"
MODERATION = "!moderation:localhost"
RESEARCH = "!research:localhost"
ALICE, BOB, MONA, RITA = (f"@{n}:localhost" for n in ("alice", "bob", "mona", "rita"))
ROOMS = {
    ROOM: RoomSnapshot(room_id=ROOM, power_levels={ALICE: 100}, member_count=4),
    MODERATION: RoomSnapshot(room_id=MODERATION, power_levels={MONA: 50}, member_count=2),
    RESEARCH: RoomSnapshot(room_id=RESEARCH, member_count=2, members=frozenset({RITA})),
}
FICHE = (
    "Titre: Jardins partagés\nContexte: un quartier\nAction: des bacs\n"
    "Enseignements: arroser\nThèmes: Logement, Jeunesse\nTerritoire: Lyon"
)


def settings_for(url: str) -> Settings:
    return Settings.model_validate(
        {
            "bot": {"moderators": [MONA], "researchers": [RITA]},
            "matrix": {
                "user_id": BOT,
                "allowed_inviters": ["@*:localhost"],
                "moderation_room": MODERATION,
                "research_room": RESEARCH,
            },
            "database": {"url": url},
            "privacy": {"pseudonym_secret": "s" * 32},
            # the network's shared wiki: its choices and pages are asked for too
            "network": {"centre": "crpv-w"},
            "network_wiki": {"api_url": "http://127.0.0.1:9/api.php"},
        }
    )


class _Batches:
    """Feeds synthetic sync batches through `InboundService.apply`, one per call."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.service = InboundService(settings, BOT, lambda: NOW)
        self.service.rate_limit = CommandRateLimit(burst=10_000)  # one user's whole day
        self.ids = itertools.count(1)
        self.tokens = itertools.count(1)

    def eid(self) -> str:
        return f"$w{next(self.ids)}"

    def msg(self, body: str, *, sender: str = ALICE, room: str = ROOM, **rel: str) -> Inbound:
        return InboundMessage(room, self.eid(), sender, NOW, body, **rel)  # type: ignore[arg-type]

    def apply(self, *events: Inbound) -> None:
        batch = SyncBatch(
            next_batch=f"s{next(self.tokens)}",
            initial=False,
            events=events,
            rooms=dict(ROOMS),
            joined_rooms=frozenset(ROOMS),
        )
        with self.db.transaction() as repo:
            self.service.apply(repo, batch)

    def command(self, body: str, *, sender: str = ALICE, room: str = ROOM, **rel: str) -> None:
        """A command, which must be answered (not refused by the rate limit, say)."""
        before = self._notices()
        self.apply(self.msg(body, sender=sender, room=room, **rel))
        assert self._notices() > before, f"{body!r} got no answer"

    def _notices(self) -> int:
        with self.db.transaction() as repo:
            return len(repo.pending_outbox())  # a notice, or a job that answers (!chercher)


def _capture(b: _Batches) -> str:
    """A thread captured by `!capturer`, a reply chain by 📌, edits, a redaction, chatter."""
    root = b.msg("On a monté un jardin partagé. Des idées ?")
    assert isinstance(root, InboundMessage)
    thread = [b.msg(f"réponse {n}", sender=BOB, thread_root=root.event_id) for n in range(4)]
    b.apply(root, *thread, b.msg("!capturer", thread_root=root.event_id))
    first = b.msg("Une question sur les baux")
    assert isinstance(first, InboundMessage)
    reply = b.msg("Voici ma réponse", sender=BOB, in_reply_to=first.event_id)
    assert isinstance(reply, InboundMessage)
    b.apply(first, reply, InboundReaction(ROOM, b.eid(), ALICE, NOW, reply.event_id, "📌"))
    live = b.msg("suite du fil", sender=BOB, thread_root=root.event_id)
    other = b.msg("un fil jamais capturé")
    assert isinstance(other, InboundMessage) and isinstance(live, InboundMessage)
    b.apply(
        live,
        other,
        b.msg("réponse hors cas", thread_root=other.event_id),
        b.msg("bonjour à tous"),
        InboundEdit(ROOM, b.eid(), BOB, NOW, live.event_id, "suite du fil (corrigée)"),
        InboundRedaction(ROOM, b.eid(), BOB, NOW, thread[0].event_id),
        InboundReaction(ROOM, b.eid(), BOB, NOW, live.event_id, "👍"),
    )
    return root.event_id


def _knowledge(b: _Batches, case: int) -> None:
    """`!chercher`'s index of the published fiches (issue 17) and `!lire`."""
    asyncio.run(KnowledgeBase(b.db).snapshot())
    b.command(f"!lire {case}")
    b.command("!lire jardins partagés")


def _commands(b: _Batches, root: str, case: int) -> None:
    b.command(f"!fiche\n{FICHE}", thread_root=root)
    b.command(f"!fiche {case}\nRésultats: des légumes", sender=BOB)
    for query in (
        "",
        " jardins",
        " en relecture",
        " état:relecture",
        " thème:logement",
        " territoire:lyon",
        " état:relecture thème:logement territoire:lyon page 1",
        " page 2",
    ):
        b.command(f"!fiches{query}")
    for query in ("", " salon:jardins", " thème:jeunesse", " jardins"):
        b.command(f"!fiches{query}", sender=MONA, room=MODERATION)
    b.command(f"!voir {case}")
    for body in ("!aide", "!aide fiches", "!version", "!chercher compost", "!experts compost"):
        b.command(body)
    b.command("!consentement oui")
    b.command("!consentement statut", sender=BOB)
    b.command("!profil fonction=animatrice territoire=Lyon expertises=compost")
    b.command("!salon type territoire")
    b.command("!salon réseau oui")
    b.command(f"!annoter {case} à comparer avec Brest", sender=RITA, room=RESEARCH)
    b.command(f"!corriger {case} préciser le contexte", sender=MONA, room=MODERATION)
    b.command(f"!fiche {case}\nContexte: un quartier nord", sender=BOB)
    with b.db.transaction() as repo:
        repo.add_review_card("$card", case, 3)
    b.apply(InboundReaction(MODERATION, b.eid(), MONA, NOW, "$card", "✅"))
    b.command(f"!valider {case}", sender=MONA, room=MODERATION)
    _meeting(b)


def _meeting(b: _Batches) -> None:
    """`!réunion`: tagged lines, an edit, a redaction, a refused and an accepted end."""
    b.command("!réunion début GT jardins")
    info = b.msg("#info le compost est prêt", sender=BOB)
    assert isinstance(info, InboundMessage)
    b.apply(info, b.msg("#action @Bob arroser"), b.msg("bavardage", sender=BOB))
    b.apply(
        InboundEdit(ROOM, b.eid(), BOB, NOW, info.event_id, "#décision compost le samedi"),
        InboundRedaction(ROOM, b.eid(), BOB, NOW, info.event_id),
    )
    b.command("!réunion fin", sender=BOB)
    b.command("!réunion fin")
    # under review (the default): listed, shown, approved once, then refused
    for text in ("!cr", "!cr 1", "!cr approuver 1", "!cr rejeter 1 trop tard"):
        b.command(text, sender=MONA, room=MODERATION)


def _publishing(db: Database, settings: Settings, case: int) -> None:
    """What the publisher reads and records around a page (the wiki itself aside)."""
    with db.transaction() as repo:
        (job,) = [i for i in repo.pending_outbox([PUBLISH]) if i.payload["case_id"] == case]
        plan = plan_page(repo, settings, case, job.payload, republish=False)
        assert plan is not None
        repo.save_publication(
            Publication(case, "Jardins partagés", 12, PublicationStatus.PUBLISHED, NOW), plan.text
        )
        repo.publication_text(case)
        repo.published_fiches()  # the drafts' vocabulary and related fiches (issue 17)
        repo.live_pages_among({case, case + 1})
        request_republish_for(repo, BOB, "consent", NOW)
        (again,) = [i for i in repo.pending_outbox([REPUBLISH]) if i.payload["case_id"] == case]
        plan_page(repo, settings, case, again.payload, republish=True)


def _network(b: _Batches, settings: Settings, case: int) -> None:
    """The network wiki's job around a page (the wiki itself aside), its commands."""
    with b.db.transaction() as repo:
        (job,) = [i for i in repo.pending_outbox(NETWORK_KINDS) if i.payload["case_id"] == case]
        plan = plan_network_page(repo, settings, case, job.payload)
        assert plan is not None
        repo.save_network_publication(
            Publication(case, "Jardins partagés", 7, PublicationStatus.PUBLISHED, NOW), plan.text
        )
        repo.live_network_pages_among({case, case + 1})
    b.command(f"!réseau {case}", sender=MONA, room=MODERATION)
    b.command(f"!réseau {case} non", sender=MONA, room=MODERATION)
    b.command("!salon réseau non")
    with b.db.transaction() as repo:
        (job,) = [i for i in repo.pending_outbox(NETWORK_KINDS) if i.payload["case_id"] == case]
        plan_network_page(repo, settings, case, job.payload)  # a withdrawal notice


def _timers(db: Database, settings: Settings) -> None:
    """Prompting's handlers on due timers, as the scheduler runs them, and the digest."""
    prompting = Prompting(settings)
    handlers = {PROMPT: prompting.on_prompt, REMINDER: prompting.on_reminder}
    handlers[ESCALATE] = prompting.on_escalate
    later = NOW + timedelta(days=30)
    for _ in range(3):
        with db.transaction() as repo:
            due: list[Timer] = repo.pending_timers(list(handlers))
        for timer in due:
            with db.transaction() as repo:
                if repo.complete_timer(timer.id, later):
                    handlers[timer.kind](repo, timer, later)
    with db.transaction() as repo:
        ensure_digest_timer(repo, settings, NOW)
        (digest,) = repo.pending_timers([DIGEST])
        repo.complete_timer(digest.id, later)
        start, end = digest_period(repo, settings, digest)
        repo.publications_between(start, end)
        repo.annotations_between(start, end)
        repo.directory_participants()
        rebuild_digests(repo, settings, [NOW], later)


async def _dispatch(db: Database) -> None:
    """The outbox dispatcher through its lanes, every executor succeeding but one."""
    dispatcher = OutboxDispatcher(db, lambda: NOW + timedelta(days=1))

    async def done(item: OutboxItem) -> None:
        if item.kind == fx.NOTICE and "compost" in str(item.payload):
            raise RuntimeError("one failing job")

    with db.transaction() as repo:
        kinds = sorted({i.kind for i in repo.pending_outbox()})
    for kind in kinds:
        dispatcher.register(kind, done, lane="wiki" if "page" in kind else "main")
    await dispatcher.run_once(kinds)
    with db.transaction() as repo:
        repo.failed_outbox(kinds)
        repo.retry_failed_outbox(kinds, NOW)
        repo.reschedule_outbox(kinds, NOW)


def run_workload(db: Database, url: str, tmp: Path) -> None:
    """The whole day; every statement goes through `db` (and check's own engine)."""
    settings = settings_for(url)
    batches = _Batches(db, settings)
    root = _capture(batches)
    with db.transaction() as repo:
        case = repo.case_by_root(ROOM, root)
        assert case is not None
    _commands(batches, root, case.id)
    _publishing(db, settings, case.id)
    _network(batches, settings, case.id)
    _knowledge(batches, case.id)
    _timers(db, settings)
    asyncio.run(_dispatch(db))
    batches.command(f"!retirer {case.id} doublon", sender=MONA, room=MODERATION)
    batches.command(f"!rétablir {case.id}", sender=MONA, room=MODERATION)
    batches.command(f"!rejeter {case.id + 1} hors sujet", sender=MONA, room=MODERATION)
    batches.command("!consentement non", sender=BOB)
    batches.command("!oublier", sender=BOB)
    batches.command("!oublier confirmer", sender=BOB)
    asyncio.run(purge_once(db, settings, lambda: NOW + timedelta(days=90)))
    pseudo = db.run_sync(lambda repo: prepare(repo, "s" * 32))
    assert db.read_sync(lambda repo: list(export_records(repo, pseudo, ExportFilter())))
    assert check_database(settings).detail
    assert db.read_sync(snapshot).cases  # a /metrics scrape (bot.observability)
