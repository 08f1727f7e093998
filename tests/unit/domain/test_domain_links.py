"""Links to Matrix are spelled in one place (DESIGN §8: each domain rule once)."""

from __future__ import annotations

from bot.domain.links import matrix_to, thread_link, user_pill_href
from wiki_sync.render import safe_matrix_to


def test_thread_links_percent_encode_every_id() -> None:
    link = thread_link("!room:example.org", "$ev+t/x")
    assert link == "https://matrix.to/#/%21room%3Aexample.org/%24ev%2Bt%2Fx"
    # the wiki's own guard accepts it as is (one shape from chat to page)
    assert safe_matrix_to(link).startswith("https://matrix.to/#/%21room%3Aexample.org/")


def test_an_alias_cannot_end_the_fragment_early() -> None:
    assert matrix_to("#salon:example.org") == "https://matrix.to/#/%23salon%3Aexample.org"


def test_pills_keep_the_user_id_as_clients_write_it() -> None:
    assert user_pill_href("@alice:example.org") == "https://matrix.to/#/@alice:example.org"
