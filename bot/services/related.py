"""The « Fiches proches » lines added to a capture's answer, a prompt and a review card."""

from __future__ import annotations

from bot.i18n import Translator
from bot.knowledge.related import RelatedFiches
from bot.services.published import PublishedCache, find_related, model_ready, related_text
from bot.storage.repository import Repository


def related_lines(
    repo: Repository,
    related: RelatedFiches | None,
    text: str,
    tr: Translator,
    *,
    heading: str = "related.heading",
    exclude: int | None = None,
    published: PublishedCache | None = None,
) -> str:
    """A heading and one line per related published fiche (with its link); "" if none
    is similar enough, or without the language model. Run inside a transaction: while
    the model is still loading it answers "" at once rather than wait for it."""
    if related is None or not model_ready(related):
        return ""
    fiches = (published or PublishedCache()).get(repo)
    found = find_related(related, text, fiches, exclude)
    return related_text(repo, found, tr, heading) if found else ""
