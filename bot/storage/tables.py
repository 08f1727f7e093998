"""SQLAlchemy 2 typed tables. Only the repository touches these; the domain never does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, whatever the engine (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class RoomRow(Base):
    __tablename__ = "rooms"

    room_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str | None] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(200), default="")
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    capture_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    short_forms: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: compte-rendus go through the moderation room before the wiki (migration 0015)
    minutes_review: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ParticipantRow(Base):
    __tablename__ = "participants"

    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(255), default="")
    consent: Mapped[str] = mapped_column(String(10), default="unknown")
    consent_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    profile_function: Mapped[str | None] = mapped_column(String(200))
    profile_territory: Mapped[str | None] = mapped_column(String(200))
    profile_expertise: Mapped[list[str] | None] = mapped_column(JSON)
    profile_structure: Mapped[str | None] = mapped_column(String(200))
    profile_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CaseRow(Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("room_id", "root_event_id"),
        # Capture looks cases up by their threads' roots (migration 0007).
        Index("ix_cases_root_event_id", "root_event_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    room_id: Mapped[str] = mapped_column(ForeignKey("rooms.room_id"), index=True)
    root_event_id: Mapped[str] = mapped_column(String(255))
    origin: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(255), default="")
    state: Mapped[str] = mapped_column(String(30), index=True)
    created_by: Mapped[str] = mapped_column(String(255), index=True)  # !oublier
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Activity of the case itself (opened, captured); its messages' times are read from
    # the messages (prompting.quiet_since): capture writes no case row.
    last_activity_at: Mapped[datetime] = mapped_column(UtcDateTime())


class MessageRow(Base):
    __tablename__ = "messages"

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))  # no index: never queried alone
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    sender: Mapped[str] = mapped_column(String(255), index=True)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())
    body: Mapped[str] = mapped_column(Text, default="")
    in_reply_to: Mapped[str | None] = mapped_column(String(255))
    thread_root: Mapped[str | None] = mapped_column(String(255))
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    redacted: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_messages_case_sent", "case_id", "sent_at"),)


class FicheVersionRow(Base):
    __tablename__ = "fiche_versions"
    __table_args__ = (UniqueConstraint("case_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    fields: Mapped[dict[str, str]] = mapped_column(JSON)
    submitted_by: Mapped[str] = mapped_column(String(255), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CaseTagRow(Base):
    """A theme or territory of a case's latest fiche, folded (`bot.domain.text.fold`).

    The fields are JSON inside `fiche_versions`; this copy, rewritten on each submission,
    lets `!fiches thème:…` find cases by index instead of reading every fiche.
    """

    __tablename__ = "case_tags"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # a FicheField value
    key: Mapped[str] = mapped_column(String(255), primary_key=True)

    __table_args__ = (Index("ix_case_tags_lookup", "kind", "key", "case_id"),)


class ReviewRow(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    fiche_version: Mapped[int] = mapped_column(Integer)
    moderator: Mapped[str] = mapped_column(String(255), index=True)  # !oublier
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TransitionRow(Base):
    __tablename__ = "transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")


class PublicationRow(Base):
    __tablename__ = "publications"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    page_title: Mapped[str] = mapped_column(String(255), unique=True)
    last_revid: Mapped[int | None] = mapped_column(BigInteger)
    last_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)  # the digest


class AnnotationRow(Base):
    __tablename__ = "annotations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    researcher: Mapped[str] = mapped_column(String(255), index=True)  # !oublier
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)  # the digest
    wiki_revid: Mapped[int | None] = mapped_column(BigInteger)


class SyncStateRow(Base):
    """Key/value of the bot's own state (the sync token, DESIGN §9.1; the erasure count)."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class KeyWaitRow(Base):
    """An encrypted event the bot could not decrypt yet (its room key has not arrived):
    kept with the sync position that moved past it, so a restart does not lose it."""

    __tablename__ = "key_waits"

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    source: Mapped[dict[str, Any]] = mapped_column(JSON)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime())


class UndecryptableRow(Base):
    """An encrypted message the bot gave up waiting for (its room key never came): the
    room was told once (`notified_at`), the case it belongs to shows the gap, `capibot
    check` counts it. The encrypted event is kept so a key arriving later still reads it
    (`recovered_at`: the gap is closed)."""

    __tablename__ = "undecryptable_events"
    __table_args__ = (
        Index("ix_undecryptable_events_session", "session_id"),
        Index("ix_undecryptable_events_thread", "room_id", "thread_root"),
    )

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    sender: Mapped[str] = mapped_column(String(255))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())
    session_id: Mapped[str] = mapped_column(String(255))
    thread_root: Mapped[str | None] = mapped_column(String(255))
    in_reply_to: Mapped[str | None] = mapped_column(String(255))
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[dict[str, Any]] = mapped_column(JSON)
    notified_at: Mapped[datetime] = mapped_column(UtcDateTime())
    recovered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class DeadLetterRow(Base):
    """An event that failed alone while the database answered: set aside whole, with the
    error, instead of being dropped (`capibot check` reports them). Keyed by event id, so
    a replayed batch sets it aside once."""

    __tablename__ = "dead_letters"

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    room_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(100))
    sender: Mapped[str | None] = mapped_column(String(255))
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    error_class: Mapped[str] = mapped_column(String(255))
    error: Mapped[str] = mapped_column(Text)
    sync_token: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OutboxRow(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")  # for people only
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # What the last error means (an `Outcome` value); NULL: the row has no error.
    outcome: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)


class TimerRow(Base):
    __tablename__ = "timers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    # Pending ones (done_at NULL) by due time, and finished ones by age (retention).
    __table_args__ = (
        UniqueConstraint("kind", "case_id", "due_at"),
        Index("ix_timers_done_due", "done_at", "due_at"),
    )


class ReviewCardRow(Base):
    """A review card posted in the moderation room: its event → the case and version.

    Lets a ✅ / ❌ reaction on the card find what it decides on.
    """

    __tablename__ = "review_cards"

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    fiche_version: Mapped[int] = mapped_column(Integer)


class QuestionRow(Base):
    """A `!question` for the documentation desk: asked in a room, posted in the
    documentation room (`posted_event_id` once sent), answered in that post's thread.

    The text is kept until the asker is forgotten: the post carries it to the desk, and a
    capture of the desk's thread counts it as the asker's words, not the bot's.
    """

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    room_id: Mapped[str] = mapped_column(String(255))
    asker: Mapped[str] = mapped_column(String(255), index=True)
    asked_event_id: Mapped[str] = mapped_column(String(255), unique=True)
    asked_thread_root: Mapped[str | None] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime())
    posted_event_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    answers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class MeetingRow(Base):
    """A meeting (`!réunion début` … `!réunion fin`) in a room: at most one open per room.

    Its lines (`meeting_lines`) are the full log, kept like a case's messages: erased by
    `!oublier` for their author.
    """

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    room_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(Text)
    opener: Mapped[str] = mapped_column(String(255), index=True)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: its compte-rendu once closed: direct, pending, approved, rejected (migration 0015)
    review: Mapped[str | None] = mapped_column(String(20))
    reviewed_by: Mapped[str | None] = mapped_column(String(255), index=True)  # `!oublier`
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    review_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    # The open meetings (closed_at NULL), per room; the compte-rendus awaiting review.
    __table_args__ = (
        Index("ix_meetings_open", "closed_at", "room_id"),
        Index("ix_meetings_review", "review"),
    )


class MeetingLineRow(Base):
    """One message of a meeting; `tag` set when it is an item of the compte-rendu."""

    __tablename__ = "meeting_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    sender: Mapped[str] = mapped_column(String(255), index=True)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())
    body: Mapped[str] = mapped_column(Text)
    tag: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    owner: Mapped[str | None] = mapped_column(String(255), index=True)


class NetworkRoomRow(Base):
    """A room's choice for the network's shared wiki (`!salon réseau oui|non`): its
    approved fiches go there too. No row: not shared."""

    __tablename__ = "network_rooms"

    room_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    shared: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NetworkCaseRow(Base):
    """A moderator's choice for one fiche (`!réseau N oui|non`), over its room's."""

    __tablename__ = "network_cases"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    shared: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NetworkPublicationRow(Base):
    """A fiche's page on the network's shared wiki (as `publications` is on the
    centre's own): its title there, last revision, the bot's last text (merge base)."""

    __tablename__ = "network_publications"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    page_title: Mapped[str] = mapped_column(String(255), unique=True)
    last_revid: Mapped[int | None] = mapped_column(BigInteger)
    last_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
