"""English messages. Same keys and placeholders as `fr.py`."""

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
    "cmd.help.usage": "{prefix}help [command]",
    "cmd.help.desc": "Lists the commands you can use.",
    "cmd.capture.usage": "{prefix}capture [title]",
    "cmd.capture.desc": "Keeps the exchange of this thread (or reply chain) to turn it "
    "into a fiche. A 📌 reaction does the same.",
    "cmd.summary.usage": "{prefix}summary [N] then one line per field (Title: …)",
    "cmd.summary.desc": "Submits or amends the fiche of this thread's case (or of case N).",
    "cmd.cases.usage": "{prefix}cases [text] [state:…] [theme:…] [territory:…] [room:…] [page N]",
    "cmd.cases.desc": "Lists the cases of this room, newest first, 30 a page; filters by the "
    "fiche's state, theme or territory, and by room (moderation and research rooms).",
    "cmd.show.usage": "{prefix}show N",
    "cmd.show.desc": "Shows case N, its fiche and its history.",
    "cmd.approve.usage": "{prefix}approve N",
    "cmd.approve.desc": "Approves the fiche of case N for publication on the wiki.",
    "cmd.reject.usage": "{prefix}reject N reason",
    "cmd.reject.desc": "Rejects the fiche of case N, giving the reason.",
    "cmd.changes.usage": "{prefix}changes N comment",
    "cmd.changes.desc": "Sends the fiche of case N back to its authors with a comment.",
    "cmd.withdraw.usage": "{prefix}withdraw N [reason]",
    "cmd.withdraw.desc": "Withdraws case N (and its wiki page if published): the fiche's "
    "authors and moderators.",
    "cmd.restore.usage": "{prefix}restore N [reason]",
    "cmd.restore.desc": "Restores a withdrawn case (and its wiki page if it was published).",
    "cmd.consent.usage": "{prefix}consent yes|no|status",
    "cmd.consent.desc": "Allows or refuses publishing your messages and name on the wiki.",
    "cmd.forget.usage": "{prefix}forget [confirm]",
    "cmd.forget.desc": "Erases your stored messages and profile and makes you anonymous "
    "on the wiki.",
    "cmd.annotate.usage": "{prefix}annotate N text",
    "cmd.annotate.desc": "Adds a research annotation to fiche N (wiki talk page).",
    "cmd.profile.usage": "{prefix}profile [function=… territory=… expertise=a, b | delete]",
    "cmd.profile.desc": "Shows or edits your entry in the directory (optional).",
    "cmd.experts.usage": "{prefix}experts topic",
    "cmd.experts.desc": "Finds people in the directory who know about a topic.",
    "cmd.search.usage": "{prefix}search [network] question",
    "cmd.search.desc": "Finds the fiches and wiki pages that answer a question in plain "
    "words; with “network”, also other centres' fiches on the network wiki.",
    "cmd.room.usage": "{prefix}room [type function|theme|territory|moderation|research"
    " | label … | categories a, b | capture on|off | digest on|off | short-forms on|off"
    " | minutes review|direct | network on|off]",
    "cmd.room.desc": "Shows or sets this room's profile.",
    "cmd.version.usage": "{prefix}version",
    "cmd.version.desc": "Tells which version of capibot is answering.",
    "version.reply": "capibot {version}",
    # --- help ---------------------------------------------------------------------
    "help.header": "Commands available to you:",
    "help.footer": "Details of a command: {prefix}{help} <command>",
    "help.unknown_topic": "I don't know the command “{topic}”.",
    "help.aliases": "Other names: {names}",
    "help.restricted": "Restricted to: {role}.",
    "help.short_header": "Useful commands here:",
    "help.more": "Every command: “{prefix}{help} all”; details of a command: "
    "{prefix}{help} <command>.",
    "help.fiche_fields": "The fields, one a line, as “Field: value”:",
    "help.required": "required",
    "help.optional": "optional",
    "help.fiche_example": "Example:",
    "help.example.title": "Welcoming families on Saturday mornings",
    "help.example.context": "Many parents could not come to appointments on weekdays.",
    "help.example.action": "We opened a drop-in session on Saturdays from 9 to 12, run by two "
    "of us.",
    "help.example.results": "Twenty families seen in the first month, twelve of them new to us.",
    "help.example.lessons": "Announcing it at the school and the town hall mattered more than "
    "the posters.",
    "help.example.themes": "welcome, parenting",
    "help.example.territory": "Lille",
    "help.example.resources": "https://example.org/drop-in",
    "role.everyone": "everyone",
    "role.participant": "participants of the case",
    "role.moderator": "network moderators",
    "role.researcher": "researchers",
    "role.room_admin": "room admins",
    "role.system": "the bot itself",
    # --- usage errors (one line, followed by usage.line) --------------------------
    "usage.line": "Usage: {usage}",
    "usage.unbalanced_quote": "The closing quote is missing ({quote}).",
    "usage.missing_case_id": "Give the case number (for example 12 or #12).",
    "usage.invalid_case_id": "“{value}” is not a valid case number.",
    "usage.filter_missing_value": 'Give a value after "{key}:".',
    "usage.filter_duplicate_key": 'The "{value}" filter is given twice.',
    "usage.unknown_state": 'Unknown state "{value}": capturing, awaiting, review, changes, '
    "approved, published, rejected or withdrawn.",
    "usage.invalid_page": '"{value}" is not a page number (1, 2, 3…).',
    "usage.unexpected_argument": "I expected nothing after “{value}”.",
    "usage.invalid_switch": "“{value}”: answer on or off.",
    "usage.too_long": "Text too long ({length} characters, {max} at most).",
    "usage.title_too_long": "Title too long ({length} characters, {max} at most).",
    "usage.fiche_empty": "Add the fiche fields, one per line (Title: …).",
    "usage.missing_reason": "Give the reason for rejecting.",
    "usage.missing_comment": "Say what needs changing.",
    "usage.missing_text": "Give the text of the annotation.",
    "usage.invalid_choice": "Unknown option “{value}”.",
    "usage.profile_expected_key": "Write the fields as key=value (“{value}” is not).",
    "usage.profile_unknown_key": "Unknown field “{value}”: function, territory or expertise.",
    "usage.profile_duplicate_key": "The field “{value}” is given twice.",
    "usage.missing_topic": "Give a topic.",
    "usage.missing_query": "Give your question.",
    "usage.room_unknown_setting": "Unknown setting “{value}”.",
    "usage.room_missing_value": "Give the setting's value.",
    "usage.room_invalid_kind": "Unknown type “{value}”: function, theme, territory, "
    "moderation or research.",
    "usage.room_invalid_category": "Invalid category name: “{value}” (forbidden "
    "characters: [ ] {{ }} | # < >).",
    # --- fiche --------------------------------------------------------------------
    "fiche.field.title": "Title",
    "fiche.field.context": "Context",
    "fiche.field.action": "Practice",
    "fiche.field.results": "Results",
    "fiche.field.lessons": "Lessons",
    "fiche.field.themes": "Themes",
    "fiche.field.territory": "Territory",
    "fiche.field.resources": "Resources",
    "fiche.empty": "The fiche is empty: write one field per line (Title: …).",
    "fiche.text_before_field": "Text before the first field: “{line}”. Start with a field "
    "name, for example “Title:”.",
    "fiche.unknown_field": "Unknown field “{key}”. Possible fields: Title, Context, "
    "Practice, Results, Lessons, Themes, Territory, Resources.",
    "fiche.duplicate_field": "The field “{field}” appears twice.",
    "fiche.title_multiline": "The field “{field}” must fit on a single line.",
    "fiche.too_many_themes.one": "The field “{field}” gives {count} theme: {max} at most "
    "(each becomes a wiki category).",
    "fiche.too_many_themes.other": "The field “{field}” gives {count} themes: {max} at most "
    "(each becomes a wiki category).",
    "fiche.theme_too_long": "A theme of the field “{field}” is too long ({theme}): {max} "
    "characters at most per theme.",
    "fiche.title_too_long": "The field “{field}” is too long ({length} characters, {max} at most).",
    "fiche.field_too_long": "The field “{field}” is too long ({length} characters, {max} at most).",
    "fiche.missing_field": "The required field “{field}” is missing.",
    "fiche.template_hint": "Fill in each field after the colon (required: {required}). "
    "A field may continue on the following lines.",
    "draft.label": "Draft taken automatically from the exchange: read, correct and "
    "complete it, then send it with {prefix}summary.",
    "draft.hint_lessons": "To complete: what should be remembered? What could be "
    "reproduced elsewhere?",
    "draft.hint_missing": "To complete.",
    # --- states, events, kinds ------------------------------------------------------
    "state.capturing": "capturing",
    "state.awaiting_summary": "awaiting a fiche",
    "state.in_review": "in review",
    "state.changes_requested": "changes requested",
    "state.approved": "approved",
    "state.published": "published",
    "state.rejected": "rejected",
    "state.withdrawn": "withdrawn",
    "event.capture_closed": "close the capture of",
    "event.prompt_due": "ask for the fiche of",
    "event.fiche_submitted": "submit a fiche for",
    "event.approve": "approve",
    "event.published": "publish",
    "event.reject": "reject",
    "event.request_changes": "request changes to",
    "event.withdraw": "withdraw",
    "event.restore": "restore",
    "room_kind.function": "function",
    "room_kind.theme": "theme",
    "room_kind.territory": "territory",
    "room_kind.moderation": "moderation",
    "room_kind.research": "research",
    "consent_state.unknown": "not given",
    "consent_state.granted": "granted",
    "consent_state.refused": "refused",
    # --- lifecycle refusals -------------------------------------------------------
    "lifecycle.forbidden.system": "This step of case #{case} is for the bot only.",
    "lifecycle.forbidden.system_or_moderator": "Only moderators can {event} case #{case}.",
    "lifecycle.forbidden.moderator": "Only the network's moderators can {event} case #{case}.",
    "lifecycle.forbidden.participant_or_moderator": "Only the participants of the "
    "exchange and moderators can {event} case #{case}.",
    "lifecycle.forbidden.author_or_moderator": "Only the fiche's authors (who submitted a "
    "version of it) and moderators can {event} case #{case}. For your own messages: "
    "{prefix}consent no or {prefix}forget.",
    "lifecycle.four_eyes.submitted": "You submitted a version of the fiche of case "
    "#{case}: another moderator must approve it (four eyes).",
    "lifecycle.four_eyes.wrote": "You wrote in the exchange of case #{case}: another "
    "moderator must approve its fiche (four eyes).",
    "lifecycle.not_withdrawn": "Case #{case} is not withdrawn (state: {state}): nothing to "
    "restore.",
    "lifecycle.withdrawn": "Case #{case} has been withdrawn: nothing more to do (moderators "
    "can restore it).",
    "lifecycle.rejected": "Case #{case} has been rejected: it is closed.",
    "lifecycle.no_fiche": "Case #{case} has no fiche yet: cannot {event} it.",
    "lifecycle.already_approved": "The fiche of case #{case} is already {state}.",
    "lifecycle.waiting_for_changes": "Changes were requested for case #{case}: waiting "
    "for the new version.",
    "lifecycle.not_in_review": "The fiche of case #{case} is not in review (state: {state}).",
    "lifecycle.invalid": "Cannot {event} case #{case} in its current state ({state}).",
    "lifecycle.reason_required.reject": "Give the reason for rejecting case #{case}.",
    "lifecycle.reason_required.request_changes": "Say which changes case #{case} needs.",
    # --- services: capture, consent, rooms, cases --------------------------------
    "intro": "Hello! I am capibot, this network's knowledge assistant. When an exchange of "
    "practice is worth keeping, answer in its thread with {prefix}capture (or react 📌 to a "
    "message): I keep it and will invite its participants to write a fiche (a structured "
    "summary of an exchange of practice), "
    "reviewed by the moderators before it is published on the wiki. I only store captured "
    "exchanges. Your messages and name are published only with your consent "
    '({prefix}consent yes); otherwise you appear as "Participant N". Privacy: {notice}. '
    "Help: {prefix}help.",
    "guide.link": "The user guide: {url}",
    "intro.no_notice": "ask the facilitators for the notice",
    "denied": "This command is restricted ({role}).",
    "dm.unknown": 'I do not know the command "{word}".',
    "capture.not_in_thread": "To capture an exchange, send {prefix}capture in its thread or as "
    "a reply to one of its messages.",
    "capture.disabled": "Capture is off in this room ({prefix}room capture on to turn it on).",
    "capture.queued": "Capturing…",
    "capture.done.one": 'Exchange captured: case #{case} "{title}" ({count} message). Later '
    "messages of this thread will join it. Once the exchange is quiet I will invite its "
    "participants to write its fiche ({prefix}summary).",
    "capture.done.other": 'Exchange captured: case #{case} "{title}" ({count} messages). '
    "Later messages of this thread will join it. Once the exchange is quiet I will invite "
    "its participants to write its fiche ({prefix}summary).",
    "capture.root_missing": "I cannot find that message in this room: nothing was "
    "captured. Answer in the exchange's own thread.",
    "capture.exists": 'This exchange is already captured: case #{case} "{title}" ({state}).',
    "capture.untitled": "untitled",
    "consent.granted": "Noted: your messages and name may be published on the wiki in "
    "approved fiches.",
    "consent.refused": "Noted: your messages will not be quoted on the wiki and you will "
    'appear there as "Participant N".',
    "consent.status": "Your consent: {state}{since}.",
    "consent.since": " (since {date})",
    "cases.header": "Cases ({count}) — page {page}/{pages}:",
    "cases.line": "**#{case}** · {state} · {title}",
    "cases.empty": "No case yet.",
    "cases.no_match": "No case matches these filters.",
    "cases.page_out_of_range.zero": "There is no page to show.",
    "cases.page_out_of_range.one": "There is only one page: ask for page 1.",
    "cases.page_out_of_range.other": "There are only {count} pages: ask for a page from 1 "
    "to {count}.",
    "cases.more": 'Next page: add "page {next}" ({prefix}cases … page {next}).',
    "cases.unknown_room": 'I know no room "{room}" (its name or its id).',
    "cases.room_confined": "Here the list is limited to this room's cases; other rooms are "
    "listed from the moderation or research room.",
    "case.not_found": "Case #{case} does not exist.",
    "case.not_visible": "Case #{case} does not belong to this room.",
    "show.header": '**Case #{case} "{title}"** — {state}',
    "show.meta.one": "Room “{room}” · opened by {by} on {date} · {count} message",
    "show.meta.other": "Room “{room}” · opened by {by} on {date} · {count} messages",
    "show.fiche": "**Fiche** (version {version}):",
    "show.no_fiche": "No fiche yet.",
    "show.history": "**History**:",
    "show.history_line": "{date} · {actor} · {from_state} → {to_state}{reason}",
    "room.show": "Room profile — kind: {kind} · name: {label} · categories: {categories}"
    " · capture: {capture} · digest: {digest} · English short forms (!help, !list…): "
    "{short_forms}",
    "room.updated": "Room profile updated.",
    "room.none": "—",
    "room.on": "on",
    "room.off": "off",
    "error.internal": "Sorry, this command failed on my side; the technical team will "
    "find it in the logs.",
    **prompting.EN,
    **knowledge.EN,
    **curation.EN,
    **research.EN,
    **report.EN,
    **documentation.EN,
    **meetings.EN,
    **minutes_review.EN,
    **network.EN,
    **operations.EN,
    **privacy.EN,
    **publishing.EN,
    **encryption.EN,
    **review.EN,
    **layout.EN,
    **reading.EN,
    **codebook.EN,
    **network_search.EN,
}
