"""Pseudonymised research export of the cases (`capibot export`, DESIGN §7).

One record per case: the fiche fields of the latest approved version, the states with
their dates, review decisions, annotations, the room profile, and the exchange. Every
person is a stable pseudonym `P-xxxxxxxx` (HMAC-SHA256 keyed with
`privacy.pseudonym_secret`, truncated): the same person gets the same pseudonym across
runs and cases. Text of participants who have not granted consent is replaced by a
marker. No Matrix user id or display name is written: ids and known names found inside
texts (messages, fiche fields, comments, annotations) are replaced by pseudonyms, whole
display names and their parts alike ("Merci Bruno").
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TextIO
from urllib.parse import unquote

from bot.domain.fiche import split_list
from bot.domain.models import Case, CaseState, Consent, FicheField, ReviewDecision
from bot.domain.text import fold
from bot.storage.repository import Repository

PSEUDONYM_PREFIX = "P-"
PSEUDONYM_HEX = 8
NO_CONSENT = "[texte non exporté : pas de consentement]"
REDACTED = "[message supprimé]"
MIN_NAME_LENGTH = 3  # shorter display names would scrub ordinary words

# @localpart:server — localparts per the spec's historical grammar, server names with ports.
_USER_ID = re.compile(r"@[A-Za-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(?::\d+)?(?:\[[0-9a-fA-F:.]+\])?")
_MATRIX_TO_USER = re.compile(r"https?://matrix\.to/#/(?:%40|@)[^\s)>\]\"']+")


class ExportError(Exception):
    """The export cannot be made (e.g. no pseudonym secret): message for the operator."""


@dataclass(frozen=True, slots=True)
class ExportFilter:
    since: datetime | None = None
    until: datetime | None = None
    room: str | None = None  #: room id or label
    theme: str | None = None
    state: CaseState | None = None


class Pseudonymizer:
    """User ids → stable pseudonyms; scrubs ids and known names out of texts.

    A whole display name is matched in any case. Its parts and the id's localpart are
    matched too ("Merci Bruno"), but only capitalised or in capitals, so a first name
    that is also a word ("Claire", "Pierre") is scrubbed as a name without erasing "une
    idée claire". A part two people share becomes "P-?": it must not tell which one.
    """

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ExportError(
                "privacy.pseudonym_secret is empty: set it (keep it secret and stable) "
                "before exporting"
            )
        self._key = secret.encode()
        self._names: dict[str, str] = {}  # folded display name → pseudonym
        self._parts: dict[str, set[str]] = {}  # a name part, as written → pseudonyms
        self._pattern: re.Pattern[str] | None = None
        self._parts_pattern: re.Pattern[str] | None = None

    def __call__(self, user_id: str) -> str:
        digest = hmac.new(self._key, user_id.encode(), hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX]

    def know(self, user_id: str, display_name: str) -> None:
        pseudonym = self(user_id)
        name = " ".join(display_name.split())
        if len(name) >= MIN_NAME_LENGTH and name != user_id:
            self._names[name.casefold()] = pseudonym
            self._pattern = None
        localpart = user_id[1:].split(":", 1)[0] if user_id.startswith("@") else ""
        words = re.split(r"[\s._\-]+", name if name != user_id else "") + re.split(
            r"[._\-]+", localpart
        )
        for word in words:
            if len(word) < MIN_NAME_LENGTH or not word.isalpha():
                continue
            for form in {word[0].upper() + word[1:], word.capitalize(), word.upper()}:
                self._parts.setdefault(form, set()).add(pseudonym)
            self._parts_pattern = None

    def _names_pattern(self) -> re.Pattern[str] | None:
        if self._pattern is None and self._names:
            alternatives = sorted(self._names, key=len, reverse=True)
            body = "|".join(r"\s+".join(map(re.escape, n.split())) for n in alternatives)
            self._pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)
        return self._pattern

    def _name_parts_pattern(self) -> re.Pattern[str] | None:
        if self._parts_pattern is None and self._parts:
            body = "|".join(map(re.escape, sorted(self._parts, key=len, reverse=True)))
            self._parts_pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)")
        return self._parts_pattern

    def _part(self, match: re.Match[str]) -> str:
        owners = self._parts.get(match.group(0), set())
        return next(iter(owners)) if len(owners) == 1 else PSEUDONYM_PREFIX + "?"

    def scrub(self, text: str) -> str:
        text = _MATRIX_TO_USER.sub(lambda m: self(_user_of_link(m.group(0))), text)
        text = _USER_ID.sub(lambda m: self(m.group(0)), text)
        pattern = self._names_pattern()
        if pattern is not None:
            text = pattern.sub(
                lambda m: self._names.get(" ".join(m.group(0).split()).casefold(), "P-?"), text
            )
        parts = self._name_parts_pattern()
        if parts is not None:
            text = parts.sub(self._part, text)
        return text


def _user_of_link(link: str) -> str:
    return unquote(link.split("#/", 1)[1]).split("/", 1)[0].split("?", 1)[0]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _selected(repo: Repository, case: Case, filters: ExportFilter) -> bool:
    if filters.since and case.created_at < filters.since:
        return False
    if filters.until and case.created_at >= filters.until:
        return False
    if filters.state and case.state is not filters.state:
        return False
    if filters.room:
        room = repo.get_room(case.room_id)
        names = {case.room_id, fold(room.label) if room else ""}
        if filters.room not in names and fold(filters.room) not in names:
            return False
    if filters.theme:
        fiche = repo.latest_fiche(case.id)
        themes = fiche.fields.get(FicheField.THEMES, "") if fiche else ""
        if fold(filters.theme) not in {fold(t) for t in split_list(themes)}:
            return False
    return True


def select_cases(repo: Repository, filters: ExportFilter) -> list[int]:
    return [c.id for c in repo.list_cases() if _selected(repo, c, filters)]


def prepare(repo: Repository, secret: str) -> Pseudonymizer:
    """A pseudonymizer that knows every stored display name (to scrub them)."""
    pseudo = Pseudonymizer(secret)
    for person in repo.all_participants():
        pseudo.know(person.user_id, person.display_name)
    return pseudo


def case_record(repo: Repository, case_id: int, pseudo: Pseudonymizer) -> dict[str, Any]:
    """The export record of one case (JSON-ready, pseudonymised)."""
    case = repo.get_case(case_id)
    if case is None:
        raise ExportError(f"case {case_id} not found")
    s = pseudo.scrub
    versions = {v.version: v for v in repo.fiche_versions(case_id)}
    reviews = repo.reviews(case_id)
    approved = [
        r.fiche_version
        for r in reviews
        if r.decision is ReviewDecision.APPROVE and r.fiche_version in versions
    ]
    fiche = versions[approved[-1]] if approved else None
    messages = repo.case_messages(case_id)
    senders = list(dict.fromkeys(m.sender for m in messages))
    people = repo.participants(senders)
    consenting = {u for u, p in people.items() if p.consent is Consent.GRANTED}
    room = repo.get_room(case.room_id)
    exchange = []
    for msg in messages:
        if msg.redacted:
            text = REDACTED
        elif msg.sender not in consenting:
            text = NO_CONSENT
        else:
            text = s(msg.body)
        exchange.append({"participant": pseudo(msg.sender), "at": _iso(msg.sent_at), "text": text})
    return {
        "case": case.id,
        "title": s(case.title),
        "state": case.state.value,
        "created_at": _iso(case.created_at),
        "room": {
            "kind": room.kind.value if room and room.kind else None,
            "label": s(room.label) if room else "",
            "categories": [s(c) for c in room.categories] if room else [],
        },
        "fiche_version": fiche.version if fiche else None,
        "fiche": {k.value: s(v) for k, v in fiche.fields.items()} if fiche else None,
        "states": [
            {
                "from": t.from_state.value if t.from_state else None,
                "to": t.to_state.value,
                "at": _iso(t.at),
                "by": pseudo(t.actor),
                "reason": s(t.reason),
            }
            for t in repo.transitions(case_id)
        ],
        "reviews": [
            {
                "version": r.fiche_version,
                "decision": r.decision.value,
                "at": _iso(r.decided_at),
                "moderator": pseudo(r.moderator),
                "comment": s(r.comment),
            }
            for r in reviews
        ],
        "annotations": [
            {"at": _iso(a.created_at), "researcher": pseudo(a.researcher), "text": s(a.text)}
            for a in repo.annotations(case_id)
        ],
        "participants": [
            {
                "participant": pseudo(u),
                "consent": u in consenting,
                "messages": sum(1 for m in messages if m.sender == u),
            }
            for u in senders
        ],
        "exchange": exchange,
    }


# -- writers -------------------------------------------------------------------------------

CSV_FIELDS = (
    "case",
    "title",
    "state",
    "created_at",
    "fiche_version",
    *(f"fiche_{f.value}" for f in FicheField),
    "room",
    "states",
    "reviews",
    "annotations",
    "participants",
    "exchange",
)


# A cell starting with one of these is read as a formula by Excel, LibreOffice or Google
# Sheets (OWASP "CSV injection"; ASVS 1.2.10 adds NUL). LF and the fullwidth forms, which
# some spreadsheets and IMEs also turn into formulas, are covered too, as is a trigger
# behind leading blanks: a quote too many is harmless, a formula run is not.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20")


def inert_cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: ``'`` before a formula trigger (OWASP)."""
    if value[:1] in FORMULA_TRIGGERS or value.lstrip()[:1] in FORMULA_TRIGGERS:
        return "'" + value
    return value


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    """One spreadsheet row: scalars as such, fiche fields in columns, nested data as JSON;
    every text cell made inert (`inert_cell`). The JSON lines export keeps raw values."""
    fiche = record.get("fiche") or {}
    row: dict[str, Any] = {
        "case": record["case"],
        "title": record["title"],
        "state": record["state"],
        "created_at": record["created_at"],
        "fiche_version": record["fiche_version"] if record["fiche_version"] is not None else "",
    }
    for f in FicheField:
        row[f"fiche_{f.value}"] = fiche.get(f.value, "")
    for key in ("room", "states", "reviews", "annotations", "participants", "exchange"):
        row[key] = _json(record[key])
    return {k: inert_cell(v) if isinstance(v, str) else v for k, v in row.items()}


def write_export(
    records: Iterable[dict[str, Any]], out: TextIO, fmt: str, *, bom: bool = False
) -> int:
    """Write records as JSON lines or CSV; returns how many were written."""
    count = 0
    if fmt == "jsonl":
        for record in records:
            out.write(_json(record) + "\n")
            count += 1
        return count
    if fmt != "csv":
        raise ExportError(f"unknown format {fmt!r}: use jsonl or csv")
    if bom:
        out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow(csv_row(record))
        count += 1
    return count


def export_records(
    run: Callable[[Callable[[Repository], Any]], Any],
    pseudo: Pseudonymizer,
    case_ids: Iterable[int],
) -> Iterator[dict[str, Any]]:
    """Records one case at a time (one short transaction each); `run` is `db.run_sync`."""
    for case_id in case_ids:
        yield run(partial(_record_of, case_id=case_id, pseudo=pseudo))


def _record_of(repo: Repository, *, case_id: int, pseudo: Pseudonymizer) -> dict[str, Any]:
    return case_record(repo, case_id, pseudo)


def to_string(records: Iterable[dict[str, Any]], fmt: str, *, bom: bool = False) -> str:
    buffer = io.StringIO()
    write_export(records, buffer, fmt, bom=bom)
    return buffer.getvalue()
