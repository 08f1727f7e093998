"""Domain dataclasses and enums shared by every layer.

The storage layer maps its rows to these; services and commands only ever see these,
so the rules in the domain never depend on SQLAlchemy or nio.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class RoomKind(enum.StrEnum):
    FUNCTION = "function"
    THEME = "theme"
    TERRITORY = "territory"
    MODERATION = "moderation"
    RESEARCH = "research"


class Consent(enum.StrEnum):
    UNKNOWN = "unknown"
    GRANTED = "granted"
    REFUSED = "refused"


class CaseState(enum.StrEnum):
    CAPTURING = "capturing"
    AWAITING_SUMMARY = "awaiting_summary"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    PUBLISHED = "published"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class CaseOrigin(enum.StrEnum):
    """How the exchange hangs together in Matrix."""

    THREAD = "thread"
    REPLY_CHAIN = "reply_chain"


class ReviewDecision(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"


class PublicationStatus(enum.StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    CONFLICT = "conflict"
    WITHDRAWN = "withdrawn"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class Outcome(enum.StrEnum):
    """What an outbox job's failure means: the failure contract between a lane's
    classifier (exception → outcome), the dispatcher (what to do) and the CLI (exit code).

    Stored in the outbox row next to the error text (kept for people only), so nothing
    is ever decided by reading that text.
    """

    #: Transient, cause unknown (a bug, the homeserver said no): retried with exponential
    #: backoff up to the dispatcher's `max_attempts`, then FAILED.
    RETRY = "retry"
    #: The service is away (down, 5xx, network, rate limit): waited for however long,
    #: with a short backoff; once its lane succeeds again, what waited is due at once.
    UNAVAILABLE = "unavailable"
    #: The service refuses the bot's login (password, BotPassword, OAuth keys): waits
    #: until an operator fixes the configuration (longer backoff, one ERROR per lane,
    #: the kind's `on_refused` hook once per job). `capibot publish` exits 4.
    LOGIN_REFUSED = "login_refused"
    #: Logged in, but the account lacks a right (bot group, grants, protected page): waits
    #: for an operator as LOGIN_REFUSED does. `capibot publish` exits 5.
    RIGHT_MISSING = "right_missing"
    #: Can never succeed as it is (conflict, bad title, room gone, retries exhausted):
    #: the job is marked failed and its kind's `on_failure` hook runs.
    FAILED = "failed"

    @property
    def refused(self) -> bool:
        """An operator must fix the configuration before this job can go through."""
        return self in (Outcome.LOGIN_REFUSED, Outcome.RIGHT_MISSING)

    @property
    def waits(self) -> bool:
        """The job waits for its service (or its operator), never abandoned."""
        return self is Outcome.UNAVAILABLE or self.refused


class FicheField(enum.StrEnum):
    """Fiche fields, in display order. Values are the stable storage keys."""

    TITLE = "title"
    CONTEXT = "context"
    ACTION = "action"
    RESULTS = "results"
    LESSONS = "lessons"
    THEMES = "themes"
    TERRITORY = "territory"
    RESOURCES = "resources"


REQUIRED_FICHE_FIELDS: tuple[FicheField, ...] = (
    FicheField.TITLE,
    FicheField.CONTEXT,
    FicheField.ACTION,
    FicheField.LESSONS,
)


@dataclass(frozen=True, slots=True)
class Room:
    room_id: str
    kind: RoomKind | None = None
    label: str = ""
    categories: tuple[str, ...] = ()
    capture_enabled: bool = True
    digest_enabled: bool = False
    joined_at: datetime | None = None
    #: answers the generic English short names (`!help`, `!list`…); off where another
    #: bot owns them (French names and `!capi <commande>` always work)
    short_forms: bool = True
    #: its meetings' compte-rendus wait for a network moderator's approval before the
    #: wiki (on by default: a public page names people and records decisions)
    minutes_review: bool = True


@dataclass(frozen=True, slots=True)
class DirectoryProfile:
    function: str = ""
    territory: str = ""
    expertise: tuple[str, ...] = ()
    updated_at: datetime | None = None
    #: the organisation the person works for (association, city, operator…)
    structure: str = ""


@dataclass(frozen=True, slots=True)
class Participant:
    user_id: str
    display_name: str = ""
    consent: Consent = Consent.UNKNOWN
    consent_changed_at: datetime | None = None
    profile: DirectoryProfile | None = None


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    room_id: str
    root_event_id: str
    origin: CaseOrigin
    title: str
    state: CaseState
    created_by: str
    created_at: datetime
    last_activity_at: datetime


@dataclass(frozen=True, slots=True)
class Message:
    event_id: str
    room_id: str
    sender: str
    sent_at: datetime
    body: str
    case_id: int | None = None
    in_reply_to: str | None = None
    thread_root: str | None = None
    edited: bool = False
    redacted: bool = False


@dataclass(frozen=True, slots=True)
class FicheVersion:
    case_id: int
    version: int
    fields: dict[FicheField, str]
    submitted_by: str
    submitted_at: datetime


@dataclass(frozen=True, slots=True)
class Review:
    case_id: int
    fiche_version: int
    moderator: str
    decision: ReviewDecision
    comment: str
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class Involvement:
    """How the actor took part in the case: what authorship and four eyes rest on."""

    submitted: bool = False  #: submitted a version of its fiche: an author
    wrote: bool = False  #: wrote a message of the exchange
    captured: bool = False  #: opened the case

    @property
    def participant(self) -> bool:
        return self.submitted or self.wrote or self.captured


@dataclass(frozen=True, slots=True)
class Transition:
    """One audit record of the case lifecycle: who moved it, when, why."""

    case_id: int
    from_state: CaseState | None
    to_state: CaseState
    actor: str
    at: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Publication:
    case_id: int
    page_title: str
    last_revid: int | None
    status: PublicationStatus
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Annotation:
    id: int
    case_id: int
    researcher: str
    text: str
    created_at: datetime
    wiki_revid: int | None = None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A pending outbound effect (reply, wiki edit) derived from stored state.

    `dedupe_key` is unique, so enqueuing the same effect twice is harmless.
    """

    id: int
    kind: str
    dedupe_key: str
    payload: dict[str, Any] = field(default_factory=dict)
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""  # for people (the CLI lists it); decisions read `outcome`
    outcome: Outcome | None = None  # what the last error means; None: it has none


@dataclass(frozen=True, slots=True)
class Timer:
    """A due time that lives in the database; the scheduler is rebuilt from these."""

    id: int
    kind: str
    due_at: datetime
    case_id: int | None = None
    done_at: datetime | None = None
