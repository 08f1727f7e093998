"""The REFI-QDA side of `capibot export` (`--format qdpx|qdc`)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.services.qdpx import build_project
from bot.settings import Settings


def write_refi_qda(
    records: Iterable[dict[str, Any]], fmt: str, out: Path | None, settings: Settings
) -> int:
    """Write the records as a `.qdpx` project (to `out`) or a `.qdc` codebook (to `out` or
    stdout); returns how many cases went in."""
    count = 0

    def counted() -> Iterable[dict[str, Any]]:
        nonlocal count
        for record in records:
            count += 1
            yield record

    network = settings.network
    name = network.label or network.centre or "capibot"
    project = build_project(counted(), name, lang=settings.bot.language, centre=network.centre)
    if fmt == "qdc":
        data = project.codebook_xml()
        if out is None:
            sys.stdout.buffer.write(data)
        else:
            out.write_bytes(data)
        return count
    assert out is not None
    with out.open("wb") as stream:
        project.write_qdpx(stream)
    return count
