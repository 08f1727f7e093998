"""Several centres, one network: each export names its centre, and a network secret
makes the same person's pseudonym equal across the centres' exports."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.storage.database import Database
from tests.unit.services.test_export import assert_clean, empty_config, seed


def _centre(tmp_path: Path, code: str, secret: str, network: str = "") -> dict[str, str]:
    url = f"sqlite:///{tmp_path}/{code}.db"
    db = Database.from_url(url)
    db.migrate()
    seed(db)  # the same people (same Matrix ids) took part in both centres' exchanges
    db.close()
    return {
        "CAPIBOT__DATABASE__URL": url,
        "CAPIBOT__PRIVACY__PSEUDONYM_SECRET": secret,
        "CAPIBOT__PRIVACY__NETWORK_PSEUDONYM_SECRET": network,
        "CAPIBOT__NETWORK__CENTRE": code,
        "CAPIBOT_CONFIG": empty_config(tmp_path),
    }


def _export(env: dict[str, str]) -> list[dict[str, object]]:
    result = CliRunner().invoke(app, ["export", "--format", "jsonl"], env=env)
    assert result.exit_code == 0, result.output
    assert_clean(result.stdout)
    return [json.loads(line) for line in result.stdout.splitlines()]


def _pseudonyms(records: list[dict[str, object]]) -> set[str]:
    return {p["participant"] for r in records for p in r["participants"]}  # type: ignore[attr-defined, index]


def test_a_network_secret_joins_pseudonyms_across_centres(tmp_path: Path) -> None:
    a = _export(_centre(tmp_path, "crpv-a", "secret-of-a", network="shared-network-key"))
    b = _export(_centre(tmp_path, "crpv-b", "secret-of-b", network="shared-network-key"))
    assert {r["centre"] for r in a} == {"crpv-a"} and {r["centre"] for r in b} == {"crpv-b"}
    assert _pseudonyms(a) == _pseudonyms(b) and len(_pseudonyms(a)) == 2


def test_without_it_each_centre_keeps_its_own_pseudonyms(tmp_path: Path) -> None:
    a = _export(_centre(tmp_path, "crpv-a", "secret-of-a"))
    b = _export(_centre(tmp_path, "crpv-b", "secret-of-b"))
    assert not _pseudonyms(a) & _pseudonyms(b)  # a centre's export cannot be joined alone


def test_the_csv_names_the_centre_first(tmp_path: Path) -> None:
    env = _centre(tmp_path, "crpv-a", "secret-of-a")
    result = CliRunner().invoke(app, ["export", "--format", "csv"], env=env)
    assert result.exit_code == 0, result.output
    header, first = result.stdout.splitlines()[:2]
    assert header.startswith("centre,case,") and first.startswith("crpv-a,1,")
