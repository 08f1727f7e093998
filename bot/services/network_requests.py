"""Requests for the network's shared wiki (`[network_wiki]`): outbox rows that bring a
fiche's page there in line with stored state, beside (never instead of) the centre's own.

A fiche is shared when a moderator said so for it (`!réseau N oui`), else when its room
does (`!salon réseau oui`). Every decision that changes a fiche's page on the centre's
wiki (approval, withdrawal, restoration, a redaction, `!oublier`, a consent change), and
every change of a choice, asks for the fiche's network page in the same transaction,
when it concerns the network wiki (shared, or already there). The job (`NetworkPublisher`)
decides from stored state what the page must be: published, updated, or replaced by a
withdrawal notice, so requests coalesce into one pending row per fiche.

Two lanes, as at home (`bot.wiki.WIKI_BULK_LANE`): what someone waits for (an approval,
a withdrawal, `!réseau N`) is `NETWORK_PAGE` on `NETWORK_LANE`; what comes by the
hundred (a room's `!salon réseau oui|non`, consent changes, `!oublier`, redactions) is
`NETWORK_PAGE_BULK` on `NETWORK_BULK_LANE`, whose wiki calls wait while an interactive
one is queued. The fiche's one pending row moves to the interactive kind when someone
starts waiting for it, never back.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.models import Case, OutboxStatus, ReviewDecision
from bot.storage.repository import Repository

NETWORK_PAGE = "network_page"  # the outbox kind someone waits for
NETWORK_PAGE_BULK = "network_page_bulk"  # the same job, asked for by the hundred
NETWORK_KINDS: tuple[str, ...] = (NETWORK_PAGE, NETWORK_PAGE_BULK)
# The lanes of the network wiki's jobs: its outage or slowness holds up nothing else
# (the centre's own wiki has its lanes, `bot.wiki.WIKI_LANE`).
NETWORK_LANE = "network-wiki"
NETWORK_BULK_LANE = "network-wiki-bulk"
#: each kind's lane, known even while `[network_wiki]` is off (metrics count its rows)
NETWORK_KIND_LANES: dict[str, str] = {
    NETWORK_PAGE: NETWORK_LANE,
    NETWORK_PAGE_BULK: NETWORK_BULK_LANE,
}


def shared_with_network(repo: Repository, case: Case) -> bool:
    """The fiche's own choice, else its room's (default: not shared)."""
    own = repo.case_shared(case.id)
    return own if own is not None else repo.room_shared(case.room_id)


def was_approved(repo: Repository, case_id: int) -> bool:
    """A version of the fiche was approved once (the network shows approved fiches)."""
    versions = {v.version for v in repo.fiche_versions(case_id)}
    return any(
        r.decision is ReviewDecision.APPROVE and r.fiche_version in versions
        for r in repo.reviews(case_id)
    )


def network_key(case_id: int) -> str:
    """One pending job per fiche, however many changes ask for it."""
    return f"{NETWORK_PAGE}:{case_id}"


def request_network_page(
    repo: Repository,
    case_id: int,
    now: datetime,
    *,
    reason: str = "",
    privacy: bool = False,
    bulk: bool = False,
) -> bool:
    """Queue the fiche's network page job when the fiche concerns the network wiki
    (shared, or with a page there); returns whether it was asked for (queued, or merged
    into the pending one).

    `privacy`: a rebuild erasing quotes or names (its blocks then win over human edits
    there too); kept when requests coalesce. `reason` shows in the edit summary. `bulk`:
    one of many asked for at once (the bulk lane); an interactive request merged into a
    pending bulk job makes it interactive.
    """
    case = repo.get_case(case_id)
    if case is None:
        return False
    if repo.get_network_publication(case_id) is None and not shared_with_network(repo, case):
        return False
    key = network_key(case_id)
    existing = repo.outbox_by_key(key)
    if existing is not None and existing.status is OutboxStatus.PENDING:
        payload = dict(existing.payload)
        payload["privacy"] = bool(payload.get("privacy")) or privacy
        payload["reason"] = reason or str(payload.get("reason", ""))
        payload["requests"] = int(payload.get("requests", 1)) + 1
        kind = None if bulk or existing.kind == NETWORK_PAGE else NETWORK_PAGE
        repo.rewrite_outbox(existing.id, payload, dedupe_key=key, done_at=None, kind=kind)
        return True
    if existing is not None:  # done or failed: its key moves aside for the new job
        moved = f"{key}@{existing.id}"
        repo.rewrite_outbox(existing.id, existing.payload, dedupe_key=moved, done_at=None)
    payload = {"case_id": case_id, "reason": reason, "privacy": privacy, "requests": 1}
    return repo.enqueue(NETWORK_PAGE_BULK if bulk else NETWORK_PAGE, key, payload, now)


def request_network_pages(
    repo: Repository, case_ids: set[int], now: datetime, *, reason: str = "", privacy: bool = False
) -> list[int]:
    """`request_network_page` for each case, on the bulk lane (a room's choice, a
    consent change: possibly hundreds); returns those asked for."""
    return [
        case_id
        for case_id in sorted(case_ids)
        if request_network_page(repo, case_id, now, reason=reason, privacy=privacy, bulk=True)
    ]


def set_room_choice(repo: Repository, room_id: str, shared: bool, now: datetime) -> list[int]:
    """`!salon réseau oui|non`: record the room's choice and ask for the network page of
    each of its fiches that follows the room's choice and was approved once (shared:
    published there; no longer shared: withdrawn there). Returns those cases."""
    if not repo.set_room_shared(room_id, shared, now):
        return []
    concerned = {
        case_id
        for case_id in repo.room_cases_for_network(room_id)
        if repo.get_network_publication(case_id) is not None or was_approved(repo, case_id)
    }
    return request_network_pages(repo, concerned, now, reason="room")


def set_case_choice(repo: Repository, case: Case, shared: bool | None, now: datetime) -> bool:
    """`!réseau N oui|non|salon`: record the fiche's own choice (None: the room's again)
    and ask for its network page; returns whether it is shared now."""
    repo.set_case_shared(case.id, shared, now)
    request_network_page(repo, case.id, now, reason="choice")
    return shared_with_network(repo, case)
