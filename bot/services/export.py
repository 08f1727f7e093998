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
import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO

from bot.domain.fiche import split_list
from bot.domain.models import CaseState, Consent, FicheField, Participant, ReviewDecision
from bot.domain.text import fold
from bot.services.pseudonyms import (
    MIN_NAME_LENGTH,
    PSEUDONYM_HEX,
    PSEUDONYM_PREFIX,
    ExportError,
    Pseudonymizer,
)
from bot.storage.repository import Repository

__all__ = [
    "MIN_NAME_LENGTH",
    "PSEUDONYM_HEX",
    "PSEUDONYM_PREFIX",
    "ExportError",
    "ExportFilter",
    "Pseudonymizer",
]

NO_CONSENT = "[texte non exporté : pas de consentement]"
REDACTED = "[message supprimé]"
CHUNK = 500  # case ids read per query: memory stays flat however many cases there are


@dataclass(frozen=True, slots=True)
class ExportFilter:
    since: datetime | None = None
    until: datetime | None = None
    room: str | None = None  #: room id or label
    theme: str | None = None
    state: CaseState | None = None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def room_ids(repo: Repository, wanted: str) -> list[str]:
    """The rooms `--room` names: its id, or a label in any case and accents."""
    names = {wanted, fold(wanted)}
    return sorted(names | {r.room_id for r in repo.list_rooms() if fold(r.label) in names})


def _has_theme(repo: Repository, case_id: int, theme: str) -> bool:
    fiche = repo.latest_fiche(case_id)
    themes = fiche.fields.get(FicheField.THEMES, "") if fiche else ""
    return fold(theme) in {fold(t) for t in split_list(themes)}


def selected_case_ids(repo: Repository, filters: ExportFilter) -> Iterator[int]:
    """The ids of the cases to export, in order, read `CHUNK` at a time (keyset pages):
    dates, state and room are filtered in SQL, the theme (a fiche field) per case."""
    rooms = room_ids(repo, filters.room) if filters.room else None
    after = 0
    while True:
        page = repo.case_ids_after(
            after,
            CHUNK,
            since=filters.since,
            until=filters.until,
            state=filters.state,
            room_ids=rooms,
        )
        for case_id in page:
            if not filters.theme or _has_theme(repo, case_id, filters.theme):
                yield case_id
        if len(page) < CHUNK:
            return
        after = page[-1]


def count_cases(repo: Repository, filters: ExportFilter) -> int:
    return sum(1 for _ in selected_case_ids(repo, filters))


def prepare(repo: Repository, secret: str) -> Pseudonymizer:
    """A pseudonymizer that knows every stored display name (to scrub them)."""
    pseudo = Pseudonymizer(secret)
    for person in repo.all_participants():
        pseudo.know(person.user_id, person.display_name)
    return pseudo


def case_record(
    repo: Repository, case_id: int, pseudo: Pseudonymizer, centre: str = ""
) -> dict[str, Any]:
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
    sent = Counter(m.sender for m in messages)
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
        "centre": centre,
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
            _participant(pseudo, people.get(u), u, u in consenting, sent[u]) for u in senders
        ],
        "exchange": exchange,
    }


def _participant(
    pseudo: Pseudonymizer, person: Participant | None, user_id: str, consent: bool, sent: int
) -> dict[str, Any]:
    """A participant of the case: pseudonym, consent, message count, and the function and
    territory of the directory profile when they consented and opted in to the directory
    (what they chose to make known, scrubbed like any text)."""
    entry: dict[str, Any] = {"participant": pseudo(user_id), "consent": consent, "messages": sent}
    profile = person.profile if person is not None and consent else None
    if profile is not None:
        entry["function"] = pseudo.scrub(profile.function)
        entry["territory"] = pseudo.scrub(profile.territory)
    return entry


# -- writers -------------------------------------------------------------------------------

CSV_FIELDS = (
    "centre",
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
        "centre": record.get("centre", ""),
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
    repo: Repository, pseudo: Pseudonymizer, filters: ExportFilter, centre: str = ""
) -> Iterator[dict[str, Any]]:
    """Records one case at a time, streamed: `repo` is a reader (`Database.reading`), one
    snapshot that takes no lock, so the running bot keeps capturing meanwhile. Each
    record names the `centre` (`network.centre`) that holds the case."""
    for case_id in selected_case_ids(repo, filters):
        yield case_record(repo, case_id, pseudo, centre)


def to_string(records: Iterable[dict[str, Any]], fmt: str, *, bom: bool = False) -> str:
    buffer = io.StringIO()
    write_export(records, buffer, fmt, bom=bom)
    return buffer.getvalue()
