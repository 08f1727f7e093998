"""`!oublier confirmer`: the person's words and name leave every table, every pending job
and every current page (DESIGN §7), in the command's own transaction.

- their messages are blanked (`erase_sender`), the reasons they typed too;
- a case title taken from their words (derived from their message, or typed by them
  with `!capturer titre`) becomes the title of a fiche someone else submitted, else a
  neutral « Échange #N »;
- their annotations are deleted, their talk-page sections replaced by a neutral note
  (a wiki job, `request_annotation_removal`) and the digest pages that cited them
  rewritten (`request_digest_rebuilds`);
- the outbox: a pending prompt is rebuilt from what is stored now (its draft quoted them),
  a pending notice addressed to them only or quoting them is dropped, any other pending
  payload has their name, id and text taken out; done rows that held them keep no payload;
- the stored texts of their pages (merge bases) lose their quote and name blocks;
- their participant record keeps only the refusal (no name, no directory profile), and
  the pages they were quoted or named on are rebuilt.

A job already running when this commits (a page built, an annotation written, before
the erasure) finds the erasure count changed when it records (`mark_erasure`): it does
its work again from what is stored now, or drops what it would have said.

What stays is deliberate: the Matrix id as the key of the decisions they took (fiches
submitted, reviews, transitions: the four-eyes and withdrawal rules rely on them) and of
their refusal, and the fiches they submitted, published under a pseudonym.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from bot.domain.links import user_pill_href
from bot.domain.models import (
    Case,
    CaseState,
    Consent,
    FicheField,
    OutboxItem,
    OutboxStatus,
    Participant,
    PublicationStatus,
)
from bot.domain.text import title_from_message
from bot.i18n import Translator
from bot.services.diffusion import request_digest_rebuilds
from bot.services.effects import CAPTURE, NOTICE, notice_payload
from bot.services.meetings import PUBLISH_MINUTES
from bot.services.network_search import NETWORK_SEARCH
from bot.services.prompting import PROMPT, REMINDER, Prompting
from bot.services.publication_requests import FORGET, WITHDRAW, request_republish
from bot.services.research import ANNOTATE, SEARCH, request_annotation_removal
from bot.settings import Settings
from bot.storage.repository import Repository
from wiki_sync.merge import PRIVACY_BLOCKS, blank_blocks

MIN_FINGERPRINT = 12  # shorter texts ("ok", "merci") identify nobody and match anything
FINGERPRINT_CHARS = 40
_TIMER_NOTICE = re.compile(r"notice:timer:(\d+):")


def forget(
    repo: Repository,
    user_id: str,
    *,
    names: Iterable[str],
    settings: Settings,
    prompting: Prompting,
    now: datetime,
) -> set[int]:
    """Erase `user_id` (see the module docstring); returns the cases whose pages are
    rebuilt. `names`: the display names the bot saw them under."""
    tr = Translator(settings.bot.language)
    repo.mark_erasure()  # jobs in flight that read their words do their work again
    person = repo.get_participant(user_id)
    known = {" ".join(n.split()) for n in (*names, person.display_name if person else "")}
    known = {n for n in known if n and n != user_id}
    messages = [m for m in repo.messages_of(user_id) if not m.redacted and m.body.strip()]
    annotations = repo.annotations_by(user_id)
    retitled = _retitle(repo, user_id, [m.body for m in messages], tr)
    touched = (
        repo.erase_sender(user_id)
        | repo.cases_submitted_by(user_id)
        | repo.cases_approved_by(user_id)  # named as approver: by role from now on
        | set(retitled)
    )
    repo.erase_reasons_of(user_id)
    by_case: dict[int, list[int]] = {}
    for annotation in annotations:
        by_case.setdefault(annotation.case_id, []).append(annotation.id)
    repo.delete_annotations(a.id for a in annotations)
    for case_id, ids in sorted(by_case.items()):
        request_annotation_removal(repo, case_id, ids, now)
    request_digest_rebuilds(repo, settings, [a.created_at for a in annotations], now)
    repo.drop_key_waits_of(user_id)
    questions = repo.erase_questions_of(user_id)
    meeting_texts, meetings = repo.erase_meetings_of(user_id)
    repo.save_participant(Participant(user_id, consent=Consent.REFUSED, consent_changed_at=now))
    scrub = _Scrubber(
        user_id,
        known,
        [m.body for m in messages] + [a.text for a in annotations] + questions + meeting_texts,
        {old: new for old, new in retitled.values()},
        tr,
    )
    _scrub_outbox(repo, scrub, {a.id for a in annotations}, prompting, now)
    _blank_merge_bases(repo, touched)
    for case_id in sorted(touched):
        request_republish(repo, case_id, FORGET, now)
    for case_id in sorted(retitled):
        _rewrite_withdrawal(repo, case_id, user_id, now)
    for meeting_id in meetings:  # their compte-rendus on the wiki, rebuilt without them
        repo.enqueue(
            PUBLISH_MINUTES,
            f"meeting-forget:{meeting_id}:{now.isoformat()}",
            {"meeting": meeting_id},
            now,
        )
    return touched


def _blank_merge_bases(repo: Repository, case_ids: Iterable[int]) -> None:
    """The stored texts of their pages (the merge bases, here and on the network wiki)
    keep no quote and no contributor name: the rebuild queued below, a privacy one,
    writes those blocks whatever the base (`wiki_sync.merge.blank_blocks`)."""
    for case_id in sorted(case_ids):
        text, publication = repo.publication_text(case_id), repo.get_publication(case_id)
        if text and publication is not None:
            repo.save_publication(publication, last_text=blank_blocks(text, PRIVACY_BLOCKS))
        text, publication = (
            repo.network_publication_text(case_id),
            repo.get_network_publication(case_id),
        )
        if text and publication is not None:
            repo.save_network_publication(publication, last_text=blank_blocks(text, PRIVACY_BLOCKS))


# -- case titles --------------------------------------------------------------------------


def _retitle(
    repo: Repository, user_id: str, bodies: list[str], tr: Translator
) -> dict[int, tuple[str, str]]:
    """Cases whose title is their words → {case id: (old title, new title)}."""
    derived = {title_from_message(body) for body in bodies}
    candidates = {c.id: c for c in repo.cases_created_by(user_id)}
    for message in repo.messages_of(user_id):
        if message.case_id is not None and message.case_id not in candidates:
            case = repo.get_case(message.case_id)
            if case is not None:
                candidates[case.id] = case
    changed: dict[int, tuple[str, str]] = {}
    for case in candidates.values():
        if not case.title or not _title_is_theirs(repo, case, user_id, derived):
            continue
        new = _neutral_title(repo, case, user_id, tr)
        repo.update_case(case.id, title=new)
        changed[case.id] = (case.title, new)
    return changed


def _title_is_theirs(repo: Repository, case: Case, user_id: str, derived: set[str]) -> bool:
    if case.title in derived:
        return True
    if case.created_by != user_id:
        return False
    # Typed by them (`!capturer titre`), unless it is derived from someone else's message.
    others = {
        title_from_message(m.body) for m in repo.case_messages(case.id) if m.sender != user_id
    }
    return case.title not in others


def _rewrite_withdrawal(repo: Repository, case_id: int, user_id: str, now: datetime) -> None:
    """A withdrawn page shows the case title: written again with the new one."""
    publication = repo.get_publication(case_id)
    if publication is None or publication.status is not PublicationStatus.WITHDRAWN:
        return
    last = next(
        (t for t in reversed(repo.transitions(case_id)) if t.to_state is CaseState.WITHDRAWN),
        None,
    )
    actor = last.actor if last and last.actor != user_id else ""
    payload = {"case_id": case_id, "actor": actor, "reason": last.reason if last else ""}
    repo.enqueue(WITHDRAW, f"{WITHDRAW}:{case_id}:forget:{now.isoformat()}", payload, now)


def _neutral_title(repo: Repository, case: Case, user_id: str, tr: Translator) -> str:
    """The title of the latest fiche someone else submitted, else « Échange #N »."""
    for version in reversed(repo.fiche_versions(case.id)):
        title = version.fields.get(FicheField.TITLE, "").strip()
        if version.submitted_by != user_id and title:
            return title
    return tr("forget.neutral_title", case=case.id)


# -- the outbox ---------------------------------------------------------------------------


class _Scrubber:
    """Finds and replaces the person's id, names, words and old titles in strings."""

    def __init__(
        self,
        user_id: str,
        names: set[str],
        texts: list[str],
        titles: Mapping[str, str],
        tr: Translator,
    ) -> None:
        self.user_id = user_id
        self.names = sorted(names | {html.escape(n) for n in names}, key=len, reverse=True)
        prints = set()
        for text in texts:
            flat = " ".join(text.split())
            if len(flat) >= MIN_FINGERPRINT:
                prints.add(flat[:FINGERPRINT_CHARS])
                prints.add(html.escape(flat[:FINGERPRINT_CHARS]))
        self.prints = sorted(prints, key=len, reverse=True)
        self.titles = dict(titles) | {html.escape(o): html.escape(n) for o, n in titles.items()}
        self.label = tr("naming.participant")
        self.erased = tr("forget.erased")
        self.token = "@forgotten-" + secrets.token_hex(6)  # unlinkable, unique per erasure
        pill = re.escape(f'<a href="{html.escape(user_pill_href(user_id))}">')
        self.link = re.compile(pill + r".*?</a>", re.DOTALL)

    def quotes(self, value: str) -> bool:
        flat = " ".join(value.split())
        return any(p in flat for p in self.prints)

    def names_them(self, value: str) -> bool:
        return self.user_id in value or any(n in value for n in self.names)

    def holds(self, value: str) -> bool:
        return self.names_them(value) or self.quotes(value) or any(t in value for t in self.titles)

    def clean(self, value: str) -> str:
        for old, new in self.titles.items():
            value = value.replace(old, new)
        value = self.link.sub(self.label, value)
        for name in [self.user_id, *self.names]:
            value = value.replace(name, self.label)
        if self.quotes(value):
            flat = " ".join(value.split())
            for fingerprint in self.prints:
                flat = flat.replace(fingerprint, self.erased)
            value = flat
        return value

    def clean_field(self, value: str) -> str:
        """`clean`, and a field that is only their id (actor, moderator…) emptied."""
        return "" if value == self.user_id else self.clean(value)

    def key(self, dedupe_key: str) -> str:
        """A dedupe key without their id (`request_republish` puts who caused it)."""
        return dedupe_key.replace(self.user_id, self.token)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _mapped(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, Mapping):
        return {k: _mapped(v, fn) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mapped(v, fn) for v in value]
    return value


def _scrub_outbox(
    repo: Repository,
    scrub: _Scrubber,
    annotation_ids: set[int],
    prompting: Prompting,
    now: datetime,
) -> None:
    for item in repo.all_outbox():
        key = scrub.key(item.dedupe_key)
        if not any(scrub.holds(s) for s in _strings(item.payload)):
            if key != item.dedupe_key:
                repo.rewrite_outbox(item.id, item.payload, dedupe_key=key, done_at=None)
            continue
        if item.status is OutboxStatus.DONE:  # sent already: nothing needs the payload
            repo.rewrite_outbox(item.id, {"erased": True}, dedupe_key=key, done_at=None)
            continue
        payload = _pending_payload(repo, item, scrub, annotation_ids, prompting)
        if payload is None:  # dropped: never sent
            repo.rewrite_outbox(item.id, {"erased": True}, dedupe_key=key, done_at=now)
        else:
            repo.rewrite_outbox(item.id, payload, dedupe_key=key, done_at=None)


def _pending_payload(
    repo: Repository,
    item: OutboxItem,
    scrub: _Scrubber,
    annotation_ids: set[int],
    prompting: Prompting,
) -> dict[str, Any] | None:
    """The payload of a pending row holding them, without them; None: drop the row."""
    payload = item.payload
    if item.kind == NOTICE:
        rebuilt = _rebuilt_prompt(repo, item, prompting)
        if rebuilt is not None:
            payload = rebuilt
            if not any(scrub.holds(s) for s in _strings(payload)):
                return payload
        if list(payload.get("mentions", [])) == [scrub.user_id]:
            return None  # a reply to them alone
        if any(scrub.quotes(s) for s in _strings(payload)):
            return None  # quoting their words: no clean way to cut them out
        cleaned = _mapped(payload, scrub.clean)
        cleaned["mentions"] = [m for m in payload.get("mentions", []) if m != scrub.user_id]
        return dict(cleaned)
    if item.kind == ANNOTATE and int(payload.get("annotation_id", -1)) in annotation_ids:
        return None
    if item.kind in (SEARCH, NETWORK_SEARCH) and payload.get("sender") == scrub.user_id:
        return None
    cleaned = dict(_mapped(payload, scrub.clean_field))
    if item.kind == CAPTURE and payload.get("sender") == scrub.user_id:
        cleaned |= {"sender": scrub.user_id, "sender_name": ""}  # the job needs who asked
    return cleaned


def _rebuilt_prompt(
    repo: Repository, item: OutboxItem, prompting: Prompting
) -> dict[str, Any] | None:
    """A pending prompt or reminder, rendered again from what is stored now."""
    match = _TIMER_NOTICE.match(item.dedupe_key)
    timer = repo.get_timer(int(match.group(1))) if match else None
    case = repo.get_case(timer.case_id) if timer and timer.case_id is not None else None
    if timer is None or case is None:
        return None
    if timer.kind == PROMPT:
        return notice_payload(prompting.prompt_notice(repo, case))
    if timer.kind == REMINDER:
        last = prompting.tr("reminder.last") in str(item.payload.get("body", ""))
        return notice_payload(prompting.reminder_notice(repo, case, last=last))
    return None
