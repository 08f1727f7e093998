"""The benchmark's ruler: ROUGE-L on tokens, and the theme and territory hits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scripts.draft_metrics import lcs_length, rouge_l, same_place, theme_scores, tokens

words = st.lists(st.sampled_from(["le", "bus", "santé", "jeunes", "emploi", "a", "b"]), max_size=12)


def test_tokens_fold_case_accents_and_punctuation() -> None:
    assert tokens("Résultat : 85 % des Ménages !") == ["resultat", "85", "des", "menages"]


def test_lcs_of_known_sequences() -> None:
    assert lcs_length(["a", "b", "c", "d", "e"], ["a", "c", "e"]) == 3
    assert lcs_length(["a", "b"], ["c", "d"]) == 0
    assert lcs_length([], ["a"]) == 0
    assert lcs_length(["a", "b", "c", "b", "d", "a", "b"], ["b", "d", "c", "a", "b", "a"]) == 4


def test_rouge_l_values() -> None:
    assert rouge_l("le bus santé", "le bus santé") == 1.0
    assert rouge_l("", "le bus") == 0.0
    assert rouge_l("autre chose", "le bus") == 0.0
    # 2 of 4 candidate tokens, 2 of 2 reference tokens: P 0.5, R 1, F1 2/3
    assert abs(rouge_l("le gros bus vert", "le bus") - 2 / 3) < 1e-9


@given(words, words)
def test_rouge_l_is_symmetric_and_bounded(a: list[str], b: list[str]) -> None:
    x, y = " ".join(a), " ".join(b)
    assert 0.0 <= rouge_l(x, y) <= 1.0
    assert abs(rouge_l(x, y) - rouge_l(y, x)) < 1e-9
    assert lcs_length(a, b) <= min(len(a), len(b))


@given(words)
def test_rouge_l_of_itself_is_one_unless_empty(a: list[str]) -> None:
    assert rouge_l(" ".join(a), " ".join(a)) == (1.0 if a else 0.0)


def test_places_and_themes() -> None:
    assert same_place("Lille-Sud", "Lille")
    assert same_place("Clichy-sous-Bois", "clichy-sous-bois")
    assert not same_place("", "Lille")
    assert not same_place("Roubaix", "Lille")
    assert theme_scores(["Santé", "Emploi"], ["sante", "Logement"]) == (2, 1, 2)
    assert theme_scores([], ["Logement"]) == (0, 0, 1)
