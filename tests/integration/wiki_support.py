"""Shared helpers of the publishing tests: settings, a seeded case, a human editor,
the raw API, and stopping/restarting the wiki server of the session stack."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import mwclient

from bot.domain.models import (
    CaseOrigin,
    CaseState,
    Consent,
    FicheField,
    Message,
    Participant,
    Review,
    ReviewDecision,
    Room,
    RoomKind,
    Transition,
)
from bot.services.meeting_minutes import template_pages
from bot.services.publication_requests import request_publication
from bot.settings import Settings, load_settings
from bot.storage.database import Database
from bot.wiki import WikiWorker, wiki_config
from scripts.devstack import Stack, StackInfo, mediawiki
from scripts.devstack.procs import pid_alive, stop_group
from wiki_sync.client import WikiClient
from wiki_sync.setup import apply_setup, setup_pages, written

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MODERATION_ROOM = "!moderation:localhost"
MODERATOR = "@mona:localhost"


class Clock:
    """An injectable clock the tests move forward by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def settings_for(stack: StackInfo, *, moderation_room: str = MODERATION_ROOM) -> Settings:
    settings = load_settings(stack.config_path)
    return settings.model_copy(
        update={
            "matrix": settings.matrix.model_copy(update={"moderation_room": moderation_room}),
            "wiki": settings.wiki.model_copy(update={"edit_interval": 0.0}),
        }
    )


def client_for(settings: Settings, **overrides: float | int) -> WikiClient:
    """A bot client that never sleeps (retries are the dispatcher's business here)."""
    return WikiClient(wiki_config(settings, edit_interval=0, **overrides), sleep=lambda _: None)


def worker_for(settings: Settings, **overrides: float | int) -> WikiWorker:
    """The bot's wiki worker over `client_for`."""
    return WikiWorker(client_for(settings, **overrides), settings)


def run_setup(stack: StackInfo, settings: Settings | None = None) -> list[str]:
    """Set the wiki up for ``settings`` (default: the stack's), whoever edited it last."""
    settings = settings or settings_for(stack)
    # what `capibot wiki setup` writes: the fiche pages and the compte-rendu template
    pages = setup_pages(settings.wiki.mapping(settings.bot.language)) | template_pages()
    changed = written(apply_setup(client_for(settings), pages, force=True))
    mediawiki.run_jobs(stack.local_settings)
    return changed


def make_db(path: Path) -> Database:
    db = Database.from_url(f"sqlite:///{path}/capibot.db")
    db.migrate()
    return db


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Speaker:
    user_id: str
    display_name: str
    consent: Consent


ALICE = Speaker("@alice:localhost", "Alice Martin", Consent.GRANTED)
BRUNO = Speaker("@bruno:localhost", "Bruno Leroy", Consent.REFUSED)
CAROL = Speaker("@carol:localhost", "Carole Inconnue", Consent.UNKNOWN)


def fiche_fields(title: str, **changes: str) -> dict[FicheField, str]:
    fields = {
        FicheField.TITLE: title,
        FicheField.CONTEXT: "Un contexte.",
        FicheField.ACTION: "Une action.",
        FicheField.RESULTS: "Des résultats.",
        FicheField.LESSONS: "Des enseignements.",
        FicheField.THEMES: "Logement, Santé",
        FicheField.TERRITORY: "Seine-Saint-Denis",
        FicheField.RESOURCES: "Un guide.",
    }
    fields.update({FicheField(k): v for k, v in changes.items()})
    return fields


def seed_case(
    db: Database,
    fields: dict[FicheField, str],
    *,
    messages: Sequence[tuple[Speaker, str]] = ((ALICE, "Bonjour, voici notre pratique."),),
    room: Room | None = None,
    now: datetime = NOW,
    publish: bool = True,
) -> int:
    """A case as curation leaves it: messages, a fiche, approved, publication requested."""
    room = room or Room(
        room_id="!fonction:localhost", kind=RoomKind.FUNCTION, label="Travailleurs sociaux"
    )
    root = f"${uuid.uuid4().hex}"

    def work(repo: Any) -> int:
        repo.save_room(room)
        case, _ = repo.create_case(
            room_id=room.room_id,
            root_event_id=root,
            origin=CaseOrigin.THREAD,
            title=re.sub("[\ud800-\udfff]", "\ufffd", fields[FicheField.TITLE]),
            created_by=messages[0][0].user_id if messages else MODERATOR,
            now=now,
        )
        for n, (speaker, body) in enumerate(messages):
            if repo.get_participant(speaker.user_id) is None:
                repo.save_participant(
                    Participant(speaker.user_id, speaker.display_name, speaker.consent)
                )
            repo.add_message(
                Message(
                    event_id=root if n == 0 else f"${uuid.uuid4().hex}",
                    room_id=room.room_id,
                    sender=speaker.user_id,
                    sent_at=now + timedelta(minutes=n),
                    body=body,
                    case_id=case.id,
                    thread_root=None if n == 0 else root,
                )
            )
        author = messages[0][0].user_id if messages else MODERATOR
        repo.add_fiche_version(case.id, fields, author, now)
        approve(repo, case.id, now, publish=publish)
        return int(case.id)

    return db.run_sync(work)


def approve(repo: Any, case_id: int, now: datetime, *, publish: bool = True) -> None:
    """What `!valider` does: review, transition, state, publication request."""
    case = repo.get_case(case_id)
    fiche = repo.latest_fiche(case_id)
    repo.add_review(Review(case_id, fiche.version, MODERATOR, ReviewDecision.APPROVE, "", now))
    repo.add_transition(Transition(case_id, case.state, CaseState.APPROVED, MODERATOR, now))
    repo.update_case(case_id, state=CaseState.APPROVED)
    if publish:
        request_publication(repo, case_id, MODERATOR, now)


def amend(db: Database, case_id: int, now: datetime, **changes: str) -> None:
    """A new fiche version, approved again (DESIGN §3: amendments go through review)."""

    def work(repo: Any) -> None:
        current = repo.latest_fiche(case_id).fields
        fields = dict(current)
        fields.update({FicheField(k): v for k, v in changes.items()})
        repo.update_case(case_id, state=CaseState.IN_REVIEW)
        repo.add_fiche_version(case_id, fields, ALICE.user_id, now)
        approve(repo, case_id, now)

    db.run_sync(work)


# -- the wiki, seen from outside -----------------------------------------------------------


def api(client: WikiClient, action: str, **params: Any) -> dict[str, Any]:
    return dict(client.site.api(action, "GET", formatversion=2, **params))


def revisions(client: WikiClient, title: str) -> list[dict[str, Any]]:
    info = api(client, "query", prop="revisions", titles=title, rvprop="ids|user", rvlimit="max")
    page = info["query"]["pages"][0]
    return list(page.get("revisions", []))


def parse(client: WikiClient, title: str) -> dict[str, Any]:
    prop = "text|categories|templates|links|externallinks|properties|langlinks|iwlinks|images"
    return dict(api(client, "parse", page=title, prop=prop)["parse"])


class HumanEditor:
    """The wiki's Admin, a real human account (not the bot), logged in with clientlogin."""

    def __init__(self, stack: StackInfo) -> None:
        self.site = mwclient.Site(f"127.0.0.1:{stack.wiki_port}", path="/", scheme="http")
        self.site.clientlogin(
            username="Admin",
            password=stack.wiki_admin_password,
            loginreturnurl=stack.wiki_url,
        )

    def edit(self, title: str, change: Any) -> int:
        info = self.site.api(
            "query",
            prop="revisions",
            titles=title,
            rvprop="ids|content",
            rvslots="main",
            formatversion=2,
        )
        page = info["query"]["pages"][0]
        revision = page["revisions"][0]
        text = change(revision["slots"]["main"]["content"])
        result = self.site.api(
            "edit",
            "POST",
            title=title,
            text=text,
            summary="relecture humaine",
            baserevid=revision["revid"],
            token=self.site.get_token("csrf"),
            formatversion=2,
        )
        assert result["edit"]["result"] == "Success", result
        return int(result["edit"]["newrevid"])


@contextmanager
def wiki_down(stack: StackInfo) -> Iterator[None]:
    """Stop the wiki's PHP server; restart it on the same port on exit, and record the
    new pid in stack.json so the session teardown still stops it."""
    marker = stack.state_dir
    stop_group(stack.wiki_pid, marker)
    try:
        yield
    finally:
        if not pid_alive(stack.wiki_pid, marker):
            process = mediawiki.start(
                Path(stack.state_dir) / "wiki", stack.wiki_port, stack.local_settings
            )
            stack.wiki_pid = process.pid
            Stack(Path(stack.state_dir))._save(stack)
