"""Messages of the knowledge drawn from exchanges (issue 17): related fiches."""

from __future__ import annotations

FR: dict[str, str] = {
    "related.heading": "Fiches proches déjà publiées :",
    "related.card_heading": "Fiches proches déjà publiées (un doublon possible ?) :",
    "related.item": "« {title} » : {url}",
}

EN: dict[str, str] = {
    "related.heading": "Related fiches already published:",
    "related.card_heading": "Related fiches already published (a possible duplicate?):",
    "related.item": "\"{title}\": {url}",
}
