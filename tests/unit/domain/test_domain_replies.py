"""Reply fallbacks are stripped from what is stored, and nothing else is (DESIGN §7)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.replies import strip_html_reply_fallback, strip_reply_fallback
from bot.matrix.events import InboundEdit, InboundMessage
from bot.matrix.translate import translate_dict
from bot.storage.database import Database
from bot.storage.repository import message_values

ROOM = "!room:localhost"
ALICE = "@alice:localhost"
BOB = "@bob:localhost"
senders = st.from_regex(r"@[a-z0-9._=-]{1,12}:[a-z0-9.-]{1,12}", fullmatch=True)
quoted = st.lists(st.text(st.characters(blacklist_characters="\n"), max_size=40), min_size=1)


def fallback(sender: str, lines: list[str], emote: bool = False) -> str:
    """A reply fallback as clients write it (spec, "Fallbacks for rich replies")."""
    head = f"> {'* ' if emote else ''}<{sender}> {lines[0]}"
    return "\n".join([head, *(f"> {line}" for line in lines[1:])]) + "\n\n"


def is_fallback_head(text: str) -> bool:
    return strip_reply_fallback(text, is_reply=True) != text


@given(st.text())
def test_a_message_that_is_not_a_reply_keeps_every_character(body: str) -> None:
    assert strip_reply_fallback(body, is_reply=False) == body
    assert strip_html_reply_fallback(body, is_reply=False) == body


@given(st.text(), st.booleans())
def test_stripping_is_idempotent(body: str, is_reply: bool) -> None:
    once = strip_reply_fallback(body, is_reply=is_reply)
    assert strip_reply_fallback(once, is_reply=is_reply) == once
    html_once = strip_html_reply_fallback(body, is_reply=is_reply)
    assert strip_html_reply_fallback(html_once, is_reply=is_reply) == html_once


@given(senders, quoted, st.text(), st.booleans())
def test_exactly_the_fallback_block_is_removed(
    sender: str, lines: list[str], reply: str, emote: bool
) -> None:
    if is_fallback_head(reply):  # the reply itself opens with a fallback: covered below
        return
    assert strip_reply_fallback(fallback(sender, lines, emote) + reply, is_reply=True) == reply


def test_the_replier_s_own_quotation_stays() -> None:
    body = "> <@bob:hs> Mots de Bob\n\n> une citation que j'ai tapée\n\nMa réponse"
    assert (
        strip_reply_fallback(body, is_reply=True) == "> une citation que j'ai tapée\n\nMa réponse"
    )
    assert strip_reply_fallback("> une citation\n\nMa réponse", is_reply=True) == (
        "> une citation\n\nMa réponse"
    )


def test_html_fallback_is_removed() -> None:
    html = (
        '<mx-reply><blockquote><a href="https://matrix.to/#/$x">In reply to</a> '
        '<a href="https://matrix.to/#/@bob:hs">@bob:hs</a><br>Mots de Bob</blockquote>'
        "</mx-reply>Ma <b>réponse</b>"
    )
    assert strip_html_reply_fallback(html, is_reply=True) == "Ma <b>réponse</b>"


def _reply(body: str, formatted: str | None = None, **relates: Any) -> dict[str, Any]:
    content: dict[str, Any] = {
        "msgtype": "m.text",
        "body": body,
        "m.relates_to": {"m.in_reply_to": {"event_id": "$bob"}, **relates},
    }
    if formatted is not None:
        content |= {"format": "org.matrix.custom.html", "formatted_body": formatted}
    return {
        "type": "m.room.message",
        "event_id": "$alice",
        "sender": ALICE,
        "origin_server_ts": 1,
        "content": content,
    }


def test_translation_strips_a_reply_and_a_falling_back_thread_reply() -> None:
    body = f"> <{BOB}> Mots de Bob\n\nRéponse d'Alice"
    html = "<mx-reply><blockquote>Mots de Bob</blockquote></mx-reply>Réponse d'Alice"
    event = translate_dict(ROOM, _reply(body, html))
    assert isinstance(event, InboundMessage)
    assert (event.body, event.formatted_body) == ("Réponse d'Alice", "Réponse d'Alice")
    in_thread = translate_dict(
        ROOM, _reply(body, rel_type="m.thread", event_id="$root", is_falling_back=True)
    )
    assert isinstance(in_thread, InboundMessage) and in_thread.body == "Réponse d'Alice"
    plain = _reply(body)
    del plain["content"]["m.relates_to"]
    not_reply = translate_dict(ROOM, plain)
    assert isinstance(not_reply, InboundMessage) and not_reply.body == body


def test_an_edit_of_a_stored_reply_is_stripped_and_of_a_plain_message_kept(db: Database) -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    edit = translate_dict(
        ROOM,
        {
            "type": "m.room.message",
            "event_id": "$edit",
            "sender": ALICE,
            "origin_server_ts": 2,
            "content": {
                "msgtype": "m.text",
                "body": "* x",
                "m.new_content": {"msgtype": "m.text", "body": f"> <{BOB}> Bob\n\nCorrigé"},
                "m.relates_to": {"rel_type": "m.replace", "event_id": "$r"},
            },
        },
    )
    assert isinstance(edit, InboundEdit)

    def store(repo: Any) -> list[str]:
        repo.store_message_rows(
            [
                message_values(
                    event_id=e,
                    room_id=ROOM,
                    sender=ALICE,
                    sent_at=at,
                    body="x",
                    case_id=None,
                    in_reply_to="$bob" if e == "$r" else None,
                )
                for e in ("$r", "$p")
            ]
        )
        repo.apply_edits(
            [(ROOM, "$r", ALICE, edit.new_body), (ROOM, "$p", ALICE, edit.new_body)]
        )
        return [repo.get_message(e).body for e in ("$r", "$p")]

    assert db.run_sync(store) == ["Corrigé", edit.new_body]
