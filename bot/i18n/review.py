"""Messages of the review card: the fiche as a list, and what changed since its last
version (French and English). Markdown: field names in bold, lists, ~~before~~ **after**."""

from __future__ import annotations

FR: dict[str, str] = {
    "review.field": "**{field}** : {value}",
    "review.changes.one": "**Changement depuis la version {previous}** :",
    "review.changes.other": "**Changements depuis la version {previous}** ({count} champs) :",
    "review.added": "**{field}** (ajouté) : {value}",
    "review.removed": "**{field}** (retiré)",
    "review.changed_short": "**{field}** : {before} → {after}",
    "review.changed": "**{field}** (modifié) :",
    "review.before": "avant : {text}",
    "review.after": "après : {text}",
    "review.fiche": "**Fiche complète** :",
}

EN: dict[str, str] = {
    "review.field": "**{field}**: {value}",
    "review.changes.one": "**Change since version {previous}**:",
    "review.changes.other": "**Changes since version {previous}** ({count} fields):",
    "review.added": "**{field}** (added): {value}",
    "review.removed": "**{field}** (removed)",
    "review.changed_short": "**{field}**: {before} → {after}",
    "review.changed": "**{field}** (changed):",
    "review.before": "before: {text}",
    "review.after": "after: {text}",
    "review.fiche": "**Whole fiche**:",
}
