"""Fiche drafts from an exchange's most informative sentences (issue 17).

The legacy draft (`bot.domain.draft.legacy_draft`) copies the opening message and the
longest replies. This one ranks sentences (`bot.knowledge.ranking`) into Contexte,
Action, Résultats and Enseignements, proposes a Territoire from the places the exchange
names, preferring those the network's fiches already use, and Thèmes from the themes
already in use whose lemmas the exchange talks about. It stays a draft, labelled as
such, for people to correct; without the language model it falls back to the legacy one.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.draft import (
    MAX_CONTEXT,
    MAX_SNIPPET,
    clean_body,
    cut,
    legacy_draft,
    render_draft,
    resources_of,
    title_of,
)
from bot.domain.fiche import split_list
from bot.domain.models import FicheField
from bot.domain.text import fold
from bot.knowledge.nlp import Analysis, FrenchPipeline
from bot.knowledge.ranking import pick

log = logging.getLogger(__name__)

F = FicheField
MAX_THEMES = 3
#: Theme matching, tuned on tests/data/drafts (scripts/bench_drafts.py): lemmas sharing
#: their first STEM letters match, half a theme's lemmas must come up, MIN_USES times in
#: all, and a theme scoring under RELATIVE times the best one is left out.
STEM = 5
MIN_COVERAGE = 0.5
MIN_USES = 2
RELATIVE = 0.3
_LIMITS = {F.CONTEXT: MAX_CONTEXT, F.ACTION: MAX_SNIPPET, F.RESULTS: MAX_SNIPPET}
#: Greetings the small model sometimes tags as places (« Bonsoir Lucie »).
_NOT_PLACES = frozenset(
    {"bonjour", "bonsoir", "merci", "salut", "bravo", "hello", "coucou", "super", "top"}
)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Themes and territories the network's published fiches already use."""

    themes: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()


def vocabulary_from(fiches: Iterable[dict[FicheField, str]]) -> Vocabulary:
    """The themes and territories of these fiches, each once (folded), most used first."""
    themes: Counter[str] = Counter()
    territories: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for fields in fiches:
        for kind, field in ((themes, F.THEMES), (territories, F.TERRITORY)):
            for item in split_list(fields.get(field, "")):
                key = fold(item)
                shown.setdefault(key, item)
                kind[key] += 1
    return Vocabulary(
        tuple(shown[key] for key, _ in themes.most_common()),
        tuple(shown[key] for key, _ in territories.most_common()),
    )


class Drafter:
    """Drafts with the language model when it is there, the legacy way otherwise."""

    def __init__(self, pipeline: FrenchPipeline) -> None:
        self.pipeline = pipeline

    def draft(
        self,
        messages: Sequence[tuple[str, str]],
        vocabulary: Vocabulary,
        lang: str,
        prefix: str = "!",
    ) -> str:
        """The labelled draft text of `(sender, body)` pairs, root message first."""
        values = self.fields(messages, vocabulary, prefix)
        if values is None:
            return legacy_draft(messages, lang, prefix)
        return render_draft(values, lang, prefix)

    def fields(
        self, messages: Sequence[tuple[str, str]], vocabulary: Vocabulary, prefix: str = "!"
    ) -> dict[FicheField, str] | None:
        """The draft's field values, or None without a language model."""
        cleaned = [(sender, clean_body(body, prefix)) for sender, body in messages]
        cleaned = [(sender, text) for sender, text in cleaned if text]
        kept = [text for _, text in cleaned]
        analysis = self.pipeline.analyse(kept)
        if analysis is None:
            return None
        opener = cleaned[0][0] if cleaned else ""
        askers = frozenset(i for i, (sender, _) in enumerate(cleaned) if i and sender == opener)
        chosen = pick(analysis.sentences, len(kept), askers)
        values = {field: "" for field in F}
        values[F.TITLE] = title_of(kept[0] if kept else "")
        for field, sentences in chosen.items():
            joined = " ".join(s.text for s in sentences)
            values[field] = cut(joined, _LIMITS.get(field, MAX_SNIPPET))
        theme_lemmas = self.pipeline.lemmas(vocabulary.themes)
        values[F.THEMES] = ", ".join(themes_of(analysis, vocabulary.themes, theme_lemmas))
        values[F.TERRITORY] = territory_of(analysis, " ".join(kept), vocabulary.territories)
        values[F.RESOURCES] = resources_of(messages)
        return values


def territory_of(analysis: Analysis, text: str, known: Sequence[str]) -> str:
    """The territory most talked about: one the network already uses (named in the text
    or as a place entity), else the most mentioned place entity; "" if none."""
    folded = fold(text)
    mentions = Counter[str]()
    for territory in known:
        key = fold(territory).strip()
        if key:
            mentions[territory] += len(re.findall(rf"(?<!\w){re.escape(key)}(?!\w)", folded))
    for place in analysis.places:
        key = fold(place)
        for territory in known:
            other = fold(territory)
            if key and (key in other or other in key):
                mentions[territory] += 1
    best = [t for t, n in mentions.most_common() if n > 0]
    if best:
        return best[0]
    places = Counter[str]()
    for place in analysis.places:
        key = fold(place)
        first = key.split()[0] if key.split() else ""
        if len(key) > 2 and first not in _NOT_PLACES and place[:1].isupper():
            places[place] += max(1, folded.count(key))
    return places.most_common(1)[0][0] if places else ""


def themes_of(
    analysis: Analysis, known: Sequence[str], lemmas: Sequence[tuple[str, ...]]
) -> list[str]:
    """Up to three known themes the exchange talks about, the most talked about first.

    A theme counts when at least half its lemmas come up (sharing their first STEM
    letters: « commerçant » speaks of « commerce ») and they come up twice in all, so a
    passing word does not tag the fiche; themes far behind the best one are dropped.
    """
    counts = Counter(lemma for s in analysis.sentences for lemma in s.lemmas)
    stems = Counter[str]()
    for word, count in counts.items():
        if len(word) >= STEM:
            stems[word[:STEM]] += count
    scored: list[tuple[float, int, str]] = []
    for order, (theme, theme_lemmas) in enumerate(zip(known, lemmas, strict=False)):
        if not theme_lemmas:
            continue
        uses = [_uses(lemma, counts, stems) for lemma in theme_lemmas]
        coverage = sum(1 for n in uses if n) / len(uses)
        if coverage >= MIN_COVERAGE and sum(uses) >= MIN_USES:
            scored.append((-sum(uses) * coverage, order, theme))
    scored.sort()
    best = -scored[0][0] if scored else 0.0
    return [theme for score, _, theme in scored[:MAX_THEMES] if -score >= RELATIVE * best]


def _uses(lemma: str, counts: Counter[str], stems: Counter[str]) -> int:
    if len(lemma) >= STEM:
        return stems[lemma[:STEM]]
    return counts[lemma]
