"""`capibot check`'s config warnings: what runs, but silently wrong."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from bot.check_config import EMPTY_MEANS, config_verdicts, placeholders
from bot.settings import ConfigError, load_settings

EXAMPLE = Path(__file__).parents[3] / "config" / "capibot.example.toml"


def _flat(data: dict[str, object], prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat |= _flat(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def test_the_example_as_copied_warns_of_every_empty_setting_and_placeholder() -> None:
    verdicts = config_verdicts(load_settings(EXAMPLE), EXAMPLE)
    first, *warnings = verdicts
    assert first.line() == f"OK   config: loaded from {EXAMPLE}"
    lines = [verdict.line() for verdict in warnings]
    assert all(line.startswith("WARN config: ") for line in lines)
    assert all(verdict.ok for verdict in verdicts)  # a warning never changes the exit code
    for key in EMPTY_MEANS:
        assert any(line.startswith(f"WARN config: {key} is empty: ") for line in lines), key
    for key in ("matrix.user_id", "matrix.allowed_inviters", "wiki.contact"):
        assert any(f"{key} = " in line and "placeholder" in line for line in lines), key


def test_every_example_domain_in_the_example_file_is_caught() -> None:
    """The placeholder rule is tied to the example file: a new placeholder there that the
    rule would miss fails here."""
    data = _flat(tomllib.loads(EXAMPLE.read_text(encoding="utf-8")))
    written = {key for key, value in data.items() if re.search(r"example\.", str(value))}
    assert written, "the example has no placeholder left? update this test"
    secret_keys = {"matrix.password", "wiki.password"}
    # The example leaves the network wiki off: its keys are not used, so not warned of.
    unused = {key for key in written if key.startswith("network_wiki.")}
    assert unused, "the network wiki's contact is an example placeholder too"
    assert written - secret_keys - unused == {
        key for key, _ in placeholders(load_settings(EXAMPLE))
    }


def test_a_network_wiki_in_use_has_its_placeholders_caught(tmp_path: Path) -> None:
    path = tmp_path / "capibot.toml"
    path.write_text(
        EXAMPLE.read_text(encoding="utf-8")
        .replace('centre = ""', 'centre = "crpv-a"', 1)
        .replace('api_url = ""', 'api_url = "https://reseau.example.net/api.php"', 1),
        encoding="utf-8",
    )
    found = {key for key, _ in placeholders(load_settings(path))}
    assert {"network_wiki.api_url", "network_wiki.contact"} <= found


def test_a_filled_in_config_has_no_warning(tmp_path: Path) -> None:
    path = tmp_path / "capibot.toml"
    path.write_text(
        '[matrix]\nuser_id = "@capibot:reseau.fr"\nallowed_inviters = ["@*:reseau.fr"]\n'
        'moderation_room = "#moderation:reseau.fr"\nresearch_room = "!abc:reseau.fr"\n'
        '[wiki]\ncontact = "admin@reseau.fr"\n'
        '[privacy]\nnotice_url = "https://reseau.fr/confidentialite"\n'
        'pseudonym_secret = "long and secret"\n'
    )
    [verdict] = config_verdicts(load_settings(path), path)
    assert verdict.line() == f"OK   config: loaded from {path}" and not verdict.warning


def test_a_blank_secret_counts_as_empty_and_is_not_printed(tmp_path: Path) -> None:
    path = tmp_path / "capibot.toml"
    path.write_text('[privacy]\npseudonym_secret = "   "\n[wiki]\npassword = "s3cret-pw"\n')
    lines = [v.line() for v in config_verdicts(load_settings(path), None)]
    assert lines[0] == "OK   config: from the environment (no file)"
    assert any(line.startswith("WARN config: privacy.pseudonym_secret is empty") for line in lines)
    assert not any("s3cret-pw" in line for line in lines)


def test_a_network_wiki_without_a_centre_is_refused(tmp_path: Path) -> None:
    """On the shared wiki pages belong to (centre, case): without a centre the bot
    would take over another centre's case of the same number."""
    path = tmp_path / "capibot.toml"
    path.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace(
            'api_url = ""', 'api_url = "https://reseau.example.net/api.php"', 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"network\.centre"):
        load_settings(path)
