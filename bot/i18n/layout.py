"""How list lines of rich messages are laid out (French and English): what is in bold.
Markdown; the values are escaped by the Translator."""

from __future__ import annotations

FR: dict[str, str] = {
    "help.line": "**{usage}** — {desc}",
    "help.usage": "**{usage}**",
    "help.fiche_field": "**{field}** ({mark})",
}

EN: dict[str, str] = {
    "help.line": "**{usage}** — {desc}",
    "help.usage": "**{usage}**",
    "help.fiche_field": "**{field}** ({mark})",
}
