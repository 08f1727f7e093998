"""The ranked draft on exchanges of the test set, with the real French model.

Not the whole output (it is a draft and will be tuned): what a reader would check first —
the right place, a theme of the network's, each field taken from the message that says
it, none of the thread's noise, and the simple draft when the model is missing.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from bot.domain.draft import legacy_draft
from bot.domain.fiche import HINT_MARK, FicheDraft, parse_fiche, split_list
from bot.domain.models import FicheField
from bot.knowledge.drafting import Drafter, Vocabulary, vocabulary_from
from bot.knowledge.nlp import FrenchPipeline

F = FicheField
ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data" / "drafts"
VOCABULARY = Vocabulary(
    themes=(
        "Emploi", "Jeunesse", "Santé", "Accès aux droits", "Logement", "Renouvellement urbain",
        "Insertion professionnelle", "Médiation sociale", "Culture", "Tourisme",
    ),
    territories=("Vaulx-en-Velin", "Marseille", "Bobigny", "Lyon", "Saint-Denis"),
)


@pytest.fixture(scope="module")
def drafter() -> Drafter:
    pipeline = FrenchPipeline()
    assert pipeline.load()
    return Drafter(pipeline)


def exchange(name: str) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    data = json.loads((DATA / name).read_text(encoding="utf-8"))
    return [(m["sender"], m["body"]) for m in data["messages"]], data["reference"]


def fields_of(drafter: Drafter, messages: list[tuple[str, str]]) -> dict[FicheField, str]:
    text = drafter.draft(messages, VOCABULARY, "fr")
    assert text.startswith(f"{HINT_MARK} Brouillon")  # labelled as a draft to correct
    parsed = parse_fiche(text)
    assert isinstance(parsed, FicheDraft)
    return parsed.fields


def test_the_set_is_large_and_complete() -> None:
    files = sorted(DATA.glob("*.json"))
    assert len(files) >= 20
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert 6 <= len(data["messages"]) <= 15, path.name
        reference = data["reference"]
        assert {"context", "action", "results", "lessons", "themes", "territory"} <= set(reference)
        assert reference["territory"].split("-")[0].lower() in json.dumps(
            data["messages"], ensure_ascii=False
        ).lower(), path.name


def test_job_dating_fields_come_from_the_right_messages(drafter: Drafter) -> None:
    messages, _ = exchange("03_job_dating_vaulx.json")
    fields = fields_of(drafter, messages)
    assert fields[F.TERRITORY] == "Vaulx-en-Velin"
    assert "Emploi" in split_list(fields[F.THEMES])
    assert "forums emploi classiques" in fields[F.CONTEXT]  # the opening message
    assert "job dating en plein air" in fields[F.ACTION]  # Thomas's answer
    assert "320 jeunes venus" in fields[F.RESULTS]  # Amel's figures
    assert "suivi derrière par la mission locale" in fields[F.LESSONS]
    for value in fields.values():
        assert "Merci" not in value and "Hello" not in value and "Top," not in value
    assert set(split_list(fields[F.THEMES])) <= set(VOCABULARY.themes)


def test_bus_sante_finds_place_themes_and_lessons(drafter: Drafter) -> None:
    messages, _ = exchange("06_sante_marseille.json")
    fields = fields_of(drafter, messages)
    assert fields[F.TERRITORY] == "Marseille"
    assert "Santé" in split_list(fields[F.THEMES])
    assert "bus santé" in fields[F.ACTION]
    assert "1 100 personnes reçues" in fields[F.RESULTS]
    assert "indispensable" in fields[F.LESSONS]
    assert "Et pour le médecin traitant ?" not in " ".join(fields.values())


def test_clauses_draft_beats_the_legacy_extract_on_lessons_and_tags(drafter: Drafter) -> None:
    messages, reference = exchange("14_clause_insertion_bobigny.json")
    fields = fields_of(drafter, messages)
    old = parse_fiche(legacy_draft(messages, "fr"))
    assert isinstance(old, FicheDraft)
    assert old.fields[F.LESSONS] == "" and old.fields[F.TERRITORY] == ""
    assert fields[F.TERRITORY] == reference["territory"]
    assert set(split_list(fields[F.THEMES])) & set(reference["themes"])
    assert "anticiper" in fields[F.LESSONS]
    assert "92 000 heures" in fields[F.RESULTS]


def test_an_unknown_place_is_still_proposed(drafter: Drafter) -> None:
    messages, _ = exchange("05_mediateurs_nuit_grenoble.json")
    fields = drafter.fields(messages, Vocabulary())
    assert fields is not None
    assert fields[F.TERRITORY] in {"Grenoble", "Villeneuve"}
    assert fields[F.THEMES] == ""  # no theme of the network's: none made up


def test_vocabulary_comes_from_fiches_most_used_first() -> None:
    vocabulary = vocabulary_from(
        [
            {F.THEMES: "Santé, Emploi", F.TERRITORY: "Lille"},
            {F.THEMES: "emploi, Logement", F.TERRITORY: "Roubaix"},
            {F.THEMES: "Emploi", F.TERRITORY: "lille"},
            {F.TITLE: "sans thème"},
        ]
    )
    assert vocabulary.themes == ("Emploi", "Santé", "Logement")
    assert vocabulary.territories == ("Lille", "Roubaix")


def test_without_the_model_the_legacy_draft_is_given_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    messages, _ = exchange("03_job_dating_vaulx.json")
    drafter = Drafter(FrenchPipeline("no_such_model_installed"))
    with caplog.at_level(logging.WARNING, logger="bot.knowledge.nlp"):
        threads = [
            threading.Thread(target=drafter.pipeline.load) for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        first = drafter.draft(messages, VOCABULARY, "fr")
        second = drafter.draft(messages, VOCABULARY, "fr")
    assert first == second == legacy_draft(messages, "fr")
    assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1


def test_the_model_loads_once_for_every_thread() -> None:
    pipeline = FrenchPipeline()
    seen: list[object] = []
    threads = [
        threading.Thread(target=lambda: seen.append(pipeline.load() and pipeline._nlp))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 3 and seen[0] is not None and all(s is seen[0] for s in seen)


def test_importing_the_bot_does_not_import_spacy() -> None:
    code = "import sys, bot.app, bot.cli; print('spacy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
