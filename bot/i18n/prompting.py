"""Messages of the summary prompts, reminders and escalations (French and English)."""

from __future__ import annotations

FR: dict[str, str] = {
    "prompt.intro": "l'échange #{case} « {title} » est calme depuis un moment : il mérite "
    "sans doute une fiche d'expérience ! Vous pouvez la rédiger ensemble : envoyez "
    "**{command}** suivi des champs, ici ou ailleurs. Un modèle vierge et un brouillon tiré "
    "de l'échange suivent.",
    "prompt.template": "**Modèle à remplir** :",
    "prompt.draft": "**Brouillon** (automatique, à relire et compléter avant de l'envoyer) :",
    "reminder.body": "petit rappel : l'échange #{case} « {title} » attend toujours sa "
    "fiche d'expérience. Envoyez {command} suivi des champs (le modèle et le brouillon "
    "sont plus haut).",
    "reminder.last": "C'est le dernier rappel : ensuite, le cas sera signalé à l'équipe de "
    "modération.",
    "escalate.body.zero": "Le cas #{case} « {title} » ({room}) attend toujours sa fiche "
    "d'expérience : il a besoin d'un coup de main. {link}",
    "escalate.body.one": "Le cas #{case} « {title} » ({room}) attend toujours sa fiche "
    "d'expérience après un rappel : il a besoin d'un coup de main. {link}",
    "escalate.body.other": "Le cas #{case} « {title} » ({room}) attend toujours sa fiche "
    "d'expérience après {count} rappels : il a besoin d'un coup de main. {link}",
}

EN: dict[str, str] = {
    "prompt.intro": 'the exchange #{case} "{title}" has gone quiet: it is probably worth '
    "a fiche! You can write it together: send **{command}** followed by the "
    "fields, here or anywhere. A blank template and a draft taken from the exchange "
    "follow.",
    "prompt.template": "**Template** to fill in:",
    "prompt.draft": "**Draft** (automatic, read and complete it before sending):",
    "reminder.body": 'a quick reminder: the exchange #{case} "{title}" still awaits its '
    "fiche. Send {command} followed by the fields (the template and the draft "
    "are further up).",
    "reminder.last": "This is the last reminder: after it, the case will be flagged to the "
    "moderators.",
    "escalate.body.zero": 'Case #{case} "{title}" ({room}) still awaits its fiche: '
    "it needs a hand. {link}",
    "escalate.body.one": 'Case #{case} "{title}" ({room}) still awaits its fiche '
    "after one reminder: it needs a hand. {link}",
    "escalate.body.other": 'Case #{case} "{title}" ({room}) still awaits its fiche '
    "after {count} reminders: it needs a hand. {link}",
}
