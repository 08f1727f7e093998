"""Missing room keys: asking for them again, and noticing when they arrive.

A key request goes to the bot account's own devices (nio's `request_room_key`): nio
accepts a forwarded room key only from a device of its own user that it trusts, so
another device of the bot account holding the key is what can answer. A sender's
client may also share the key again on its own (an `m.room_key`, accepted from anyone):
`arrived_sessions` tells the sync loop which megolm sessions a sync brought.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from nio import (
    ForwardedRoomKeyEvent,
    MegolmEvent,
    RoomKeyEvent,
    RoomKeyRequestError,
    SyncResponse,
    ToDeviceError,
)

log = logging.getLogger(__name__)


class KeyRequests:
    """Room key requests queued while a sync's batches are built, sent once they are
    delivered (no network call in between): one per megolm session."""

    def __init__(self) -> None:
        self._pending: dict[str, MegolmEvent] = {}

    def want(self, room_id: str, event: Any) -> None:
        session_id = getattr(event, "session_id", None)
        if isinstance(event, MegolmEvent) and isinstance(session_id, str) and session_id:
            event.room_id = room_id
            self._pending.setdefault(session_id, event)

    @property
    def pending(self) -> frozenset[str]:
        return frozenset(self._pending)

    async def send(self, client: Any) -> int:
        """Send what is queued; a failure is logged and not retried (the wait's end asks
        again). Returns how many requests went out."""
        pending, self._pending = self._pending, {}
        sent = 0
        for session_id, event in pending.items():
            try:
                if session_id in client.outgoing_key_requests:
                    # Asked before (nio refuses to ask twice): the same request again.
                    message = event.as_key_request(client.user_id, client.device_id)
                    response = await client.to_device(message)
                else:
                    response = await client.request_room_key(event)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("room key request for session %s failed: %s", session_id, exc)
                continue
            if isinstance(response, RoomKeyRequestError | ToDeviceError):
                log.warning("room key request for session %s refused: %s", session_id, response)
                continue
            sent += 1
            log.info(
                "requested the room key of session %s (event %s in %s)",
                session_id,
                event.event_id,
                event.room_id,
            )
        return sent


def arrived_sessions(response: SyncResponse) -> set[str]:
    """The megolm sessions whose keys this sync brought (and nio accepted)."""
    return {
        event.session_id
        for event in response.to_device_events
        if isinstance(event, RoomKeyEvent | ForwardedRoomKeyEvent)
        and isinstance(event.session_id, str)
    }
