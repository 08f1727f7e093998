"""Fiche text ⇄ fields: parsing, limits, required fields, amendments, template.

Parsing and completeness are separate on purpose: an amendment (`!fiche 3 Résultats: …`)
is parsed alone, merged over the previous version with `amend`, and only the merged
result must be complete.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.models import REQUIRED_FICHE_FIELDS, FicheField
from bot.domain.text import fold
from bot.i18n import t

MAX_TITLE = 120
MAX_FIELD = 5000
#: each theme becomes a wiki category (a page of its own): a fiche names a few
MAX_THEMES = 10
MAX_THEME = 60
#: Lines starting with this mark are the bot's hints (in drafts); the parser skips them.
HINT_MARK = "✏️"
#: A field amended to one of these is removed from the fiche.
CLEAR_MARKS = frozenset({"-", "—", "–"})

_ALIASES: dict[str, FicheField] = {
    "titre": FicheField.TITLE,
    "title": FicheField.TITLE,
    "contexte": FicheField.CONTEXT,
    "context": FicheField.CONTEXT,
    "action": FicheField.ACTION,
    "actions": FicheField.ACTION,
    "practice": FicheField.ACTION,
    "pratique": FicheField.ACTION,
    "resultats": FicheField.RESULTS,
    "resultat": FicheField.RESULTS,
    "results": FicheField.RESULTS,
    "result": FicheField.RESULTS,
    "enseignements": FicheField.LESSONS,
    "enseignement": FicheField.LESSONS,
    "lecons": FicheField.LESSONS,
    "lessons": FicheField.LESSONS,
    "lessons learned": FicheField.LESSONS,
    "themes": FicheField.THEMES,
    "theme": FicheField.THEMES,
    "thematiques": FicheField.THEMES,
    "territoire": FicheField.TERRITORY,
    "territory": FicheField.TERRITORY,
    "ressources": FicheField.RESOURCES,
    "ressource": FicheField.RESOURCES,
    "resources": FicheField.RESOURCES,
    "resource": FicheField.RESOURCES,
    "liens": FicheField.RESOURCES,
    "links": FicheField.RESOURCES,
}

# `Key: value`, tolerating bullets, markdown bold and French spacing before the colon.
_KEY_LINE = re.compile(
    r"^[ \t]*(?:[-*•][ \t]+)?\**[ \t]*([^\W\d_][\w' ]{0,30}?)[ \t]*\**\s*:(?!//)(.*)$"
)


@dataclass(frozen=True, slots=True)
class FicheError:
    """One problem, as an i18n key + params; `field` names the field concerned."""

    key: str
    field: FicheField | None = None
    params: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def message(self, lang: str) -> str:
        params = dict(self.params)
        if self.field is not None:
            params["field"] = field_label(lang, self.field)
        return t(lang, self.key, **params)


@dataclass(frozen=True, slots=True)
class FicheDraft:
    """The fields a message gave (possibly partial); empty value = cleared."""

    fields: dict[FicheField, str]


@dataclass(frozen=True, slots=True)
class FicheErrors:
    errors: tuple[FicheError, ...]

    def message(self, lang: str) -> str:
        return "\n".join(error.message(lang) for error in self.errors)


def field_label(lang: str, fiche_field: FicheField) -> str:
    return t(lang, f"fiche.field.{fiche_field.value}")


def field_for_key(key: str) -> FicheField | None:
    """The field a typed key names (French or English, case/accents/plural tolerant)."""
    return _ALIASES.get(" ".join(fold(key).split()))


def parse_fiche(text: str) -> FicheDraft | FicheErrors:
    """Parse `Champ: valeur` lines (with continuation lines) into fields.

    Every problem is reported at once, so the author fixes everything in one go.
    """
    errors: list[FicheError] = []
    collected: dict[FicheField, list[str]] = {}
    current: FicheField | None = None
    skipping = False  # inside a duplicated field: its lines are dropped, not misreported
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.lstrip().startswith(HINT_MARK):
            continue
        match = _KEY_LINE.match(line)
        key_field = field_for_key(match.group(1)) if match else None
        if match and key_field is not None:
            skipping = key_field in collected
            if skipping:
                errors.append(FicheError("fiche.duplicate_field", key_field))
                continue
            current = key_field
            collected[key_field] = [match.group(2).strip()]
        elif skipping:
            continue
        elif current is not None:
            collected[current].append(line.rstrip())
        elif line.strip() and match:
            errors.append(FicheError("fiche.unknown_field", params={"key": _cut(match.group(1))}))
        elif line.strip():
            errors.append(FicheError("fiche.text_before_field", params={"line": _cut(line)}))
    fields = {f: "\n".join(lines).strip() for f, lines in collected.items()}
    if not fields and not errors:
        errors.append(FicheError("fiche.empty"))
    errors.extend(check_limits(fields))
    if errors:
        return FicheErrors(tuple(errors))
    return FicheDraft(fields)


def check_limits(fields: Mapping[FicheField, str]) -> list[FicheError]:
    """Length and shape limits (title single line ≤ 120, any field ≤ 5000)."""
    errors: list[FicheError] = []
    for fiche_field, value in fields.items():
        if fiche_field is FicheField.TITLE:
            if "\n" in value:
                errors.append(FicheError("fiche.title_multiline", fiche_field))
            if len(value) > MAX_TITLE:
                params = {"max": str(MAX_TITLE), "length": str(len(value))}
                errors.append(FicheError("fiche.title_too_long", fiche_field, params))
        elif len(value) > MAX_FIELD:
            params = {"max": str(MAX_FIELD), "length": str(len(value))}
            errors.append(FicheError("fiche.field_too_long", fiche_field, params))
        elif fiche_field is FicheField.THEMES:
            errors.extend(_check_themes(value))
    return errors


def _check_themes(value: str) -> list[FicheError]:
    themes = split_list(value)
    errors: list[FicheError] = []
    if len(themes) > MAX_THEMES:
        params = {"max": str(MAX_THEMES), "count": str(len(themes))}
        errors.append(FicheError("fiche.too_many_themes", FicheField.THEMES, params))
    for theme in themes:
        if len(theme) > MAX_THEME:
            params = {"max": str(MAX_THEME), "theme": theme[:30] + "…"}
            errors.append(FicheError("fiche.theme_too_long", FicheField.THEMES, params))
            break
    return errors


def validate_complete(fields: Mapping[FicheField, str]) -> list[FicheError]:
    """Required fields present and non-blank, plus the limits: the bar for review."""
    missing = [
        FicheError("fiche.missing_field", f)
        for f in REQUIRED_FICHE_FIELDS
        if fields.get(f, "").strip() in CLEAR_MARKS | {""}
    ]
    return missing + check_limits(fields)


def amend(
    previous: Mapping[FicheField, str], patch: Mapping[FicheField, str]
) -> dict[FicheField, str]:
    """Previous version with the patch applied, in display order.

    A blank patch value leaves the field unchanged (a pasted template with empty lines
    must not wipe a fiche); `-` clears it. Blank previous values are dropped, so
    `amend({}, draft.fields)` is also the normal form of a first submission.
    """
    merged = {f: v for f, v in previous.items() if v.strip()}
    for fiche_field, value in patch.items():
        if value.strip() in CLEAR_MARKS:
            merged.pop(fiche_field, None)
        elif value.strip():
            merged[fiche_field] = value
    return {f: merged[f] for f in FicheField if f in merged}


def split_list(value: str) -> tuple[str, ...]:
    """A list field (Thèmes) as distinct, trimmed items: commas, semicolons and line
    breaks all separate (people write `logement; jeunesse`), and items differing only by
    case, accents or spacing are one (they would be one wiki category)."""
    items = (" ".join(item.split()) for item in re.split(r"[,;\n]", value))
    distinct: dict[str, str] = {}
    for item in items:
        if item:
            distinct.setdefault(fold(item), item)
    return tuple(distinct.values())


def render_fields(lang: str, fields: Mapping[FicheField, str]) -> str:
    """Fields as `Champ: valeur` lines in display order: a preview that parses back."""
    return "\n".join(f"{field_label(lang, f)}: {fields[f]}" for f in FicheField if f in fields)


def fiche_template(lang: str) -> str:
    """The blank form to fill in, field names in `lang`, required ones marked by a hint."""
    required = ", ".join(field_label(lang, f) for f in REQUIRED_FICHE_FIELDS)
    lines = [f"{HINT_MARK} {t(lang, 'fiche.template_hint', required=required)}"]
    lines.extend(f"{field_label(lang, f)}: " for f in FicheField)
    return "\n".join(lines)


def _cut(value: str, limit: int = 60) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
