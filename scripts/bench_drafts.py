"""Drafts against hand-written fiches: the legacy extract and the ranked draft (issue 17).

Runs both drafters on every exchange of tests/data/drafts/ (realistic practitioners'
threads, each with the fiche a person wrote from it) and scores each narrative field with
ROUGE-L F1 against the reference, the themes (precision, recall, at least one right) and
the territory (hit rate). The network's vocabulary the drafter may match against is every
theme and territory of the set plus a few decoys, as a network's published fiches would
offer. Prints one JSON line: per-field means for both, new/legacy ratios, timings, load.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.domain.draft import legacy_draft  # noqa: E402
from bot.domain.fiche import FicheDraft, parse_fiche, split_list  # noqa: E402
from bot.domain.models import FicheField  # noqa: E402
from bot.knowledge.drafting import Drafter, Vocabulary  # noqa: E402
from bot.knowledge.nlp import FrenchPipeline  # noqa: E402
from scripts.draft_metrics import rouge_l, same_place, theme_scores  # noqa: E402

DATA = ROOT / "tests" / "data" / "drafts"
FIELDS = {
    "context": FicheField.CONTEXT,
    "action": FicheField.ACTION,
    "results": FicheField.RESULTS,
    "lessons": FicheField.LESSONS,
}
DECOY_THEMES = ("Agriculture urbaine", "Tourisme", "Transition écologique", "Vieillissement")
DECOY_TERRITORIES = ("Lyon", "Paris", "Seine-Saint-Denis", "Hauts-de-France")


def load_set() -> list[dict[str, object]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(DATA.glob("*.json"))]


def vocabulary(cases: list[dict[str, object]]) -> Vocabulary:
    themes: dict[str, None] = {}
    territories: dict[str, None] = {}
    for case in cases:
        ref = case["reference"]
        assert isinstance(ref, dict)
        themes.update(dict.fromkeys(ref["themes"]))
        territories[ref["territory"]] = None
    return Vocabulary(
        tuple(sorted([*themes, *DECOY_THEMES])),
        tuple(sorted([*territories, *DECOY_TERRITORIES])),
    )


def score(fields: dict[FicheField, str], ref: dict[str, object]) -> dict[str, float]:
    out = {name: rouge_l(fields.get(f, ""), str(ref[name])) for name, f in FIELDS.items()}
    reference_themes = ref["themes"]
    assert isinstance(reference_themes, list)
    drafted, right, wanted = theme_scores(split_list(fields.get(FicheField.THEMES, "")),
                                          reference_themes)
    out["theme_precision"] = right / drafted if drafted else 0.0
    out["theme_recall"] = right / wanted if wanted else 0.0
    out["theme_hit"] = float(right > 0)
    out["territory_hit"] = float(same_place(fields.get(FicheField.TERRITORY, ""),
                                            str(ref["territory"])))
    return out


def legacy_fields(messages: list[tuple[str, str]]) -> dict[FicheField, str]:
    parsed = parse_fiche(legacy_draft(messages, "fr"))
    assert isinstance(parsed, FicheDraft)
    return parsed.fields


def main() -> None:
    load = os.getloadavg()
    cases = load_set()
    vocab = vocabulary(cases)
    pipeline = FrenchPipeline()
    started = time.perf_counter()
    assert pipeline.load(), "fr_core_news_sm must be installed"
    load_s = time.perf_counter() - started
    drafter = Drafter(pipeline)
    legacy: list[dict[str, float]] = []
    new: list[dict[str, float]] = []
    legacy_ms: list[float] = []
    new_ms: list[float] = []
    ner_hits: list[bool] = []
    for case in cases:
        raw = case["messages"]
        assert isinstance(raw, list)
        messages = [(m["sender"], m["body"]) for m in raw]
        ref = case["reference"]
        assert isinstance(ref, dict)
        t0 = time.perf_counter()
        old = legacy_fields(messages)
        t1 = time.perf_counter()
        fields = drafter.fields(messages, vocab)
        t2 = time.perf_counter()
        assert fields is not None
        bare = drafter.fields(messages, Vocabulary(themes=vocab.themes))  # places: NER only
        assert bare is not None
        ner_hits.append(same_place(bare[FicheField.TERRITORY], str(ref["territory"])))
        # what people get is the rendered text: score what survives parsing it back
        parsed = parse_fiche(drafter.draft(messages, vocab, "fr"))
        assert isinstance(parsed, FicheDraft)
        legacy.append(score(old, ref))
        new.append(score(parsed.fields, ref))
        legacy_ms.append((t1 - t0) * 1000)
        new_ms.append((t2 - t1) * 1000)
    keys = list(legacy[0])
    mean_old = {k: round(statistics.fmean(s[k] for s in legacy), 3) for k in keys}
    mean_new = {k: round(statistics.fmean(s[k] for s in new), 3) for k in keys}
    rouge_keys = list(FIELDS)
    old_rouge = statistics.fmean(mean_old[k] for k in rouge_keys)
    new_rouge = statistics.fmean(mean_new[k] for k in rouge_keys)
    print(
        json.dumps(
            {
                "exchanges": len(cases),
                "legacy": mean_old,
                "new": mean_new,
                "territory_hit_without_known_territories": round(
                    statistics.fmean(ner_hits), 3
                ),
                "rouge_l_mean": {"legacy": round(old_rouge, 3), "new": round(new_rouge, 3)},
                "ratio_rouge_l_mean": round(new_rouge / old_rouge, 2) if old_rouge else None,
                "ratio_per_field": {
                    k: (round(mean_new[k] / mean_old[k], 2) if mean_old[k] else None)
                    for k in rouge_keys
                },
                "ms_per_draft": {
                    "legacy": round(statistics.median(legacy_ms), 2),
                    "new": round(statistics.median(new_ms), 1),
                },
                "model_load_s": round(load_s, 2),
                "cpus": os.cpu_count(),
                "loadavg": [round(x, 2) for x in load],
            }
        )
    )


if __name__ == "__main__":
    main()
