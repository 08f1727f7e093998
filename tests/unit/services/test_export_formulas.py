"""CSV export: no cell reaches a spreadsheet as a formula (OWASP CSV injection rule).

A participant's message, a fiche field or a title may start with ``=`` (``=HYPERLINK(…)``,
``=cmd|' /c calc'!A1``): in the CSV every such cell starts with ``'`` so Excel and
LibreOffice show it as text. The JSON lines export is for programs and keeps the text
exactly as written.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.models import FicheField
from bot.services.export import CSV_FIELDS, to_string

# OWASP's list, then NUL (ASVS 1.2.10), LF and the fullwidth forms some spreadsheets take.
OWASP = "=+-@\t\r"
TRIGGERS = frozenset(OWASP + "\n\0\uff1d\uff0b\uff0d\uff20")

hostile = st.one_of(
    st.text(max_size=12),
    st.builds(
        lambda blanks, trigger, rest: blanks + trigger + rest,
        st.sampled_from(["", " ", "  ", "\u00a0"]),
        st.sampled_from(sorted(TRIGGERS)),
        st.text(max_size=12),
    ),
)


def record(title: str, state: str, texts: list[str]) -> dict[str, Any]:
    fields = [f.value for f in FicheField]
    return {
        "case": 7,
        "title": title,
        "state": state,
        "created_at": "2026-03-02T09:00:00+00:00",
        "room": {"kind": "theme", "label": texts[0], "categories": texts},
        "fiche_version": 1,
        "fiche": {f: texts[n % len(texts)] for n, f in enumerate(fields)},
        "states": [],
        "reviews": [{"comment": t} for t in texts],
        "annotations": [],
        "participants": [],
        "exchange": [{"participant": "P-00000000", "text": t} for t in texts],
    }


def formula_like(cell: str) -> bool:
    return cell[:1] in TRIGGERS or cell.lstrip()[:1] in TRIGGERS


def test_a_formula_title_is_quoted_in_csv_and_left_alone_in_jsonl() -> None:
    rec = record('=HYPERLINK("http://evil";"clic")', "approved", ["@SUM(A1)", "-2+3", "ok"])
    rows = list(csv.DictReader(io.StringIO(to_string([rec], "csv"), newline="")))
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil";"clic")'
    assert rows[0]["fiche_title"] == "'@SUM(A1)"
    assert rows[0]["fiche_context"] == "'-2+3"
    assert rows[0]["fiche_action"] == "ok"
    assert rows[0]["case"] == "7"
    assert json.loads(to_string([rec], "jsonl")) == rec


@settings(max_examples=300, deadline=None)
@given(title=hostile, state=hostile, texts=st.lists(hostile, min_size=1, max_size=4))
def test_no_csv_cell_starts_a_formula_and_jsonl_is_unchanged(
    title: str, state: str, texts: list[str]
) -> None:
    rec = record(title, state, texts)
    text = to_string([rec], "csv")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(CSV_FIELDS)
    assert len(rows) == 2
    cells = dict(zip(CSV_FIELDS, rows[1], strict=True))
    for name, cell in cells.items():
        assert not formula_like(cell), (name, cell)
    # Nothing else changes: the quote is the only addition, and only where needed.
    for name, wanted in (("title", title), ("state", state), ("fiche_title", texts[0])):
        shown = cells[name]
        assert shown == wanted or (formula_like(wanted) and shown == "'" + wanted)
    lines = to_string([rec], "jsonl").split("\n")  # JSON escapes \n; U+2028 may stay raw
    assert [json.loads(line) for line in lines if line] == [rec]
