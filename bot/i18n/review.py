"""Messages of the review card: the fiche as a list, and what changed since its last
version (French and English). Markdown: field names in bold, lists, ~~before~~ **after**.
« (champ retiré) » rather than « (retiré) »: field names are singular or plural
(« Thèmes »), the word « champ » keeps the agreement right for all."""

from __future__ import annotations

FR: dict[str, str] = {
    "review.field": "**{field}** : {value}",
    "review.changes.one": "**Changement depuis la version {previous}** :",
    "review.changes.other": "**Changements depuis la version {previous}** ({count} champs) :",
    "review.added": "**{field}** (nouveau champ) : {value}",
    "review.removed": "**{field}** (champ retiré)",
    "review.changed_short": "**{field}** : {before} → {after}",
    "review.changed": "**{field}** (champ modifié) :",
    "review.before": "avant : {text}",
    "review.after": "après : {text}",
    "review.fiche": "**Fiche complète** :",
}

EN: dict[str, str] = {
    "review.field": "**{field}**: {value}",
    "review.changes.one": "**Change since version {previous}**:",
    "review.changes.other": "**Changes since version {previous}** ({count} fields):",
    "review.added": "**{field}** (new field): {value}",
    "review.removed": "**{field}** (field removed)",
    "review.changed_short": "**{field}**: {before} → {after}",
    "review.changed": "**{field}** (field changed):",
    "review.before": "before: {text}",
    "review.after": "after: {text}",
    "review.fiche": "**Whole fiche**:",
}
