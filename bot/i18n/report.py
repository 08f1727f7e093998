"""Messages of the activity report (`capibot rapport`), in French and English."""

from __future__ import annotations

FR: dict[str, str] = {
    "report.title": "Rapport d'activité — {centre}",
    "report.title_plain": "Rapport d'activité",
    "report.period": "Période : {period}.",
    "report.figure.cases": "Échanges capturés",
    "report.figure.fiches": "Fiches validées",
    "report.figure.publications": "Fiches publiées sur le wiki",
    "report.figure.annotations": "Annotations de l'équipe de recherche",
    "report.figure.directory": "Personnes inscrites à l'annuaire (à ce jour)",
    "report.figure.median": "De la capture à la publication : {days} jours en médiane.",
    "report.figure.no_median": "Aucune fiche publiée sur la période : pas de délai à mesurer.",
    "report.chart.cases": "Échanges capturés et fiches publiées, par mois",
    "report.chart.themes": "Thèmes des fiches validées",
    "report.chart.territories": "Territoires des fiches validées",
    "report.chart.room_kinds": "Échanges capturés par type de salon",
    "report.chart.delays": "Délai de la capture à la publication",
    "report.legend.cases": "échanges capturés",
    "report.legend.published": "fiches publiées",
    "report.axis.days": "jours",
    "report.kind_unset": "type non renseigné",
    "report.none": "rien sur la période",
    "report.note": "Ce rapport ne contient que des nombres : aucun nom, aucun message, "
    "aucun pseudonyme. Produit par capibot.",
}

EN: dict[str, str] = {
    "report.title": "Activity report — {centre}",
    "report.title_plain": "Activity report",
    "report.period": "Period: {period}.",
    "report.figure.cases": "Exchanges captured",
    "report.figure.fiches": "Fiches approved",
    "report.figure.publications": "Fiches published on the wiki",
    "report.figure.annotations": "Annotations by the research team",
    "report.figure.directory": "People in the directory (today)",
    "report.figure.median": "From capture to publication: {days} days (median).",
    "report.figure.no_median": "No fiche published in the period: no delay to measure.",
    "report.chart.cases": "Exchanges captured and fiches published, per month",
    "report.chart.themes": "Themes of the approved fiches",
    "report.chart.territories": "Territories of the approved fiches",
    "report.chart.room_kinds": "Exchanges captured per kind of room",
    "report.chart.delays": "Time from capture to publication",
    "report.legend.cases": "exchanges captured",
    "report.legend.published": "fiches published",
    "report.axis.days": "days",
    "report.kind_unset": "kind not set",
    "report.none": "nothing in the period",
    "report.note": "This report holds numbers only: no name, no message, no pseudonym. "
    "Made by capibot.",
}
