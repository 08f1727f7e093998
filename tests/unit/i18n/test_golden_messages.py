"""Every message of both catalogues, rendered with sample values (counts 0, 1 and 2),
compared with a golden file a reader has checked: a change of wording shows up in review
as a diff of what people read. `CAPIBOT_UPDATE_GOLDEN=1` rewrites the files."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.i18n import (
    CATALOGUES,
    PLURAL_FORMS,
    Period,
    Translator,
    period_ends,
    placeholders,
    plural_messages,
)

HERE = Path(__file__).parent
WHEN = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)  # 9 h 00 in Paris (winter time)
PERIOD = Period(date(2025, 3, 3), date(2025, 3, 10))

# Values a caller passes; words that come from the catalogue are looked up in it.
SAMPLES: dict[str, object] = {
    "case": 12,
    "card": 2,
    "latest": 3,
    "version": 3,
    "n": 2,
    "number": 2,
    "page": 4,
    "pages": 3,
    "next": 2,
    "length": 1234,
    "max": 200,
    "date": WHEN,
    "period": PERIOD,
    "title": "Accueil des familles le samedi",
    "room": "Coordination Nord",
    "by": "Claire Martin",
    "actor": "Claire Martin",
    "moderator": "Karim Benali",
    "researcher": "Inès Roux",
    "name": "Inès Roux",
    "prefix": "!",
    "help": "aide",
    "command": "!fiche",
    "usage": "!voir N",
    "url": "https://wiki.example.org/Accueil_des_familles",
    "link": "https://matrix.to/#/!salon:example.org/$fil",
    "reason": "doublon",
    "comment": "préciser le territoire",
    "text": "Même constat à Lille.",
    "query": "accueil du samedi",
    "topic": "logement",
    "snippet": "… les familles arrivent le samedi …",
    "details": "infirmière · Lille · logement",
    "function": "infirmière",
    "territory": "Lille",
    "expertise": ["logement", "santé", "emploi"],
    "structure": "CCAS de Roubaix",
    "fiches": ["#12 Jardins partagés", "#15 Maison du projet"],
    "categories": "Logement, Santé",
    "label": "Coordination Nord",
    "value": "xyz",
    "key": "Auteur",
    "field": "Thèmes",
    "fields": "Titre: Accueil des familles le samedi",
    "preview": "Titre: Accueil des familles le samedi",
    "required": "Titre, Contexte, Action",
    "line": "bonjour",
    "theme": "Un thème bien trop long…",
    "quote": "«",
    "word": "bonjour",
    "names": "!afficher",
    "notice": "https://wiki.example.org/Confidentialité",
    "parts": "le contexte",
    "diff": "https://wiki.example.org/diff",
    "previous": 2,
    "mark": "obligatoire",
    "desc": "Montre un cas, sa fiche et son historique.",
    "before": "samedi matin",
    "after": "samedi après-midi",
}


def _params(
    tr: Translator, key: str, names: frozenset[str], count: int | None
) -> dict[str, object]:
    looked_up: dict[str, object] = {
        "state": tr("state.in_review"),
        "from_state": tr("state.in_review"),
        "to_state": tr("state.approved"),
        "event": tr("event.approve"),
        "role": tr("role.moderator"),
        "contributors": f"Claire Martin, {tr('naming.numbered', n=2)}",
        "kind": tr("room_kind.theme"),
        "capture": tr("room.on"),
        "digest": tr("room.off"),
        "short_forms": tr("room.on"),
        "since": tr("consent.since", date=WHEN),
        "contents": [tr("digest.fiches", count=2), tr("digest.annotations", count=1)],
    }
    # Where a name means something else in one message (a state of consent, a page title…)
    overrides: dict[str, dict[str, object]] = {
        "consent.status": {"state": tr("consent_state.granted")},
        "lifecycle.already_approved": {"state": tr("state.approved")},
        "lifecycle.not_in_review": {"state": tr("state.approved")},
        "lifecycle.not_withdrawn": {"state": tr("state.published")},
        "show.history_line": {"reason": " — doublon"},
        "curation.withdrawn": {"page": tr("curation.withdrawn_page")},
        "curation.restored": {"page": tr("curation.restored_page"), "state": tr("state.published")},
        "profile.saved": {"page": tr("directory.title")},
        "profile.deleted": {"page": tr("directory.title")},
        "profile.none": {"usage": tr("cmd.profile.usage", prefix="!")},
        "help.restricted": {"role": tr("role.moderator")},
        "version.reply": {"version": "1.4.0"},
        "cases.header": {"page": 2},
        "minutes_review.card": {"page": tr("meeting.page_title", number=2, title="GT jardins")},
        "minutes_review.item": {"tag": tr("meeting.tag.decision")},
    }
    looked_up["start"], looked_up["end"] = period_ends(tr.lang, PERIOD)
    params: dict[str, object] = {}
    for name in names:
        if name in overrides.get(key, {}):
            params[name] = overrides[key][name]
            continue
        if name == "count":
            params[name] = count
        else:
            params[name] = looked_up.get(name, SAMPLES.get(name, f"<{name}>"))
    return params


def render(lang: str) -> list[tuple[str, str]]:
    """(label, text) for every message of `lang`: plural ones and count ones at 0, 1, 2."""
    tr = Translator(lang, strict=True, tz="Europe/Paris")
    catalogue = CATALOGUES[lang]
    plural = plural_messages(catalogue)
    plural_keys = {f"{base}.{form}" for base in plural for form in PLURAL_FORMS} & set(catalogue)
    keys = sorted({k for k in catalogue if k not in plural_keys} | plural)
    out: list[tuple[str, str]] = []
    for key in keys:
        if key in plural:
            names = frozenset().union(
                *(placeholders(catalogue[k]) for k in plural_keys if k.startswith(key + "."))
            )
        else:
            names = placeholders(catalogue[key])
        counts: list[int | None] = [0, 1, 2] if key in plural or "count" in names else [None]
        for count in counts:
            label = key if count is None else f"{key} [count={count}]"
            out.append((label, tr(key, **_params(tr, key, names, count))))
    return out


def golden_text(lang: str) -> str:
    return "".join(f"[{label}]\n{text}\n\n" for label, text in render(lang))


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_messages_match_the_golden_file(lang: str) -> None:
    path = HERE / f"golden_{lang}.txt"
    text = golden_text(lang)
    if os.environ.get("CAPIBOT_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, (
        f"messages changed: read the diff, then CAPIBOT_UPDATE_GOLDEN=1 to accept ({path})"
    )


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_no_message_hedges_a_plural_or_shows_an_iso_date(lang: str) -> None:
    for label, text in render(lang):
        assert "(s)" not in text, (label, text)
        assert not ISO_DATE.search(text), (label, text)
        assert "{" not in text.replace("{{", "").replace("{ }", "") or "[ ]" in text, label
        for mark in ("**", "~~", "`"):  # the plain text of a Markdown template reads plainly
            assert mark not in text, (label, text)


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_every_template_renders_its_markdown_and_keeps_values_out_of_it(lang: str) -> None:
    """Placeholders never sit where escaping would show (code spans, link targets), and
    every message renders to HTML with its words."""
    for key, template in CATALOGUES[lang].items():
        assert not re.search(r"`[^`]*\{\w+\}[^`]*`", template), key
        assert not re.search(r"\]\([^)]*\{", template), key
    tr = Translator(lang, strict=True, tz="Europe/Paris")
    for key in sorted({label.split(" [")[0] for label, _ in render(lang)}):
        markup = tr.rich(key, **_rich_params(tr, key)).html()
        assert " ".join(re.sub(r"<[^>]+>", " ", markup).split()), key


def _rich_params(tr: Translator, key: str) -> dict[str, object]:
    catalogue = CATALOGUES[tr.lang]
    names = frozenset().union(
        *(placeholders(v) for k, v in catalogue.items() if k == key or k.startswith(key + "."))
    )
    return _params(tr, key, names, 2 if "count" in names else None)


def test_french_counts_dates_lists_and_numbers_read_as_written() -> None:
    tr = Translator("fr", strict=True, tz="Europe/Paris")
    assert "(1 message)" in tr("capture.done", case=1, title="t", count=1, prefix="!")
    assert "(0 message)" in tr("capture.done", case=1, title="t", count=0, prefix="!")
    assert "(2 messages)" in tr("capture.done", case=1, title="t", count=2, prefix="!")
    assert "vos 1 messages" not in tr("forget.explain", prefix="!", count=1)
    assert tr("forget.done", count=0).endswith("aucun cas n'est à republier.")
    digest = tr("digest.title", period=Period(date(2025, 3, 3), date(2025, 3, 10)))
    assert digest == "Lettre d'information du 3 au 10 mars 2025"
    across = tr("digest.summary", period=Period(date(2025, 2, 24), date(2025, 3, 1)))
    assert across == "capibot : lettre d'information du 24 février au 1er mars 2025"
    years = Period(date(2025, 12, 29), date(2026, 1, 5))
    assert tr("digest.title", period=years).endswith("du 29 décembre 2025 au 5 janvier 2026")
    assert Translator("en")("digest.title", period=Period(date(2025, 3, 1), date(2025, 3, 8))) == (
        "Newsletter from March 1 to March 8, 2025"
    )
    assert tr("consent.since", date=WHEN) == " (depuis le lundi 3 mars 2025 à 9 h 00)"
    profile = tr(
        "profile.show",
        function="infirmière",
        structure="CCAS",
        territory="à préciser",
        expertise=["a", "b", "c"],
    )
    assert "expertises : a, b et c" in profile
    assert "1\u202f234 caractères" in tr("usage.too_long", length=1234, max=200)
    assert tr(
        "show.history_line",
        date=datetime(2025, 8, 1, 7, 5, tzinfo=UTC),
        actor="A",
        from_state="x",
        to_state="y",
        reason="",
    ).startswith("vendredi 1er août 2025 à 9 h 05")
