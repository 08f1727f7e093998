"""The text message content the demo, the benchmarks and the integration tests send: in
a thread (with the reply fallback that clients without threads show) or as a reply, and
an edit of an earlier message."""

from __future__ import annotations

from typing import Any


def text_content(
    body: str, *, thread: str | None = None, reply: str | None = None
) -> dict[str, Any]:
    """An `m.text` message; in `thread` it answers `reply` (default: the thread's root)."""
    content: dict[str, Any] = {"msgtype": "m.text", "body": body}
    if thread:
        content["m.relates_to"] = {
            "rel_type": "m.thread",
            "event_id": thread,
            "is_falling_back": True,
            "m.in_reply_to": {"event_id": reply or thread},
        }
    elif reply:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply}}
    return content


def edit_content(event_id: str, body: str) -> dict[str, Any]:
    """An edit replacing the text of `event_id` by `body` (with the "* " fallback)."""
    return {
        "msgtype": "m.text",
        "body": f"* {body}",
        "m.new_content": {"msgtype": "m.text", "body": body},
        "m.relates_to": {"rel_type": "m.replace", "event_id": event_id},
    }
