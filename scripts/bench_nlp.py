"""What the French language layer costs the bot (issue 17).

- start-up: `import bot.app` in a fresh interpreter (median of N), on this tree and on a
  baseline tree (`git archive` of --before, default: the merge base with main), and
  whether spaCy got imported (it must not: the model loads in the background);
- the model: seconds to load `fr_core_news_sm` once the bot is imported, RSS growth,
  and the time of one ranked draft (median over the test set's exchanges).

Prints one JSON line, with the machine's load (it is shared: figures are under load).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

IMPORT = (
    "import time, sys; t = time.perf_counter(); import bot.app; "
    "print(time.perf_counter() - t, 'spacy' in sys.modules)"
)

MODEL = """
import json, sys, time
sys.path.insert(0, {root!r})
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
import bot.app
from bot.knowledge.drafting import Drafter
from bot.knowledge.nlp import FrenchPipeline
from scripts.bench_drafts import load_set, vocabulary
cases = load_set()
vocab = vocabulary(cases)
before = rss()
pipeline = FrenchPipeline()
t = time.perf_counter()
assert pipeline.load()
load_s = time.perf_counter() - t
loaded = rss()
drafter = Drafter(pipeline)
times = []
for case in cases:
    messages = [(m['sender'], m['body']) for m in case['messages']]
    t = time.perf_counter()
    drafter.draft(messages, vocab, 'fr')
    times.append(time.perf_counter() - t)
print(json.dumps({{'rss_before_mb': before, 'rss_loaded_mb': loaded, 'load_s': load_s,
                  'rss_after_drafts_mb': rss(), 'draft_ms': [x * 1000 for x in times]}}))
"""


def import_times(tree: Path, runs: int) -> tuple[list[float], bool]:
    times: list[float] = []
    spacy = False
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", IMPORT],
            cwd=tree,
            env={**os.environ, "PYTHONPATH": str(tree)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        times.append(float(out[0]))
        spacy = spacy or out[1] == "True"
    return times, spacy


def baseline_tree(ref: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", ref], cwd=ROOT, capture_output=True, check=True
    ).stdout
    path = into / "tar"
    path.write_bytes(archive)
    with tarfile.open(path) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", default="")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    before = args.before or subprocess.run(
        ["git", "merge-base", "HEAD", "main"], cwd=ROOT, capture_output=True, text=True,
        check=True,
    ).stdout.strip()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        old_tree = baseline_tree(before, Path(tmp))
        import_times(old_tree, 1)  # compile both trees' bytecode before timing
        import_times(ROOT, 1)
        old: list[float] = []
        new: list[float] = []
        spacy_at_import = False
        for _ in range(args.runs):  # interleaved: a load spike hits both sides
            old += import_times(old_tree, 1)[0]
            times, spacy = import_times(ROOT, 1)
            new += times
            spacy_at_import = spacy_at_import or spacy
    started = time.perf_counter()
    model = json.loads(
        subprocess.run(
            [sys.executable, "-c", MODEL.format(root=str(ROOT))],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout
    )
    wall = time.perf_counter() - started
    old_s, new_s = statistics.median(old), statistics.median(new)
    print(
        json.dumps(
            {
                "import_bot_app_s": {"before": round(old_s, 3), "after": round(new_s, 3)},
                "import_delta_s": round(new_s - old_s, 3),
                "import_ratio": round(new_s / old_s, 2),
                "spacy_imported_at_start": spacy_at_import,
                "baseline": before[:12],
                "model_load_s": round(model["load_s"], 2),
                "rss_mb": {
                    "bot_imported": round(model["rss_before_mb"]),
                    "model_loaded": round(model["rss_loaded_mb"]),
                    "after_drafts": round(model["rss_after_drafts_mb"]),
                },
                "rss_growth_mb": round(model["rss_after_drafts_mb"] - model["rss_before_mb"]),
                "draft_ms_median": round(statistics.median(model["draft_ms"]), 1),
                "draft_ms_max": round(max(model["draft_ms"]), 1),
                "model_subprocess_s": round(wall, 1),
                "cpus": os.cpu_count(),
                "loadavg": [round(x, 2) for x in load],
                "loadavg_end": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )


if __name__ == "__main__":
    main()
