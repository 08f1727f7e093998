"""What each code of the research codebook means (French and English): the descriptions of
`capibot export --format codebook-csv`, read by researchers in their QDA tool."""

from __future__ import annotations

FR: dict[str, str] = {
    "codebook.group.fields": "Les champs de la fiche d'expérience validée : chaque champ "
    "est codé sur son propre texte.",
    "codebook.group.themes": "Les thèmes donnés aux fiches : chaque fiche est codée, en "
    "entier, avec chacun de ses thèmes.",
    "codebook.group.territories": "Les territoires des fiches : chaque fiche est codée, en "
    "entier, avec son territoire.",
    "codebook.field.context": "Contexte : la situation de départ, le public, le lieu et le "
    "problème posé.",
    "codebook.field.action": "Action : ce qui a été fait, par qui, avec quels moyens et "
    "quels partenaires.",
    "codebook.field.results": "Résultats : ce que l'action a produit, ce qui a été observé "
    "ou mesuré.",
    "codebook.field.lessons": "Enseignements : ce que l'expérience apprend, à refaire ou "
    "à éviter ailleurs.",
    "codebook.theme": "Thème « {theme} » : les fiches qui portent ce thème.",
    "codebook.territory": "Territoire « {territory} » : les fiches de ce territoire.",
}

EN: dict[str, str] = {
    "codebook.group.fields": "The fields of the approved fiche: each field is coded on "
    "its own text.",
    "codebook.group.themes": "The themes given to the fiches: each fiche is coded, whole, "
    "with each of its themes.",
    "codebook.group.territories": "The territories of the fiches: each fiche is coded, "
    "whole, with its territory.",
    "codebook.field.context": "Context: the starting situation, the people concerned, the "
    "place and the problem.",
    "codebook.field.action": "Practice: what was done, by whom, with which means and partners.",
    "codebook.field.results": "Results: what the practice produced, what was observed or measured.",
    "codebook.field.lessons": "Lessons: what the experience teaches, to do again or to "
    "avoid elsewhere.",
    "codebook.theme": "Theme “{theme}”: the fiches that carry this theme.",
    "codebook.territory": "Territory “{territory}”: the fiches of this territory.",
}
