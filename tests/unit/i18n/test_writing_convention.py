"""The writing convention of docs/style.fr.md, enforced: French texts use the epicene
forms it chooses (no point médian, no masculine plural for people), and English texts
keep « fiche » as the term, explained once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.i18n import CATALOGUES
from wiki_sync import labels

ROOT = Path(__file__).resolve().parents[3]

# The forms docs/style.fr.md bans, each with the form to write instead.
BANNED_FR: dict[str, re.Pattern[str]] = {
    "point médian (write the epicene form)": re.compile(r"\w·\w"),
    "modérateurs (l'équipe de modération)": re.compile(r"\bmodérat(eur|rice)s?\b", re.I),
    "la modération (l'équipe de modération)": re.compile(r"\bla modération\b", re.I),
    "auteurs (les personnes qui ont rédigé la fiche)": re.compile(r"\b(auteur|autrice)s?\b", re.I),
    "chercheurs (l'équipe de recherche)": re.compile(r"\bchercheu(r|se)s?\b", re.I),
    "contributeurs (Ont contribué)": re.compile(r"\bcontribut(eur|rice)s?\b", re.I),
    "professionnels (les personnes du réseau)": re.compile(r"\bprofessionnel(le)?s?\b", re.I),
    "participants (les personnes participantes)": re.compile(r"\bparticipants?\b", re.I),
    "lecteurs (les personnes qui lisent)": re.compile(r"\blect(eur|rice)s?\b", re.I),
}
SHEET = re.compile(r"\bsheets?\b", re.I)


def _french_texts() -> list[tuple[str, str]]:
    texts = [(f"bot.i18n fr {key}", text) for key, text in CATALOGUES["fr"].items()]
    texts += [(f"wiki_sync.labels fr {key}", text) for key, text in labels.FR.items()]
    notice = (ROOT / "config" / "privacy-notice.fr.md").read_text(encoding="utf-8")
    texts += [(f"privacy notice line {n}", line) for n, line in enumerate(notice.splitlines(), 1)]
    return texts


def _violations(texts: list[tuple[str, str]]) -> list[str]:
    return [
        f"{where}: {rule}: {text!r}"
        for where, text in texts
        for rule, pattern in BANNED_FR.items()
        if pattern.search(text)
    ]


def test_french_texts_follow_the_epicene_convention() -> None:
    assert _violations(_french_texts()) == []


@pytest.mark.parametrize(
    "text",
    [
        "Seul·es les participant·es peuvent",
        "le cas sera signalé aux modérateurs",
        "Renvoie la fiche à ses auteurs",
        "Annuaire des professionnels",
        "Contributeurs et contributrices",
        "relue par la modération",
    ],
)
def test_the_check_catches_each_banned_form(text: str) -> None:
    assert _violations([("sample", text)])


def test_separators_and_epicene_forms_pass() -> None:
    ok = [
        "#12 · publiée · Accueil",
        "Seules les personnes participantes et l'équipe de modération peuvent",
        "salon de modération",
        "Ont contribué : Personne 2",
    ]
    assert _violations([("sample", text) for text in ok]) == []


def test_english_says_fiche_never_sheet_and_explains_it_once() -> None:
    english = {**CATALOGUES["en"], **{f"label.{k}": v for k, v in labels.EN.items()}}
    assert [key for key, text in english.items() if SHEET.search(text)] == []
    explained = [key for key, text in english.items() if "structured summary" in text]
    assert explained == ["intro"]
