"""REFI-QDA export: a project QDA tools can import (valid against REFI's Project.xsd),
carrying nothing the pseudonymised JSON export does not."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bot.cli import app
from bot.domain.models import Consent, DirectoryProfile, Participant
from bot.services.qdpx import CODEBOOK_NS, PROJECT_NS, build_project, xml_safe
from bot.storage.database import Database
from tests.unit.services.test_export import ALICE, NAMES, NOW, assert_clean, empty_config, seed

SCHEMA_PATH = Path(__file__).resolve().parents[3].parent / "shared" / "refi-qda" / "Project.xsd"
NS = {"q": PROJECT_NS}


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    if not SCHEMA_PATH.exists():  # CI lays shared/ beside the clone; so does a session
        pytest.fail(f"REFI's Project.xsd is missing: {SCHEMA_PATH}")
    return xmlschema.XMLSchema(str(SCHEMA_PATH))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path}/capibot.db"
    db = Database.from_url(url)
    db.migrate()
    seed(db)
    with db.transaction() as repo:  # Alice is in the directory: function and territory
        profile = DirectoryProfile(
            function="cheffe de projet", territory="Seine-Saint-Denis", updated_at=NOW
        )
        repo.save_participant(Participant(ALICE, NAMES[ALICE], Consent.GRANTED, profile=profile))
    db.close()
    return {
        "CAPIBOT__DATABASE__URL": url,
        "CAPIBOT__PRIVACY__PSEUDONYM_SECRET": "s3cret-for-tests",
        "CAPIBOT__NETWORK__CENTRE": "crpv-test",
        "CAPIBOT_CONFIG": empty_config(tmp_path),
    }


def _export(env: dict[str, str], out: Path, *args: str) -> None:
    result = CliRunner().invoke(app, ["export", "--out", str(out), *args], env=env)
    assert result.exit_code == 0, result.output


def _read(path: Path) -> tuple[ET.Element, dict[str, str], bytes]:
    return _read_bytes(path.read_bytes())


def test_qdpx_validates_and_codes_the_fiche_and_the_exchange(
    env: dict[str, str], tmp_path: Path, schema: xmlschema.XMLSchema
) -> None:
    out = tmp_path / "cases.qdpx"
    _export(env, out, "--format", "qdpx")
    root, sources, qde = _read(out)
    schema.validate(io.BytesIO(qde))

    # every source's text is in Sources/, and is as pseudonymised as the JSON export
    text_sources = root.findall("q:Sources/q:TextSource", NS)
    assert len(text_sources) == 2
    for source in text_sources:
        assert source.get("plainTextPath") == f"internal://{source.get('guid')}.txt"
        assert f"Sources/{source.get('guid')}.txt" in sources
    assert_clean(qde.decode("utf-8") + "".join(sources.values()))
    first = sources[f"Sources/{text_sources[0].get('guid')}.txt"]

    # codes: the fiche's fields, its themes; each coded on the text it names
    codes = {c.get("guid"): c.get("name") for c in root.iter(f"{{{PROJECT_NS}}}Code")}
    assert {"Contexte", "Action", "Enseignements", "Logement", "Santé"} <= set(codes.values())
    coded: dict[str, list[str]] = {}
    for selection in text_sources[0].findall("q:PlainTextSelection", NS):
        start, end = int(selection.get("startPosition", 0)), int(selection.get("endPosition", 0))
        for ref in selection.findall("q:Coding/q:CodeRef", NS):
            coded.setdefault(codes[ref.get("targetGUID", "")], []).append(first[start:end])
    assert coded["Action"] == ["A"]  # the approved version, not the later draft
    assert coded["Enseignements"] == ["L"]
    assert "Action :\nA" in coded["Logement"][0] and coded["Santé"] == coded["Logement"]

    # participants: pseudonymous cases, with consent, centre, and the directory's fields
    cases = {c.get("name"): c for c in root.findall("q:Cases/q:Case", NS)}
    assert len(cases) == 2 and all(name and name.startswith("P-") for name in cases)
    variables = {v.get("guid"): v.get("name") for v in root.findall("q:Variables/q:Variable", NS)}

    def values(case: ET.Element) -> dict[str | None, str | None]:
        return {
            variables[v.find("q:VariableRef", NS).get("targetGUID", "")]: v[1].text  # type: ignore[union-attr]
            for v in case.findall("q:VariableValue", NS)
        }

    by_consent = {values(c)["Consentement"]: (n, values(c)) for n, c in cases.items()}
    _, alice = by_consent["true"]
    assert alice["Fonction"] == "cheffe de projet" and alice["Centre"] == "crpv-test"
    refused_name, refused = by_consent["false"]
    assert "Fonction" not in refused  # no directory entry for one who refused

    # each participant refers to the selections of their own messages
    selections = {
        s.get("guid"): first[int(s.get("startPosition", 0)) : int(s.get("endPosition", 0))]
        for s in text_sources[0].findall("q:PlainTextSelection", NS)
    }
    refused_texts = [
        selections[r.get("targetGUID")] for r in cases[refused_name].findall("q:SelectionRef", NS)
    ]
    assert refused_texts and all("consentement" in t for t in refused_texts)
    assert f"] {refused_name} : " in first

    # the annotation is a note of its source
    notes = root.findall("q:Notes/q:Note", NS)
    assert len(notes) == 1
    assert text_sources[0].find("q:NoteRef", NS).get("targetGUID") == notes[0].get("guid")  # type: ignore[union-attr]
    assert "Comparer avec P-" in (notes[0].findtext("q:PlainTextContent", "", NS))


def test_what_qualcoder_needs_to_import_it(env: dict[str, str], tmp_path: Path) -> None:
    """QualCoder's importer (refi.py, run on an export: docs/refi-qda.md)
    stopped on a note without a date, and files a coding without a creating user under
    an unknown coder that its views hide: every note, selection and coding says who and
    when."""
    out = tmp_path / "cases.qdpx"
    _export(env, out, "--format", "qdpx")
    root, _, _ = _read(out)
    users = {u.get("guid") for u in root.findall("q:Users/q:User", NS)}
    notes = root.findall("q:Notes/q:Note", NS)
    assert notes and all(n.get("creatingUser") in users for n in notes)
    assert notes[0].get("creationDateTime") == "2026-03-02T09:00:00Z"  # the annotation's
    selections = list(root.iter(f"{{{PROJECT_NS}}}PlainTextSelection"))
    codings = list(root.iter(f"{{{PROJECT_NS}}}Coding"))
    assert selections and codings
    assert all(e.get("creatingUser") in users for e in selections + codings)
    # dated when known: a message when sent, a fiche's codings when it was approved
    assert all(c.get("creationDateTime") == "2026-03-02T09:00:00Z" for c in codings)
    sent = [s.get("creationDateTime") for s in selections if s.get("name", "").startswith("P-")]
    assert sent == ["2026-03-02T09:00:00Z", "2026-03-02T09:01:00Z", "2026-03-02T09:02:00Z"]
    opened = [s.get("creationDateTime") for s in root.findall("q:Sources/q:TextSource", NS)]
    assert opened == ["2026-03-02T09:00:00Z", "2026-03-12T09:00:00Z"]


def test_code_names_are_unique_across_groups(schema: xmlschema.XMLSchema) -> None:
    """A theme named like a fiche field, a territory named like a theme: QualCoder merges
    codes of one name (and ATLAS.ti refuses them), so the later group's code says its
    group; its GUID, and so a merge of a later export, does not change."""
    record = _record("x", "t")
    record["fiche"] = {"action": "a", "themes": "action, Logement", "territory": "logement"}
    project = build_project([record], "p")
    buffer = io.BytesIO()
    project.write_qdpx(buffer)
    root, _, qde = _read_bytes(buffer.getvalue())
    schema.validate(io.BytesIO(qde))
    groups = {g.get("name"): g for g in root.findall("q:CodeBook/q:Codes/q:Code", NS)}
    names = {
        group: [c.get("name") for c in element.findall("q:Code", NS)]
        for group, element in groups.items()
    }
    assert "Action" in names["Champs de la fiche"]
    assert names["Thèmes"] == ["action (Thèmes)", "Logement"]
    assert names["Territoires"] == ["logement (Territoires)"]
    every = [c.get("name") for c in root.iter(f"{{{PROJECT_NS}}}Code")]
    assert len(every) == len(set(every))
    fiche = root.find("q:Sources/q:TextSource/q:PlainTextSelection[@name='Fiche']", NS)
    assert fiche is not None
    coded = {r.get("targetGUID") for r in fiche.findall("q:Coding/q:CodeRef", NS)}
    by_guid = {c.get("guid"): c.get("name") for c in root.iter(f"{{{PROJECT_NS}}}Code")}
    assert {by_guid[g] for g in coded} == {"action (Thèmes)", "Logement", "logement (Territoires)"}
    book = ET.fromstring(project.codebook_xml())  # the .qdc says the same
    assert sorted(c.get("name", "") for c in book.iter(f"{{{CODEBOOK_NS}}}Code")) == sorted(
        n or "" for n in every
    )


def test_a_second_export_keeps_the_guids(env: dict[str, str], tmp_path: Path) -> None:
    """A researcher merges a later export into their project: same things, same GUIDs."""
    _export(env, tmp_path / "a.qdpx", "--format", "qdpx")
    _export(env, tmp_path / "b.qdpx", "--format", "qdpx")
    guids = [
        sorted(e.get("guid", "") for e in _read(tmp_path / n)[0].iter() if e.get("guid"))
        for n in ("a.qdpx", "b.qdpx")
    ]
    assert guids[0] == guids[1] and len(guids[0]) > 10


def test_the_codebook_alone(
    env: dict[str, str], tmp_path: Path, schema: xmlschema.XMLSchema
) -> None:
    """`.qdc`: the codebook namespace. REFI's Codebook.xsd is not shipped here; its Codes
    are the project's CodeBook type, so they are validated inside a project."""
    out = tmp_path / "codebook.qdc"
    _export(env, out, "--format", "qdc")
    book = ET.fromstring(out.read_bytes())
    assert book.tag == f"{{{CODEBOOK_NS}}}CodeBook" and book.get("origin") == "capibot"
    names = {c.get("name") for c in book.iter(f"{{{CODEBOOK_NS}}}Code")}
    assert {"Thèmes", "Logement", "Santé", "Contexte"} <= names
    del book.attrib["origin"]  # the codebook's own attribute, not the project's
    as_project = ET.tostring(book, encoding="unicode").replace(CODEBOOK_NS, PROJECT_NS)
    schema.validate(f'<Project xmlns="{PROJECT_NS}" name="qdc">{as_project}</Project>')


def test_qdpx_needs_a_file(env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["export", "--format", "qdpx"], env=env)
    assert result.exit_code == 2 and "--out" in result.output


def _record(text: str, title: str) -> dict[str, object]:
    return {
        "case": 7,
        "title": title,
        "state": "published",
        "created_at": "2026-03-02T09:00:00+00:00",
        "room": {"kind": "theme", "label": "", "categories": []},
        "fiche": {"context": text, "action": "a", "themes": text[:40], "territory": text[:20]},
        "annotations": [{"at": None, "researcher": "P-00000000", "text": text}],
        "participants": [{"participant": "P-12345678", "consent": True, "messages": 1}],
        "exchange": [{"participant": "P-12345678", "at": None, "text": text}],
    }


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.one_of(st.text(max_size=200), st.just("a\ud800b\x00c\r\nd\x1b<x/>&amp;")),
    title=st.text(max_size=60),
)
def test_any_message_gives_a_valid_project(
    schema: xmlschema.XMLSchema, text: str, title: str
) -> None:
    """Messages come from anyone: control characters, lone surrogates, markup, line
    breaks of every kind never make the project invalid or shift a selection."""
    project = build_project([_record(text, title)], "p")
    buffer = io.BytesIO()
    project.write_qdpx(buffer)
    root, sources, qde = _read_bytes(buffer.getvalue())
    schema.validate(io.BytesIO(qde))
    source = root.find("q:Sources/q:TextSource", NS)
    assert source is not None
    body = sources[f"Sources/{source.get('guid')}.txt"]
    wanted = xml_safe(text.replace("\r\n", "\n").replace("\r", "\n"))
    for selection in source.findall("q:PlainTextSelection", NS):
        start, end = int(selection.get("startPosition", 0)), int(selection.get("endPosition", 0))
        assert 0 <= start <= end <= len(body)
        if selection.get("name", "").startswith("P-12345678"):  # the message: its own text
            assert body[start:end] == wanted


def _read_bytes(data: bytes) -> tuple[ET.Element, dict[str, str], bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        qde = archive.read("project.qde")
        sources = {
            n: archive.read(n).decode("utf-8") for n in archive.namelist() if n != "project.qde"
        }
    return ET.fromstring(qde), sources, qde
