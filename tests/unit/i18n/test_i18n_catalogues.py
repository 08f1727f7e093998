"""Catalogues (the bot's messages, wiki_sync's page labels): same keys and placeholders in
every language; lookups and fallbacks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

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
from wiki_sync import labels as wiki_labels
from wiki_sync.mapping import WikiMapping
from wiki_sync.pages import (
    annotation_section,
    remove_annotation_section,
    render_digest,
    render_directory,
)
from wiki_sync.render import render_withdrawal
from wiki_sync.setup import kind_category_page, setup_pages


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


# -- wiki_sync's own catalogue (page labels and its edit summaries) ------------------------


def test_wiki_labels_have_the_same_keys() -> None:
    assert set(wiki_labels.FR) - set(wiki_labels.EN) == set(), "missing in English"
    assert set(wiki_labels.EN) - set(wiki_labels.FR) == set(), "missing in French"


@pytest.mark.parametrize("key", sorted(wiki_labels.FR))
def test_wiki_labels_have_the_same_placeholders(key: str) -> None:
    assert placeholders(wiki_labels.FR[key]) == placeholders(wiki_labels.EN[key]), key


@pytest.mark.parametrize("lang", sorted(wiki_labels.CATALOGUES))
def test_every_wiki_label_formats_with_its_placeholders(lang: str) -> None:
    for key, template in wiki_labels.CATALOGUES[lang].items():
        params = {name: "X" for name in placeholders(template)}
        assert wiki_labels.label(lang, key, **params), key


def test_wiki_labels_speak_the_bots_languages() -> None:
    assert set(wiki_labels.LANGUAGES) == set(CATALOGUES)


def test_every_page_refuses_an_unknown_language_alike() -> None:
    when = datetime(2026, 3, 2, tzinfo=UTC)
    pages: list[Callable[[], object]] = [
        lambda: render_withdrawal("Titre", 1, None, "de"),
        lambda: annotation_section(1, "Claire", when, "Texte", "de"),
        lambda: remove_annotation_section("texte", 1, "de"),
        lambda: render_directory([], "de"),
        lambda: render_digest(when, when, [], [], "de"),
        lambda: setup_pages(WikiMapping("Fiche", fiche_category="Fiches", language="de")),
        lambda: kind_category_page("theme", "Logement", WikiMapping(language="de")),
    ]
    for page in pages:
        with pytest.raises(ValueError, match="unsupported language 'de'"):
            page()
