"""nio events and raw event dicts → the project's `Inbound` values.

Everything works from the raw event dict (`event.source`): relations live in
`content["m.relates_to"]` and nio has no helper for threads. Input is untrusted (any
user can put anything in an event): these functions never raise, drop what they cannot
read, and clean strings so they can be stored (lone surrogates become U+FFFD, NUL is
dropped: SQLite and PostgreSQL would refuse them later, far from the cause).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from nio import Event, MegolmEvent

from bot.domain.replies import strip_html_reply_fallback, strip_reply_fallback
from bot.domain.text import storable
from bot.matrix.events import (
    Inbound,
    InboundEdit,
    InboundInvite,
    InboundMessage,
    InboundReaction,
    InboundRedaction,
    Undecryptable,
)

log = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HTML_FORMAT = "org.matrix.custom.html"
MAX_ID_LENGTH = 255  # the spec's limit for event, room and user ids


def clean_text(value: object) -> str | None:
    """A storable string, or None when `value` is not a string."""
    if not isinstance(value, str):
        return None
    return storable(value)


def _id(value: object) -> str | None:
    text = clean_text(value)
    if not text or len(text) > MAX_ID_LENGTH or text != text.strip():
        return None
    return text


def _dict(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def timestamp(value: object) -> datetime:
    """`origin_server_ts` (ms) → aware UTC datetime; the epoch when unreadable."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return EPOCH
    try:
        if not math.isfinite(value):
            return EPOCH
        return EPOCH + timedelta(milliseconds=value)
    except (OverflowError, ValueError):
        return EPOCH


def translate_dict(room_id: str, source: object) -> Inbound | None:
    """A plaintext event dict → Inbound, or None when it is not something we handle."""
    try:
        return _translate(room_id, source)
    except Exception:  # pragma: no cover - a bug here must not stop the sync loop
        log.exception("could not translate an event in %s", room_id)
        return None


def _translate(room_id: str, source: object) -> Inbound | None:
    room = _id(room_id)
    if room is None or not isinstance(source, Mapping):
        return None
    event_type = source.get("type")
    event_id = _id(source.get("event_id"))
    sender = _id(source.get("sender"))
    if event_id is None or sender is None or not isinstance(event_type, str):
        return None
    sent_at = timestamp(source.get("origin_server_ts"))
    content = _dict(source.get("content"))
    relates = _dict(content.get("m.relates_to"))

    if event_type == "m.room.message":
        return _message(room, event_id, sender, sent_at, content, relates)
    if event_type == "m.reaction":
        target = _id(relates.get("event_id"))
        key = clean_text(relates.get("key"))
        if relates.get("rel_type") != "m.annotation" or target is None or not key:
            return None
        return InboundReaction(room, event_id, sender, sent_at, target, key)
    if event_type == "m.room.redaction":
        # Room v11 moved `redacts` into the content; older versions keep it at the top.
        target = _id(content.get("redacts")) or _id(source.get("redacts"))
        if target is None:
            return None
        return InboundRedaction(room, event_id, sender, sent_at, target)
    return None


def _message(
    room: str,
    event_id: str,
    sender: str,
    sent_at: datetime,
    content: Mapping[str, Any],
    relates: Mapping[str, Any],
) -> Inbound | None:
    rel_type = relates.get("rel_type")
    if rel_type == "m.replace":
        # `new_body` keeps a fallback it may carry: whether the edited message is a
        # reply is known where the edit is applied (`Repository.apply_edits`).
        target = _id(relates.get("event_id"))
        new_body = clean_text(_dict(content.get("m.new_content")).get("body"))
        if target is None or new_body is None:
            return None
        return InboundEdit(room, event_id, sender, sent_at, target, new_body)

    body = clean_text(content.get("body"))
    if body is None:  # redacted, or not a message we can read
        return None
    # A reply's fallback quotes someone else's words: never kept (DESIGN §7).
    is_reply = isinstance(relates.get("m.in_reply_to"), Mapping)
    body = strip_reply_fallback(body, is_reply=is_reply)
    msgtype = clean_text(content.get("msgtype")) or "m.text"
    formatted = None
    if content.get("format") == HTML_FORMAT:
        formatted = clean_text(content.get("formatted_body"))
        if formatted is not None:
            formatted = strip_html_reply_fallback(formatted, is_reply=is_reply)

    thread_root = _id(relates.get("event_id")) if rel_type == "m.thread" else None
    in_reply_to = _id(_dict(relates.get("m.in_reply_to")).get("event_id"))
    if thread_root is not None and relates.get("is_falling_back") is True:
        # In a thread, a "falling back" reply only points at the latest thread message
        # for clients without threads: it is not a reply the sender chose.
        in_reply_to = None
    return InboundMessage(
        room_id=room,
        event_id=event_id,
        sender=sender,
        sent_at=sent_at,
        body=body,
        msgtype=msgtype,
        thread_root=thread_root,
        in_reply_to=in_reply_to,
        formatted_body=formatted,
    )


def undecryptable(room_id: str, source: object) -> Undecryptable | None:
    """An encrypted event's dict → what its room is told when it cannot be read (its
    relations are in clear); None when it lacks an id, a sender or a megolm session."""
    room = _id(room_id)
    if room is None or not isinstance(source, Mapping):
        return None
    content = _dict(source.get("content"))
    event_id, sender = _id(source.get("event_id")), _id(source.get("sender"))
    session_id = _id(content.get("session_id"))
    if event_id is None or sender is None or session_id is None:
        return None
    relates = _dict(content.get("m.relates_to"))
    thread_root = _id(relates.get("event_id")) if relates.get("rel_type") == "m.thread" else None
    in_reply_to = _id(_dict(relates.get("m.in_reply_to")).get("event_id"))
    if thread_root is not None and relates.get("is_falling_back") is True:
        in_reply_to = None  # as for a readable message (`_message`)
    return Undecryptable(
        room_id=room,
        event_id=event_id,
        sender=sender,
        sent_at=timestamp(source.get("origin_server_ts")),
        session_id=session_id,
        source=dict(source),
        thread_root=thread_root,
        in_reply_to=in_reply_to,
    )


def decrypt(client: Any, room_id: str, event: Any) -> Any | None:
    """Decrypt a MegolmEvent with the client's olm machine; None when not possible.

    nio decrypts sync and /messages events itself when it has the key; this covers the
    rest (relations endpoint, a sync nio skipped because it had seen its token, keys that
    arrived later).
    """
    if getattr(client, "olm", None) is None:
        return None
    try:
        event.room_id = room_id
        decrypted = client.decrypt_event(event)
    except Exception as exc:  # EncryptionError, missing store, malformed ciphertext…
        log.debug("cannot decrypt %s in %s: %s", getattr(event, "event_id", "?"), room_id, exc)
        return None
    if isinstance(decrypted, MegolmEvent) or not isinstance(
        getattr(decrypted, "source", None), dict
    ):
        return None
    return decrypted


def translate_event(room_id: str, event: Any, client: Any = None) -> Inbound | None:
    """A nio event (from sync, /messages, /event) → Inbound; decrypts with `client` if
    still encrypted. Undecryptable events are logged and skipped."""
    try:
        if isinstance(event, MegolmEvent):
            decrypted = decrypt(client, room_id, event) if client is not None else None
            if decrypted is None:
                log.warning(
                    "skipping undecryptable event %s in %s (session %s)",
                    getattr(event, "event_id", "?"),
                    room_id,
                    getattr(event, "session_id", "?"),
                )
                return None
            event = decrypted
        return translate_dict(room_id, getattr(event, "source", None))
    except Exception:  # pragma: no cover - defensive: never stop the caller
        log.exception("could not translate a nio event in %s", room_id)
        return None


def parse_event(event_dict: object) -> Any | None:
    """A raw event dict → nio event (MegolmEvent for `m.room.encrypted`), or None."""
    if not isinstance(event_dict, dict):
        return None
    try:
        return Event.parse_event(event_dict)
    except Exception:
        return None


def translate_raw(room_id: str, event_dict: object, client: Any = None) -> Inbound | None:
    """A raw event dict from an HTTP endpoint (relations, /messages, /event) → Inbound.

    Encrypted events are parsed by nio and decrypted with `client`'s olm when possible.
    """
    if not isinstance(event_dict, dict):
        return None
    if event_dict.get("type") == "m.room.encrypted":
        parsed = parse_event(event_dict)
        if not isinstance(parsed, MegolmEvent):
            return None
        return translate_event(room_id, parsed, client)
    return translate_dict(room_id, event_dict)


def invite_from_state(room_id: str, own_user_id: str, invite_state: object) -> InboundInvite | None:
    """The stripped state of an invited room → who invited us (the invite member
    event's sender), or None when the state does not say."""
    room = _id(room_id)
    if room is None or not isinstance(invite_state, list | tuple):
        return None
    for event in invite_state:
        source = getattr(event, "source", event)
        if not isinstance(source, Mapping) or source.get("type") != "m.room.member":
            continue
        if source.get("state_key") != own_user_id:
            continue
        # nio pops `content` out of the source of invite member events.
        content = _dict(source.get("content")) or _dict(getattr(event, "content", None))
        if content.get("membership") != "invite":
            continue
        inviter = _id(source.get("sender"))
        if inviter is not None:
            return InboundInvite(room_id=room, inviter=inviter)
    return None
