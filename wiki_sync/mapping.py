"""How a fiche maps onto the wiki: the template's name, its parameter names and the
category names.

A centre that already has a template and categories of its own maps capibot onto them
instead of taking ours; the defaults are what `capibot wiki setup` writes. Everything
that renders or reads a fiche page takes one `WikiMapping`, so no name is hard-coded
elsewhere. Category names left empty are the language's (`wiki_sync.labels`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from wiki_sync.errors import TitleError
from wiki_sync.labels import catalogue
from wiki_sync.titles import page_title_from

#: The fiche's own fields (keys of `FicheEntry.fields`), in template order.
FIELD_KEYS: tuple[str, ...] = (
    "title",
    "context",
    "action",
    "results",
    "lessons",
    "themes",
    "territory",
    "resources",
)
#: What the bot adds: room, case number, version, approver, approval date, and the centre
#: (`network.centre`): a page is a centre's case, so two centres' case #1 are two pages.
META_KEYS: tuple[str, ...] = (
    "room",
    "case",
    "version",
    "approved_by",
    "approved_on",
    "centre",
)
PARAMETER_KEYS: tuple[str, ...] = FIELD_KEYS + META_KEYS

#: Key -> parameter name of our template (also the key of its label: ``param.<name>``).
DEFAULT_PARAMETERS: Mapping[str, str] = MappingProxyType(
    {
        "title": "titre",
        "context": "contexte",
        "action": "action",
        "results": "resultats",
        "lessons": "enseignements",
        "themes": "themes",
        "territory": "territoire",
        "resources": "ressources",
        "room": "salon",
        "case": "fiche",
        "version": "version",
        "approved_by": "validee_par",
        "approved_on": "validee_le",
        "centre": "centre",
    }
)
DEFAULT_TEMPLATE = "Fiche d'expérience"
DEFAULT_FICHE_CATEGORY = "Fiches d'expérience"
#: Category kinds -> label key of their default name.
KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {"theme": "category.theme", "territory": "category.territory", "function": "category.function"}
)
#: What a template parameter name may not hold: it would end or split the call.
_BAD_PARAMETER = re.compile(r"[|={}\[\]\n\r]")
_TEMPLATE_PREFIX = re.compile(r"^\s*(template|modèle)\s*:", re.IGNORECASE)


def template_name(template: str) -> str:
    """The template's title without namespace, as used in ``{{...}}``."""
    return page_title_from(_TEMPLATE_PREFIX.sub("", template))


def parameter_problem(name: str) -> str | None:
    """Why ``name`` cannot be a template parameter name (None: it can)."""
    if not name.strip():
        return "must not be empty"
    if name != name.strip():
        return "must not start or end with a space"
    if _BAD_PARAMETER.search(name):
        return f"{name!r} holds one of | = {{ }} [ ] or a line break"
    return None


def duplicates(names: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(first key, second key, shared value) for each value two keys share."""
    seen: dict[str, str] = {}
    out: list[tuple[str, str, str]] = []
    for key, value in names.items():
        if value in seen:
            out.append((seen[value], key, value))
        else:
            seen[value] = key
    return out


@dataclass(frozen=True, slots=True)
class WikiMapping:
    """Template, parameter and category names of one wiki, in one language."""

    template: str = DEFAULT_TEMPLATE
    parameters: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PARAMETERS))
    fiche_category: str = DEFAULT_FICHE_CATEGORY
    #: "" -> the language's name ("Fiches retirées", "Withdrawn fiches")
    withdrawn_category: str = ""
    #: kind -> name; a missing or empty one is the language's ("Thèmes", "Themes"...)
    kind_categories: Mapping[str, str] = field(default_factory=dict)
    language: str = "fr"

    def param(self, key: str) -> str:
        """The template parameter name of ``key`` (one of `PARAMETER_KEYS`)."""
        return self.parameters.get(key) or DEFAULT_PARAMETERS[key]

    @property
    def template_name(self) -> str:
        return template_name(self.template)

    @property
    def withdrawn(self) -> str:
        return self.withdrawn_category or catalogue(self.language)["category.withdrawn"]

    def kind_category(self, kind: str) -> str:
        """The parent category of a kind's categories; ``ValueError`` for another kind."""
        key = KIND_LABELS.get(kind)
        if key is None:
            raise ValueError(f"unknown category kind {kind!r}")
        return self.kind_categories.get(kind) or catalogue(self.language)[key]

    def categories(self) -> dict[str, str]:
        """Every category the bot names, as ``role -> title`` (roles: fiches,
        withdrawn and the kinds)."""
        names = {"fiches": self.fiche_category, "withdrawn": self.withdrawn}
        names |= {kind: self.kind_category(kind) for kind in KIND_LABELS}
        return {role: page_title_from(name) for role, name in names.items()}

    def problems(self) -> list[str]:
        """What makes this mapping unusable, one sentence each (empty: none)."""
        out: list[str] = []
        try:
            self.template_name  # noqa: B018 (raises on an unusable name)
        except TitleError:
            out.append(f"template {self.template!r} is not a usable page name")
        for key in PARAMETER_KEYS:
            why = parameter_problem(self.param(key))
            if why:
                out.append(f"parameter {key}: {why}")
        params = {key: self.param(key) for key in PARAMETER_KEYS}
        out += [f"parameters {a} and {b} are both {v!r}" for a, b, v in duplicates(params)]
        try:
            categories = self.categories()
        except TitleError:
            return [*out, "a category name is not a usable page name"]
        out += [f"categories {a} and {b} are both {v!r}" for a, b, v in duplicates(categories)]
        return out
