"""A fiche whose title cannot make a page: the reason is told in the bot's language."""

from __future__ import annotations

from bot.services.publisher import title_refusal
from wiki_sync.errors import TitleError
from wiki_sync.titles import page_title_from


def _refusal(title: str) -> TitleError:
    try:
        page_title_from(title)
    except TitleError as exc:
        return exc
    raise AssertionError(f"{title!r} made a title")


def test_the_reason_is_in_english_for_an_english_bot() -> None:
    exc = _refusal("!!! ??? ...")
    assert title_refusal("en", 7, exc) == (
        "Case #7 not published: the title must hold at least one letter or digit."
    )
    assert "au moins une lettre" in title_refusal("fr", 7, exc)


def test_an_unknown_reason_code_keeps_the_library_wording() -> None:
    exc = TitleError("new_code", "Raison inédite.")
    assert title_refusal("en", 3, exc) == "Case #3 not published: Raison inédite."


def test_a_title_outside_the_main_namespace_is_explained_in_both_languages() -> None:
    exc = TitleError("namespace", "Le titre désignerait une page hors de l'espace principal.")
    assert "outside its main namespace" in title_refusal("en", 4, exc)
    assert "hors de son espace principal" in title_refusal("fr", 4, exc)
