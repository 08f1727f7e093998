"""Repository: the one place that maps rows to domain dataclasses and back.

A `Repository` wraps one SQLAlchemy session (one transaction); `Database.run` executes a
unit of work in a worker thread so the event loop never blocks on the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import Connection, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.domain.models import (
    Annotation,
    Case,
    CaseOrigin,
    CaseState,
    Consent,
    DirectoryProfile,
    FicheField,
    FicheVersion,
    Involvement,
    Message,
    OutboxItem,
    OutboxStatus,
    Outcome,
    Participant,
    Publication,
    PublicationStatus,
    Review,
    ReviewDecision,
    Room,
    RoomKind,
    Timer,
    Transition,
)
from bot.domain.replies import strip_reply_fallback
from bot.storage.tables import (
    AnnotationRow,
    CaseRow,
    DeadLetterRow,
    FicheVersionRow,
    KeyWaitRow,
    MessageRow,
    OutboxRow,
    ParticipantRow,
    PublicationRow,
    ReviewCardRow,
    ReviewRow,
    RoomRow,
    SyncStateRow,
    TimerRow,
    TransitionRow,
)

SYNC_TOKEN_KEY = "next_batch"

# The capture hot path's statements, built once (building a construct costs more than
# running it from SQLAlchemy's compiled cache).
_EDIT_MESSAGE = (
    update(MessageRow)
    .where(
        MessageRow.event_id == bindparam("target"),
        MessageRow.room_id == bindparam("room"),
        MessageRow.sender == bindparam("editor"),
        MessageRow.redacted.is_(False),
    )
    .values(body=bindparam("new_body"), edited=True)
)
_REDACT_MESSAGE = (
    update(MessageRow)
    .where(
        MessageRow.event_id == bindparam("target"),
        MessageRow.room_id == bindparam("room"),
        MessageRow.redacted.is_(False),
    )
    .values(body="", redacted=True)
)
_REPLY_TARGETS = select(MessageRow.event_id).where(
    MessageRow.event_id.in_(bindparam("targets", expanding=True)),
    (MessageRow.in_reply_to.is_not(None)) | (MessageRow.thread_root.is_not(None)),
)
_UNREDACTED_CASES = select(MessageRow.event_id, MessageRow.case_id, MessageRow.room_id).where(
    MessageRow.event_id.in_(bindparam("targets", expanding=True)),
    MessageRow.redacted.is_(False),
)
_LIVE_PAGES = select(PublicationRow.case_id).where(
    PublicationRow.case_id.in_(bindparam("cases", expanding=True)),
    PublicationRow.status != PublicationStatus.WITHDRAWN.value,
)
_INSERT_IGNORE: dict[tuple[str, str], Any] = {}


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._connection: Connection | None = None
        self.queued = 0  # outbox rows queued in this unit of work: is a dispatch due?
        self.timers_added = False  # timers added in this unit of work: wake the scheduler

    @property
    def connection(self) -> Connection:
        """The transaction's connection, for Core statements (looked up once: asking the
        session for it each time costs more than a small statement)."""
        if self._connection is None:
            self._connection = self.session.connection()
        return self._connection

    # -- helpers -------------------------------------------------------------------------

    def _insert_ignore(self, table: Any, values: dict[str, Any] | list[dict[str, Any]]) -> int:
        """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL; returns rows inserted."""
        return len(self._insert_ignore_keys(table, values))

    def _insert_ignore_keys(
        self, table: Any, values: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> list[Any]:
        """The primary keys of the rows actually inserted (a replayed one is skipped).

        One cached Core statement run as executemany (compiling per row cost ~5 ms);
        counted with RETURNING, since psycopg reports no rowcount for it.
        """
        rows = [values] if isinstance(values, Mapping) else list(values)
        if not rows:
            return []
        keys = list(table.__table__.primary_key.columns)
        stmt = self._insert_ignore_stmt(table).returning(*keys)
        result = self.connection.execute(stmt, rows)
        return [row[0] if len(keys) == 1 else tuple(row) for row in result.all()]

    def _insert_ignore_stmt(self, table: Any) -> Any:
        """INSERT … ON CONFLICT DO NOTHING for this engine, built once per table."""
        key = (self.session.get_bind().dialect.name, table.__tablename__)
        stmt = _INSERT_IGNORE.get(key)
        if stmt is None:
            stmt = _INSERT_IGNORE[key] = (
                self._dialect_module().insert(table.__table__).on_conflict_do_nothing()
            )
        return stmt

    def _dialect_module(self) -> Any:
        """The dialect whose `insert` has ON CONFLICT (SQLite and PostgreSQL)."""
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql":
            return postgresql
        if dialect == "sqlite":
            return sqlite
        raise NotImplementedError(f"unsupported database dialect {dialect}")  # pragma: no cover

    # -- sync state ----------------------------------------------------------------------

    def get_sync_token(self) -> str | None:
        # Core, like the upsert: no ORM copy of the row can go stale in between.
        return self.connection.scalar(
            select(SyncStateRow.value).where(SyncStateRow.key == SYNC_TOKEN_KEY)
        )

    def set_sync_token(self, token: str) -> None:
        """One Core upsert: it runs once per sync batch, on the capture hot path."""
        core = SyncStateRow.__table__
        stmt = self._dialect_module().insert(core)
        stmt = stmt.on_conflict_do_update(
            index_elements=[core.c.key], set_={"value": stmt.excluded.value}
        )
        self.connection.execute(stmt, {"key": SYNC_TOKEN_KEY, "value": token})

    # -- encrypted events waiting for their keys ---------------------------------------

    def save_key_waits(self, waits: Iterable[tuple[str, str, dict[str, Any], datetime]]) -> None:
        """Keep (event id, room id, event JSON, first seen) of undecryptable events."""
        rows = [
            {"event_id": e, "room_id": r, "source": src, "seen_at": at} for e, r, src, at in waits
        ]
        if rows:
            self.connection.execute(self._insert_ignore_stmt(KeyWaitRow), rows)

    def drop_key_waits(self, event_ids: Iterable[str]) -> None:
        """Forget waits that ended (decrypted, or given up)."""
        ids = sorted(set(event_ids))
        if ids:
            self.connection.execute(delete(KeyWaitRow).where(KeyWaitRow.event_id.in_(ids)))

    def key_waits(self) -> list[tuple[str, str, dict[str, Any], datetime]]:
        rows = self.connection.execute(
            select(
                KeyWaitRow.event_id, KeyWaitRow.room_id, KeyWaitRow.source, KeyWaitRow.seen_at
            ).order_by(KeyWaitRow.seen_at, KeyWaitRow.event_id)
        )
        return [(e, r, src, at) for e, r, src, at in rows]

    # -- events set aside (dead letters) ------------------------------------------------

    def set_aside(self, letters: Sequence[DeadLetterValues]) -> int:
        """Keep events that failed alone, whole; a replayed one is kept once (first failure)."""
        return self._insert_ignore(DeadLetterRow, [dict(letter) for letter in letters])

    def dead_letters(self) -> list[DeadLetterValues]:
        """Every event set aside, oldest first."""
        rows = self.connection.execute(
            select(DeadLetterRow.__table__).order_by(
                DeadLetterRow.failed_at, DeadLetterRow.event_id
            )
        )
        return [DeadLetterValues(**row._mapping) for row in rows]  # type: ignore[typeddict-item]

    def dead_letter_summary(self) -> tuple[int, datetime | None]:
        """How many events are set aside, and when the oldest failed."""
        count, oldest = self.connection.execute(
            select(func.count(), func.min(DeadLetterRow.failed_at))
        ).one()
        return int(count), oldest

    # -- rooms ---------------------------------------------------------------------------

    def get_room(self, room_id: str) -> Room | None:
        row = self.session.get(RoomRow, room_id)
        return _room(row) if row else None

    def save_room(self, room: Room) -> None:
        row = self.session.get(RoomRow, room.room_id)
        if row is None:
            row = RoomRow(room_id=room.room_id)
            self.session.add(row)
        row.kind = room.kind.value if room.kind else None
        row.label = room.label
        row.categories = list(room.categories)
        row.capture_enabled = room.capture_enabled
        row.digest_enabled = room.digest_enabled
        row.joined_at = room.joined_at
        self.session.flush()

    def list_rooms(self) -> list[Room]:
        return [_room(r) for r in self.session.scalars(select(RoomRow).order_by(RoomRow.room_id))]

    # -- participants --------------------------------------------------------------------

    def get_participant(self, user_id: str) -> Participant | None:
        row = self.session.get(ParticipantRow, user_id)
        return _participant(row) if row else None

    def save_participant(self, participant: Participant) -> None:
        row = self.session.get(ParticipantRow, participant.user_id)
        if row is None:
            row = ParticipantRow(user_id=participant.user_id)
            self.session.add(row)
        row.display_name = participant.display_name
        row.consent = participant.consent.value
        row.consent_changed_at = participant.consent_changed_at
        profile = participant.profile
        row.profile_function = profile.function if profile else None
        row.profile_territory = profile.territory if profile else None
        row.profile_expertise = list(profile.expertise) if profile else None
        row.profile_updated_at = profile.updated_at if profile else None
        self.session.flush()

    def remember_display_name(self, user_id: str, display_name: str) -> None:
        """Keep the latest display name seen for `user_id` (pages name people from the
        stored record, under `bot.domain.naming`'s consent rules); a name that is only
        the Matrix id is no name."""
        name = " ".join(display_name.split())
        if not name or name == user_id:
            return
        row = self.session.get(ParticipantRow, user_id)
        if row is None:
            self.session.add(ParticipantRow(user_id=user_id, display_name=name, consent="unknown"))
        elif row.display_name != name:
            row.display_name = name
        self.session.flush()

    def participants(self, user_ids: Iterable[str]) -> dict[str, Participant]:
        ids = list(set(user_ids))
        if not ids:
            return {}
        rows = self.session.scalars(select(ParticipantRow).where(ParticipantRow.user_id.in_(ids)))
        return {row.user_id: _participant(row) for row in rows}

    # -- cases ---------------------------------------------------------------------------

    def create_case(
        self,
        *,
        room_id: str,
        root_event_id: str,
        origin: CaseOrigin,
        title: str,
        created_by: str,
        now: datetime,
        state: CaseState = CaseState.CAPTURING,
    ) -> tuple[Case, bool]:
        """Open a case on a root, or return the existing one: (case, created)."""
        existing = self.case_by_root(room_id, root_event_id)
        if existing is not None:
            return existing, False
        if self.session.get(RoomRow, room_id) is None:
            self.save_room(Room(room_id=room_id, joined_at=now))
        row = CaseRow(
            room_id=room_id,
            root_event_id=root_event_id,
            origin=origin.value,
            title=title,
            state=state.value,
            created_by=created_by,
            created_at=now,
            last_activity_at=now,
        )
        self.session.add(row)
        self.session.flush()
        self.add_transition(
            Transition(case_id=row.id, from_state=None, to_state=state, actor=created_by, at=now)
        )
        return _case(row), True

    def get_case(self, case_id: int) -> Case | None:
        row = self.session.get(CaseRow, case_id)
        return _case(row) if row else None

    def case_by_root(self, room_id: str, root_event_id: str) -> Case | None:
        row = self.session.scalars(
            select(CaseRow).where(
                CaseRow.room_id == room_id, CaseRow.root_event_id == root_event_id
            )
        ).first()
        return _case(row) if row else None

    def list_cases(
        self, *, room_id: str | None = None, states: Sequence[CaseState] | None = None
    ) -> list[Case]:
        stmt = select(CaseRow).order_by(CaseRow.id)
        if room_id is not None:
            stmt = stmt.where(CaseRow.room_id == room_id)
        if states:
            stmt = stmt.where(CaseRow.state.in_([s.value for s in states]))
        return [_case(row) for row in self.session.scalars(stmt)]

    def update_case(
        self,
        case_id: int,
        *,
        state: CaseState | None = None,
        title: str | None = None,
        last_activity_at: datetime | None = None,
        expect_state: CaseState | None = None,
    ) -> bool:
        """Compare-and-set update: with `expect_state`, only a case still in that state moves.

        This is what makes two moderators approving at once produce one approval.
        """
        values: dict[str, Any] = {}
        if state is not None:
            values["state"] = state.value
        if title is not None:
            values["title"] = title
        if last_activity_at is not None:
            values["last_activity_at"] = last_activity_at
        stmt = update(CaseRow).where(CaseRow.id == case_id).values(**values)
        if expect_state is not None:
            stmt = stmt.where(CaseRow.state == expect_state.value)
        result = self.session.execute(stmt)
        return bool(getattr(result, "rowcount", 0))

    # -- messages ------------------------------------------------------------------------

    def add_message(self, message: Message) -> bool:
        """Store a message once: a replayed event id is ignored (returns False)."""
        return self.add_messages([message]) == 1

    def add_messages(self, messages: Sequence[Message]) -> int:
        return len(self.insert_new_messages(messages))

    def insert_new_messages(self, messages: Sequence[Message]) -> set[str]:
        """Store messages in one statement; returns the event ids that were new."""
        return set(self._insert_ignore_keys(MessageRow, [_message_values(m) for m in messages]))

    def store_message_rows(self, rows: Sequence[MessageValues]) -> None:
        """Store messages once (a replayed event id is skipped), in one executemany.

        The capture hot path: rows come straight from `message_values` (no dataclass in
        between), and nothing is returned, so the driver runs a plain executemany.
        """
        if rows:
            self.connection.execute(self._insert_ignore_stmt(MessageRow), rows)

    def latest_message_at(self, case_id: int) -> datetime | None:
        """When the case's latest captured message was sent (one index lookup)."""
        return self.connection.scalar(
            select(func.max(MessageRow.sent_at)).where(MessageRow.case_id == case_id)
        )

    def case_keys_by_roots(
        self, room_roots: set[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[int, CaseOrigin]]:
        """(id, origin) of the cases rooted at these (room, root) pairs, in one light query."""
        roots = {root for _, root in room_roots}
        if not roots:
            return {}
        rows = self.connection.execute(
            select(CaseRow.room_id, CaseRow.root_event_id, CaseRow.id, CaseRow.origin).where(
                CaseRow.root_event_id.in_(roots)
            )
        )
        found = {(r[0], r[1]): (int(r[2]), CaseOrigin(r[3])) for r in rows}
        return {key: value for key, value in found.items() if key in room_roots}

    def get_message(self, event_id: str) -> Message | None:
        """A stored message by id, whatever its room: for tests and tools. Anything
        driven by an event uses `message_in_room` (a case belongs to one room)."""
        row = self.session.get(MessageRow, event_id)
        return _message(row) if row else None

    def message_in_room(self, room_id: str, event_id: str) -> Message | None:
        """The stored message `event_id` if it was sent in `room_id`: a reply or a
        reaction names any event id (they are public, e.g. in every page's matrix.to
        link), and one from another room must never reach that room's case."""
        row = self.session.get(MessageRow, event_id)
        return _message(row) if row is not None and row.room_id == room_id else None

    def case_messages(self, case_id: int) -> list[Message]:
        rows = self.session.scalars(
            select(MessageRow)
            .where(MessageRow.case_id == case_id)
            .order_by(MessageRow.sent_at, MessageRow.event_id)
        )
        return [_message(row) for row in rows]

    def count_messages(self, case_id: int | None = None) -> int:
        stmt = select(func.count()).select_from(MessageRow)
        if case_id is not None:
            stmt = stmt.where(MessageRow.case_id == case_id)
        return int(self.session.scalar(stmt) or 0)

    def apply_edit(self, room_id: str, event_id: str, sender: str, new_body: str) -> bool:
        """Replace a stored body; only the original sender's edit, sent in the message's
        own room, counts (DESIGN §9.4)."""
        (row,) = self._edit_rows([(room_id, event_id, sender, new_body)])
        result = self.connection.execute(_EDIT_MESSAGE, row)
        return bool(result.rowcount)

    def apply_edits(self, edits: Sequence[tuple[str, str, str, str]]) -> None:
        """`apply_edit` for (room, target, sender, new body), in order, in one executemany."""
        if edits:
            self.connection.execute(_EDIT_MESSAGE, self._edit_rows(edits))

    def _edit_rows(self, edits: Sequence[tuple[str, str, str, str]]) -> list[dict[str, str]]:
        """The edits' parameters, a reply's new body stripped of its fallback (DESIGN §7):
        `m.new_content` may carry one, and only the stored message tells it is a reply
        (a thread message is a falling-back reply)."""
        replies = set(
            self.connection.scalars(
                _REPLY_TARGETS, {"targets": sorted({target for _, target, _, _ in edits})}
            )
        )
        return [
            {
                "room": r,
                "target": t,
                "editor": s,
                "new_body": strip_reply_fallback(b, is_reply=t in replies),
            }
            for r, t, s, b in edits
        ]

    def redact_message(self, event_id: str) -> int | None:
        """Erase a message's content wherever it is stored (tests, tools); returns its
        case id (to republish) if it was stored. Events use `redact_messages`."""
        row = self.session.get(MessageRow, event_id)
        if row is None:
            return None
        return self.redact_messages([(row.room_id, event_id)]).get(event_id)

    def redact_messages(self, targets: Sequence[tuple[str, str]]) -> dict[str, int | None]:
        """Erase messages' content for (room, event id) pairs; returns {event id: case id}
        of those erased now (stored and not yet redacted), so their pages can be rebuilt.
        A redaction counts only in the room of its target: Matrix takes a redaction of
        any event id, and one sent in another room must not erase anything here."""
        if not targets:
            return {}
        wanted = set(targets)
        connection = self.connection
        rows = connection.execute(_UNREDACTED_CASES, {"targets": sorted({e for _, e in wanted})})
        found = {row[0]: (row[2], row[1]) for row in rows if (row[2], row[0]) in wanted}
        if found:
            connection.execute(
                _REDACT_MESSAGE, [{"target": e, "room": room} for e, (room, _) in found.items()]
            )
        return {event_id: case_id for event_id, (_, case_id) in found.items()}

    def count_messages_of(self, user_id: str) -> int:
        stmt = (
            select(func.count())
            .select_from(MessageRow)
            .where(MessageRow.sender == user_id, MessageRow.redacted.is_(False))
        )
        return int(self.session.scalar(stmt) or 0)

    def cases_submitted_by(self, user_id: str) -> set[int]:
        """Cases whose fiche `user_id` submitted (their name may be on the page)."""
        return set(
            self.session.scalars(
                select(FicheVersionRow.case_id).where(FicheVersionRow.submitted_by == user_id)
            )
        )

    def cases_with_messages_of(self, user_id: str) -> set[int]:
        """Cases holding a message of `user_id` (redacted ones too: they still count in
        the page's contributors and pseudonym numbering)."""
        rows = self.session.scalars(
            select(MessageRow.case_id)
            .where(MessageRow.sender == user_id, MessageRow.case_id.is_not(None))
            .distinct()
        )
        return {c for c in rows if c is not None}

    def cases_approved_by(self, user_id: str) -> set[int]:
        """Cases with a version `user_id` approved (they are named on its page)."""
        rows = self.session.scalars(
            select(ReviewRow.case_id)
            .where(
                ReviewRow.moderator == user_id,
                ReviewRow.decision == ReviewDecision.APPROVE.value,
            )
            .distinct()
        )
        return set(rows)

    def erase_sender(self, user_id: str) -> set[int]:
        """`!oublier`: blank every stored message of a user; returns the cases touched."""
        case_ids = set(
            self.session.scalars(
                select(MessageRow.case_id).where(
                    MessageRow.sender == user_id, MessageRow.case_id.is_not(None)
                )
            )
        )
        self.session.execute(
            update(MessageRow).where(MessageRow.sender == user_id).values(body="", redacted=True)
        )
        self.session.execute(delete(DeadLetterRow).where(DeadLetterRow.sender == user_id))
        return {c for c in case_ids if c is not None}

    # -- fiches, reviews, transitions ----------------------------------------------------

    def add_fiche_version(
        self, case_id: int, fields: dict[FicheField, str], submitted_by: str, now: datetime
    ) -> FicheVersion:
        latest = self.session.scalar(
            select(func.max(FicheVersionRow.version)).where(FicheVersionRow.case_id == case_id)
        )
        row = FicheVersionRow(
            case_id=case_id,
            version=(latest or 0) + 1,
            fields={k.value: v for k, v in fields.items()},
            submitted_by=submitted_by,
            submitted_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return _fiche(row)

    def latest_fiche(self, case_id: int) -> FicheVersion | None:
        row = self.session.scalars(
            select(FicheVersionRow)
            .where(FicheVersionRow.case_id == case_id)
            .order_by(FicheVersionRow.version.desc())
        ).first()
        return _fiche(row) if row else None

    def fiche_versions(self, case_id: int) -> list[FicheVersion]:
        rows = self.session.scalars(
            select(FicheVersionRow)
            .where(FicheVersionRow.case_id == case_id)
            .order_by(FicheVersionRow.version)
        )
        return [_fiche(row) for row in rows]

    def add_review(self, review: Review) -> None:
        self.session.add(
            ReviewRow(
                case_id=review.case_id,
                fiche_version=review.fiche_version,
                moderator=review.moderator,
                decision=review.decision.value,
                comment=review.comment,
                decided_at=review.decided_at,
            )
        )

    def reviews(self, case_id: int) -> list[Review]:
        rows = self.session.scalars(
            select(ReviewRow).where(ReviewRow.case_id == case_id).order_by(ReviewRow.id)
        )
        return [
            Review(
                case_id=r.case_id,
                fiche_version=r.fiche_version,
                moderator=r.moderator,
                decision=ReviewDecision(r.decision),
                comment=r.comment,
                decided_at=r.decided_at,
            )
            for r in rows
        ]

    def add_transition(self, transition: Transition) -> None:
        self.session.add(
            TransitionRow(
                case_id=transition.case_id,
                from_state=transition.from_state.value if transition.from_state else None,
                to_state=transition.to_state.value,
                actor=transition.actor,
                at=transition.at,
                reason=transition.reason,
            )
        )

    def transitions(self, case_id: int) -> list[Transition]:
        rows = self.session.scalars(
            select(TransitionRow).where(TransitionRow.case_id == case_id).order_by(TransitionRow.id)
        )
        return [
            Transition(
                case_id=r.case_id,
                from_state=CaseState(r.from_state) if r.from_state else None,
                to_state=CaseState(r.to_state),
                actor=r.actor,
                at=r.at,
                reason=r.reason,
            )
            for r in rows
        ]

    # -- publications and annotations ----------------------------------------------------

    def publication_status(self, case_id: int) -> PublicationStatus | None:
        """Only the status (a Core query: asked on every redaction of a captured message)."""
        status = self.connection.scalar(
            select(PublicationRow.status).where(PublicationRow.case_id == case_id)
        )
        return None if status is None else PublicationStatus(status)

    def live_pages_among(self, case_ids: set[int]) -> set[int]:
        """Which of these cases have a page on the wiki (published, not withdrawn)."""
        if not case_ids:
            return set()
        return set(self.connection.scalars(_LIVE_PAGES, {"cases": sorted(case_ids)}))

    def get_publication(self, case_id: int) -> Publication | None:
        row = self.session.get(PublicationRow, case_id)
        return _publication(row) if row else None

    def publication_text(self, case_id: int) -> str | None:
        """The wikitext the bot last wrote (the base of the three-way merge)."""
        row = self.session.get(PublicationRow, case_id)
        return row.last_text if row else None

    def save_publication(self, publication: Publication, last_text: str | None = None) -> None:
        row = self.session.get(PublicationRow, publication.case_id)
        if row is None:
            row = PublicationRow(case_id=publication.case_id)
            self.session.add(row)
        row.page_title = publication.page_title
        row.last_revid = publication.last_revid
        row.status = publication.status.value
        row.updated_at = publication.updated_at
        if last_text is not None:
            row.last_text = last_text
        self.session.flush()

    def add_annotation(self, case_id: int, researcher: str, text: str, now: datetime) -> Annotation:
        row = AnnotationRow(case_id=case_id, researcher=researcher, text=text, created_at=now)
        self.session.add(row)
        self.session.flush()
        return _annotation(row)

    def annotations(self, case_id: int) -> list[Annotation]:
        rows = self.session.scalars(
            select(AnnotationRow).where(AnnotationRow.case_id == case_id).order_by(AnnotationRow.id)
        )
        return [_annotation(row) for row in rows]

    # -- outbox --------------------------------------------------------------------------

    def enqueue(self, kind: str, dedupe_key: str, payload: dict[str, Any], now: datetime) -> bool:
        """Queue an outbound effect once; the same dedupe key again is a no-op."""
        inserted = self._insert_ignore(
            OutboxRow,
            {
                "kind": kind,
                "dedupe_key": dedupe_key,
                "payload": payload,
                "status": OutboxStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "last_error": "",
                "created_at": now,
            },
        )
        self.queued += inserted
        return inserted == 1

    def due_outbox(
        self, now: datetime, kinds: Sequence[str] | None = None, limit: int = 50
    ) -> list[OutboxItem]:
        stmt = (
            select(OutboxRow)
            .where(OutboxRow.status == OutboxStatus.PENDING.value, OutboxRow.next_attempt_at <= now)
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        if kinds:
            stmt = stmt.where(OutboxRow.kind.in_(list(kinds)))
        return [_outbox(row) for row in self.session.scalars(stmt)]

    def pending_outbox(self, kinds: Sequence[str] | None = None) -> list[OutboxItem]:
        stmt = select(OutboxRow).where(OutboxRow.status == OutboxStatus.PENDING.value)
        if kinds:
            stmt = stmt.where(OutboxRow.kind.in_(list(kinds)))
        return [_outbox(row) for row in self.session.scalars(stmt.order_by(OutboxRow.id))]

    def outbox_done(self, item_id: int, now: datetime) -> None:
        self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == item_id)
            .values(status=OutboxStatus.DONE.value, done_at=now, last_error="", outcome=None)
        )

    def outbox_retry(
        self,
        item_id: int,
        error: str,
        next_attempt_at: datetime,
        outcome: Outcome = Outcome.RETRY,
    ) -> None:
        """Another attempt later; `outcome` says what `error` (text for people) means."""
        self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == item_id)
            .values(
                attempts=OutboxRow.attempts + 1,
                last_error=error[:2000],
                next_attempt_at=next_attempt_at,
                outcome=outcome.value,
            )
        )

    def outbox_failed(self, item_id: int, error: str, now: datetime) -> None:
        self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == item_id)
            .values(
                status=OutboxStatus.FAILED.value,
                last_error=error[:2000],
                done_at=now,
                outcome=Outcome.FAILED.value,
            )
        )

    def reschedule_outbox(self, kinds: Sequence[str], now: datetime) -> int:
        """Make the pending rows of these kinds due now (`capibot publish`: retry now)."""
        result = self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.status == OutboxStatus.PENDING.value, OutboxRow.kind.in_(list(kinds)))
            .values(next_attempt_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def failed_outbox(self, kinds: Sequence[str]) -> list[OutboxItem]:
        """The rows of these kinds that failed for good, oldest first."""
        stmt = select(OutboxRow).where(
            OutboxRow.status == OutboxStatus.FAILED.value, OutboxRow.kind.in_(list(kinds))
        )
        return [_outbox(row) for row in self.session.scalars(stmt.order_by(OutboxRow.id))]

    def retry_failed_outbox(self, kinds: Sequence[str], now: datetime) -> int:
        """Failed rows of these kinds become pending again, due now, with fresh attempts
        (`capibot publish`: the operator fixed the cause). The last error and its outcome
        are kept."""
        result = self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.status == OutboxStatus.FAILED.value, OutboxRow.kind.in_(list(kinds)))
            .values(
                status=OutboxStatus.PENDING.value, attempts=0, next_attempt_at=now, done_at=None
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    # -- timers --------------------------------------------------------------------------

    def add_timer(self, kind: str, due_at: datetime, case_id: int | None = None) -> bool:
        added = (
            self._insert_ignore(TimerRow, {"kind": kind, "due_at": due_at, "case_id": case_id}) == 1
        )
        self.timers_added |= added
        return added

    def pending_timers(self, kinds: Sequence[str] | None = None) -> list[Timer]:
        stmt = select(TimerRow).where(TimerRow.done_at.is_(None)).order_by(TimerRow.due_at)
        if kinds:
            stmt = stmt.where(TimerRow.kind.in_(list(kinds)))
        return [_timer(row) for row in self.session.scalars(stmt)]

    def complete_timer(self, timer_id: int, now: datetime) -> bool:
        """Mark a timer done once; False if another run already did (no double prompt)."""
        result = self.session.execute(
            update(TimerRow)
            .where(TimerRow.id == timer_id, TimerRow.done_at.is_(None))
            .values(done_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    def cancel_timers(self, case_id: int, kinds: Sequence[str], now: datetime) -> None:
        self.session.execute(
            update(TimerRow)
            .where(
                TimerRow.case_id == case_id,
                TimerRow.kind.in_(list(kinds)),
                TimerRow.done_at.is_(None),
            )
            .values(done_at=now)
        )

    # -- curation ------------------------------------------------------------------------

    def case_participants(self, case_id: int) -> set[str]:
        """Who took part in a case: its capturer, the senders of its messages and the
        submitters of its fiche versions (they may submit or amend its fiche; only the
        submitters, its authors, may withdraw it)."""
        case = self.session.get(CaseRow, case_id)
        authors = {case.created_by} if case else set()
        authors.update(
            self.session.scalars(
                select(MessageRow.sender).where(MessageRow.case_id == case_id).distinct()
            )
        )
        authors.update(
            self.session.scalars(
                select(FicheVersionRow.submitted_by)
                .where(FicheVersionRow.case_id == case_id)
                .distinct()
            )
        )
        return authors

    def involvement(self, case_id: int, user_id: str) -> Involvement:
        """How `user_id` took part in a case (authorship, four eyes): three indexed
        existence checks."""
        case = self.session.get(CaseRow, case_id)
        wrote = self.session.scalar(
            select(MessageRow.event_id)
            .where(MessageRow.case_id == case_id, MessageRow.sender == user_id)
            .limit(1)
        )
        submitted = self.session.scalar(
            select(FicheVersionRow.version)
            .where(FicheVersionRow.case_id == case_id, FicheVersionRow.submitted_by == user_id)
            .limit(1)
        )
        return Involvement(
            submitted=submitted is not None,
            wrote=wrote is not None,
            captured=case is not None and case.created_by == user_id,
        )

    def withdrawn_from(self, case_id: int) -> CaseState | None:
        """The state a withdrawn case was in when it was withdrawn (for `!rétablir`)."""
        row = self.session.scalar(
            select(TransitionRow.from_state)
            .where(
                TransitionRow.case_id == case_id,
                TransitionRow.to_state == CaseState.WITHDRAWN.value,
            )
            .order_by(TransitionRow.id.desc())
            .limit(1)
        )
        return CaseState(row) if row else None

    def count_transitions_to(self, case_id: int, state: CaseState) -> int:
        """How many times a case entered `state` (a withdrawal after a restore is a new
        withdrawal, with its own outbox key)."""
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(TransitionRow)
                .where(TransitionRow.case_id == case_id, TransitionRow.to_state == state.value)
            )
            or 0
        )

    def fiche_submitters(self, case_id: int) -> list[str]:
        rows = self.session.scalars(
            select(FicheVersionRow.submitted_by)
            .where(FicheVersionRow.case_id == case_id)
            .order_by(FicheVersionRow.version)
        )
        return list(dict.fromkeys(rows))

    def add_review_card(self, event_id: str, case_id: int, fiche_version: int) -> None:
        self._insert_ignore(
            ReviewCardRow,
            {"event_id": event_id, "case_id": case_id, "fiche_version": fiche_version},
        )

    def review_card(self, event_id: str) -> tuple[int, int] | None:
        """(case id, fiche version) of the card posted as `event_id`, if it is one."""
        row = self.session.get(ReviewCardRow, event_id)
        return (row.case_id, row.fiche_version) if row else None

    # -- research and diffusion (issue 6) ------------------------------------------------

    def get_annotation(self, annotation_id: int) -> Annotation | None:
        row = self.session.get(AnnotationRow, annotation_id)
        return _annotation(row) if row else None

    def set_annotation_revid(self, annotation_id: int, revid: int) -> None:
        self.session.execute(
            update(AnnotationRow).where(AnnotationRow.id == annotation_id).values(wiki_revid=revid)
        )

    def annotations_between(self, start: datetime, end: datetime) -> list[Annotation]:
        """Annotations created in [start, end), oldest first."""
        rows = self.session.scalars(
            select(AnnotationRow)
            .where(AnnotationRow.created_at >= start, AnnotationRow.created_at < end)
            .order_by(AnnotationRow.created_at, AnnotationRow.id)
        )
        return [_annotation(row) for row in rows]

    def publications_between(self, start: datetime, end: datetime) -> list[Publication]:
        """Live pages written in [start, end) (first publication or update)."""
        rows = self.session.scalars(
            select(PublicationRow)
            .where(
                PublicationRow.status == PublicationStatus.PUBLISHED.value,
                PublicationRow.updated_at >= start,
                PublicationRow.updated_at < end,
            )
            .order_by(PublicationRow.case_id)
        )
        return [_publication(row) for row in rows]

    def directory_participants(self) -> list[Participant]:
        """Everyone who opted in to the directory (a profile is stored)."""
        rows = self.session.scalars(
            select(ParticipantRow)
            .where(ParticipantRow.profile_updated_at.is_not(None))
            .order_by(ParticipantRow.user_id)
        )
        return [_participant(row) for row in rows]

    def all_participants(self) -> list[Participant]:
        rows = self.session.scalars(select(ParticipantRow).order_by(ParticipantRow.user_id))
        return [_participant(row) for row in rows]

    def last_done_timer(self, kind: str, before: datetime) -> Timer | None:
        """The latest completed timer of `kind` due before `before` (the previous digest)."""
        row = self.session.scalars(
            select(TimerRow)
            .where(TimerRow.kind == kind, TimerRow.done_at.is_not(None), TimerRow.due_at < before)
            .order_by(TimerRow.due_at.desc())
            .limit(1)
        ).first()
        return _timer(row) if row else None

    # -- erasure (`!oublier`) and retention ---------------------------------------------

    def messages_of(self, user_id: str) -> list[Message]:
        rows = self.session.scalars(
            select(MessageRow).where(MessageRow.sender == user_id).order_by(MessageRow.sent_at)
        )
        return [_message(row) for row in rows]

    def cases_created_by(self, user_id: str) -> list[Case]:
        rows = self.session.scalars(
            select(CaseRow).where(CaseRow.created_by == user_id).order_by(CaseRow.id)
        )
        return [_case(row) for row in rows]

    def annotations_by(self, user_id: str) -> list[Annotation]:
        rows = self.session.scalars(
            select(AnnotationRow)
            .where(AnnotationRow.researcher == user_id)
            .order_by(AnnotationRow.id)
        )
        return [_annotation(row) for row in rows]

    def delete_annotations(self, annotation_ids: Iterable[int]) -> None:
        ids = sorted(set(annotation_ids))
        if ids:
            self.session.execute(delete(AnnotationRow).where(AnnotationRow.id.in_(ids)))

    def erase_reasons_of(self, user_id: str) -> None:
        """Blank the reasons and comments `user_id` typed (withdrawal, rejection, change
        request): their words; the decisions themselves stay in the audit trail."""
        self.session.execute(
            update(TransitionRow).where(TransitionRow.actor == user_id).values(reason="")
        )
        self.session.execute(
            update(ReviewRow).where(ReviewRow.moderator == user_id).values(comment="")
        )

    def all_outbox(self) -> list[OutboxItem]:
        """Every outbox row, whatever its status, oldest first (`!oublier` scans them)."""
        rows = self.session.scalars(select(OutboxRow).order_by(OutboxRow.id))
        return [_outbox(row) for row in rows]

    def rewrite_outbox(
        self, item_id: int, payload: dict[str, Any], *, dedupe_key: str, done_at: datetime | None
    ) -> None:
        """Replace a row's payload and key; `done_at` given: the row is done (dropped)."""
        values: dict[str, Any] = {"payload": payload, "dedupe_key": dedupe_key}
        if done_at is not None:
            values |= {"status": OutboxStatus.DONE.value, "done_at": done_at, "last_error": ""}
        self.session.execute(update(OutboxRow).where(OutboxRow.id == item_id).values(**values))

    def purge_done_outbox(self, before: datetime) -> int:
        """Delete the rows done before `before` (failed ones stay for `capibot publish`)."""
        result = self.session.execute(
            delete(OutboxRow).where(
                OutboxRow.status == OutboxStatus.DONE.value, OutboxRow.done_at < before
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def first_done_timer_after(self, kind: str, after: datetime) -> Timer | None:
        """The earliest completed timer of `kind` due after `after` (the digest that
        covered a moment)."""
        row = self.session.scalars(
            select(TimerRow)
            .where(TimerRow.kind == kind, TimerRow.done_at.is_not(None), TimerRow.due_at > after)
            .order_by(TimerRow.due_at)
            .limit(1)
        ).first()
        return _timer(row) if row else None

    def get_timer(self, timer_id: int) -> Timer | None:
        row = self.session.get(TimerRow, timer_id)
        return _timer(row) if row else None

    def drop_key_waits_of(self, user_id: str) -> None:
        """Forget the encrypted events of `user_id` still waiting for their keys."""
        waits = self.key_waits()
        self.drop_key_waits(e for e, _, source, _ in waits if source.get("sender") == user_id)


# -- row → domain ------------------------------------------------------------------------


def _room(row: RoomRow) -> Room:
    return Room(
        room_id=row.room_id,
        kind=RoomKind(row.kind) if row.kind else None,
        label=row.label,
        categories=tuple(row.categories or ()),
        capture_enabled=row.capture_enabled,
        digest_enabled=row.digest_enabled,
        joined_at=row.joined_at,
    )


def _participant(row: ParticipantRow) -> Participant:
    profile = None
    if row.profile_updated_at is not None:
        profile = DirectoryProfile(
            function=row.profile_function or "",
            territory=row.profile_territory or "",
            expertise=tuple(row.profile_expertise or ()),
            updated_at=row.profile_updated_at,
        )
    return Participant(
        user_id=row.user_id,
        display_name=row.display_name,
        consent=Consent(row.consent),
        consent_changed_at=row.consent_changed_at,
        profile=profile,
    )


def _case(row: CaseRow) -> Case:
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


def _message_values(message: Message) -> MessageValues:
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


def _message(row: MessageRow) -> Message:
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


def _fiche(row: FicheVersionRow) -> FicheVersion:
    return FicheVersion(
        case_id=row.case_id,
        version=row.version,
        fields={FicheField(k): v for k, v in row.fields.items()},
        submitted_by=row.submitted_by,
        submitted_at=row.submitted_at,
    )


def _publication(row: PublicationRow) -> Publication:
    return Publication(
        case_id=row.case_id,
        page_title=row.page_title,
        last_revid=row.last_revid,
        status=PublicationStatus(row.status),
        updated_at=row.updated_at,
    )


def _annotation(row: AnnotationRow) -> Annotation:
    return Annotation(
        id=row.id,
        case_id=row.case_id,
        researcher=row.researcher,
        text=row.text,
        created_at=row.created_at,
        wiki_revid=row.wiki_revid,
    )


def _outbox(row: OutboxRow) -> OutboxItem:
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


def _timer(row: TimerRow) -> Timer:
    return Timer(
        id=row.id, kind=row.kind, due_at=row.due_at, case_id=row.case_id, done_at=row.done_at
    )
