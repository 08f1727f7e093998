"""Shared helpers of the network wiki's tests: a centre's bot as far as publishing goes
(its database, its own wiki = the stack's, the network wiki = the second MediaWiki),
decisions taken as the commands take them, and a human account on the network wiki."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mwclient
from pydantic import SecretStr

from bot.domain.lifecycle import LifecycleEvent
from bot.domain.models import CaseState, Publication
from bot.domain.permissions import Role
from bot.services.curation import Decided, after_decision, decide
from bot.services.effects import Effects
from bot.services.network_publisher import NetworkPublisher
from bot.services.outbox import OutboxDispatcher
from bot.services.publisher import Publisher
from bot.settings import Settings
from bot.settings_wiki import NetworkWikiSettings
from bot.storage.repository import Repository
from bot.wiki import WikiWorker, wiki_config
from scripts.devstack import StackInfo, mediawiki
from scripts.devstack.second_wiki import SecondWiki
from tests.integration.wiki_support import (
    MODERATOR,
    NOW,
    Clock,
    make_db,
    settings_for,
    worker_for,
)
from wiki_sync.client import WikiClient

MONA = "Mona Modératrice"


def network_settings(
    stack: StackInfo,
    wiki: SecondWiki,
    centre: str,
    label: str,
    *,
    api_url: str = "",
    timeout: float = 10.0,
) -> Settings:
    """The stack's settings for centre `centre`, with the network wiki `wiki` (or its
    `api_url` replaced: a network wiki away)."""
    settings = settings_for(stack)
    network_wiki = NetworkWikiSettings(
        api_url=api_url or wiki.api,
        username=wiki.username,
        password=SecretStr(wiki.bot_password),
        contact="tests@example.org",
        edit_interval=0.0,
        max_retries=0,
        timeout=timeout,
    )
    return settings.model_copy(
        update={
            "network": settings.network.model_copy(update={"centre": centre, "label": label}),
            "network_wiki": network_wiki,
        }
    )


def network_worker(settings: Settings) -> WikiWorker:
    """The centre's door to the network wiki, a client that never sleeps."""
    target = settings.network_wiki
    client = WikiClient(wiki_config(settings, target, edit_interval=0), sleep=lambda _: None)
    return WikiWorker(client, settings, target)


class Centre:
    """One centre's bot, as far as publishing goes: its database, its own wiki's
    publisher, the network wiki's publisher, one outbox dispatcher for both."""

    def __init__(self, stack: StackInfo, wiki: SecondWiki, tmp: Path, centre: str, label: str):
        (tmp / centre).mkdir(exist_ok=True)
        self.settings = network_settings(stack, wiki, centre, label)
        self.db = make_db(tmp / centre)
        self.clock = Clock()
        self.own = Publisher(
            self.db, worker_for(self.settings, max_retries=1), self.settings, self.clock
        )
        self.dispatcher = OutboxDispatcher(self.db, self.clock, backoff_base=1.0, backoff_cap=30.0)
        self.own.register(self.dispatcher)
        self.network = self.attach(network_worker(self.settings))

    def attach(self, worker: WikiWorker) -> NetworkPublisher:
        """The network wiki's publisher over `worker` (a restart with a new config)."""
        network = NetworkPublisher(self.db, worker, self.settings, self.clock)
        network.register(self.dispatcher)
        return network

    def run(self, work: Callable[[Repository], Any]) -> Any:
        return self.db.run_sync(work)

    def decide(self, case_id: int, event: LifecycleEvent, reason: str = "") -> None:
        """What `!valider`, `!retirer`, `!rétablir` do after their checks: the move,
        then its consequences (publication requests, here and on the network wiki)."""

        def work(repo: Repository) -> None:
            case = repo.get_case(case_id)
            assert case is not None
            if event is LifecycleEvent.APPROVE:  # seeded approved: only what follows
                decided = Decided(case, CaseState.IN_REVIEW)
            else:
                roles = frozenset({Role.MODERATOR})
                result = decide(repo, case, event, MODERATOR, roles, NOW, reason=reason)
                assert isinstance(result, Decided), result
                decided = result
            effects = Effects(repo, f"test:{event.value}:{case_id}:{uuid.uuid4().hex}", NOW)
            after_decision(
                repo, self.settings, effects, decided, event, MODERATOR, MONA, NOW, reason=reason
            )

        self.run(work)

    def network_page(self, case_id: int) -> Publication | None:
        return self.run(lambda repo: repo.get_network_publication(case_id))

    def own_page(self, case_id: int) -> Publication | None:
        return self.run(lambda repo: repo.get_publication(case_id))

    def close(self) -> None:
        self.own.worker.close()
        self.network.worker.close()
        self.db.close()


class NetworkHuman:
    """A person's account on the network wiki (not the bot's), logged in."""

    def __init__(self, wiki: SecondWiki) -> None:
        name = f"Humain{uuid.uuid4().hex[:6]}"
        password = uuid.uuid4().hex
        mediawiki._php("createAndPromote.php", name, password, config=wiki.local_settings)
        self.site = mwclient.Site(f"127.0.0.1:{wiki.port}", path="/", scheme="http")
        self.site.clientlogin(username=name, password=password, loginreturnurl=wiki.url)
        self.name = name

    def edit(self, title: str, change: Callable[[str], str]) -> int:
        info = self.site.api(
            "query",
            prop="revisions",
            titles=title,
            rvprop="ids|content",
            rvslots="main",
            formatversion=2,
        )
        revision = info["query"]["pages"][0]["revisions"][0]
        result = self.site.api(
            "edit",
            "POST",
            title=title,
            text=change(revision["slots"]["main"]["content"]),
            summary="relecture du réseau",
            baserevid=revision["revid"],
            token=self.site.get_token("csrf"),
            formatversion=2,
        )
        assert result["edit"]["result"] == "Success", result
        return int(result["edit"]["newrevid"])
