"""The outbox's failure contract: each lane's classifier says what an error means, the
outcome is stored in its own column, and the dispatcher and `capibot publish` act on that
column, never on the stored error text (which is for people)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import _publication_failure, app
from bot.domain.models import OutboxItem, OutboxStatus, Outcome
from bot.matrix.errors import (
    MatrixAuthError,
    MatrixError,
    MatrixUnavailable,
    classify_matrix_error,
)
from bot.services.outbox import (
    MAIN_LANE,
    OutboxDispatcher,
    PermanentFailure,
    classify_service_error,
)
from bot.services.publication_requests import PUBLISH
from bot.services.publisher import Publisher
from bot.services.research import PageNotPublishedYet
from bot.storage.database import Database
from bot.storage.repository import Repository
from bot.storage.tables import OutboxRow
from bot.wiki import classify_wiki_error
from wiki_sync.errors import (
    EditConflict,
    RenderError,
    TitleError,
    WikiAuthError,
    WikiError,
    WikiPermissionError,
    WikiUnavailable,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class ProtectedPage(WikiPermissionError):
    """A finer wiki refusal than the base class: its repr names itself, not its base."""


# -- the classifiers: each error class → its outcome ----------------------------------------


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (MatrixUnavailable("homeserver unreachable"), Outcome.UNAVAILABLE),
        (MatrixAuthError("M_UNKNOWN_TOKEN"), Outcome.RETRY),  # the sync loop deals with it
        (MatrixError("M_FORBIDDEN"), Outcome.RETRY),  # e.g. not joined yet: bounded retries
        (WikiUnavailable("down"), None),  # not a Matrix error: the next classifier's
        (RuntimeError("a bug"), None),
    ],
)
def test_the_matrix_classifier(error: Exception, outcome: Outcome | None) -> None:
    assert classify_matrix_error(error) is outcome


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (WikiUnavailable("HTTP 503", retry_after=5), Outcome.UNAVAILABLE),
        (PageNotPublishedYet("case 3 approved, page not written yet"), Outcome.UNAVAILABLE),
        (WikiAuthError("login refused for Capibot@capibot: Failed"), Outcome.LOGIN_REFUSED),
        (WikiPermissionError("the account lacks the right(s) bot"), Outcome.RIGHT_MISSING),
        (ProtectedPage("protectedpage"), Outcome.RIGHT_MISSING),
        (EditConflict("Accueil de jour", ("articleexists",)), Outcome.FAILED),
        (TitleError("empty", "titre vide"), Outcome.FAILED),
        (RenderError("not a matrix.to URL"), Outcome.FAILED),
        (WikiError("wiki answered HTTP 400"), Outcome.FAILED),
        (MatrixUnavailable("down"), None),  # not a wiki error
        (RuntimeError("a bug"), None),
    ],
)
def test_the_wiki_classifier(error: Exception, outcome: Outcome | None) -> None:
    assert classify_wiki_error(error) is outcome


def test_every_outcome_says_whether_it_waits_and_whether_an_operator_must_act() -> None:
    assert {o for o in Outcome if o.waits} == {
        Outcome.UNAVAILABLE,
        Outcome.LOGIN_REFUSED,
        Outcome.RIGHT_MISSING,
    }
    assert {o for o in Outcome if o.refused} == {Outcome.LOGIN_REFUSED, Outcome.RIGHT_MISSING}


def test_the_dispatcher_asks_the_lane_its_classifier_belongs_to(db: Database) -> None:
    dispatcher = OutboxDispatcher(db, lambda: T0)
    dispatcher.classify_lane(MAIN_LANE, classify_matrix_error)
    # A lane with a classifier of its own: only that one is asked.
    assert dispatcher.outcome(MAIN_LANE, MatrixUnavailable("x")) is Outcome.UNAVAILABLE
    assert dispatcher.outcome(MAIN_LANE, WikiAuthError("x")) is Outcome.RETRY  # unknown to it
    # A lane without one: the Matrix classifier, then the wiki one.
    assert dispatcher.outcome("wiki", WikiAuthError("x")) is Outcome.LOGIN_REFUSED
    assert dispatcher.outcome("wiki", MatrixUnavailable("x")) is Outcome.UNAVAILABLE
    assert classify_service_error(KeyError("x")) is None
    # The outbox's own signal, and errors nobody knows.
    assert dispatcher.outcome(MAIN_LANE, PermanentFailure("room gone")) is Outcome.FAILED
    assert dispatcher.outcome("wiki", RuntimeError("a bug")) is Outcome.RETRY


# -- the dispatcher acts on the outcome and stores it ---------------------------------------


class Forbidden(Exception):
    """An error only its lane's classifier knows the meaning of."""


def _outbox(db: Database) -> dict[str, OutboxItem]:
    def read(repo: Repository) -> list[OutboxItem]:
        return repo.pending_outbox() + repo.failed_outbox(["publish", "notice"])

    return {item.dedupe_key: item for item in db.run_sync(read)}


async def test_a_lane_classifier_decides_and_its_outcome_is_stored(db: Database) -> None:
    now = T0
    dispatcher = OutboxDispatcher(db, lambda: now, max_attempts=2)
    dispatcher.classify_lane(
        "api", lambda exc: Outcome.RIGHT_MISSING if isinstance(exc, Forbidden) else None
    )
    told: list[str] = []

    async def call(item: OutboxItem) -> None:
        raise Forbidden("no")

    dispatcher.register(
        "publish", call, lane="api", on_refused=lambda repo, item, why, at: told.append(why)
    )
    db.run_sync(lambda repo: repo.enqueue("publish", "p1", {}, T0))
    for _ in range(5):  # far past max_attempts: a refusal waits for the operator
        now = _outbox(db)["p1"].next_attempt_at or T0
        assert await dispatcher.run_once(["publish"])
    item = _outbox(db)["p1"]
    assert item.status is OutboxStatus.PENDING and item.outcome is Outcome.RIGHT_MISSING
    assert item.last_error == "Forbidden('no')"  # for people
    assert told == ["no"]  # once per job


async def test_a_job_already_refused_is_not_told_again_whatever_its_error_text(
    db: Database,
) -> None:
    dispatcher = OutboxDispatcher(db, lambda: T0)
    told: list[int] = []

    async def call(item: OutboxItem) -> None:
        raise WikiAuthError("login refused")

    dispatcher.register(
        "publish", call, lane="wiki", on_refused=lambda repo, item, why, at: told.append(item.id)
    )
    db.run_sync(lambda repo: repo.enqueue("publish", "told", {}, T0))
    [told_row] = db.run_sync(lambda repo: repo.pending_outbox(["publish"]))
    # Refused before (the moderators were told then); its text names no error class.
    db.run_sync(
        lambda repo: repo.outbox_retry(told_row.id, "login refused", T0, Outcome.LOGIN_REFUSED)
    )
    await dispatcher.run_once(["publish"])
    assert told == []
    assert _outbox(db)["told"].outcome is Outcome.LOGIN_REFUSED


async def test_the_column_follows_the_job_retry_failed_done(db: Database) -> None:
    now = T0
    dispatcher = OutboxDispatcher(db, lambda: now, max_attempts=2)
    fail = True

    async def call(item: OutboxItem) -> None:
        if fail:
            raise RuntimeError("a bug")

    dispatcher.register("publish", call)
    db.run_sync(lambda repo: repo.enqueue("publish", "p1", {}, T0))
    db.run_sync(lambda repo: repo.enqueue("publish", "p2", {}, T0))
    assert _outbox(db)["p1"].outcome is None  # no error yet
    await dispatcher.run_once(["publish"])
    assert _outbox(db)["p1"].outcome is Outcome.RETRY
    now = _outbox(db)["p1"].next_attempt_at or T0
    await dispatcher.run_once(["publish"])  # retries exhausted
    rows = _outbox(db)
    assert rows["p1"].status is OutboxStatus.FAILED and rows["p1"].outcome is Outcome.FAILED
    fail = False
    count = db.run_sync(lambda repo: repo.retry_failed_outbox(["publish"], now))
    assert count == 2 and _outbox(db)["p1"].outcome is Outcome.FAILED  # kept until retried
    await dispatcher.run_once(["publish"])
    assert _outbox(db) == {}
    stored = db.run_sync(
        lambda repo: list(repo.session.execute(select(OutboxRow.status, OutboxRow.outcome)))
    )
    assert [tuple(row) for row in stored] == [("done", None), ("done", None)]  # no error


# -- `capibot publish`: the stored outcome gives the exit code -------------------------------


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        (Outcome.UNAVAILABLE, 3),
        (Outcome.LOGIN_REFUSED, 4),
        (Outcome.RIGHT_MISSING, 5),
        (Outcome.RETRY, 1),
        (Outcome.FAILED, 1),
        (None, 1),
    ],
)
def test_the_exit_code_is_the_stored_outcomes_not_the_errors_text(
    outcome: Outcome | None, code: int
) -> None:
    # The text says a login was refused; only the column counts.
    item = OutboxItem(1, PUBLISH, "publish:1:v1", last_error="WikiAuthError('x')", outcome=outcome)
    assert _publication_failure([item]) == code


def test_the_first_job_with_an_operator_class_decides_the_exit_code() -> None:
    items = [
        OutboxItem(1, PUBLISH, "a", status=OutboxStatus.FAILED, outcome=Outcome.FAILED),
        OutboxItem(2, PUBLISH, "b", outcome=Outcome.RIGHT_MISSING),
        OutboxItem(3, PUBLISH, "c", outcome=Outcome.LOGIN_REFUSED),
    ]
    assert _publication_failure(items) == 5


def test_capibot_publish_reports_a_stored_refusal_with_its_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/capibot.db"
    db = Database.from_url(url)
    db.migrate()
    db.run_sync(lambda repo: repo.enqueue(PUBLISH, "publish:7:v1", {"case_id": 7}, T0))
    db.close()

    async def refused(self: Publisher, item: OutboxItem) -> None:
        raise ProtectedPage("protectedpage: this page is protected")

    monkeypatch.setattr(Publisher, "publish", refused)
    config = tmp_path / "capibot.toml"
    config.write_text(
        f'[wiki]\napi_url = "http://127.0.0.1:9/w/api.php"\n[database]\nurl = "{url}"\n'
    )
    result = CliRunner().invoke(app, ["publish", "--config", str(config)])
    assert result.exit_code == 5, result.output  # the wiki account lacks a right
    assert "pending: publish case #7" in result.output
    assert "ProtectedPage('protectedpage: this page is protected')" in result.output
    db = Database.from_url(url)
    try:
        [row] = db.run_sync(lambda repo: repo.pending_outbox([PUBLISH]))
    finally:
        db.close()
    assert row.outcome is Outcome.RIGHT_MISSING  # waits for the operator
