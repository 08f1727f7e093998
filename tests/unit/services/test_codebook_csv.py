"""`capibot export --format codebook-csv`: the `.qdc`'s codes as the CSV Taguette imports
(a `path` column, a `description`), with a description for every code, nothing personal.
tests/integration/test_taguette_import.py imports it into the real Taguette."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.i18n import CATALOGUES
from bot.services.codebook_csv import SEPARATOR, codebook_csv
from bot.services.qdpx import CODEBOOK_NS, build_project
from bot.storage.database import Database
from tests.unit.services.test_export import assert_clean, empty_config, seed

TAGUETTE_PATH_LIMIT = 200  # validate.tag_path in Taguette 1.5.2
FORMULA_START = tuple("=+-@\t\r") + tuple("＝＋－＠")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path}/capibot.db"
    db = Database.from_url(url)
    db.migrate()
    seed(db)
    db.close()
    return {
        "CAPIBOT__DATABASE__URL": url,
        "CAPIBOT__PRIVACY__PSEUDONYM_SECRET": "s3cret-for-tests",
        "CAPIBOT_CONFIG": empty_config(tmp_path),
    }


def _export(env: dict[str, str], *args: str) -> bytes:
    result = CliRunner().invoke(app, ["export", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def _rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())  # Taguette guesses the encoding: say it
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def qdc_paths(qdc: bytes) -> set[str]:
    """The `.qdc`'s codes as Taguette paths: each group, and each code under its group."""
    book = ET.fromstring(qdc)
    paths: set[str] = set()
    for group in book.findall(f"{{{CODEBOOK_NS}}}Codes/{{{CODEBOOK_NS}}}Code"):
        paths.add(group.get("name", ""))
        for code in group.iter(f"{{{CODEBOOK_NS}}}Code"):
            if code is not group:
                paths.add(f"{group.get('name')}{SEPARATOR}{code.get('name')}")
    return paths


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_csv_has_the_codes_of_the_qdc_each_described(
    env: dict[str, str], tmp_path: Path, lang: str
) -> None:
    env = {**env, "CAPIBOT__BOT__LANGUAGE": lang}
    data = _export(env, "--format", "codebook-csv")  # to stdout
    out = tmp_path / "codebook.csv"
    _export(env, "--format", "codebook-csv", "--out", str(out))
    assert out.read_bytes() == data
    assert data.decode("utf-8-sig").splitlines()[0] == "path,description"
    rows = _rows(data)
    qdc = _export(env, "--format", "qdc")
    assert [r["path"] for r in rows if SEPARATOR not in r["path"]] == (
        ["Champs de la fiche", "Thèmes", "Territoires"]
        if lang == "fr"
        else ["Fiche fields", "Themes", "Territories"]
    )
    assert {r["path"] for r in rows} == qdc_paths(qdc) and len(rows) == len(qdc_paths(qdc))
    themes = "Thèmes" if lang == "fr" else "Themes"
    assert {f"{themes}/Logement", f"{themes}/Santé"} <= {r["path"] for r in rows}
    descriptions = {r["path"]: r["description"] for r in rows}
    assert all(descriptions.values())
    catalogue = CATALOGUES[lang]
    assert descriptions[themes] == catalogue["codebook.group.themes"]
    assert descriptions[f"{themes}/Santé"] == catalogue["codebook.theme"].format(theme="Santé")
    context = next(p for p in descriptions if p.endswith(("/Contexte", "/Context")))
    assert descriptions[context] == catalogue["codebook.field.context"]
    assert_clean(data.decode("utf-8"))  # the fixture's fiche names people: not here


def test_hostile_names_still_make_a_codebook_taguette_takes() -> None:
    """Themes and territories are typed by anyone who writes a fiche: a formula, a line
    break, a name longer than Taguette's 200-character tag path, two names that the cut
    makes equal. Every path stays one line, within the limit, distinct; no cell starts as
    a formula; the description keeps the name as written."""
    long = "Politique de la ville " * 12
    record = {
        "case": 7,
        "title": "t",
        "state": "published",
        "created_at": "2026-03-02T09:00:00+00:00",
        "room": {"kind": "theme"},
        "fiche": {
            "action": "a",
            "themes": f'=HYPERLINK("http://x"), +33 1 23, action, {long}A, {long}B',
            "territory": "  Lille\r\n  Sud\t",
        },
        "annotations": [],
        "participants": [],
        "exchange": [],
    }
    project = build_project([record], "p")
    data = codebook_csv(project.codebook, project.lang)
    rows = _rows(data)
    paths = [r["path"] for r in rows]
    assert len(paths) == len(set(paths)) == len(qdc_paths(project.codebook_xml()))
    assert all(len(p) <= TAGUETTE_PATH_LIMIT and "\n" not in p and "\r" not in p for p in paths)
    cells = [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]
    assert not [c for c in cells if c.lstrip().startswith(FORMULA_START)]
    assert 'Thèmes/=HYPERLINK("http://x")' in paths and "Thèmes/+33 1 23" in paths
    assert "Thèmes/action (Thèmes)" in paths  # the .qdc's unique name, under its group
    assert "Territoires/Lille Sud" in paths
    cut = [p for p in paths if p.startswith("Thèmes/Politique")]
    assert len(cut) == 2 and all("…" in p for p in cut)
    described = {r["description"] for r in rows}
    assert f"Thème « {' '.join((long + 'B').split())} » : les fiches qui portent ce thème." in (
        described
    )


def test_an_unknown_format_names_codebook_csv(env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["export", "--format", "taguette"], env=env)
    assert result.exit_code == 2 and "codebook-csv" in result.output
