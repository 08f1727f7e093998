"""Messages about encrypted messages the bot could not read (French and English)."""

from __future__ import annotations

FR: dict[str, str] = {
    # « envoyé par {name} » rather than « de {name} »: no « de Inès » to elide.
    "undecryptable.notice": "Je n'ai pas pu lire le message chiffré envoyé par {name} le "
    "{date} : sa clé de chiffrement ne m'est jamais parvenue. S'il fait partie d'un "
    "échange gardé pour le wiki, il y manquera : {name}, vous pouvez le renvoyer. Si cela "
    "se reproduit, vérifiez ma session dans votre application ou partagez-moi vos clés "
    "de chiffrement.",
    "undecryptable.notice_case": "Je n'ai pas pu lire le message chiffré envoyé par {name} "
    "le {date} : sa clé de chiffrement ne m'est jamais parvenue, il manque donc à "
    "l'échange #{case}. {name}, vous pouvez le renvoyer. Si cela se reproduit, vérifiez "
    "ma session dans votre application ou partagez-moi vos clés de chiffrement.",
    "undecryptable.gap.zero": "Tous les messages chiffrés ont pu être lus.",
    "undecryptable.gap.one": "{count} message chiffré n'a pas pu être lu.",
    "undecryptable.gap.other": "{count} messages chiffrés n'ont pas pu être lus.",
}

EN: dict[str, str] = {
    "undecryptable.notice": "I could not read the encrypted message {name} sent on {date}: "
    "its encryption key never reached me. If it belongs to an exchange kept for the wiki, "
    "it will be missing from it: {name}, you can send it again. If this happens again, "
    "verify my session in your app or share your encryption keys with me.",
    "undecryptable.notice_case": "I could not read the encrypted message {name} sent on "
    "{date}: its encryption key never reached me, so it is missing from exchange "
    "#{case}. {name}, you can send it again. If this happens again, verify my session in "
    "your app or share your encryption keys with me.",
    "undecryptable.gap.zero": "Every encrypted message could be read.",
    "undecryptable.gap.one": "{count} encrypted message could not be read.",
    "undecryptable.gap.other": "{count} encrypted messages could not be read.",
}
