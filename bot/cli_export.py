"""The codebook and REFI-QDA side of `capibot export` (`--format qdpx|qdc|codebook-csv`)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.services.codebook_csv import codebook_csv
from bot.services.qdpx import build_project
from bot.settings import Settings

#: the formats written here; `qdpx` is a zip and needs a file
FORMATS = ("qdpx", "qdc", "codebook-csv")


def write_refi_qda(
    records: Iterable[dict[str, Any]], fmt: str, out: Path | None, settings: Settings
) -> int:
    """Write the records as a `.qdpx` project (to `out`), or its codebook as a `.qdc` or
    as CSV (to `out` or stdout); returns how many cases went in."""
    count = 0

    def counted() -> Iterable[dict[str, Any]]:
        nonlocal count
        for record in records:
            count += 1
            yield record

    network = settings.network
    name = network.label or network.centre or "capibot"
    project = build_project(counted(), name, lang=settings.bot.language, centre=network.centre)
    if fmt in ("qdc", "codebook-csv"):
        data = (
            project.codebook_xml() if fmt == "qdc" else codebook_csv(project.codebook, project.lang)
        )
        if out is None:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            out.write_bytes(data)
        return count
    assert out is not None
    with out.open("wb") as stream:
        project.write_qdpx(stream)
    return count
