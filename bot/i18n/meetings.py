"""Messages of meetings' compte-rendus (`!réunion`), in French and English."""

from __future__ import annotations

FR: dict[str, str] = {
    "cmd.meeting.usage": "{prefix}réunion début [titre] | {prefix}réunion fin",
    "cmd.meeting.desc": "Ouvre ou ferme une réunion : les lignes #info, #décision, "
    "#action @qui, #idée, #lien, #sujet en font le compte-rendu, publié sur le wiki.",
    "usage.meeting_verb": "Écrivez « début » (avec un titre si vous voulez) ou « fin ».",
    "meeting.started": "Réunion « {title} » ouverte. Marquez les points avec #info, "
    "#décision, #action @qui …, #idée, #lien URL et #sujet … ; fermez-la avec "
    "{prefix}réunion fin (sinon elle se ferme seule après {limit}). Les mots des personnes "
    "qui n'ont pas donné leur consentement ne sont pas repris dans le compte-rendu.",
    "meeting.already": "Une réunion est déjà ouverte dans ce salon (« {title} ») : "
    "fermez-la d'abord avec {prefix}réunion fin.",
    "meeting.none": "Aucune réunion n'est ouverte dans ce salon. Ouvrez-en une avec "
    "{prefix}réunion début [titre].",
    "meeting.refused": "Seules la personne qui a ouvert la réunion et l'équipe de "
    "modération du salon peuvent la fermer. La réunion reste ouverte.",
    "meeting.untitled": "Réunion du {date}",
    "meeting.summary": "Compte-rendu de « {title} »",
    "meeting.auto_closed": "Réunion fermée automatiquement après {limit}.",
    "meeting.present": "Personnes présentes : {names}",
    "meeting.others.one": "{count} autre personne",
    "meeting.others.other": "{count} autres personnes",
    "meeting.nobody": "aucune personne",
    "meeting.opening": "Début de la réunion",
    "meeting.hidden_topic": "Sujet (titre non repris)",
    "meeting.hidden": "(contribution non reprise : la personne n'a pas donné son consentement)",
    "meeting.hidden_owner": "une personne sans consentement",
    "meeting.decisions": "Décisions",
    "meeting.actions": "Actions",
    "meeting.links": "Liens",
    "meeting.tag.info": "Info",
    "meeting.tag.decision": "Décision",
    "meeting.tag.action": "Action",
    "meeting.tag.idea": "Idée",
    "meeting.tag.link": "Lien",
    "meeting.owner": "{owner} : {text}",
    "meeting.empty": "Aucun point marqué.",
    "meeting.publishing": "Le compte-rendu sera publié sur le wiki.",
    "meeting.published": "Compte-rendu publié sur le wiki : {url}",
    "meeting.page_title": "Compte-rendu {number} – {title}",
    "meeting.failed": "Le compte-rendu n° {number} n'a pas pu être publié sur le wiki : "
    "{reason}. Son journal reste enregistré.",
    "meeting.refused_by_wiki": "Le wiki refuse le bot pour le compte-rendu n° {number} : "
    "{reason}. C'est un problème de configuration (identifiants ou droits, voir « capibot "
    "check ») ; le compte-rendu attend et partira dès qu'il sera corrigé.",
}

EN: dict[str, str] = {
    "cmd.meeting.usage": "{prefix}meeting start [title] | {prefix}meeting end",
    "cmd.meeting.desc": "Opens or closes a meeting: #info, #decision, #action @who, #idea, "
    "#link and #topic lines make its minutes, published on the wiki.",
    "usage.meeting_verb": "Write “start” (with a title if you like) or “end”.",
    "meeting.started": "Meeting “{title}” open. Mark points with #info, #decision, "
    "#action @who …, #idea, #link URL and #topic …; close it with {prefix}meeting end "
    "(otherwise it closes itself after {limit}). Words of people who have not given "
    "their consent are left out of the minutes.",
    "meeting.already": "A meeting is already open in this room (“{title}”): close it "
    "first with {prefix}meeting end.",
    "meeting.none": "No meeting is open in this room. Open one with {prefix}meeting start [title].",
    "meeting.refused": "Only the person who opened the meeting and the room's moderators "
    "may close it. The meeting stays open.",
    "meeting.untitled": "Meeting of {date}",
    "meeting.summary": "Minutes of “{title}”",
    "meeting.auto_closed": "Meeting closed automatically after {limit}.",
    "meeting.present": "Present: {names}",
    "meeting.others.one": "{count} other person",
    "meeting.others.other": "{count} other people",
    "meeting.nobody": "nobody",
    "meeting.opening": "Start of the meeting",
    "meeting.hidden_topic": "Topic (title left out)",
    "meeting.hidden": "(contribution left out: its author has not given consent)",
    "meeting.hidden_owner": "someone without consent",
    "meeting.decisions": "Decisions",
    "meeting.actions": "Actions",
    "meeting.links": "Links",
    "meeting.tag.info": "Info",
    "meeting.tag.decision": "Decision",
    "meeting.tag.action": "Action",
    "meeting.tag.idea": "Idea",
    "meeting.tag.link": "Link",
    "meeting.owner": "{owner}: {text}",
    "meeting.empty": "No point marked.",
    "meeting.publishing": "The minutes will be published on the wiki.",
    "meeting.published": "Minutes published on the wiki: {url}",
    "meeting.page_title": "Minutes {number} – {title}",
    "meeting.failed": "The minutes no. {number} could not be published on the wiki: "
    "{reason}. Their log stays stored.",
    "meeting.refused_by_wiki": "The wiki refuses the bot for the minutes no. {number}: "
    "{reason}. This is a configuration problem (credentials or rights, see `capibot "
    "check`); the minutes wait and go out as soon as it is fixed.",
}
