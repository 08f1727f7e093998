"""REFI-QDA export (`capibot export --format qdpx|qdc`): the research export as a project
that NVivo, ATLAS.ti, MAXQDA, QualCoder… import.

A `.qdpx` is a zip of `project.qde` (QDA-XML 1.0, `urn:QDA-XML:project:1.0`) and
`Sources/`. It is built from the same pseudonymised records as the JSON lines export
(`export.case_record`), so it carries nothing those do not:

- each case is a text source (its title, the fiche's fields, then the exchange, one line
  a message: « [date] P-xxxxxxxx : texte »); the fiche's fields are coded with the
  field's code, its themes and territory with theirs, on the fiche's text;
- each message is a selection, and each participant a pseudonymous QDA case whose
  variables are its function and territory (from the opt-in directory only), its centre
  and its consent, referring to the selections of its own messages;
- annotations are notes attached to their source;
- notes, selections and codings say who made them (the user « capibot ») and when, where
  known: QualCoder's importer needs it (docs/refi-qda.md).

GUIDs are UUIDv5 of what they stand for (a case number, a pseudonym, a theme): exporting
again gives the same GUIDs, so a researcher can merge a later export into a project.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any
from xml.etree import ElementTree as ET

from bot.domain.fiche import field_label
from bot.domain.models import FicheField
from bot.services.qdpx_codebook import (
    CODEBOOK_NS,
    CODED_FIELDS,
    PROJECT_NS,
    Codebook,
    guid,
    xml_datetime,
    xml_safe,
)

__all__ = ["CODEBOOK_NS", "PROJECT_NS", "ProjectBuilder", "build_project", "xml_safe"]

_VARIABLES = {
    "fr": {
        "function": "Fonction",
        "territory": "Territoire",
        "centre": "Centre",
        "consent": "Consentement",
        "state": "État du cas",
        "room_kind": "Type de salon",
        "opened": "Ouvert le",
    },
    "en": {
        "function": "Function",
        "territory": "Territory",
        "centre": "Centre",
        "consent": "Consent",
        "state": "Case state",
        "room_kind": "Room kind",
        "opened": "Opened on",
    },
}
_VARIABLE_TYPES = {"consent": "Boolean", "opened": "Date"}


def _q(tag: str) -> str:
    return f"{{{PROJECT_NS}}}{tag}"


@dataclass
class _Person:
    pseudonym: str
    variables: dict[str, Any] = field(default_factory=dict)
    selections: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass
class _Selection:
    guid: str
    name: str
    start: int
    end: int
    codes: list[str]
    created: str | None = None


@dataclass
class _Source:
    guid: str
    name: str
    text: str
    path: str
    variables: dict[str, Any]
    selections: list[_Selection]
    notes: list[str]
    created: str | None = None


class ProjectBuilder:
    """Collects the records' sources, people and codes, then writes the project."""

    def __init__(self, name: str, *, lang: str = "fr", centre: str = "") -> None:
        self.name = name
        self.lang = lang if lang in _VARIABLES else "fr"
        self.centre = centre
        self.codebook = Codebook(self.lang)
        self.user = guid("user", "capibot")
        self.sources: list[_Source] = []
        self.people: dict[str, _Person] = {}
        self.notes: list[tuple[str, str, str, str | None]] = []  # (guid, name, text, date)

    # -- reading records ------------------------------------------------------------------

    def add(self, record: dict[str, Any]) -> None:
        """One case of the export (a record of `export.case_record`)."""
        case_no = record["case"]
        source_guid = guid("case", case_no)
        text = _TextBuilder()
        text.line(f"#{case_no} {record['title']}".strip())
        title = xml_safe(record["title"])
        selections: list[_Selection] = []
        fiche: dict[str, str] = record.get("fiche") or {}
        approved = _approved_at(record)  # the fiche's codings date from its approval
        fiche_start = text.position
        for fiche_field in CODED_FIELDS:
            value = fiche.get(fiche_field.value, "")
            if not value:
                continue
            text.line(f"{field_label(self.lang, fiche_field)} :")
            start, end = text.line(value)
            selections.append(
                _Selection(
                    guid(source_guid, "field", fiche_field.value),
                    field_label(self.lang, fiche_field),
                    start,
                    end,
                    [self.codebook.field_code(fiche_field)],
                    approved,
                )
            )
        fiche_end = text.position
        tags = self.codebook.theme_codes(fiche.get(FicheField.THEMES.value, ""))
        tags += self.codebook.territory_code(fiche.get(FicheField.TERRITORY.value, ""))
        if tags and fiche_end > fiche_start:
            selections.append(
                _Selection(
                    guid(source_guid, "fiche"), "Fiche", fiche_start, fiche_end - 1, tags, approved
                )
            )
        text.line("")
        self._exchange(record, source_guid, text, selections)
        notes = [self._note(source_guid, i, a) for i, a in enumerate(record["annotations"])]
        room = record.get("room") or {}
        self.sources.append(
            _Source(
                guid=source_guid,
                name=f"{'Cas' if self.lang == 'fr' else 'Case'} {case_no} {title}".strip(),
                text=text.value,
                path=f"internal://{source_guid}.txt",
                variables={
                    "state": record["state"],
                    "room_kind": room.get("kind") or "",
                    "opened": (record.get("created_at") or "")[:10],
                },
                selections=selections,
                notes=notes,
                created=xml_datetime(record.get("created_at")),
            )
        )

    def _exchange(
        self,
        record: dict[str, Any],
        source_guid: str,
        text: _TextBuilder,
        selections: list[_Selection],
    ) -> None:
        consent = {p["participant"]: p["consent"] for p in record["participants"]}
        for entry in record["participants"]:
            person = self._person(entry["participant"])
            person.variables.update(
                {k: entry[k] for k in ("function", "territory") if entry.get(k)}
            )
        for index, message in enumerate(record["exchange"]):
            pseudonym = message["participant"]
            at = (message.get("at") or "")[:16].replace("T", " ")
            prefix = f"[{at}] {pseudonym} : "
            start, end = text.line(prefix + message["text"])
            selection = guid(source_guid, "message", index)
            selections.append(
                _Selection(
                    selection,
                    f"{pseudonym} {at}",
                    start + len(prefix),
                    end,
                    [],
                    xml_datetime(message.get("at")),
                )
            )
            person = self._person(pseudonym)
            person.variables["consent"] = consent.get(pseudonym, False)
            person.selections.append(selection)
            if source_guid not in person.sources:
                person.sources.append(source_guid)

    def _person(self, pseudonym: str) -> _Person:
        if pseudonym not in self.people:
            variables: dict[str, Any] = {"centre": self.centre} if self.centre else {}
            self.people[pseudonym] = _Person(pseudonym, variables)
        return self.people[pseudonym]

    def _note(self, source_guid: str, index: int, annotation: dict[str, Any]) -> str:
        note_guid = guid(source_guid, "note", index)
        at = (annotation.get("at") or "")[:10]
        text = xml_safe(annotation["text"])
        self.notes.append(
            (
                note_guid,
                f"{annotation['researcher']} {at}",
                text,
                xml_datetime(annotation.get("at")),
            )
        )
        return note_guid

    # -- writing --------------------------------------------------------------------------

    def project_element(self) -> ET.Element:
        now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        project = ET.Element(
            _q("Project"),
            name=self.name,
            origin="capibot",
            creatingUserGUID=self.user,
            creationDateTime=now,
        )
        users = ET.SubElement(project, _q("Users"))
        ET.SubElement(users, _q("User"), guid=self.user, name="capibot")
        project.append(self.codebook.element())
        variables = _VARIABLES[self.lang]
        used = self._used_variables()
        if used:
            holder = ET.SubElement(project, _q("Variables"))
            for key in used:
                ET.SubElement(
                    holder,
                    _q("Variable"),
                    guid=guid("variable", key),
                    name=variables[key],
                    typeOfVariable=_VARIABLE_TYPES.get(key, "Text"),
                )
        if self.people:
            cases = ET.SubElement(project, _q("Cases"))
            for person in self.people.values():
                case = ET.SubElement(
                    cases, _q("Case"), guid=guid("person", person.pseudonym), name=person.pseudonym
                )
                _variable_values(case, person.variables)
                for source_guid in person.sources:
                    ET.SubElement(case, _q("SourceRef"), targetGUID=source_guid)
                for selection in person.selections:
                    ET.SubElement(case, _q("SelectionRef"), targetGUID=selection)
        if self.sources:
            sources = ET.SubElement(project, _q("Sources"))
            for source in self.sources:
                self._source_element(sources, source)
        if self.notes:
            notes = ET.SubElement(project, _q("Notes"))
            for note_guid, name, text, created in self.notes:
                # QualCoder's import fails on a note without a date (its refi.py parse_notes)
                note = ET.SubElement(
                    notes,
                    _q("Note"),
                    guid=note_guid,
                    name=name,
                    creatingUser=self.user,
                    creationDateTime=created or now,
                )
                ET.SubElement(note, _q("PlainTextContent")).text = text
        return project

    def _used_variables(self) -> list[str]:
        keys: set[str] = set()
        for person in self.people.values():
            keys.update(person.variables)
        for source in self.sources:
            keys.update(k for k, v in source.variables.items() if v)
        return [k for k in _VARIABLES[self.lang] if k in keys]

    def _source_element(self, parent: ET.Element, source: _Source) -> None:
        element = ET.SubElement(
            parent,
            _q("TextSource"),
            guid=source.guid,
            name=source.name,
            plainTextPath=source.path,
            creatingUser=self.user,
        )
        if source.created:
            element.set("creationDateTime", source.created)
        for sel in source.selections:
            # the creating user on selections and codings: tools that show codings per
            # coder (QualCoder) otherwise file them under an unknown coder
            selection = ET.SubElement(
                element,
                _q("PlainTextSelection"),
                guid=sel.guid,
                name=sel.name,
                startPosition=str(sel.start),
                endPosition=str(sel.end),
                creatingUser=self.user,
            )
            if sel.created:
                selection.set("creationDateTime", sel.created)
            for code in sel.codes:
                coding = ET.SubElement(
                    selection, _q("Coding"), guid=guid(sel.guid, code), creatingUser=self.user
                )
                if sel.created:
                    coding.set("creationDateTime", sel.created)
                ET.SubElement(coding, _q("CodeRef"), targetGUID=code)
        for note in source.notes:
            ET.SubElement(element, _q("NoteRef"), targetGUID=note)
        _variable_values(element, {k: v for k, v in source.variables.items() if v})

    def write_qdpx(self, out: IO[bytes]) -> None:
        """The zip: `project.qde`, then one UTF-8 text file per source in `Sources/`."""
        ET.register_namespace("", PROJECT_NS)
        xml = ET.tostring(self.project_element(), encoding="utf-8", xml_declaration=True)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.qde", xml)
            for source in self.sources:
                archive.writestr(f"Sources/{source.guid}.txt", source.text.encode("utf-8"))

    def codebook_xml(self) -> bytes:
        """The codebook alone (`.qdc`, `urn:QDA-XML:codebook:1.0`)."""
        ET.register_namespace("", CODEBOOK_NS)
        book = self.codebook.element(ns=CODEBOOK_NS)
        book.set("origin", "capibot")
        xml: bytes = ET.tostring(book, encoding="utf-8", xml_declaration=True)
        return xml


def _approved_at(record: dict[str, Any]) -> str | None:
    """When the exported fiche version was approved (its last approving review)."""
    moments = [
        r.get("at")
        for r in record.get("reviews") or []
        if r.get("decision") == "approve" and r.get("version") == record.get("fiche_version")
    ]
    return xml_datetime(moments[-1]) if moments else None


def _variable_values(parent: ET.Element, values: dict[str, Any]) -> None:
    for key, value in values.items():
        holder = ET.SubElement(parent, _q("VariableValue"))
        ET.SubElement(holder, _q("VariableRef"), targetGUID=guid("variable", key))
        kind = _VARIABLE_TYPES.get(key, "Text")
        if kind == "Boolean":
            ET.SubElement(holder, _q("BooleanValue")).text = "true" if value else "false"
        elif kind == "Date":
            ET.SubElement(holder, _q("DateValue")).text = str(value)
        else:
            ET.SubElement(holder, _q("TextValue")).text = xml_safe(str(value))


class _TextBuilder:
    """The source's plain text, with the character positions QDA-XML counts (code
    points, end exclusive of the line break)."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.position = 0

    def line(self, content: str) -> tuple[int, int]:
        content = xml_safe(content.replace("\r\n", "\n").replace("\r", "\n"))
        start = self.position
        self._parts.append(content + "\n")
        self.position += len(content) + 1
        return start, start + len(content)

    @property
    def value(self) -> str:
        return "".join(self._parts)


def build_project(
    records: Iterable[dict[str, Any]], name: str, *, lang: str = "fr", centre: str = ""
) -> ProjectBuilder:
    builder = ProjectBuilder(name, lang=lang, centre=centre)
    for record in records:
        builder.add(record)
    return builder
