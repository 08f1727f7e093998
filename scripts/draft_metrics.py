"""Measures of a fiche draft against a hand-written reference (issue 17).

ROUGE-L F1 on word tokens (the longest common subsequence of the two token lists:
what of the reference the draft says, in the same order) and hit rates for the themes
and the territory. Pure functions, so the benchmark's ruler is itself unit-tested.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain.text import fold

_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """Folded word tokens (case, accents and punctuation do not count)."""
    return _TOKEN.findall(fold(text))


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence, in O(len(a)·len(b)) time, O(len(b)) space."""
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 of `candidate` against `reference` (0 when either is empty)."""
    cand, ref = tokens(candidate), tokens(reference)
    common = lcs_length(cand, ref)
    if not common:
        return 0.0
    precision, recall = common / len(cand), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def same_place(draft: str, reference: str) -> bool:
    """The draft's territory names the reference's (or the other way round)."""
    a, b = fold(draft).strip(), fold(reference).strip()
    return bool(a and b) and (a in b or b in a)


def theme_scores(drafted: Sequence[str], reference: Sequence[str]) -> tuple[int, int, int]:
    """(themes drafted, of those in the reference, themes in the reference), folded."""
    got = {fold(t).strip() for t in drafted if t.strip()}
    want = {fold(t).strip() for t in reference if t.strip()}
    return len(got), len(got & want), len(want)
