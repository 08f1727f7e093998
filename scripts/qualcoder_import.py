"""Import a capibot `.qdpx` or `.qdc` with QualCoder's own importer, headless, and print
what landed in QualCoder's project database (a manual check: docs/refi-qda.md).

QualCoder is on neither PyPI, Debian nor npm, so no test can install it; this runs its
`refi.RefiImport` from a QualCoder source checkout, with its file dialogs and message
boxes bypassed (Qt offscreen) and its project database made from the CREATE TABLE
statements of its own `__main__.py`. Run it in a venv of its own:

    python3 -m venv /tmp/qc-venv && /tmp/qc-venv/bin/pip install PyQt6 pymupdf Pillow
    /tmp/qc-venv/bin/python scripts/qualcoder_import.py QUALCODER/src cases.qdpx
"""

from __future__ import annotations

import builtins
import os
import re
import sqlite3
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

TABLES = (
    "code_cat",
    "code_name",
    "source",
    "code_text",
    "cases",
    "case_text",
    "attribute_type",
    "attribute",
    "annotation",
    "journal",
)


class _Log:
    """Stands for the text widget QualCoder writes its import log to."""

    def append(self, line: str) -> None:
        print("[qualcoder]", line)


class _Message:
    """Stands for QualCoder's modal message box (it would wait for a click)."""

    def __init__(self, _app: object, title: str, text: str, *_: object) -> None:
        print(f"[message] {title}: {text.splitlines()[0] if text else ''}")

    def exec(self) -> int:
        return 0


class _App:
    """What RefiImport reads of QualCoder's application object."""

    def __init__(self, qualcoder_src: Path, project: Path) -> None:
        self.project_path = str(project)
        (project / "documents").mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(project / "data.qda")
        main = (qualcoder_src / "qualcoder" / "__main__.py").read_text(encoding="utf-8")
        block = main[main.index('"CREATE TABLE project') : main.index("update_coder_names()")]
        for call in re.split(r"cur\.execute\(", block):
            if "CREATE TABLE" in call:
                self.conn.execute("".join(re.findall(r'"([^"]*)"', call)))
        self.settings = {"directory": str(project), "codername": "default", "ai_enable": "False"}
        self.ai_models: list[Any] = []

    def write_config_ini(self, *_: object) -> None:
        pass


def run(qualcoder_src: Path, path: Path) -> sqlite3.Connection:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    builtins._ = lambda text: text  # type: ignore[attr-defined]  # QualCoder's gettext
    sys.path.insert(0, str(qualcoder_src))
    from PyQt6 import QtWidgets

    qt = QtWidgets.QApplication([])  # noqa: F841  # RefiImport's progress dialog needs one
    import qualcoder.refi as refi

    refi.Message = _Message
    app = _App(qualcoder_src, Path(tempfile.mkdtemp(prefix="qualcoder-")))
    kind = "qdc" if path.suffix.lower() == ".qdc" else "qdpx"
    importer = refi.RefiImport.__new__(refi.RefiImport)  # its __init__ opens a file dialog
    state: dict[str, Any] = {
        "app": app,
        "parent_textedit": _Log(),
        "import_type": kind,
        "file_path": str(path),
        "folder_name": "",
        "sources_name": "/Sources",
        "file_vars": [],
        "annotations": [],
        "links": [],
        "tree": None,
        "codes": [],
        "users": [],
        "cases": [],
        "sources": [],
        "source_name_prefix": 0,
        "variables": [],
        "xml": None,
        "base_path": "",
        "software_name": "",
        "xmlns_version": "1.0",
        "pd": None,
        "pd_value": 0,
    }
    for name, value in state.items():
        setattr(importer, name, value)
    try:
        importer.import_codebook() if kind == "qdc" else importer.import_project()
    except Exception:
        traceback.print_exc()
        print("IMPORT FAILED")
    return app.conn


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    conn = run(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
    for table in TABLES:
        rows = conn.execute(f"select * from {table}").fetchall()
        print(f"== {table} ({len(rows)})")
        for row in rows:
            print("  ", tuple(v[:60] if isinstance(v, str) else v for v in row))


if __name__ == "__main__":
    main()
