"""The one page writer's loop: read, compare, write with the revision read (or create-only),
and read again when someone saved in between. A small in-memory wiki plays MediaWiki's
part: it refuses a write based on an old revision, or a create over an existing page."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from wiki_sync.client import EditResult, PageState
from wiki_sync.errors import EditConflict, WikiUnavailable
from wiki_sync.writer import RACE_RETRIES, PageWriter


class _Wiki:
    """Pages by title; `meddle` runs before a write, as a human saving meanwhile would."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, str]] = {}
        self.revid = 100
        self.edits = 0
        self.meddle: Callable[[str], None] | None = None

    def save(self, title: str, text: str) -> None:
        self.revid += 1
        self.pages[title] = (self.revid, text)

    def read(self, title: str) -> PageState:
        if title not in self.pages:
            return PageState(title, exists=False)
        revid, text = self.pages[title]
        return PageState(title, exists=True, revid=revid, text=text, user="Human")

    def edit(
        self,
        title: str,
        text: str,
        summary: str,
        *,
        base_revid: int | None,
        create_only: bool = False,
    ) -> EditResult:
        if self.meddle is not None:
            self.meddle(title)
        current = self.pages.get(title)
        if create_only and current is not None:
            raise EditConflict(title, ("articleexists",))
        if not create_only and current is None:
            raise EditConflict(title, ("missingtitle",))
        if current is not None and current[0] != base_revid:
            raise EditConflict(title)
        self.edits += 1
        self.save(title, text)
        return EditResult(title, self.revid, current[0] if current else None, False)


def _writer(wiki: _Wiki) -> PageWriter:
    return PageWriter(wiki, "Fiche")  # type: ignore[arg-type]


def test_put_creates_then_leaves_an_equal_page_alone() -> None:
    wiki = _Wiki()
    writer = _writer(wiki)
    assert writer.put("Annuaire", "texte", "résumé").action == "created"
    again = writer.put("Annuaire", "texte\n", "résumé")  # equal as MediaWiki stores it
    assert (again.action, wiki.edits) == ("unchanged", 1)


def test_a_write_lost_to_a_human_is_read_again_and_tried_again() -> None:
    wiki = _Wiki()
    wiki.save("Discussion", "Intro humaine.")
    humans = iter(["Ajout humain."])

    def human_saves(title: str) -> None:
        text = next(humans, None)
        if text is not None:
            wiki.save(title, wiki.pages[title][1] + "\n\n" + text)

    wiki.meddle = human_saves
    written = _writer(wiki).add_section("Discussion", "== Note ==\n<!-- m -->", "<!-- m -->", "s")
    assert written.action == "updated"
    assert (
        wiki.pages["Discussion"][1] == "Intro humaine.\n\nAjout humain.\n\n== Note ==\n<!-- m -->"
    )
    # Redone (a crash before the commit): the marker is there, nothing is written.
    assert _writer(wiki).add_section("Discussion", "autre", "<!-- m -->", "s").action == (
        "unchanged"
    )


def test_a_page_always_busy_makes_the_job_wait_but_a_fiche_update_a_conflict() -> None:
    wiki = _Wiki()
    wiki.save("Page", "v1")
    wiki.meddle = lambda title: wiki.save(title, wiki.pages[title][1] + "!")
    with pytest.raises(WikiUnavailable):
        _writer(wiki).put("Page", "v2", "s")
    with pytest.raises(EditConflict) as info:
        _writer(wiki).replace("Page", "retirée", "s")
    assert info.value.conflicts == ("busy",)
    assert wiki.edits == 0 and len(wiki.pages["Page"][1]) == 2 + 2 * RACE_RETRIES


def test_rewrite_and_replace_leave_a_missing_page_missing() -> None:
    wiki = _Wiki()
    writer = _writer(wiki)
    assert writer.rewrite("Discussion", str.upper, "s") is None
    assert writer.replace("Page", "retirée", "s") is None
    assert writer.put_existing("Lettre", "texte", "s") is None
    assert wiki.pages == {} and wiki.edits == 0
