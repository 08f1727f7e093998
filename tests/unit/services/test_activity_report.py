"""`capibot rapport`: the figures a centre hands its funders, with charts a browser
shows, and no personal data."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.domain.models import (
    CaseOrigin,
    CaseState,
    DirectoryProfile,
    FicheField,
    Message,
    Participant,
    Room,
    RoomKind,
    Transition,
)
from bot.services.activity import Period, collect
from bot.storage.database import Database
from scripts.devstack.browser import dump_dom, screenshot
from tests.unit.services.test_export import empty_config

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ALICE, BRUNO = "@alice:localhost", "@bruno:localhost"


def _seed(db: Database) -> None:
    with db.transaction() as repo:
        repo.save_room(Room("!emploi:localhost", RoomKind.THEME, "Emploi"))
        repo.save_room(Room("!nord:localhost", RoomKind.TERRITORY, "Nord"))
        repo.save_participant(
            Participant(
                ALICE,
                "Alice Martin",
                profile=DirectoryProfile(function="cheffe de projet", updated_at=T0),
            )
        )
        plan = [  # room, days after T0, themes, territory, days to publication (None: not)
            ("!emploi:localhost", 0, "Emploi, Insertion", "Lille", 12),
            ("!emploi:localhost", 20, "emploi", "Roubaix", 30),
            ("!nord:localhost", 40, "Santé", "Lille", None),
            ("!nord:localhost", 75, "", "", None),
        ]
        for n, (room, days, themes, territory, published_after) in enumerate(plan):
            opened = T0 + timedelta(days=days)
            case, _ = repo.create_case(
                room_id=room,
                root_event_id=f"$r{n}",
                origin=CaseOrigin.THREAD,
                title=f"Échange de Bruno Leroy {n}",
                created_by=BRUNO,
                now=opened,
            )
            repo.add_message(Message(f"$r{n}", room, BRUNO, opened, "Secret de Bruno", case.id))
            if not themes:
                continue
            fields = {FicheField.TITLE: "T", FicheField.THEMES: themes}
            repo.add_fiche_version(
                case.id, {**fields, FicheField.TERRITORY: territory}, BRUNO, opened
            )
            state = CaseState.APPROVED
            if published_after is not None:
                at = opened + timedelta(days=published_after)
                repo.add_transition(
                    Transition(case.id, CaseState.APPROVED, CaseState.PUBLISHED, "@bot:l", at)
                )
                state = CaseState.PUBLISHED
            repo.update_case(case.id, state=state)
        repo.add_annotation(1, "@claire:localhost", "Voir Bruno Leroy", T0 + timedelta(days=50))


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database.from_url(f"sqlite:///{tmp_path}/capibot.db")
    database.migrate()
    _seed(database)
    return database


def test_the_figures_of_a_period(db: Database) -> None:
    with db.reading() as repo:
        activity = collect(repo, Period(date(2026, 1, 1), date(2026, 3, 31)))
    assert activity.cases_per_month == {"2026-01": 2, "2026-02": 1, "2026-03": 1}
    assert activity.published_per_month == {"2026-01": 1, "2026-02": 1, "2026-03": 0}
    assert activity.cases == 4 and activity.fiches == 3 and activity.publications == 2
    assert activity.themes[0] == ("Emploi", 2)  # « emploi » counted with « Emploi »
    assert dict(activity.territories) == {"Lille": 2, "Roubaix": 1}
    assert activity.room_kinds == {"theme": 2, "territory": 2}
    assert activity.median_days == 21 and activity.annotations == 1 and activity.directory == 1
    with db.reading() as repo:  # a later period: nothing opened then
        later = collect(repo, Period(date(2026, 6, 1), date(2026, 6, 30)))
    assert (
        later.cases == 0 and later.cases_per_month == {"2026-06": 0} and later.median_days is None
    )


def test_the_report_renders_with_its_charts_and_no_personal_data(
    db: Database, tmp_path: Path
) -> None:
    db.close()
    out = tmp_path / "rapport"
    result = CliRunner().invoke(
        app,
        ["rapport", "--from", "2026-01-01", "--to", "2026-03-31", "--out", str(out)],
        env={
            "CAPIBOT__DATABASE__URL": f"sqlite:///{tmp_path}/capibot.db",
            "CAPIBOT__NETWORK__LABEL": "CRPV Test",
            "CAPIBOT_CONFIG": empty_config(tmp_path),
        },
    )
    assert result.exit_code == 0, result.output
    page = out / "rapport.html"
    text = page.read_text(encoding="utf-8")
    assert "Rapport d'activité — CRPV Test" in text
    assert "du 1er janvier au 31 mars 2026" in text
    for leak in ("Bruno", "Alice", "Secret", "@", "P-"):
        assert leak not in re.sub(r"<(style|script)>.*?</\1>", "", text, flags=re.S)
    dom = dump_dom(page)  # a real browser: every chart decoded
    charts = int(re.search(r'data-charts="(\d+)"', dom).group(1))  # type: ignore[union-attr]
    loaded = re.search(r'data-charts-loaded="(\d+)"', dom)
    assert charts == 5 and loaded is not None and int(loaded.group(1)) == charts
    shot = tmp_path / "rapport.png"
    screenshot(page, shot)
    assert shot.stat().st_size > 20_000


def test_a_period_that_ends_before_it_starts_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["rapport", "--from", "2026-03-01", "--to", "2026-01-01", "--out", str(tmp_path)],
        env={
            "CAPIBOT__DATABASE__URL": f"sqlite:///{tmp_path}/capibot.db",
            "CAPIBOT_CONFIG": empty_config(tmp_path),
        },
    )
    assert result.exit_code == 2 and "ends before it starts" in result.output
