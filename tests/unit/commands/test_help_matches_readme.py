"""`!aide`, built from the command declarations, names what the README's table names.

The README's "Commands in the chat" table is what people read before typing; a command,
alias or language name added on one side only fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.commands.registry import COMMANDS, help_text, lookup
from bot.domain.permissions import Role

README = Path(__file__).resolve().parents[3] / "README.md"
#: a network moderator who is also a researcher and admin of the room: sees every command
EVERY_ROLE = frozenset({Role.EVERYONE, Role.MODERATOR, Role.RESEARCHER, Role.ROOM_ADMIN})
_NAME = re.compile(r"!([^\W\d_][\w-]*)")


def _readme_rows() -> list[set[str]]:
    """The command names in the first two cells of each row of the commands table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Commands in the chat", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if not line.startswith("| `!"):
            continue
        cells = re.split(r"(?<!\\)\|", line)[1:3]
        spans = re.findall(r"`([^`]*)`", " ".join(cells))
        rows.append({m.group(1) for s in spans if (m := _NAME.match(s))})
    return rows


def _help_names() -> set[str]:
    """Every name `!aide` shows: the list in both languages, then each command's topic
    help (which gives its other names)."""
    names: set[str] = set()
    for lang in ("fr", "en"):
        listed = [
            _NAME.match(line.removeprefix("• "))
            for line in help_text(lang, EVERY_ROLE).splitlines()
        ]
        for match in filter(None, listed):
            names.add(match.group(1))
            topic = help_text(lang, EVERY_ROLE, topic=match.group(1))
            names.update(_NAME.findall(topic.splitlines()[2]) if topic.count("\n") >= 2 else ())
    return names


def test_the_readme_table_is_found() -> None:
    rows = _readme_rows()
    assert len(rows) >= 10
    assert {"aide", "help"} <= rows[0]


def test_help_names_every_command_of_the_readme_and_no_other() -> None:
    readme = set().union(*_readme_rows())
    assert _help_names() == readme


def test_help_lists_every_declared_command() -> None:
    assert _help_names() == {name for c in COMMANDS for name in c.all_names()}


@pytest.mark.parametrize("row", _readme_rows(), ids=lambda row: min(row))
def test_each_readme_row_is_one_command_with_all_its_names(row: set[str]) -> None:
    specs = {lookup(name) for name in row}
    assert len(specs) == 1, row
    (spec,) = specs
    assert spec is not None
    assert row == set(spec.all_names())
