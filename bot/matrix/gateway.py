"""The one outbound path to Matrix, and the reads the services need besides sync.

Every nio error response or transport failure becomes a `MatrixError`:
`MatrixUnavailable` (retry later: 5xx, 429, timeouts, room not synced yet),
`MatrixAuthError` (our token was refused) or plain `MatrixError` (the homeserver said no:
forbidden, not found, bad request — retrying will not help).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn, TypeVar

import aiohttp
from nio import (
    Api,
    AsyncClient,
    ErrorResponse,
    JoinResponse,
    LocalProtocolError,
    MessageDirection,
    ProfileGetDisplayNameResponse,
    Response,
    RoomLeaveResponse,
    RoomSendResponse,
)

from bot.domain.replies import strip_reply_fallback
from bot.matrix.errors import MatrixAuthError, MatrixError, MatrixUnavailable
from bot.matrix.events import Inbound, InboundEdit, InboundMessage, OutboundNotice, OutboundReaction
from bot.matrix.translate import translate_raw

log = logging.getLogger(__name__)
T = TypeVar("T")

THREAD_PAGE = 100
MAX_THREAD_PAGES = 200  # 20,000 messages: far beyond any exchange worth a fiche


# -- errors ---------------------------------------------------------------------------------


def error_for(response: Any, what: str) -> MatrixError:
    """The project's error for a nio error response (or anything that is not a success)."""
    status = getattr(getattr(response, "transport_response", None), "status", None)
    code = getattr(response, "status_code", None)
    message = f"{what}: {response}"
    if code in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN") or status == 401:
        return MatrixAuthError(message)
    if (
        status is None
        or status == 429
        or status >= 500
        or code in ("M_LIMIT_EXCEEDED", "M_UNKNOWN", 429)
    ):
        return MatrixUnavailable(message)
    return MatrixError(message)


def raise_for(response: Any, what: str) -> NoReturn:
    raise error_for(response, what)


async def guarded(call: Awaitable[T], what: str) -> T:
    """Await a nio call, turning transport failures into `MatrixUnavailable`."""
    try:
        return await call
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise MatrixUnavailable(f"{what}: homeserver unreachable ({type(exc).__name__})") from exc
    except LocalProtocolError as exc:  # room not synced yet, members not loaded…
        raise MatrixUnavailable(f"{what}: {exc}") from exc


# -- raw JSON requests (endpoints nio has no safe helper for) -------------------------------


@dataclass
class _RawResponse(Response):  # type: ignore[misc]  # nio is untyped
    """Keeps the JSON body as is: nio's parsers drop `unsigned` (bundled edits)."""

    body: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, parsed_dict: Any, *_: Any) -> Any:
        if isinstance(parsed_dict, dict) and "errcode" in parsed_dict:
            return ErrorResponse.from_dict(parsed_dict)
        return cls(body=parsed_dict if isinstance(parsed_dict, dict) else {})


async def get_json(client: AsyncClient, path: str, what: str) -> dict[str, Any]:
    """GET through nio's `_send` (auth header, 429 and timeout retries), JSON body back."""
    body = await _get_json(client, path, what, not_found_ok=False)
    assert body is not None
    return body


async def _get_json(
    client: AsyncClient, path: str, what: str, *, not_found_ok: bool
) -> dict[str, Any] | None:
    response = await guarded(client._send(_RawResponse, "GET", path), what)
    status = getattr(getattr(response, "transport_response", None), "status", 200)
    if isinstance(response, _RawResponse) and 200 <= status < 300:
        return response.body
    if not_found_ok and getattr(response, "status_code", None) == "M_NOT_FOUND":
        return None
    raise_for(response, what)


async def fetch_create_event(client: AsyncClient, room_id: str) -> dict[str, Any]:
    """The room's `m.room.create` event, sender included (room v12 creators)."""
    path = Api._build_path(["rooms", room_id, "state", "m.room.create", ""], {"format": "event"})
    body = await get_json(client, path, f"create event of {room_id}")
    if isinstance(body.get("content"), dict) and isinstance(body.get("sender"), str):
        return body
    # A server that ignores format=event returns the content only. In room v12 the room
    # id is the create event's id, which gives the sender.
    event: dict[str, Any] = {"content": body, "sender": None}
    if ":" not in room_id and room_id.startswith("!"):
        path = Api._build_path(["rooms", room_id, "event", "$" + room_id[1:]])
        create = await get_json(client, path, f"create event of {room_id}")
        event["sender"] = create.get("sender")
    return event


# -- outbound content -------------------------------------------------------------------------


def notice_content(notice: OutboundNotice) -> dict[str, Any]:
    """The event content of a bot notice: m.notice, HTML + plain fallback, mentions set."""
    content: dict[str, Any] = {
        "msgtype": "m.notice",
        "body": notice.body,
        "format": "org.matrix.custom.html",
        "formatted_body": notice.html,
        "m.mentions": {"user_ids": list(dict.fromkeys(notice.mentions))},
    }
    if notice.thread_root:
        content["m.relates_to"] = {
            "rel_type": "m.thread",
            "event_id": notice.thread_root,
            # A real reply inside the thread is not a fallback (the spec's rule); without
            # one, point thread-less clients at the root.
            "is_falling_back": notice.reply_to is None,
            "m.in_reply_to": {"event_id": notice.reply_to or notice.thread_root},
        }
    elif notice.reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": notice.reply_to}}
    return content


def reaction_content(reaction: OutboundReaction) -> dict[str, Any]:
    return {
        "m.relates_to": {
            "rel_type": "m.annotation",
            "event_id": reaction.target,
            "key": reaction.key,
        }
    }


# -- the gateway --------------------------------------------------------------------------------


class Gateway:
    """Sends and reads on behalf of the services; owns no state besides the client.

    `txn_id` is the idempotency key of a send: the homeserver dedupes by (device, txn id),
    so re-sending after a crash with the same txn id returns the first event's id instead
    of posting twice (Synapse remembers txn ids for at least 30 minutes, and since 1.7x
    persists them for a day). Derive it from stored state, e.g. `capibot-notice-<outbox id>`,
    and never reuse one for a different message.
    """

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    @property
    def user_id(self) -> str:
        return str(self.client.user_id)

    async def send_notice(self, notice: OutboundNotice, txn_id: str) -> str:
        """Post a notice; returns its event id. Encrypted rooms are handled by nio (group
        session shared with every device, unverified ones included)."""
        event_id = await self._send_event(
            notice.room_id, "m.room.message", notice_content(notice), txn_id, "notice"
        )
        assert event_id is not None
        return event_id

    async def react(self, reaction: OutboundReaction, txn_id: str) -> str | None:
        """React to an event; returns the reaction's id, or None when the bot had already
        reacted with that key (the homeserver refuses duplicates)."""
        return await self._send_event(
            reaction.room_id,
            "m.reaction",
            reaction_content(reaction),
            txn_id,
            "reaction",
            duplicate_ok=True,
        )

    async def _send_event(
        self,
        room_id: str,
        event_type: str,
        content: dict[str, Any],
        txn_id: str,
        what: str,
        *,
        duplicate_ok: bool = False,
    ) -> str | None:
        client = self.client
        if client.olm is not None and room_id not in client.rooms:
            # Not synced yet (the outbox may run before the first sync after a start):
            # nio refuses to guess whether the room is encrypted, so ask the server.
            if await self._room_is_encrypted(room_id):
                raise MatrixUnavailable(f"{what} to {room_id}: encrypted room not synced yet")
            method, path, data = Api.room_send(
                client.access_token, room_id, event_type, content, txn_id
            )
            call = client._send(RoomSendResponse, method, path, data, (room_id,))
        else:
            call = client.room_send(
                room_id, event_type, content, tx_id=txn_id, ignore_unverified_devices=True
            )
        response = await guarded(call, f"{what} to {room_id}")
        if isinstance(response, RoomSendResponse):
            return str(response.event_id)
        if duplicate_ok and getattr(response, "status_code", None) == "M_DUPLICATE_ANNOTATION":
            return None
        raise_for(response, f"{what} to {room_id}")

    async def _room_is_encrypted(self, room_id: str) -> bool:
        path = Api._build_path(["rooms", room_id, "state", "m.room.encryption", ""])
        state = await _get_json(self.client, path, f"encryption of {room_id}", not_found_ok=True)
        return bool(state)

    async def fetch_thread(self, room_id: str, root_id: str) -> list[Inbound]:
        """The thread's messages (root excluded), oldest first, decrypted when possible,
        each with the latest edit by its own sender applied to its body."""
        found: list[Inbound] = []
        page_from: str | None = None
        for _ in range(MAX_THREAD_PAGES):
            query: dict[str, Any] = {"dir": MessageDirection.front.value, "limit": THREAD_PAGE}
            if page_from:
                query["from"] = page_from
            path = Api._build_path(
                ["rooms", room_id, "relations", root_id, "m.thread"], query, "/_matrix/client/v1"
            )
            body = await get_json(self.client, path, f"thread {root_id} in {room_id}")
            chunk = body.get("chunk")
            for raw in chunk if isinstance(chunk, list) else []:
                inbound = self._translate_with_edit(room_id, raw)
                if inbound is not None and getattr(inbound, "event_id", None) != root_id:
                    found.append(inbound)
            next_batch = body.get("next_batch")
            if not isinstance(next_batch, str) or not next_batch or next_batch == page_from:
                break
            page_from = next_batch
        else:
            log.warning("thread %s in %s truncated at %d pages", root_id, room_id, MAX_THREAD_PAGES)
        return found

    async def fetch_event(self, room_id: str, event_id: str) -> Inbound | None:
        """One event (for walking reply chains), with its latest edit applied; None when
        it does not exist, is not visible to the bot, or is nothing we handle."""
        path = Api._build_path(["rooms", room_id, "event", event_id])
        what = f"event {event_id} in {room_id}"
        raw = await _get_json(self.client, path, what, not_found_ok=True)
        return None if raw is None else self._translate_with_edit(room_id, raw)

    def _translate_with_edit(self, room_id: str, raw: object) -> Inbound | None:
        inbound = translate_raw(room_id, raw, self.client)
        if not isinstance(inbound, InboundMessage) or not isinstance(raw, Mapping):
            return inbound
        unsigned = raw.get("unsigned")
        relations = unsigned.get("m.relations") if isinstance(unsigned, Mapping) else None
        edit_raw = relations.get("m.replace") if isinstance(relations, Mapping) else None
        if not isinstance(edit_raw, dict) or "content" not in edit_raw:
            return inbound
        edit = translate_raw(room_id, edit_raw, self.client)
        if (
            isinstance(edit, InboundEdit)
            and edit.target == inbound.event_id
            and edit.sender == inbound.sender
        ):
            # A thread message is a (falling back) reply too: see Repository.apply_edits.
            is_reply = bool(inbound.in_reply_to or inbound.thread_root)
            body = strip_reply_fallback(edit.new_body, is_reply=is_reply)
            return replace(inbound, body=body, formatted_body=None)
        return inbound

    async def join(self, room_id: str) -> None:
        response = await guarded(self.client.join(room_id), f"join {room_id}")
        if not isinstance(response, JoinResponse):
            raise_for(response, f"join {room_id}")

    async def reject_invite(self, room_id: str) -> None:
        """Decline an invite (a leave on an invited room)."""
        response = await guarded(self.client.room_leave(room_id), f"reject invite to {room_id}")
        if not isinstance(response, RoomLeaveResponse):
            raise_for(response, f"reject invite to {room_id}")

    async def display_name(self, user_id: str) -> str | None:
        """The user's global display name; None if unset or the profile is unknown."""
        response = await guarded(self.client.get_displayname(user_id), f"display name of {user_id}")
        if isinstance(response, ProfileGetDisplayNameResponse):
            name = response.displayname
            return name if isinstance(name, str) and name else None
        if getattr(response, "status_code", None) == "M_NOT_FOUND":
            return None
        raise_for(response, f"display name of {user_id}")


__all__ = [
    "Gateway",
    "error_for",
    "fetch_create_event",
    "get_json",
    "guarded",
    "notice_content",
    "raise_for",
    "reaction_content",
]
