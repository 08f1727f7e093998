"""Catalogues: same keys and placeholders in every language; lookups and fallbacks."""

from __future__ import annotations

import pytest

from bot.domain.lifecycle import LifecycleEvent, Who
from bot.domain.models import CaseState, Consent, FicheField, RoomKind
from bot.domain.permissions import Role
from bot.i18n import (
    CATALOGUES,
    MissingTranslation,
    Translator,
    normalise_language,
    placeholders,
    t,
)
from bot.i18n.en import MESSAGES as EN
from bot.i18n.fr import MESSAGES as FR


def test_same_keys() -> None:
    assert set(FR) - set(EN) == set(), "missing in English"
    assert set(EN) - set(FR) == set(), "missing in French"


@pytest.mark.parametrize("key", sorted(FR))
def test_same_placeholders(key: str) -> None:
    assert placeholders(FR[key]) == placeholders(EN[key]), key


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_every_message_formats_with_its_placeholders(lang: str) -> None:
    for key, template in CATALOGUES[lang].items():
        params = {name: "X" for name in placeholders(template)}
        assert template.format(**params), key


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_enum_labels_exist(lang: str) -> None:
    keys = set(CATALOGUES[lang])
    expected = (
        {f"state.{s.value}" for s in CaseState}
        | {f"event.{e.value}" for e in LifecycleEvent}
        | {f"role.{r.value}" for r in Role}
        | {f"room_kind.{k.value}" for k in RoomKind}
        | {f"consent_state.{c.value}" for c in Consent}
        | {f"fiche.field.{f.value}" for f in FicheField}
        | {f"lifecycle.forbidden.{w.value}" for w in Who}
    )
    assert expected <= keys


def test_lookup_and_format() -> None:
    assert t("fr", "usage.line", usage="!voir N") == "Utilisation : !voir N"
    assert t("en", "usage.line", usage="!show N") == "Usage: !show N"


def test_languages_are_normalised() -> None:
    assert normalise_language("fr-FR") == "fr"
    assert normalise_language("EN_gb") == "en"
    assert normalise_language("de") == "fr"
    assert normalise_language(None) == "fr"
    assert Translator("de").lang == "fr"


def test_missing_key_raises_under_tests() -> None:
    with pytest.raises(MissingTranslation):
        t("fr", "no.such.key")


def test_missing_param_raises_under_tests() -> None:
    with pytest.raises(MissingTranslation):
        t("fr", "usage.line")


def test_lenient_outside_tests() -> None:
    lenient = Translator("en", strict=False)
    assert lenient("no.such.key") == "no.such.key"
    assert lenient("usage.line") == EN["usage.line"]


def test_user_text_with_braces_is_safe() -> None:
    assert t("fr", "usage.invalid_case_id", value="{0}{x}") == (
        "« {0}{x} » n'est pas un numéro de cas valide."
    )
