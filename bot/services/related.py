"""The « Fiches proches » lines added to a capture's answer, a prompt and a review card."""

from __future__ import annotations

from bot.i18n import Translator
from bot.knowledge.related import Candidate, RelatedFiches
from bot.storage.repository import Repository


def related_lines(
    repo: Repository,
    related: RelatedFiches | None,
    text: str,
    tr: Translator,
    *,
    heading: str = "related.heading",
    exclude: int | None = None,
) -> str:
    """A heading and one line per related published fiche (with its link); "" if none
    is similar enough, or without the language model."""
    if related is None:
        return ""
    candidates = [
        Candidate(fiche.case_id, fiche.page_title, fiche.fields)
        for fiche in repo.published_fiches()
    ]
    found = related.find(text, candidates, exclude)
    if not found:
        return ""
    items = [f"- {tr('related.item', title=r.title, url=r.url)}" for r in found]
    return "\n".join([tr(heading), *items])
