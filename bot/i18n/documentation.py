"""Messages of the documentation desk (`!question`), in French and English."""

from __future__ import annotations

FR: dict[str, str] = {
    "cmd.ask.usage": "{prefix}question votre question",
    "cmd.ask.desc": "Pose une question à l'équipe documentation ; la réponse arrive dans "
    "le fil de la question.",
    "desk.none": "Ce réseau n'a pas d'équipe documentation joignable par le bot. Cherchez "
    "dans les fiches avec {prefix}chercher, ou posez la question ici.",
    "desk.here": "Ce salon est celui de l'équipe documentation : répondez dans le fil d'une "
    "question, la réponse sera transmise à la personne qui l'a posée.",
    "desk.sent": "Question n° {number} transmise à l'équipe documentation : sa réponse "
    "arrivera dans ce fil.",
    "desk.post": "Question n° {number} de {asker}, salon « {room} » :\n\n{text}\n\n"
    "Répondez dans ce fil : chaque réponse est transmise dans le fil de la question.",
    "desk.someone": "une personne du salon (sans consentement à être nommée)",
    "desk.answer": "Réponse de l'équipe documentation ({name}) à votre question n° "
    "{number} :\n\n{text}",
    "usage.missing_question": "Écrivez la question après la commande.",
}

EN: dict[str, str] = {
    "cmd.ask.usage": "{prefix}ask your question",
    "cmd.ask.desc": "Asks the documentation team a question; the answer comes back in the "
    "question's thread.",
    "desk.none": "This network has no documentation team the bot can reach. Search the "
    "fiches with {prefix}search, or ask here.",
    "desk.here": "This is the documentation team's room: answer in a question's thread and "
    "the answer goes to the person who asked.",
    "desk.sent": "Question no. {number} passed on to the documentation team: the answer "
    "will come in this thread.",
    "desk.post": "Question no. {number} from {asker}, room “{room}”:\n\n{text}\n\n"
    "Answer in this thread: each answer goes to the question's thread.",
    "desk.someone": "someone in the room (who has not agreed to be named)",
    "desk.answer": "Answer from the documentation team ({name}) to your question no. "
    "{number}:\n\n{text}",
    "usage.missing_question": "Write the question after the command.",
}
