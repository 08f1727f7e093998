"""Meetings in `capibot export` (JSON lines): one record per closed meeting, with
`"kind": "meeting"`, pseudonymised like the cases' records.

The same rules as an exchange: a line of a person who did not consent is exported as
`NO_CONSENT`, known names and ids are scrubbed out of the texts. Case filters that a
meeting has no notion of (`--state`, `--theme`) leave meetings out altogether.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.domain.models import Consent
from bot.services.export import NO_CONSENT, ExportFilter, room_ids
from bot.services.pseudonyms import Pseudonymizer
from bot.storage.repository import Repository

KIND = "meeting"


def meeting_records(
    repo: Repository, pseudo: Pseudonymizer, filters: ExportFilter
) -> Iterator[dict[str, Any]]:
    if filters.state is not None or filters.theme is not None:
        return
    rooms = set(room_ids(repo, filters.room)) if filters.room else None
    for meeting in repo.all_meetings():
        if meeting.closed_at is None or (rooms is not None and meeting.room_id not in rooms):
            continue
        if filters.since and meeting.opened_at < filters.since:
            continue
        if filters.until and meeting.opened_at >= filters.until:
            continue
        yield _record(repo, meeting.id, pseudo)


def _record(repo: Repository, meeting_id: int, pseudo: Pseudonymizer) -> dict[str, Any]:
    meeting = repo.meeting(meeting_id)
    assert meeting is not None
    lines = repo.meeting_lines(meeting_id)
    people = repo.participants({line.sender for line in lines})
    consenting = {u for u, p in people.items() if p.consent is Consent.GRANTED}
    room = repo.get_room(meeting.room_id)
    s = pseudo.scrub
    return {
        "kind": KIND,
        "meeting": meeting.id,
        "title": s(meeting.title),
        "opened_at": meeting.opened_at.isoformat(),
        "closed_at": meeting.closed_at.isoformat() if meeting.closed_at else None,
        "room": {
            "kind": room.kind.value if room and room.kind else None,
            "label": s(room.label) if room else "",
        },
        "opener": pseudo(meeting.opener) if meeting.opener else None,
        "log": [
            {
                "participant": pseudo(line.sender),
                "tag": line.tag.value if line.tag else None,
                "text": s(line.body) if line.sender in consenting else NO_CONSENT,
            }
            for line in lines
        ],
    }
