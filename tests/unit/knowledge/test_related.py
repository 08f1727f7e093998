"""« Fiches proches »: the similarity function, and the real model on the test set."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.models import FicheField
from bot.knowledge.nlp import FrenchPipeline
from bot.knowledge.related import MIN_SIMILARITY, Candidate, RelatedFiches, similar

F = FicheField
DATA = Path(__file__).resolve().parents[3] / "tests" / "data" / "drafts"
bags = st.builds(
    Counter, st.dictionaries(st.sampled_from("abcdefgh"), st.integers(1, 4), max_size=6)
)


def test_similar_ranks_and_drops_what_shares_nothing() -> None:
    query = Counter({"emploi": 2, "jeune": 3, "forum": 1})
    docs = [
        Counter({"sante": 2, "bus": 1}),
        Counter({"emploi": 1, "jeune": 2, "forum": 1, "entreprise": 1}),
        Counter({"emploi": 1, "logement": 3, "bailleur": 2}),
    ]
    found = similar(query, docs)
    assert [index for index, _ in found] == [1]
    assert found[0][1] >= MIN_SIMILARITY


@given(bags, st.lists(bags, max_size=5))
def test_similar_is_bounded_and_sorted(query: Counter[str], docs: list[Counter[str]]) -> None:
    found = similar(query, docs)
    assert len(found) <= 3
    assert all(MIN_SIMILARITY <= score <= 1.0 + 1e-9 for _, score in found)
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
    assert len({i for i, _ in found}) == len(found)


@pytest.fixture(scope="module")
def related() -> RelatedFiches:
    pipeline = FrenchPipeline()
    assert pipeline.load()
    return RelatedFiches(pipeline, lambda title: f"https://wiki.example.org/{title}")


def candidates() -> list[Candidate]:
    out = []
    for n, path in enumerate(sorted(DATA.glob("*.json"))):
        ref = json.loads(path.read_text(encoding="utf-8"))["reference"]
        fields = {
            F.TITLE: path.stem,
            F.CONTEXT: ref["context"],
            F.ACTION: ref["action"],
            F.RESULTS: ref["results"],
            F.LESSONS: ref["lessons"],
            F.THEMES: ", ".join(ref["themes"]),
        }
        out.append(Candidate(n, path.stem, fields))
    return out


def exchange_text(name: str) -> str:
    data = json.loads((DATA / name).read_text(encoding="utf-8"))
    return "\n".join(m["body"] for m in data["messages"])


def test_each_exchange_finds_its_own_fiche_and_no_stranger(related: RelatedFiches) -> None:
    fiches = candidates()
    for fiche in fiches:
        found = related.find(exchange_text(f"{fiche.title}.json"), fiches)
        assert [r.case_id for r in found] == [fiche.case_id], fiche.title
        assert found[0].url == f"https://wiki.example.org/{fiche.title}"


def test_the_case_itself_is_left_out_and_nothing_is_found_in_nothing(
    related: RelatedFiches,
) -> None:
    fiches = candidates()
    own = fiches[2]
    assert related.find(exchange_text(f"{own.title}.json"), fiches, exclude=own.case_id) == []
    assert related.find("", fiches) == []
    assert related.find(exchange_text(f"{own.title}.json"), []) == []


def test_without_the_model_there_are_no_related_fiches() -> None:
    missing = RelatedFiches(FrenchPipeline("no_such_model_installed"), lambda t: t)
    assert missing.find("Un forum emploi pour les jeunes", candidates()) == []


class CountingPipeline(FrenchPipeline):
    """The real model, counting the texts it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def lemma_bags(self, texts: Sequence[str]) -> list[Counter[str]]:
        self.texts += len(texts)
        return super().lemma_bags(texts)


def test_primed_fiches_are_not_read_again() -> None:
    pipeline = CountingPipeline()
    related = RelatedFiches(pipeline, lambda title: title)
    fiches = candidates()
    related.prime(fiches)
    assert pipeline.texts == len(fiches)
    found = related.find(exchange_text(f"{fiches[4].title}.json"), fiches)
    assert [r.case_id for r in found] == [fiches[4].case_id]
    assert pipeline.texts == len(fiches) + 1  # the exchange only
