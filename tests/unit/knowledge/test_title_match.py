"""`!lire titre` finds the fiche meant from an approximate title, or asks which one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.knowledge.titles import match_title

TITLES = [
    (1, "Accompagner le relogement des familles avant une démolition"),
    (2, "Résoudre les conflits de voisinage par la médiation"),
    (3, "Médiation sur le marché forain du quartier"),
    (4, "Créer un conseil local de santé mentale"),
]


def test_a_partial_title_without_accents_finds_the_fiche() -> None:
    assert [m.case_id for m in match_title("relogement demolition", TITLES)] == [1]
    assert [m.case_id for m in match_title("creer un conseil local de sante mentale", TITLES)] == [
        4
    ]


def test_a_typo_is_tolerated() -> None:
    assert [m.case_id for m in match_title("conseil local de santé mantale", TITLES)] == [4]


def test_an_ambiguous_title_gives_the_candidates() -> None:
    assert sorted(m.case_id for m in match_title("médiation", TITLES)) == [2, 3]


def test_an_unknown_title_gives_nothing() -> None:
    assert match_title("tarte aux pommes", TITLES) == []
    assert match_title("", TITLES) == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=150))
def test_any_typed_title_gives_known_fiches_only(typed: str) -> None:
    matches = match_title(typed, TITLES)
    assert len(matches) <= 5
    assert {m.case_id for m in matches} <= {1, 2, 3, 4}
