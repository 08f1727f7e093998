"""Rows to domain dataclasses and back (and the row shapes bulk inserts take)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from bot.domain.models import (
    Annotation,
    Case,
    CaseOrigin,
    CaseState,
    Consent,
    DirectoryProfile,
    FicheField,
    FicheVersion,
    Message,
    OutboxItem,
    OutboxStatus,
    Outcome,
    Participant,
    Publication,
    PublicationStatus,
    Room,
    RoomKind,
    Timer,
)
from bot.storage.tables import (
    AnnotationRow,
    CaseRow,
    FicheVersionRow,
    MessageRow,
    OutboxRow,
    ParticipantRow,
    PublicationRow,
    RoomRow,
    TimerRow,
)


def to_room(row: RoomRow) -> Room:
    return Room(
        room_id=row.room_id,
        kind=RoomKind(row.kind) if row.kind else None,
        label=row.label,
        categories=tuple(row.categories or ()),
        capture_enabled=row.capture_enabled,
        digest_enabled=row.digest_enabled,
        joined_at=row.joined_at,
        short_forms=row.short_forms,
        minutes_review=row.minutes_review,
    )


def to_participant(row: ParticipantRow) -> Participant:
    profile = None
    if row.profile_updated_at is not None:
        profile = DirectoryProfile(
            function=row.profile_function or "",
            territory=row.profile_territory or "",
            expertise=tuple(row.profile_expertise or ()),
            updated_at=row.profile_updated_at,
            structure=row.profile_structure or "",
        )
    return Participant(
        user_id=row.user_id,
        display_name=row.display_name,
        consent=Consent(row.consent),
        consent_changed_at=row.consent_changed_at,
        profile=profile,
    )


def to_case(row: CaseRow) -> Case:
    return Case(
        id=row.id,
        room_id=row.room_id,
        root_event_id=row.root_event_id,
        origin=CaseOrigin(row.origin),
        title=row.title,
        state=CaseState(row.state),
        created_by=row.created_by,
        created_at=row.created_at,
        last_activity_at=row.last_activity_at,
    )


class DeadLetterValues(TypedDict):
    """A `dead_letters` row: an event kept whole with why it could not be applied."""

    event_id: str
    room_id: str
    event_type: str
    sender: str | None
    event: dict[str, Any]
    error_class: str
    error: str
    sync_token: str
    failed_at: datetime


class MessageValues(TypedDict):
    """A `messages` row as the insert takes it."""

    event_id: str
    room_id: str
    case_id: int | None
    sender: str
    sent_at: datetime
    body: str
    in_reply_to: str | None
    thread_root: str | None
    edited: bool
    redacted: bool


def message_values(
    *,
    event_id: str,
    room_id: str,
    sender: str,
    sent_at: datetime,
    body: str,
    case_id: int | None,
    in_reply_to: str | None = None,
    thread_root: str | None = None,
    edited: bool = False,
    redacted: bool = False,
) -> MessageValues:
    return {
        "event_id": event_id,
        "room_id": room_id,
        "case_id": case_id,
        "sender": sender,
        "sent_at": sent_at,
        "body": body,
        "in_reply_to": in_reply_to,
        "thread_root": thread_root,
        "edited": edited,
        "redacted": redacted,
    }


def values_of_message(message: Message) -> MessageValues:
    return message_values(
        event_id=message.event_id,
        room_id=message.room_id,
        sender=message.sender,
        sent_at=message.sent_at,
        body=message.body,
        case_id=message.case_id,
        in_reply_to=message.in_reply_to,
        thread_root=message.thread_root,
        edited=message.edited,
        redacted=message.redacted,
    )


def to_message(row: MessageRow) -> Message:
    return Message(
        event_id=row.event_id,
        room_id=row.room_id,
        sender=row.sender,
        sent_at=row.sent_at,
        body=row.body,
        case_id=row.case_id,
        in_reply_to=row.in_reply_to,
        thread_root=row.thread_root,
        edited=row.edited,
        redacted=row.redacted,
    )


def to_fiche(row: FicheVersionRow) -> FicheVersion:
    return FicheVersion(
        case_id=row.case_id,
        version=row.version,
        fields={FicheField(k): v for k, v in row.fields.items()},
        submitted_by=row.submitted_by,
        submitted_at=row.submitted_at,
    )


def to_publication(row: PublicationRow) -> Publication:
    return Publication(
        case_id=row.case_id,
        page_title=row.page_title,
        last_revid=row.last_revid,
        status=PublicationStatus(row.status),
        updated_at=row.updated_at,
    )


def to_annotation(row: AnnotationRow) -> Annotation:
    return Annotation(
        id=row.id,
        case_id=row.case_id,
        researcher=row.researcher,
        text=row.text,
        created_at=row.created_at,
        wiki_revid=row.wiki_revid,
    )


def to_outbox_item(row: OutboxRow) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        kind=row.kind,
        dedupe_key=row.dedupe_key,
        payload=dict(row.payload or {}),
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        outcome=Outcome(row.outcome) if row.outcome else None,
    )


def to_timer(row: TimerRow) -> Timer:
    return Timer(
        id=row.id, kind=row.kind, due_at=row.due_at, case_id=row.case_id, done_at=row.done_at
    )
