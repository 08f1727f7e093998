"""Event translation: relations read right, garbage never raises."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matrix.events import (
    InboundEdit,
    InboundInvite,
    InboundMessage,
    InboundReaction,
    InboundRedaction,
    OutboundNotice,
)
from bot.matrix.gateway import notice_content
from bot.matrix.translate import (
    EPOCH,
    clean_text,
    invite_from_state,
    timestamp,
    translate_dict,
    translate_raw,
)

ROOM = "!room:localhost"
ALICE = "@alice:localhost"


def _event(content: dict[str, Any], type_: str = "m.room.message", **extra: Any) -> dict[str, Any]:
    return {
        "type": type_,
        "event_id": "$e1",
        "sender": ALICE,
        "origin_server_ts": 1_764_234_000_000,
        "content": content,
        **extra,
    }


def test_plain_message() -> None:
    event = translate_dict(ROOM, _event({"msgtype": "m.text", "body": "Bonjour"}))
    assert event == InboundMessage(
        room_id=ROOM,
        event_id="$e1",
        sender=ALICE,
        sent_at=datetime(2025, 11, 27, 9, 0, tzinfo=UTC),
        body="Bonjour",
    )


def test_thread_message_with_a_real_reply_and_html() -> None:
    content = {
        "msgtype": "m.notice",
        "body": "ok",
        "format": "org.matrix.custom.html",
        "formatted_body": "<b>ok</b>",
        "m.relates_to": {
            "rel_type": "m.thread",
            "event_id": "$root",
            "is_falling_back": False,
            "m.in_reply_to": {"event_id": "$other"},
        },
    }
    event = translate_dict(ROOM, _event(content))
    assert isinstance(event, InboundMessage)
    assert (event.thread_root, event.in_reply_to) == ("$root", "$other")
    assert event.is_notice and event.formatted_body == "<b>ok</b>"


def test_thread_fallback_is_not_a_reply_and_plain_reply_is() -> None:
    fallback = {
        "body": "x",
        "m.relates_to": {
            "rel_type": "m.thread",
            "event_id": "$root",
            "is_falling_back": True,
            "m.in_reply_to": {"event_id": "$latest"},
        },
    }
    event = translate_dict(ROOM, _event(fallback))
    assert isinstance(event, InboundMessage)
    assert (event.thread_root, event.in_reply_to) == ("$root", None)
    reply = {"body": "x", "m.relates_to": {"m.in_reply_to": {"event_id": "$parent"}}}
    event = translate_dict(ROOM, _event(reply))
    assert isinstance(event, InboundMessage)
    assert (event.thread_root, event.in_reply_to) == (None, "$parent")


def test_edit_reaction_redaction() -> None:
    edit = _event(
        {
            "body": "* corrigé",
            "m.new_content": {"body": "corrigé"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": "$t"},
        }
    )
    assert translate_dict(ROOM, edit) == InboundEdit(
        ROOM, "$e1", ALICE, timestamp(1_764_234_000_000), "$t", "corrigé"
    )
    reaction = _event(
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$t", "key": "📌"}}, "m.reaction"
    )
    assert isinstance(translate_dict(ROOM, reaction), InboundReaction)
    v11 = _event({"redacts": "$t"}, "m.room.redaction")
    old = _event({}, "m.room.redaction", redacts="$t")
    for redaction in (v11, old):
        got = translate_dict(ROOM, redaction)
        assert isinstance(got, InboundRedaction) and got.target == "$t"


def test_redacted_or_unknown_events_are_skipped() -> None:
    assert translate_dict(ROOM, _event({})) is None  # a redacted message has no body
    assert translate_dict(ROOM, _event({"body": "x"}, "m.sticker")) is None
    assert translate_dict(ROOM, _event({"body": 3})) is None
    encrypted = _event({"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "x"}, "m.room.encrypted")
    assert translate_raw(ROOM, encrypted) is None  # no client to decrypt with


def test_strings_are_made_storable() -> None:
    assert clean_text("a\ud800b\x00c") == "a\ufffdbc"
    assert clean_text("😀") == "😀"
    assert clean_text(5) is None
    event = translate_dict(ROOM, _event({"body": "x\udfff"}))
    assert isinstance(event, InboundMessage) and event.body == "x\ufffd"
    event.body.encode("utf-8")


def test_timestamps_are_aware_utc_and_garbage_falls_back_to_epoch() -> None:
    assert timestamp(0) == EPOCH
    assert timestamp(1_000).tzinfo is UTC
    for bad in (None, "12", True, float("nan"), float("inf"), 10**30, -(10**30)):
        assert timestamp(bad) == EPOCH


def test_invite_from_state() -> None:
    state = [
        {"type": "m.room.name", "state_key": "", "sender": ALICE, "content": {"name": "x"}},
        {
            "type": "m.room.member",
            "state_key": "@capibot:localhost",
            "sender": ALICE,
            "content": {"membership": "invite"},
        },
    ]
    assert invite_from_state(ROOM, "@capibot:localhost", state) == InboundInvite(ROOM, ALICE)
    assert invite_from_state(ROOM, "@other:localhost", state) is None


def test_notice_content_shapes() -> None:
    base = {"room_id": ROOM, "body": "b", "html": "<p>b</p>"}
    plain = notice_content(OutboundNotice(**base))
    assert plain["msgtype"] == "m.notice" and plain["m.mentions"] == {"user_ids": []}
    assert "m.relates_to" not in plain
    in_thread = notice_content(OutboundNotice(**base, thread_root="$r", mentions=(ALICE, ALICE)))
    assert in_thread["m.relates_to"] == {
        "rel_type": "m.thread",
        "event_id": "$r",
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": "$r"},
    }
    assert in_thread["m.mentions"] == {"user_ids": [ALICE]}
    reply_in_thread = notice_content(OutboundNotice(**base, thread_root="$r", reply_to="$c"))
    assert reply_in_thread["m.relates_to"]["m.in_reply_to"] == {"event_id": "$c"}
    assert reply_in_thread["m.relates_to"]["is_falling_back"] is False
    reply = notice_content(OutboundNotice(**base, reply_to="$c"))
    assert reply["m.relates_to"] == {"m.in_reply_to": {"event_id": "$c"}}


# -- garbage ------------------------------------------------------------------------------

_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=12)
_scalar = st.none() | st.booleans() | st.integers() | st.floats() | _text
_json = st.recursive(
    _scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=12,
)
_keys = st.sampled_from(
    [
        "type",
        "event_id",
        "sender",
        "origin_server_ts",
        "content",
        "redacts",
        "state_key",
        "unsigned",
        "body",
        "msgtype",
        "m.relates_to",
        "rel_type",
        "m.in_reply_to",
        "m.new_content",
        "key",
        "is_falling_back",
        "format",
        "formatted_body",
        "membership",
    ]
)
_types = st.sampled_from(
    ["m.room.message", "m.reaction", "m.room.redaction", "m.room.encrypted", "m.room.member"]
)
_structured = st.recursive(
    _scalar | _types,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys | _text, inner, max_size=6),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(event=_structured | _json, room=_text | st.just(ROOM))
def test_garbage_never_raises(event: Any, room: Any) -> None:
    for result in (translate_dict(room, event), translate_raw(room, event)):
        if result is not None:
            for value in (getattr(result, name) for name in result.__slots__):
                if isinstance(value, str):
                    value.encode("utf-8")  # storable
    invite_from_state(room, ALICE, event)
    invite_from_state(room, ALICE, [event])


@settings(max_examples=300, deadline=None)
@given(
    content=st.dictionaries(_keys, _structured, max_size=6),
    type_=_types,
    ts=_scalar,
)
def test_wellformed_envelope_with_garbage_content_never_raises(
    content: dict[str, Any], type_: str, ts: Any
) -> None:
    event = {
        "type": type_,
        "event_id": "$x",
        "sender": ALICE,
        "origin_server_ts": ts,
        "content": content,
    }
    result = translate_raw(ROOM, event)
    if result is not None:
        assert result.sent_at.tzinfo is not None
