"""The codebook of the REFI-QDA export (`bot.services.qdpx`), and what the project and
the codebook share: namespaces, stable GUIDs, text XML can carry."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from bot.domain.fiche import field_label, split_list
from bot.domain.models import FicheField
from bot.domain.text import fold

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_GUIDS = uuid.UUID("6b0f5a7e-3c1d-4e55-9a51-6361706962f7")  # capibot's own namespace

#: fiche fields coded on their own text (the title names the source; themes and
#: territory become codes of the whole fiche)
CODED_FIELDS = (FicheField.CONTEXT, FicheField.ACTION, FicheField.RESULTS, FicheField.LESSONS)

_GROUP_NAMES = {
    "fr": {"fields": "Champs de la fiche", "themes": "Thèmes", "territories": "Territoires"},
    "en": {"fields": "Fiche fields", "themes": "Themes", "territories": "Territories"},
}


# Characters XML 1.0 cannot carry at all (a Matrix message may hold them): dropped, so a
# hostile message cannot make the whole project unreadable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def xml_datetime(moment: str | None) -> str | None:
    """An export record's ISO moment as xsd:dateTime in UTC (`…Z`), or None."""
    if not moment:
        return None
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return None
    if parsed.tzinfo is None:  # capibot stores UTC
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def guid(*parts: object) -> str:
    """A stable GUID for what `parts` name (upper case, as QDA tools write them)."""
    return str(uuid.uuid5(_GUIDS, "\x1f".join(xml_safe(str(p)) for p in parts))).upper()


@dataclass
class _Code:
    guid: str
    name: str
    codable: bool = True
    children: dict[str, _Code] = field(default_factory=dict)

    def child(self, key: str, name: str) -> _Code:
        if key not in self.children:
            self.children[key] = _Code(guid(self.guid, key), xml_safe(name))
        return self.children[key]


class Codebook:
    """The codes: the fiche's fields, then the themes and territories met in the export
    (folded, so « Emploi » and « emploi » are one code, named as first written).

    A code named like one of an earlier group (a theme « Action », a territory named
    like a theme) is written with its group's name after it: QualCoder and ATLAS.ti
    want code names unique across the codebook, and QualCoder merges two codes of one
    name into one."""

    def __init__(self, lang: str = "fr") -> None:
        names = _GROUP_NAMES.get(lang, _GROUP_NAMES["fr"])
        self.fields = _Code(guid("group", "fields"), names["fields"], codable=False)
        self.themes = _Code(guid("group", "themes"), names["themes"], codable=False)
        self.territories = _Code(guid("group", "territories"), names["territories"], codable=False)
        for fiche_field in CODED_FIELDS:
            self.fields.child(fiche_field.value, field_label(lang, fiche_field))

    @property
    def groups(self) -> tuple[_Code, ...]:
        return (self.fields, self.themes, self.territories)

    def field_code(self, fiche_field: FicheField) -> str:
        return self.fields.children[fiche_field.value].guid

    def theme_codes(self, themes: str) -> list[str]:
        names = split_list(xml_safe(themes))
        return [self.themes.child(fold(t), t).guid for t in names if fold(t)]

    def territory_code(self, territory: str) -> list[str]:
        name = xml_safe(territory).strip()
        return [self.territories.child(fold(name), name).guid] if fold(name) else []

    def names(self) -> dict[str, str]:
        """Each code's written name (by GUID), unique across the groups."""
        written: dict[str, str] = {}
        taken: set[str] = set()
        for group in self.groups:
            written[group.guid] = group.name
            mine: set[str] = set()
            for code in group.children.values():
                clash = fold(code.name) in taken
                written[code.guid] = f"{code.name} ({group.name})" if clash else code.name
                mine.add(fold(code.name))
            taken |= mine
        return written

    def element(self, tag: str = "CodeBook", ns: str = PROJECT_NS) -> ET.Element:
        book = ET.Element(f"{{{ns}}}{tag}")
        codes = ET.SubElement(book, f"{{{ns}}}Codes")
        names = self.names()
        for group in self.groups:
            _code_element(codes, group, ns, names)
        return book


def _code_element(parent: ET.Element, code: _Code, ns: str, names: dict[str, str]) -> None:
    element = ET.SubElement(
        parent,
        f"{{{ns}}}Code",
        guid=code.guid,
        name=names[code.guid],
        isCodable="true" if code.codable else "false",
    )
    for child in code.children.values():
        _code_element(element, child, ns, names)
