"""`./scripts/demo --once`, its scenario part: the real exchange ends on a served page."""

from __future__ import annotations

import asyncio
import html
import urllib.request
import uuid
from pathlib import Path

from scripts.demo_once import TITLE, play_scenario
from scripts.demo_transcript import parse_structure
from scripts.devstack import StackInfo

GUIDE_TRANSCRIPT = Path(__file__).resolve().parents[2] / "docs" / "guide" / "transcript-demo.md"


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode("utf-8", errors="replace")


def _processes_mentioning(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            cmdline = entry.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline:
            found.append(cmdline)
    return found


async def test_the_demo_exchange_is_published_and_served(stack: StackInfo, tmp_path: Path) -> None:
    work = tmp_path / "demo"
    title = f"{TITLE} {uuid.uuid4().hex[:6]}"  # the session's wiki has other fiches
    transcript = tmp_path / "transcript.md"
    url = await play_scenario(stack, stack.config_path, work, title=title, transcript=transcript)
    assert url.startswith(f"{stack.wiki_url}/index.php?title=")
    status, page = await asyncio.to_thread(_get, url)
    assert status == 200
    text = html.unescape(page)
    assert f"<title>{title}" in text and "firstHeading" in text
    assert "Aller vers les habitants plutôt que les faire venir" in text
    assert "Alice Martin" in text and "Bruno Leroy" in text  # both consented: named
    assert await asyncio.to_thread(_processes_mentioning, str(work)) == []  # bot stopped

    # The guide's transcript is this exchange: the same commands, answered with the same
    # kinds of message (ids, addresses and wording aside). If this fails, regenerate it:
    # ./scripts/demo --once --state-dir "$(mktemp -d)" --transcript docs/guide/transcript-demo.md
    # The publication notices go out after the page is written, on the bot's own time:
    # whether one lands before the transcript is taken is a race, not a difference.
    late = "bot publication.published"
    played = parse_structure(transcript.read_text(encoding="utf-8"))
    guide = parse_structure(GUIDE_TRANSCRIPT.read_text(encoding="utf-8"))
    assert [p for p in played if p != late] == [g for g in guide if g != late]
    assert "bot other" not in played  # every answer is recognised from the catalogue
    assert "Alice Martin !fiche" in played and "Mona Dupont !valider" in played
