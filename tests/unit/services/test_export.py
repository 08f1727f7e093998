"""`capibot export`: pseudonyms, consent, scrubbing, formats, filters, the CLI."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert
from typer.testing import CliRunner

from bot.cli import app
from bot.domain.models import (
    CaseOrigin,
    CaseState,
    Consent,
    FicheField,
    Message,
    Participant,
    Review,
    ReviewDecision,
    Room,
    RoomKind,
    Transition,
)
from bot.services.export import ExportError, Pseudonymizer
from bot.storage.database import Database
from bot.storage.tables import CaseRow, MessageRow

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ALICE, BRUNO, MONA, CLAIRE = (
    "@alice:localhost",
    "@bruno:localhost",
    "@mona:localhost",
    "@claire:localhost",
)
NAMES = {ALICE: "Alice Martin", BRUNO: "Bruno Leroy", MONA: "Mona Dupont", CLAIRE: "Claire Petit"}
SECRET_BRUNO = "Mon secret de Bruno : le gardien ouvre à 7 h"


def empty_config(directory: Path) -> str:
    """A config file with nothing in it: the environment gives every setting."""
    path = directory / "none.toml"
    path.write_text("")
    return str(path)


def seed(db: Database) -> None:
    with db.transaction() as repo:
        repo.save_room(Room("!r:localhost", RoomKind.THEME, "Logement", ("Habitat",)))
        for user, name in NAMES.items():
            consent = Consent.REFUSED if user == BRUNO else Consent.GRANTED
            repo.save_participant(Participant(user, name, consent))
        case, _ = repo.create_case(
            room_id="!r:localhost",
            root_event_id="$root",
            origin=CaseOrigin.THREAD,
            title="Accueil avec Bruno Leroy",
            created_by=ALICE,
            now=NOW,
        )
        bodies = [
            (ALICE, "Bonjour @bruno:localhost, comment faites-vous ?"),
            (BRUNO, SECRET_BRUNO),
            (ALICE, "Merci bruno leroy ! Voir https://matrix.to/#/%40bruno%3Alocalhost"),
        ]
        for n, (sender, body) in enumerate(bodies):
            repo.add_message(
                Message(
                    f"$m{n}" if n else "$root",
                    "!r:localhost",
                    sender,
                    NOW + timedelta(minutes=n),
                    body,
                    case_id=case.id,
                )
            )
        fields = {
            FicheField.TITLE: "Accueil",
            FicheField.CONTEXT: "Idée d'Alice Martin et de @bruno:localhost.",
            FicheField.ACTION: "A",
            FicheField.LESSONS: "L",
            FicheField.THEMES: "Logement, Santé",
        }
        repo.add_fiche_version(case.id, fields, ALICE, NOW)
        repo.add_fiche_version(case.id, {**fields, FicheField.ACTION: "A2"}, ALICE, NOW)
        repo.add_review(Review(case.id, 1, MONA, ReviewDecision.APPROVE, "ok Alice Martin", NOW))
        repo.add_transition(Transition(case.id, CaseState.IN_REVIEW, CaseState.APPROVED, MONA, NOW))
        repo.update_case(case.id, state=CaseState.APPROVED)
        repo.add_annotation(case.id, CLAIRE, "Comparer avec Bruno Leroy (@bruno:localhost)", NOW)
        repo.create_case(
            room_id="!r:localhost",
            root_event_id="$other",
            origin=CaseOrigin.THREAD,
            title="Autre",
            created_by=MONA,
            now=NOW + timedelta(days=10),
        )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path}/capibot.db"
    db = Database.from_url(url)
    db.migrate()
    seed(db)
    db.close()
    (tmp_path / "none.toml").write_text("")  # an empty file: the environment gives the rest
    return {
        "CAPIBOT__DATABASE__URL": url,
        "CAPIBOT__PRIVACY__PSEUDONYM_SECRET": "s3cret-for-tests",
        "CAPIBOT_CONFIG": str(tmp_path / "none.toml"),
    }


def run(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(app, ["export", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def assert_clean(text: str) -> None:
    assert SECRET_BRUNO not in text and "gardien" not in text
    assert not re.search(r"@[a-z]+:localhost", text)
    assert "%40bruno" not in text.lower()
    for name in NAMES.values():
        assert name.lower() not in text.lower()
        assert name.split()[1].lower() not in text.lower()  # no last name left either


def test_jsonl_export_is_pseudonymised_without_refused_text_and_stable(
    env: dict[str, str],
) -> None:
    first = run(env, "--format", "jsonl")
    second = run(env, "--format", "jsonl")
    assert first == second  # same pseudonyms across runs
    assert_clean(first)
    records = [json.loads(line) for line in first.splitlines()]
    assert [r["case"] for r in records] == [1, 2]
    record = records[0]
    people = {p["participant"] for p in record["participants"]}
    assert all(re.fullmatch(r"P-[0-9a-f]{8}", p) for p in people) and len(people) == 2
    refused = next(p["participant"] for p in record["participants"] if not p["consent"])
    texts = [m["text"] for m in record["exchange"] if m["participant"] == refused]
    assert texts and all("consentement" in t for t in texts)
    assert refused in record["exchange"][0]["text"]  # "@bruno…" became his pseudonym
    assert record["fiche_version"] == 1 and record["fiche"]["action"] == "A"
    assert [s["to"] for s in record["states"]] == ["capturing", "approved"]
    assert record["reviews"][0]["decision"] == "approve"
    assert refused in record["annotations"][0]["text"]
    assert record["room"] == {"kind": "theme", "label": "Logement", "categories": ["Habitat"]}
    assert records[1]["fiche"] is None


def test_csv_export_one_row_per_case_with_bom_and_filters(
    env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "export.csv"
    run(env, "--format", "csv", "--bom", "--out", str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert_clean(text)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2 and rows[0]["fiche_title"] == "Accueil"
    assert json.loads(rows[0]["exchange"])[1]["text"].startswith("[texte non export")

    def cases(*args: str) -> list[int]:
        return [json.loads(x)["case"] for x in run(env, *args).splitlines()]

    assert cases("--theme", "sante") == [1]
    assert cases("--state", "approved") == [1]
    assert cases("--since", "2026-03-05") == [2]
    assert cases("--until", "2026-03-05") == [1]
    assert cases("--room", "logement") == [1, 2]
    assert cases("--room", "!nope:x") == []


def test_export_refused_without_a_secret(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        app, ["export"], env={**env, "CAPIBOT__PRIVACY__PSEUDONYM_SECRET": ""}
    )
    assert result.exit_code != 0 and "pseudonym_secret" in result.output
    with pytest.raises(ExportError):
        Pseudonymizer("")


def test_pseudonyms_depend_on_the_secret() -> None:
    a, b = Pseudonymizer("one"), Pseudonymizer("two")
    assert a(ALICE) == a(ALICE) != b(ALICE) and a(ALICE) != a(BRUNO)


def test_first_names_alone_are_scrubbed_but_not_the_same_ordinary_words() -> None:
    pseudo = Pseudonymizer("secret")
    pseudo.know("@bruno:localhost", "Bruno Martin")
    pseudo.know("@claire.d:localhost", "Claire Dubois")
    pseudo.know("@m1:localhost", "Marie Durand")
    pseudo.know("@m2:localhost", "Marie Dupont")
    bruno, claire = pseudo("@bruno:localhost"), pseudo("@claire.d:localhost")
    said = pseudo.scrub("Merci Bruno, et bravo à MARTIN !")
    assert said == f"Merci {bruno}, et bravo à {bruno} !"
    said = pseudo.scrub("Claire a raison : une idée claire.")
    assert said == f"{claire} a raison : une idée claire."
    # A shared first name must not tell which of the two it was.
    assert pseudo.scrub("Marie l'a dit") == "P-? l'a dit"
    assert pseudo.scrub("Une brunoise de légumes") == "Une brunoise de légumes"


# -- issue 14: the export reads beside the running bot, in flat memory ---------------------


def test_a_writer_commits_while_the_export_is_inside_a_case(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The running bot (a writer in another thread) is not blocked by an export: the
    export reads a snapshot and takes no lock, even in the middle of a case."""
    db = Database.from_url(env["CAPIBOT__DATABASE__URL"])
    took: list[float] = []
    writers: list[threading.Thread] = []
    scrub = Pseudonymizer.scrub

    def write() -> None:
        start = time.perf_counter()
        with db.transaction() as repo:
            repo.save_room(Room("!other:localhost", RoomKind.THEME, "Autre", ()))
        took.append(time.perf_counter() - start)

    def scrub_while_the_bot_writes(self: Pseudonymizer, text: str) -> str:
        if not writers:
            writers.append(threading.Thread(target=write))
            writers[0].start()
            writers[0].join(timeout=3)  # the export waits at most 3 s for the writer
        return scrub(self, text)

    monkeypatch.setattr(Pseudonymizer, "scrub", scrub_while_the_bot_writes)
    try:
        assert_clean(run(env, "--format", "jsonl"))
        writers[0].join(timeout=30)
        assert took and took[0] < 1.0, took
    finally:
        db.close()


def _seed_cases(url: str, cases: int, per_case: int, published: int = 0) -> None:
    db = Database.from_url(url)
    db.migrate()
    with db.transaction() as repo:
        repo.save_room(Room("!r:localhost", RoomKind.THEME, "Logement", ()))
        for user, name in NAMES.items():
            repo.save_participant(Participant(user, name, Consent.GRANTED))
        case_rows = [
            {
                "id": c + 1,
                "room_id": "!r:localhost",
                "root_event_id": f"$root{c}",
                "origin": CaseOrigin.THREAD.value,
                "title": f"Cas {c} avec Bruno Leroy",
                "state": (CaseState.PUBLISHED if c < published else CaseState.CAPTURING).value,
                "created_by": ALICE,
                "created_at": NOW,
                "last_activity_at": NOW,
            }
            for c in range(cases)
        ]
        repo.connection.execute(insert(CaseRow), case_rows)
        senders = list(NAMES)
        repo.connection.execute(
            insert(MessageRow),
            [
                {
                    "event_id": f"$m{c}-{m}",
                    "room_id": "!r:localhost",
                    "case_id": c + 1,
                    "sender": senders[m % len(senders)],
                    "sent_at": NOW + timedelta(seconds=m),
                    "body": f"Message {m} : merci Alice Martin et Bruno pour l'atelier.",
                }
                for c in range(cases)
                for m in range(per_case)
            ],
        )
    db.close()


def test_export_memory_stays_flat_with_ten_times_the_messages(tmp_path: Path) -> None:
    """Exporting 10× the cases and messages peaks at about the same memory: cases are
    read page by page and written one at a time, never loaded all at once."""

    def peak(cases: int, *, warm: bool = False) -> int:
        url = f"sqlite:///{tmp_path}/{cases}.db"
        _seed_cases(url, cases, per_case=5)
        return _export_peak(tmp_path, url, cases, warm=warm)

    small, large = peak(50, warm=True), peak(500)
    assert large < 1.3 * small, (small, large)


def test_a_filtered_export_does_not_load_every_case(tmp_path: Path) -> None:
    """Dates, state and room are filtered in SQL: exporting the 5 published cases out of
    5,000 costs the same memory as out of 500."""

    def peak(cases: int, *, warm: bool = False) -> int:
        url = f"sqlite:///{tmp_path}/{cases}.db"
        _seed_cases(url, cases, per_case=1, published=5)
        return _export_peak(tmp_path, url, 5, "--state", "published", warm=warm)

    small, large = peak(500, warm=True), peak(5000)
    assert large < 1.3 * small, (small, large)


def _export_peak(tmp_path: Path, url: str, cases: int, *args: str, warm: bool) -> int:
    """Peak memory traced while the CLI exports `cases` cases to a file."""
    (tmp_path / "none.toml").write_text("")
    env = {
        "CAPIBOT__DATABASE__URL": url,
        "CAPIBOT__PRIVACY__PSEUDONYM_SECRET": "s3cret-for-tests",
        "CAPIBOT_CONFIG": str(tmp_path / "none.toml"),
    }
    out = str(tmp_path / "export.jsonl")
    if warm:
        run(env, "--out", out, *args)  # imports, statement caches
    tracemalloc.start()
    try:
        run(env, "--out", out, *args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        assert len(Path(out).read_text(encoding="utf-8").splitlines()) == cases
