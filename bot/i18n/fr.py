"""French messages (the default language). Same keys and placeholders as `en.py`."""

from __future__ import annotations

from bot.i18n import (
    codebook,
    curation,
    documentation,
    encryption,
    knowledge,
    layout,
    meetings,
    minutes_review,
    network,
    network_search,
    operations,
    privacy,
    prompting,
    publishing,
    reading,
    report,
    research,
    review,
)

MESSAGES: dict[str, str] = {
    # --- commands: usage line and one-line description -------------------------
    "cmd.help.usage": "{prefix}aide [commande]",
    "cmd.help.desc": "Liste les commandes que vous pouvez utiliser.",
    "cmd.capture.usage": "{prefix}capturer [titre]",
    "cmd.capture.desc": "Garde l'échange de ce fil (ou de cette chaîne de réponses) pour en "
    "faire une fiche. Une réaction 📌 fait de même.",
    "cmd.summary.usage": "{prefix}fiche [N] puis une ligne par champ (Titre: …)",
    "cmd.summary.desc": "Envoie ou modifie la fiche d'expérience du cas de ce fil (ou du cas N).",
    "cmd.cases.usage": "{prefix}cas [texte] [état:…] [thème:…] [territoire:…] [salon:…] [page N]",
    "cmd.cases.desc": "Liste les cas de ce salon, les plus récents d'abord, 30 par page ; filtres "
    "par état, thème ou territoire de la fiche, salon (salons de modération et de recherche).",
    "cmd.show.usage": "{prefix}voir N",
    "cmd.show.desc": "Affiche le cas N, sa fiche et son historique.",
    "cmd.approve.usage": "{prefix}valider N",
    "cmd.approve.desc": "Valide la fiche du cas N pour publication sur le wiki.",
    "cmd.reject.usage": "{prefix}rejeter N motif",
    "cmd.reject.desc": "Rejette la fiche du cas N en indiquant le motif.",
    "cmd.changes.usage": "{prefix}corriger N commentaire",
    "cmd.changes.desc": "Renvoie la fiche du cas N aux personnes qui l'ont rédigée, avec "
    "un commentaire.",
    "cmd.withdraw.usage": "{prefix}retirer N [motif]",
    "cmd.withdraw.desc": "Retire le cas N (et sa page du wiki s'il est publié) ; réservé "
    "aux personnes qui ont rédigé la fiche et à l'équipe de modération.",
    "cmd.restore.usage": "{prefix}rétablir N [motif]",
    "cmd.restore.desc": "Rétablit un cas retiré (et sa page du wiki s'il était publié).",
    "cmd.consent.usage": "{prefix}consentement oui|non|statut",
    "cmd.consent.desc": "Autorise ou non la publication de vos messages et de votre nom "
    "sur le wiki.",
    "cmd.forget.usage": "{prefix}oublier [confirmer]",
    "cmd.forget.desc": "Efface vos messages enregistrés et votre profil, et vous rend "
    "anonyme sur le wiki.",
    "cmd.annotate.usage": "{prefix}annoter N texte",
    "cmd.annotate.desc": "Ajoute une annotation de recherche à la fiche N (page de "
    "discussion du wiki).",
    "cmd.profile.usage": "{prefix}profil [fonction=… territoire=… expertises=a, b | supprimer]",
    "cmd.profile.desc": "Affiche ou modifie votre fiche dans l'annuaire (facultatif).",
    "cmd.experts.usage": "{prefix}experts sujet",
    "cmd.experts.desc": "Trouve dans l'annuaire les personnes qui connaissent un sujet.",
    "cmd.search.usage": "{prefix}chercher [réseau] question",
    "cmd.search.desc": "Cherche les fiches et les pages du wiki qui répondent à une "
    "question posée en français courant ; avec « réseau », aussi les fiches des autres "
    "centres sur le wiki du réseau.",
    "cmd.room.usage": "{prefix}salon [type fonction|thème|territoire|modération|recherche"
    " | nom … | categories a, b | capture oui|non | lettre oui|non | formes-courtes oui|non"
    " | comptes-rendus modération|direct | réseau oui|non]",
    "cmd.room.desc": "Affiche ou règle le profil de ce salon.",
    "cmd.version.usage": "{prefix}version",
    "cmd.version.desc": "Donne la version de capibot qui répond.",
    "version.reply": "capibot {version}",
    # --- help ---------------------------------------------------------------------
    "help.header": "Commandes disponibles pour vous :",
    "help.footer": "Détail d'une commande : {prefix}{help} <commande>",
    "help.unknown_topic": "Je ne connais pas la commande « {topic} ».",
    "help.aliases": "Autres noms : {names}",
    "help.restricted": "Réservée au rôle : {role}.",
    "help.short_header": "Les commandes utiles ici :",
    "help.more": "Toutes les commandes : « {prefix}{help} tout » ; le détail d'une commande : "
    "{prefix}{help} <commande>.",
    "help.fiche_fields": "Les champs, un par ligne, sous la forme « Champ: valeur » :",
    "help.required": "obligatoire",
    "help.optional": "facultatif",
    "help.fiche_example": "Exemple :",
    "help.example.title": "Accueil des familles le samedi matin",
    "help.example.context": "Beaucoup de parents ne pouvaient pas venir aux rendez-vous en "
    "semaine.",
    "help.example.action": "Nous avons ouvert une permanence sans rendez-vous le samedi de "
    "9 h à 12 h, tenue à deux.",
    "help.example.results": "Vingt familles reçues le premier mois, dont douze jamais vues "
    "auparavant.",
    "help.example.lessons": "Annoncer la permanence à l'école et à la mairie a plus compté "
    "que les affiches.",
    "help.example.themes": "accueil, parentalité",
    "help.example.territory": "Lille",
    "help.example.resources": "https://exemple.org/permanence",
    "role.everyone": "tout le monde",
    "role.participant": "personnes participantes du cas",
    "role.moderator": "équipe de modération du réseau",
    "role.researcher": "équipe de recherche",
    "role.room_admin": "administration du salon",
    "role.system": "le bot lui-même",
    # --- usage errors (one line, followed by usage.line) --------------------------
    "usage.line": "Utilisation : {usage}",
    "usage.unbalanced_quote": "Il manque le guillemet fermant ({quote}).",
    "usage.missing_case_id": "Indiquez le numéro du cas (par exemple 12 ou #12).",
    "usage.invalid_case_id": "« {value} » n'est pas un numéro de cas valide.",
    "usage.filter_missing_value": "Indiquez une valeur après « {key}: ».",
    "usage.filter_duplicate_key": "Le filtre « {value} » est donné deux fois.",
    "usage.unknown_state": "État « {value} » inconnu : capture, fiche attendue, relecture, "
    "corrections, validée, publiée, rejetée ou retirée.",
    "usage.invalid_page": "« {value} » n'est pas un numéro de page (1, 2, 3…).",
    "usage.unexpected_argument": "Je n'attendais rien après « {value} ».",
    "usage.invalid_switch": "« {value} » : répondez oui ou non.",
    "usage.too_long": "Texte trop long ({length} caractères, {max} au maximum).",
    "usage.title_too_long": "Titre trop long ({length} caractères, {max} au maximum).",
    "usage.fiche_empty": "Ajoutez les champs de la fiche, un par ligne (Titre: …).",
    "usage.missing_reason": "Indiquez le motif du rejet.",
    "usage.missing_comment": "Indiquez ce qu'il faut corriger.",
    "usage.missing_text": "Indiquez le texte de l'annotation.",
    "usage.invalid_choice": "Option « {value} » inconnue.",
    "usage.profile_expected_key": "Écrivez les champs sous la forme clé=valeur "
    "(« {value} » ne l'est pas).",
    "usage.profile_unknown_key": "Champ « {value} » inconnu : fonction, territoire ou expertises.",
    "usage.profile_duplicate_key": "Le champ « {value} » est donné deux fois.",
    "usage.missing_topic": "Indiquez un sujet.",
    "usage.missing_query": "Indiquez votre question.",
    "usage.room_unknown_setting": "Réglage « {value} » inconnu.",
    "usage.room_missing_value": "Indiquez la valeur du réglage.",
    "usage.room_invalid_kind": "Type « {value} » inconnu : fonction, thème, territoire, "
    "modération ou recherche.",
    "usage.room_invalid_category": "Nom de catégorie invalide : « {value} » (caractères "
    "interdits : [ ] {{ }} | # < >).",
    # --- fiche --------------------------------------------------------------------
    "fiche.field.title": "Titre",
    "fiche.field.context": "Contexte",
    "fiche.field.action": "Action",
    "fiche.field.results": "Résultats",
    "fiche.field.lessons": "Enseignements",
    "fiche.field.themes": "Thèmes",
    "fiche.field.territory": "Territoire",
    "fiche.field.resources": "Ressources",
    "fiche.empty": "La fiche est vide : écrivez un champ par ligne (Titre: …).",
    "fiche.text_before_field": "Texte avant le premier champ : « {line} ». Commencez par "
    "un nom de champ, par exemple « Titre: ».",
    "fiche.unknown_field": "Champ « {key} » inconnu. Champs possibles : Titre, Contexte, "
    "Action, Résultats, Enseignements, Thèmes, Territoire, Ressources.",
    "fiche.duplicate_field": "Le champ « {field} » apparaît deux fois.",
    "fiche.title_multiline": "Le champ « {field} » doit tenir sur une seule ligne.",
    "fiche.too_many_themes.one": "Le champ « {field} » donne {count} thème : {max} au plus "
    "(chacun devient une catégorie du wiki).",
    "fiche.too_many_themes.other": "Le champ « {field} » donne {count} thèmes : {max} au "
    "plus (chacun devient une catégorie du wiki).",
    "fiche.theme_too_long": "Un thème du champ « {field} » est trop long ({theme}) : "
    "{max} caractères au plus par thème.",
    "fiche.title_too_long": "Le champ « {field} » est trop long ({length} caractères, "
    "{max} au maximum).",
    "fiche.field_too_long": "Le champ « {field} » est trop long ({length} caractères, "
    "{max} au maximum).",
    "fiche.missing_field": "Il manque le champ obligatoire « {field} ».",
    "fiche.template_hint": "Complétez chaque champ après les deux-points (obligatoires : "
    "{required}). Une ligne peut continuer sur les suivantes.",
    "draft.label": "Brouillon tiré automatiquement de l'échange : relisez, corrigez et "
    "complétez-le, puis envoyez-le avec {prefix}fiche.",
    "draft.hint_lessons": "À compléter : qu'en retenir ? Qu'est-ce qui serait "
    "transposable ailleurs ?",
    "draft.hint_missing": "À compléter.",
    # --- states, events, kinds ------------------------------------------------------
    "state.capturing": "en cours de capture",
    "state.awaiting_summary": "fiche attendue",
    "state.in_review": "en relecture",
    "state.changes_requested": "corrections demandées",
    "state.approved": "validée",
    "state.published": "publiée",
    "state.rejected": "rejetée",
    "state.withdrawn": "retirée",
    "event.capture_closed": "clore la capture",
    "event.prompt_due": "demander la fiche",
    "event.fiche_submitted": "envoyer une fiche",
    "event.approve": "valider",
    "event.published": "publier",
    "event.reject": "rejeter",
    "event.request_changes": "demander des corrections",
    "event.withdraw": "retirer",
    "event.restore": "rétablir",
    "room_kind.function": "fonction",
    "room_kind.theme": "thème",
    "room_kind.territory": "territoire",
    "room_kind.moderation": "modération",
    "room_kind.research": "recherche",
    "consent_state.unknown": "non renseigné",
    "consent_state.granted": "accordé",
    "consent_state.refused": "refusé",
    # --- lifecycle refusals -------------------------------------------------------
    "lifecycle.forbidden.system": "Cette étape du cas #{case} est réservée au bot.",
    "lifecycle.forbidden.system_or_moderator": "Seule l'équipe de modération peut {event} "
    "(cas #{case}).",
    "lifecycle.forbidden.moderator": "Seule l'équipe de modération du réseau peut "
    "{event} (cas #{case}).",
    "lifecycle.forbidden.participant_or_moderator": "Seules les personnes "
    "participantes de l'échange et l'équipe de modération peuvent {event} (cas #{case}).",
    "lifecycle.forbidden.author_or_moderator": "Seules les personnes qui ont soumis une "
    "version de la fiche et l'équipe de modération peuvent {event} (cas #{case}). Pour "
    "vos propres messages : {prefix}consentement non ou {prefix}oublier.",
    "lifecycle.four_eyes.submitted": "Vous avez soumis une version de la fiche du cas "
    "#{case} : une autre personne de l'équipe de modération doit la valider (principe des quatre "
    "yeux).",
    "lifecycle.four_eyes.wrote": "Vous avez écrit dans l'échange du cas #{case} : une autre "
    "personne de l'équipe de modération doit valider sa fiche (principe des quatre yeux).",
    "lifecycle.not_withdrawn": "Le cas #{case} n'est pas retiré (état : {state}) : rien à "
    "rétablir.",
    "lifecycle.withdrawn": "Le cas #{case} a été retiré : plus rien à faire (l'équipe de "
    "modération peut le rétablir).",
    "lifecycle.rejected": "Le cas #{case} a été rejeté : il est clos.",
    "lifecycle.no_fiche": "Le cas #{case} n'a pas encore de fiche à {event}.",
    "lifecycle.already_approved": "La fiche du cas #{case} est déjà {state}.",
    "lifecycle.waiting_for_changes": "Des corrections ont été demandées pour le cas "
    "#{case} : on attend la nouvelle version.",
    "lifecycle.not_in_review": "La fiche du cas #{case} n'est pas en relecture (état : {state}).",
    "lifecycle.invalid": "Action impossible ({event}) : le cas #{case} est dans l'état "
    "« {state} ».",
    "lifecycle.reason_required.reject": "Indiquez le motif du rejet du cas #{case}.",
    "lifecycle.reason_required.request_changes": "Indiquez les corrections attendues pour "
    "le cas #{case}.",
    # --- services: capture, consent, rooms, cases --------------------------------
    "intro": "Bonjour ! Je suis capibot, l'assistant de capitalisation de ce réseau. "
    "Quand un échange de pratiques mérite d'être gardé, répondez dans son fil par "
    "{prefix}capturer (ou réagissez 📌 à un message) : je le garde et je proposerai aux "
    "personnes participantes d'en rédiger une fiche d'expérience, relue par l'équipe de "
    "modération avant sa "
    "publication sur le wiki. Je n'enregistre que les échanges capturés. Vos messages et "
    "votre nom ne sont publiés qu'avec votre accord ({prefix}consentement oui) ; sinon vous "
    "apparaissez comme « Personne N ». Confidentialité : {notice}. Aide : {prefix}aide.",
    "guide.link": "Le guide d'utilisation : {url}",
    "intro.no_notice": "demandez la notice à l'équipe d'animation",
    "denied": "Cette commande est réservée ({role}).",
    "dm.unknown": "Je ne connais pas la commande « {word} ».",
    "capture.not_in_thread": "Pour capturer un échange, envoyez {prefix}capturer dans son fil "
    "ou en réponse à un de ses messages.",
    "capture.disabled": "La capture est désactivée dans ce salon ({prefix}salon capture oui "
    "pour la réactiver).",
    "capture.queued": "Capture en cours…",
    "capture.done.one": "Échange capturé : cas #{case} « {title} » ({count} message). Les "
    "messages suivants de ce fil le rejoindront. Quand l'échange sera calme, je proposerai "
    "aux personnes participantes d'en rédiger la fiche ({prefix}fiche).",
    "capture.done.other": "Échange capturé : cas #{case} « {title} » ({count} messages). Les "
    "messages suivants de ce fil le rejoindront. Quand l'échange sera calme, je proposerai "
    "aux personnes participantes d'en rédiger la fiche ({prefix}fiche).",
    "capture.root_missing": "Je ne trouve pas ce message dans ce salon : rien n'est "
    "capturé. Répondez dans le fil de l'échange lui-même.",
    "capture.exists": "Cet échange est déjà capturé : cas #{case} « {title} » ({state}).",
    "capture.untitled": "sans titre",
    "consent.granted": "C'est noté : vos messages et votre nom pourront être publiés sur le "
    "wiki dans les fiches validées.",
    "consent.refused": "C'est noté : vos messages ne seront pas cités sur le wiki et vous y "
    "apparaîtrez comme « Personne N ».",
    "consent.status": "Votre consentement : {state}{since}.",
    "consent.since": " (depuis le {date})",
    "cases.header": "Cas ({count}) — page {page}/{pages} :",
    "cases.line": "**#{case}** · {state} · {title}",
    "cases.empty": "Aucun cas pour l'instant.",
    "cases.no_match": "Aucun cas ne correspond à ces filtres.",
    "cases.page_out_of_range.zero": "Il n'y a aucune page à afficher.",
    "cases.page_out_of_range.one": "Il n'y a qu'une page : demandez la page 1.",
    "cases.page_out_of_range.other": "Il n'y a que {count} pages : demandez une page entre 1 "
    "et {count}.",
    "cases.more": "Page suivante : ajoutez « page {next} » ({prefix}cas … page {next}).",
    "cases.unknown_room": "Je ne connais pas de salon « {room} » (son nom ou son identifiant).",
    "cases.room_confined": "Ici, la liste se limite aux cas de ce salon ; les autres salons se "
    "consultent depuis le salon de modération ou de recherche.",
    "case.not_found": "Le cas #{case} n'existe pas.",
    "case.not_visible": "Le cas #{case} n'appartient pas à ce salon.",
    "show.header": "**Cas #{case} « {title} »** — {state}",
    "show.meta.one": "Salon « {room} » · ouvert par {by} le {date} · {count} message",
    "show.meta.other": "Salon « {room} » · ouvert par {by} le {date} · {count} messages",
    "show.fiche": "**Fiche** (version {version}) :",
    "show.no_fiche": "Pas encore de fiche.",
    "show.history": "**Historique** :",
    "show.history_line": "{date} · {actor} · {from_state} → {to_state}{reason}",
    "room.show": "Profil du salon — type : {kind} · nom : {label} · catégories : {categories}"
    " · capture : {capture} · lettre d'information : {digest} · formes courtes anglaises "
    "(!help, !list…) : {short_forms}",
    "room.updated": "Profil du salon mis à jour.",
    "room.none": "—",
    "room.on": "oui",
    "room.off": "non",
    "error.internal": "Désolé, cette commande a échoué de mon côté ; l'équipe technique "
    "en trouvera la trace dans les journaux.",
    **prompting.FR,
    **knowledge.FR,
    **curation.FR,
    **research.FR,
    **report.FR,
    **documentation.FR,
    **meetings.FR,
    **minutes_review.FR,
    **network.FR,
    **operations.FR,
    **privacy.FR,
    **publishing.FR,
    **encryption.FR,
    **review.FR,
    **layout.FR,
    **reading.FR,
    **codebook.FR,
    **network_search.FR,
}
