"""`!lire titre`: which published fiche a typed title means, tolerating missing accents,
typos, word order and a partial title (« relogement démolition »)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from bot.knowledge.analysis import fast_fold

#: below this a title is not what was typed
MIN_SCORE = 0.55
#: a best match this far ahead of the next one is the one meant; closer: ask which
CLEAR_LEAD = 0.12
MAX_CANDIDATES = 5


@dataclass(frozen=True, slots=True)
class TitleMatch:
    case_id: int
    title: str
    score: float


def _words(text: str) -> list[str]:
    return [w for w in "".join(c if c.isalnum() else " " for c in fast_fold(text)).split()]


def _word_score(typed: str, words: Sequence[str]) -> float:
    """How well one typed word is found among a title's words (a prefix counts)."""
    best = 0.0
    for word in words:
        if word == typed or (len(typed) >= 4 and word.startswith(typed)):
            return 1.0
        matcher = difflib.SequenceMatcher(None, typed, word)
        if matcher.real_quick_ratio() >= 0.75 and matcher.quick_ratio() >= 0.75:
            best = max(best, matcher.ratio())
    return best if best >= 0.75 else 0.0


def score(typed: str, title: str) -> float:
    """0..1: the typed words found in the title (fuzzy), and the whole strings alike."""
    typed_words = [w for w in _words(typed) if len(w) > 2] or _words(typed)
    title_words = _words(title)
    if not typed_words or not title_words:
        return 0.0
    found = sum(_word_score(w, title_words) for w in typed_words) / len(typed_words)
    whole = difflib.SequenceMatcher(None, " ".join(_words(typed)), " ".join(title_words)).ratio()
    return round(0.75 * found + 0.25 * whole, 3)


def match_title(typed: str, titles: Sequence[tuple[int, str]]) -> list[TitleMatch]:
    """The fiche meant (one match), the few it may be (several, best first), or none."""
    scored = sorted(
        (TitleMatch(case_id, title, score(typed, title)) for case_id, title in titles),
        key=lambda m: (-m.score, m.case_id),
    )
    kept = [m for m in scored if m.score >= MIN_SCORE]
    if not kept:
        return []
    if len(kept) == 1 or kept[0].score - kept[1].score >= CLEAR_LEAD:
        return kept[:1]
    return [m for m in kept if kept[0].score - m.score < CLEAR_LEAD][:MAX_CANDIDATES]
