"""Repository: the one place that maps rows to domain dataclasses and back.

A `Repository` wraps one SQLAlchemy session (one transaction); `Database.run` executes a
unit of work in a worker thread so the event loop never blocks on the database. It is
assembled from one store per aggregate (`bot.storage.repo.*`), so each part can be read
at once while every caller keeps the one interface.
"""

from __future__ import annotations

from bot.storage.repo.cases import CaseStore
from bot.storage.repo.contributors import ContributorStore
from bot.storage.repo.curation import CurationStore
from bot.storage.repo.erasure import ErasureStore
from bot.storage.repo.exports import ExportStore
from bot.storage.repo.knowledge import KnowledgeStore
from bot.storage.repo.meetings import MeetingStore
from bot.storage.repo.messages import MessageStore
from bot.storage.repo.network import NetworkStore
from bot.storage.repo.outbox import OutboxStore
from bot.storage.repo.people import PeopleStore
from bot.storage.repo.publications import PublicationStore
from bot.storage.repo.questions import QuestionStore
from bot.storage.repo.rows import DeadLetterValues, MessageValues, message_values
from bot.storage.repo.searchable import SearchStore
from bot.storage.repo.sync_state import SyncStateStore
from bot.storage.repo.timers import TimerStore
from bot.storage.repo.undecryptable import UndecryptableStore, UndecryptableValues

__all__ = [
    "DeadLetterValues",
    "MessageValues",
    "Repository",
    "UndecryptableValues",
    "message_values",
]


class Repository(
    CaseStore,
    ErasureStore,
    MessageStore,
    PublicationStore,
    OutboxStore,
    TimerStore,
    PeopleStore,
    CurationStore,
    SyncStateStore,
    ExportStore,
    UndecryptableStore,
    QuestionStore,
    ContributorStore,
    KnowledgeStore,
    SearchStore,
    MeetingStore,
    NetworkStore,
):
    """Every store over one session (one transaction)."""
