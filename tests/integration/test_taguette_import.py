"""The codebook CSV goes into the real Taguette (1.5.2, from PyPI, in its own venv: see
scripts/devstack/taguette.py) the way a researcher puts it there, through the web app's
own forms: log in with the link Taguette prints, create a project, upload the CSV, review
the tags, create them. Taguette's own codebook export then shows every code arrived, with
its description."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from bot.cli import app
from bot.domain.models import (
    CaseOrigin,
    CaseState,
    FicheField,
    Review,
    ReviewDecision,
    Transition,
)
from bot.storage.database import Database
from scripts.devstack import taguette
from tests.unit.services.test_codebook_csv import qdc_paths
from tests.unit.services.test_export import MONA, NOW, assert_clean, empty_config, seed

THEMES = 'Santé, action, Emploi/Insertion, "Logement social", =SOMME(A1:A9), ' + "Quartier " * 30


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[taguette.Taguette]:
    running = taguette.start(tmp_path_factory.mktemp("taguette"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The export tests' database, plus an approved fiche whose themes and territory are
    what people type: a theme named like a fiche field, quotes, a slash, a formula, a
    name longer than a Taguette tag path may be."""
    url = f"sqlite:///{tmp_path}/capibot.db"
    db = Database.from_url(url)
    db.migrate()
    seed(db)
    with db.transaction() as repo:
        case, _ = repo.create_case(
            room_id="!r:localhost",
            root_event_id="$third",
            origin=CaseOrigin.THREAD,
            title="Jardins partagés",
            created_by=MONA,
            now=NOW + timedelta(days=20),
        )
        fields = {
            FicheField.TITLE: "Jardins partagés",
            FicheField.CONTEXT: "Un quartier sans espace vert.",
            FicheField.ACTION: "Des bacs au pied des immeubles.",
            FicheField.RESULTS: "Trente familles inscrites.",
            FicheField.LESSONS: "Commencer petit.",
            FicheField.THEMES: THEMES,
            FicheField.TERRITORY: "Roubaix — Épeule",
        }
        repo.add_fiche_version(case.id, fields, MONA, NOW)
        repo.add_review(Review(case.id, 1, "@claire:localhost", ReviewDecision.APPROVE, "", NOW))
        repo.add_transition(
            Transition(case.id, CaseState.IN_REVIEW, CaseState.APPROVED, "@claire:localhost", NOW)
        )
        repo.update_case(case.id, state=CaseState.APPROVED)
    db.close()
    return {
        "CAPIBOT__DATABASE__URL": url,
        "CAPIBOT__PRIVACY__PSEUDONYM_SECRET": "s3cret-for-tests",
        "CAPIBOT_CONFIG": empty_config(tmp_path),
    }


def _export(env: dict[str, str], fmt: str) -> bytes:
    result = CliRunner().invoke(app, ["export", "--format", fmt], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


class _Form(HTMLParser):
    """The fields a browser sends for the form posting to `action`: named, enabled
    inputs; a checkbox only when checked (as "on")."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.found = False
        self.fields: list[tuple[str, str]] = []
        self.checkboxes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("action") == self.action
            self.found = self.found or self.inside
        elif tag == "input" and self.inside and attributes.get("name"):
            name = attributes["name"] or ""
            if "disabled" in attributes:
                return
            if attributes.get("type") == "checkbox":
                self.checkboxes.append(name)
                if "checked" in attributes:
                    self.fields.append((name, attributes.get("value") or "on"))
            else:
                self.fields.append((name, attributes.get("value") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def _form(page: str, action: str) -> _Form:
    form = _Form(action)
    form.feed(page)
    assert form.found, page[:2000]
    return form


class Researcher:
    """A browser on Taguette: a cookie jar, and the forms as Taguette renders them."""

    def __init__(self, server: taguette.Taguette) -> None:
        self.base = server.url
        self.session = requests.Session()
        response = self.session.get(server.login_url, timeout=30)  # the printed link
        response.raise_for_status()
        assert "user" in self.session.cookies  # logged in as Taguette's single user

    def submit(
        self,
        path: str,
        data: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> requests.Response:
        """GET the page (Taguette sets its XSRF cookie), then POST its form."""
        self.session.get(self.base + path, timeout=30).raise_for_status()
        fields = {**(data or {}), "_xsrf": self.session.cookies["_xsrf"]}
        response = self.session.post(self.base + path, data=fields, files=files, timeout=60)
        response.raise_for_status()
        return response

    def new_project(self, name: str) -> int:
        response = self.submit("/project/new", data={"name": name, "description": "capibot"})
        return int(response.url.rstrip("/").rsplit("/", 1)[1])

    def review_codebook(self, project: int, csv_bytes: bytes) -> _Form:
        """Step one: upload the file; Taguette answers with the tags to confirm."""
        action = f"/project/{project}/import_codebook"
        files = {"file": ("codebook.csv", csv_bytes, "text/csv")}
        response = self.submit(action, files=files)
        assert "alert-danger" not in response.text, response.text
        return _form(response.text, action)

    def confirm(self, project: int, form: _Form) -> None:
        """Step two: send the review form as it is ("Create tags")."""
        response = self.session.post(
            f"{self.base}/project/{project}/import_codebook", data=form.fields, timeout=60
        )
        response.raise_for_status()
        assert response.url.endswith(f"/project/{project}"), response.text[:2000]

    def codebook(self, project: int) -> dict[str, str]:
        """Taguette's own codebook export: its tags, as stored, with their descriptions."""
        response = self.session.get(
            f"{self.base}/project/{project}/export/codebook.csv", timeout=30
        )
        response.raise_for_status()
        rows = csv.DictReader(io.StringIO(response.content.decode("utf-8")))
        return {row["tag"]: row["description"] for row in rows}


def _rows(data: bytes) -> dict[str, str]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return {row["path"]: row["description"] for row in reader}


def test_taguette_imports_every_code_with_its_description(
    server: taguette.Taguette, env: dict[str, str]
) -> None:
    data = _export(env, "codebook-csv")
    assert_clean(data.decode("utf-8"))
    ours = _rows(data)
    qdc = qdc_paths(_export(env, "qdc"))  # the .qdc's codes, no other
    assert len(ours) == len(qdc)
    (cut,) = set(ours) - qdc  # but for the name too long for Taguette, cut at 200
    assert cut.startswith("Thèmes/Quartier Quartier") and cut.endswith("…") and len(cut) == 200
    assert f"Thème « {' '.join(('Quartier ' * 30).split())} »" in ours[cut]  # whole here
    hostile = {"Thèmes/action (Thèmes)", 'Thèmes/"Logement social"', "Thèmes/=SOMME(A1:A9)"}
    assert hostile | {"Thèmes/Emploi/Insertion"} <= set(ours)
    assert "Territoires/Roubaix — Épeule" in ours

    researcher = Researcher(server)
    project = researcher.new_project("Fiches du réseau")
    review = researcher.review_codebook(project, data)
    assert len(review.checkboxes) == len(ours)  # one line per code, none refused
    assert all(name.endswith("-import") for name in review.checkboxes)  # all new tags
    researcher.confirm(project, review)

    stored = researcher.codebook(project)
    assert {path: stored.get(path) for path in ours} == ours  # names and descriptions
    assert set(stored) - set(ours) == {"interesting"}  # Taguette's tag of every project

    # imported again (a later export): Taguette offers to replace each tag, adds none
    again = researcher.review_codebook(project, data)
    assert len(again.checkboxes) == len(ours)
    assert all(name.endswith("-replace") for name in again.checkboxes)
    researcher.confirm(project, again)
    assert researcher.codebook(project) == stored


def test_taguette_reads_the_english_codebook_too(
    server: taguette.Taguette, env: dict[str, str]
) -> None:
    data = _export({**env, "CAPIBOT__BOT__LANGUAGE": "en"}, "codebook-csv")
    ours = _rows(data)
    assert "Fiche fields/Practice" in ours and "Themes/Santé" in ours
    researcher = Researcher(server)
    project = researcher.new_project("Network fiches")
    researcher.confirm(project, researcher.review_codebook(project, data))
    stored = researcher.codebook(project)
    assert {path: stored.get(path) for path in ours} == ours
