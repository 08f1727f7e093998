"""Publication requests: outbox rows written in the transaction that decided them
(approval, withdrawal, restoration, redaction, `!oublier`, a consent change). The
`Publisher` (`bot.services.publisher`) executes them; each key says when a request is
the same job redone and when it is a new one.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.models import CaseState, OutboxStatus, PublicationStatus
from bot.services.network_requests import request_network_page, request_network_pages
from bot.storage.repository import Repository

PUBLISH = "publish"
REPUBLISH = "republish"
WITHDRAW = "withdraw_page"
KINDS: tuple[str, ...] = (PUBLISH, REPUBLISH, WITHDRAW)

# Republish reasons that erase quotes or names (DESIGN §7): the rebuild must take them
# off the page even over human edits of the blocks holding them (see `wiki_sync.merge`).
REDACTION = "redaction"
FORGET = "forget"
CONSENT_WITHDRAWN = "consent_withdrawn"
CONSENT_GRANTED = "consent_granted"
PRIVACY_REASONS: frozenset[str] = frozenset({REDACTION, FORGET, CONSENT_WITHDRAWN})
# Not a request: a job that wrote a page read before one of those wrote it again.
ERASED_MEANWHILE = "erased_meanwhile"


def request_publication(repo: Repository, case_id: int, moderator: str, now: datetime) -> bool:
    """Queue the publication of the case's latest fiche version, approved by `moderator`.

    The key names the version: a version is published once, an amended one again.
    """
    fiche = repo.latest_fiche(case_id)
    if fiche is None:
        raise ValueError(f"case {case_id} has no fiche to publish")
    payload = {
        "case_id": case_id,
        "version": fiche.version,
        "moderator": moderator,
        "approved_at": now.isoformat(),
    }
    return repo.enqueue(PUBLISH, f"publish:{case_id}:v{fiche.version}", payload, now)


def request_withdrawal(
    repo: Repository, case_id: int, actor: str, now: datetime, reason: str = ""
) -> bool:
    """Queue the replacement of the case's page by a withdrawal notice (once per
    withdrawal: a case withdrawn again after `!rétablir` is a new one)."""
    payload = {"case_id": case_id, "actor": actor, "reason": reason}
    generation = repo.count_transitions_to(case_id, CaseState.WITHDRAWN)
    return repo.enqueue(WITHDRAW, f"withdraw_page:{case_id}:{generation}", payload, now)


def request_restoration(repo: Repository, case_id: int, now: datetime, *, generation: int) -> bool:
    """Queue the page of a restored case: its latest approved version, written over the
    withdrawal notice (or published for the first time if it never was). `generation`
    (the number of withdrawals so far) makes each restoration its own job."""
    if repo.latest_fiche(case_id) is None:
        return False
    payload = {"case_id": case_id, "restore": True}
    return repo.enqueue(PUBLISH, f"restore_page:{case_id}:{generation}", payload, now)


def republish_key(case_id: int) -> str:
    """The key of a case's pending rebuild: one pending job per page, however many
    changes ask for it (a consent toggled twice, a redaction meanwhile)."""
    return f"republish:{case_id}"


def stronger_reason(old: str, new: str) -> str:
    """The reason a coalesced rebuild keeps: a privacy reason over any other (it forces
    the privacy blocks over human edits), else the latest."""
    if new in PRIVACY_REASONS or old not in PRIVACY_REASONS:
        return new
    return old


def request_republish(repo: Repository, case_id: int, reason: str, now: datetime) -> bool:
    """Queue a rebuild of a live page (a redaction, `!oublier`, a consent change).

    Does nothing when the case has no live page. Requests coalesce: while the case's
    rebuild is pending, another request merges into it (its strongest reason kept, its
    `requests` count bumped, so a run that started before the merge is run once more,
    see `OutboxDispatcher.register(coalesced=True)`); the page is rebuilt from stored
    state, so one run serves them all. `reason` shows in the edit summary: no names.
    Returns whether a new job was queued. A privacy reason counts an erasure
    (`mark_erasure`): a job in flight that read the erased words does its work again
    rather than record them. The fiche's page on the network wiki, if it
    concerns it, is asked for too (`network_requests`).
    """
    privacy = reason in PRIVACY_REASONS  # by the hundred (a consent change): the bulk lane
    if privacy:
        repo.mark_erasure()  # a job in flight that read the erased words does its work again
    request_network_page(repo, case_id, now, reason=reason, privacy=privacy, bulk=True)
    status = repo.publication_status(case_id)
    if status is None or status is PublicationStatus.WITHDRAWN:
        return False
    key = republish_key(case_id)
    existing = repo.outbox_by_key(key)
    if existing is not None and existing.status is OutboxStatus.PENDING:
        payload = dict(existing.payload)
        payload["reason"] = stronger_reason(str(payload.get("reason", "")), reason)
        payload["requests"] = int(payload.get("requests", 1)) + 1
        repo.rewrite_outbox(existing.id, payload, dedupe_key=key, done_at=None)
        return False
    if existing is not None:  # done or failed: its key moves aside for the new job
        moved = f"{key}@{existing.id}"
        repo.rewrite_outbox(existing.id, existing.payload, dedupe_key=moved, done_at=None)
    payload = {"case_id": case_id, "reason": reason, "requests": 1}
    return repo.enqueue(REPUBLISH, key, payload, now)


def request_republish_for(repo: Repository, user_id: str, reason: str, now: datetime) -> list[int]:
    """Queue a rebuild of every live page `user_id` may be quoted or named on (a
    consent change): cases with a message of theirs, a fiche version they submitted or
    one they approved. Returns the cases queued."""
    touched = (
        repo.cases_with_messages_of(user_id)
        | repo.cases_submitted_by(user_id)
        | repo.cases_approved_by(user_id)
    )
    if reason in PRIVACY_REASONS:
        repo.mark_erasure()  # a first publication in flight has no live page yet
    queued = sorted(repo.live_pages_among(touched))
    for case_id in queued:
        request_republish(repo, case_id, reason, now)
    # a page on the network wiki only (its own page never made it, or is withdrawn)
    elsewhere = repo.live_network_pages_among(touched) - set(queued)
    request_network_pages(repo, elsewhere, now, reason=reason, privacy=reason in PRIVACY_REASONS)
    return queued
