"""The wiki's own namespace names, from its ``meta=siteinfo``.

Which prefixes take a title out of the main namespace depends on the wiki: its site name
("Capiwiki:", "Discussion Capiwiki:" on a French wiki called Capiwiki), its language
("Fichier:"), the canonical names ("File:", "Project:"), the aliases ("Image:", or a
"WP:" an admin added) and the interwiki table. The client reads them once per login
(`WikiClient.namespaces`) and `titles.page_title_from` neutralises every one of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wiki_sync.titles import fold_name

#: What the siteinfo request asks for (one request, ~10 kB on a fresh wiki).
SITEINFO_PROPS = "general|namespaces|namespacealiases|interwikimap"
#: `namespace_of` for a title that names a page of another wiki (interwiki prefix).
INTERWIKI = -1000


def _text(item: Mapping[str, Any], *keys: str) -> str:
    # formatversion=2 names the value ("name", "alias"); formatversion=1 calls it "*".
    for key in (*keys, "*"):
        value = item.get(key)
        if isinstance(value, str):
            return value
    return ""


@dataclass(frozen=True, slots=True)
class SiteNamespaces:
    """Namespace names, aliases and interwiki prefixes of one wiki."""

    sitename: str = ""
    #: every name, canonical name and alias of a namespace other than main, as spelled
    names: tuple[str, ...] = ()
    #: interwiki (and interlanguage) prefixes
    interwiki: tuple[str, ...] = ()
    #: folded name -> namespace id, for `namespace_of`
    ids: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_siteinfo(cls, query: Mapping[str, Any]) -> SiteNamespaces:
        """From the ``query`` part of ``meta=siteinfo&siprop=`` `SITEINFO_PROPS`."""
        pairs: list[tuple[str, int]] = []
        spaces = query.get("namespaces") or {}
        for space in spaces.values() if isinstance(spaces, Mapping) else spaces:
            number = int(space.get("id", 0))
            pairs += [(_text(space, "name"), number), (str(space.get("canonical") or ""), number)]
        for alias in query.get("namespacealiases") or ():
            pairs.append((_text(alias, "alias"), int(alias.get("id", 0))))
        pairs = [(name.strip(), number) for name, number in pairs if name.strip() and number]
        prefixes = [str(i.get("prefix", "")) for i in query.get("interwikimap") or ()]
        return cls(
            sitename=str((query.get("general") or {}).get("sitename", "")),
            names=tuple(dict.fromkeys(name for name, _ in pairs)),
            interwiki=tuple(dict.fromkeys(p for p in prefixes if p.strip())),
            ids={fold_name(name): number for name, number in pairs},
        )

    @property
    def prefixes(self) -> tuple[str, ...]:
        """What `page_title_from` must neutralise: this wiki's names and interwiki
        prefixes, as its siteinfo gives them (no built-in list: a French name on an
        English wiki is no namespace there)."""
        return _union(self.names, self.interwiki)

    def namespace_of(self, title: str) -> int:
        """The namespace the wiki puts ``title`` in: 0 (main) unless the part before its
        first colon is a namespace name (its id) or an interwiki prefix (`INTERWIKI`)."""
        prefix, colon, _ = title.lstrip(": ").partition(":")
        if not colon:
            return 0
        key = fold_name(prefix)
        if key in self.ids:
            return self.ids[key]
        return INTERWIKI if key in {fold_name(p) for p in self.interwiki} else 0


def _union(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for group in groups for name in group))
