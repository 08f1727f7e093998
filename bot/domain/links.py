"""Links to Matrix: the one place that spells matrix.to URLs.

Two shapes on purpose. Links to a room or an event (a case's thread, on pages and in
notices) percent-encode every id, as the Matrix spec recommends: an alias's `#` or an
event id's `+`/`/` then cannot break the URL, and wikitext sees no markup in it. Mention
pills keep the user id as written, the shape clients themselves produce and recognise.
"""

from __future__ import annotations

from urllib.parse import quote

MATRIX_TO = "https://matrix.to/#/"


def matrix_to(*ids: str) -> str:
    """`https://matrix.to/#/<id>[/<id>]`, each id percent-encoded (room, alias, event)."""
    return MATRIX_TO + "/".join(quote(identifier, safe="") for identifier in ids)


def thread_link(room_id: str, root_event_id: str) -> str:
    """The link back to a case's exchange."""
    return matrix_to(room_id, root_event_id)


def user_pill_href(user_id: str) -> str:
    """The target of a mention pill (`<a href=…>Name</a>` in formatted bodies)."""
    return MATRIX_TO + user_id
