"""The research codebook as CSV (`capibot export --format codebook-csv`), for the QDA tools
that read no REFI-QDA: Taguette imports a codebook only as a CSV with a `path` (or `tag`,
or `name`) column and an optional `description` (docs/refi-qda.md).

The codes are the `.qdc`'s, built by the same `Codebook`, under the same unique names.
Taguette's tags are flat; a tag whose path starts with another's lives under it (its
guide: `tech.floss` under `tech`), so each code's path is its group's name, `/`, its
name, and the groups are tags too: clicking « Thèmes » shows every theme's highlights.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from bot.domain.models import FicheField
from bot.i18n import t
from bot.services.qdpx_codebook import Codebook

SEPARATOR = "/"
#: Taguette refuses a longer tag path, and the whole import with it
PATH_LIMIT = 200
HEADER = ("path", "description")


@dataclass(frozen=True)
class CodebookRow:
    path: str
    description: str


def codebook_rows(codebook: Codebook, lang: str) -> list[CodebookRow]:
    """One row per code, each group first and then its codes, in the `.qdc`'s order."""
    names = codebook.names()
    taken: set[str] = set()
    rows: list[CodebookRow] = []
    for key, group in (
        ("fields", codebook.fields),
        ("themes", codebook.themes),
        ("territories", codebook.territories),
    ):
        group_path = _unique(_one_line(names[group.guid]), taken)
        rows.append(CodebookRow(group_path, t(lang, f"codebook.group.{key}")))
        for child_key, code in group.children.items():
            path = _unique(f"{group_path}{SEPARATOR}{_one_line(names[code.guid])}", taken)
            rows.append(CodebookRow(path, _description(lang, key, child_key, code.name)))
    return rows


def codebook_csv(codebook: Codebook, lang: str) -> bytes:
    """The CSV, UTF-8 with a BOM: Taguette guesses the encoding (chardet), and a short
    file with a few accents can be taken for Latin-1 without one; Excel wants it too.
    No cell starts with a user's text (each path starts with a group's name, each
    description with the catalogue's words), so none runs as a spreadsheet formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows((row.path, row.description) for row in codebook_rows(codebook, lang))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _description(lang: str, group: str, key: str, written: str) -> str:
    if group == "fields":
        return t(lang, f"codebook.field.{FicheField(key).value}")
    name = _one_line(written)  # the name as written, even when the path is cut
    if group == "themes":
        return t(lang, "codebook.theme", theme=name)
    return t(lang, "codebook.territory", territory=name)


def _one_line(text: str) -> str:
    """Whitespace runs as one space: a tag path is one line (Taguette's review form
    would fold a line break in a description into nothing)."""
    return " ".join(text.split())


def _unique(path: str, taken: set[str]) -> str:
    """`path` cut to Taguette's limit, and made distinct from the paths before it."""
    for candidate in _candidates(path):
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    raise AssertionError("unreachable: the candidates never end")


def _candidates(path: str) -> Iterator[str]:
    yield _cut(path, "")
    number = 2
    while True:
        yield _cut(path, f" ({number})")
        number += 1


def _cut(path: str, suffix: str) -> str:
    if len(path) + len(suffix) <= PATH_LIMIT:
        return path + suffix
    return path[: PATH_LIMIT - len(suffix) - 1].rstrip() + "…" + suffix
