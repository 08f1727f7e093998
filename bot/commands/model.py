"""Typed results of parsing a command message.

One frozen dataclass per command, so handlers get checked fields instead of strings.
`name` is the canonical registry name (role, usage, help live there).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from bot.domain.models import RoomKind


@dataclass(frozen=True, slots=True)
class Help:
    name: ClassVar[str] = "help"
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Capture:
    name: ClassVar[str] = "capture"
    title: str | None = None


@dataclass(frozen=True, slots=True)
class SubmitFiche:
    """`text` is the raw fiche body (field lines); parse it with `bot.domain.fiche`."""

    name: ClassVar[str] = "summary"
    case_id: int | None
    text: str


@dataclass(frozen=True, slots=True)
class ListCases:
    name: ClassVar[str] = "cases"
    filter: str | None = None


@dataclass(frozen=True, slots=True)
class Show:
    name: ClassVar[str] = "show"
    case_id: int


@dataclass(frozen=True, slots=True)
class Approve:
    name: ClassVar[str] = "approve"
    case_id: int


@dataclass(frozen=True, slots=True)
class Reject:
    name: ClassVar[str] = "reject"
    case_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class RequestChanges:
    name: ClassVar[str] = "changes"
    case_id: int
    comment: str


@dataclass(frozen=True, slots=True)
class Withdraw:
    name: ClassVar[str] = "withdraw"
    case_id: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Restore:
    name: ClassVar[str] = "restore"
    case_id: int
    reason: str = ""


class ConsentAction(enum.StrEnum):
    YES = "yes"
    NO = "no"
    STATUS = "status"


@dataclass(frozen=True, slots=True)
class ConsentCmd:
    name: ClassVar[str] = "consent"
    action: ConsentAction = ConsentAction.STATUS


@dataclass(frozen=True, slots=True)
class Forget:
    """Without `confirm` the handler explains what will be erased and asks to confirm."""

    name: ClassVar[str] = "forget"
    confirm: bool = False


@dataclass(frozen=True, slots=True)
class Annotate:
    name: ClassVar[str] = "annotate"
    case_id: int
    text: str


class ProfileAction(enum.StrEnum):
    SHOW = "show"
    SET = "set"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class ProfileCmd:
    """For SET, a field left `None` is unchanged; an empty value clears it."""

    name: ClassVar[str] = "profile"
    action: ProfileAction = ProfileAction.SHOW
    function: str | None = None
    territory: str | None = None
    expertise: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Experts:
    name: ClassVar[str] = "experts"
    topic: str


@dataclass(frozen=True, slots=True)
class Search:
    name: ClassVar[str] = "search"
    query: str


class RoomAction(enum.StrEnum):
    SHOW = "show"
    SET_KIND = "set_kind"
    SET_LABEL = "set_label"
    SET_CATEGORIES = "set_categories"
    SET_CAPTURE = "set_capture"
    SET_DIGEST = "set_digest"


@dataclass(frozen=True, slots=True)
class RoomCmd:
    """Only the field matching `action` is set (`enabled` for capture and digest)."""

    name: ClassVar[str] = "room"
    action: RoomAction = RoomAction.SHOW
    kind: RoomKind | None = None
    label: str | None = None
    categories: tuple[str, ...] | None = None
    enabled: bool | None = None


@dataclass(frozen=True, slots=True)
class UnknownCommand:
    """`!word` that is not ours: ignore it in rooms (another bot?), answer help in DMs."""

    word: str


@dataclass(frozen=True, slots=True)
class UsageError:
    """A command of ours with bad arguments: render `reason` + the usage line of `command`."""

    command: str  #: canonical command name
    reason: str  #: i18n key
    params: Mapping[str, str] = field(default_factory=dict)


Command = (
    Help
    | Capture
    | SubmitFiche
    | ListCases
    | Show
    | Approve
    | Reject
    | RequestChanges
    | Withdraw
    | Restore
    | ConsentCmd
    | Forget
    | Annotate
    | ProfileCmd
    | Experts
    | Search
    | RoomCmd
)

ParseResult = Command | UsageError | UnknownCommand | None
