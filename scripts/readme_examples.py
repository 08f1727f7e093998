"""The bot's answers README.md shows (`!aide`, `!aide fiche`, the prompt, a review card),
rendered by the bot's own code: the demo's exchange is stored in a real (SQLite)
database, commands go through the same batch path as a sync from Matrix, the prompt and
the card come from the functions the timer and the outbox call. The output is each
notice's plain `body`, as a text-only client shows it.

`--write` puts them into README.md between `<!-- example: NAME -->` markers;
tests/unit/test_readme_examples.py fails when README no longer says what the bot says.

    .venv/bin/python -m scripts.readme_examples [--write]
"""

from __future__ import annotations

import argparse
import itertools
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.models import CaseOrigin, CaseState, Message
from bot.inbound import InboundService
from bot.matrix.events import InboundMessage, RoomSnapshot, SyncBatch
from bot.services import effects as fx
from bot.services.curation import review_card_text
from bot.services.prompting import Prompting
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.repository import Repository
from scripts.demo_once import EXCHANGE, FICHE, TITLE

README = Path(__file__).resolve().parents[1] / "README.md"
BOT = "@capibot:localhost"
ROOM = "!renouvellement:localhost"
MODERATION = "!moderation:localhost"
PEOPLE = {
    "practitioner": ("@alice:localhost", "Alice Martin"),
    "practitioner2": ("@bruno:localhost", "Bruno Leroy"),
    "moderator": ("@mona:localhost", "Mona Dupont"),
}
START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
AMENDMENT = (
    "!fiche\n"
    "Contexte: Quartier prioritaire en renouvellement urbain (NPNRU) ; les réunions "
    "publiques en mairie ne réunissaient plus qu'une quinzaine de personnes, toujours "
    "les mêmes, et presque aucun jeune.\n"
    "Territoire: Lille"
)
NAMES = ("aide", "aide-fiche", "prompt", "card")
#: a marker, then a text block: its lines up to the first one that starts with ```
_BLOCK = re.compile(
    r"(?P<head><!-- example: (?P<name>[\w-]+) -->\n```text\n)(?P<body>(?:(?!```).*\n)*)```"
)


def _settings() -> Settings:
    return Settings.model_validate(
        {
            "bot": {"language": "fr"},
            "matrix": {
                "user_id": BOT,
                "allowed_inviters": ["@*:localhost"],
                "moderation_room": MODERATION,
            },
            "schedule": {"timezone": "Europe/Paris"},
        }
    )


def _snapshots() -> dict[str, RoomSnapshot]:
    names = {user: name for user, name in PEOPLE.values()}
    room = RoomSnapshot(ROOM, display_names=names, member_count=4, name="Renouvellement urbain")
    moderators = {PEOPLE["moderator"][0]: 50}
    moderation = RoomSnapshot(
        MODERATION, power_levels=moderators, display_names=names, member_count=3
    )
    return {ROOM: room, MODERATION: moderation}


class _Run:
    """One conversation with the bot through its real inbound path."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.settings = _settings()
        self.clock = (START + timedelta(minutes=n) for n in itertools.count(10))
        self.ids = itertools.count(1)

    def say(self, role: str, body: str, *, room: str = ROOM, thread: str | None = None) -> str:
        """The bot's last answer (plain body) to `body`, sent by `role`."""
        now = next(self.clock)
        service = InboundService(self.settings, BOT, lambda: now)
        event = InboundMessage(
            room, f"$cmd{next(self.ids)}", PEOPLE[role][0], now, body, thread_root=thread
        )
        batch = SyncBatch("t", initial=False, events=(event,), rooms=_snapshots())
        with self.db.transaction() as repo:
            service.apply(repo, batch)
            notices = [i for i in repo.pending_outbox([fx.NOTICE]) if i.payload["room_id"] == room]
            for item in notices:
                repo.outbox_done(item.id, now)
        return str(notices[-1].payload["body"]) if notices else ""

    def exchange(self) -> int:
        """The demo's captured exchange, stored as a capture stores it: the case id."""
        with self.db.transaction() as repo:
            case, _ = repo.create_case(
                room_id=ROOM,
                root_event_id="$root",
                origin=CaseOrigin.THREAD,
                title=TITLE,
                created_by=PEOPLE["practitioner"][0],
                now=START,
                state=CaseState.CAPTURING,
            )
            for user, name in PEOPLE.values():
                repo.remember_display_name(user, name)
            for n, (role, text) in enumerate(EXCHANGE):
                repo.add_message(
                    Message(
                        event_id="$root" if n == 0 else f"$m{n}",
                        room_id=ROOM,
                        sender=PEOPLE[role][0],
                        sent_at=START + timedelta(minutes=n),
                        body=text,
                        case_id=case.id,
                        thread_root=None if n == 0 else "$root",
                    )
                )
            return case.id

    def prompt(self, case_id: int) -> str:
        """What the prompt timer posts in the thread when the exchange has gone quiet."""
        with self.db.transaction() as repo:
            case = repo.get_case(case_id)
            assert case is not None
            return Prompting(self.settings).prompt_notice(repo, case).body

    def card(self, case_id: int, version: int) -> str:
        """What the outbox posts in the moderation room for this fiche version."""

        def text(repo: Repository) -> str:
            card = review_card_text(repo, self.settings, case_id, version)
            assert card is not None
            return card.plain

        with self.db.transaction() as repo:
            return text(repo)


def render_examples() -> dict[str, str]:
    """Name → the plain text of that answer, as the bot writes it today."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.from_url(f"sqlite:///{tmp}/capibot.db")
        db.migrate()
        try:
            run = _Run(db)
            case = run.exchange()
            examples = {
                "aide": run.say("practitioner", "!aide"),
                "aide-fiche": run.say("practitioner", "!aide fiche"),
                "prompt": run.prompt(case),
            }
            run.say("practitioner", FICHE.format(title=TITLE), thread="$root")
            run.say("moderator", f"!corriger {case} Précisez le contexte", room=MODERATION)
            run.say("practitioner", AMENDMENT, thread="$root")
            examples["card"] = run.card(case, 2)
            return examples
        finally:
            db.close()


def readme_blocks(text: str) -> dict[str, str]:
    """The examples README shows: name → text between its markers."""
    return {m["name"]: m["body"].removesuffix("\n") for m in _BLOCK.finditer(text)}


def with_examples(text: str, examples: dict[str, str]) -> str:
    def put(match: re.Match[str]) -> str:
        name = match["name"]
        body = f"{examples[name]}\n" if name in examples else match["body"]
        return f"{match['head']}{body}```"

    return _BLOCK.sub(put, text)


def _main(argv: list[str] | None = None) -> Iterator[str]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="update README.md in place")
    args = parser.parse_args(argv)
    examples = render_examples()
    if args.write:
        README.write_text(with_examples(README.read_text(encoding="utf-8"), examples), "utf-8")
        yield f"README.md: {len(readme_blocks(README.read_text(encoding='utf-8')))} examples"
        return
    for name in NAMES:
        yield f"--- {name}\n{examples[name]}"


if __name__ == "__main__":
    for line in _main():
        print(line)
