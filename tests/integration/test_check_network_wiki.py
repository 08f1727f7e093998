"""`capibot check` with a network wiki: its own verdict lines, so an operator sees which
of the two wikis refuses or does not answer (the second MediaWiki is a real one)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from scripts.devstack import StackInfo
from scripts.devstack.procs import free_port
from scripts.devstack.second_wiki import SecondWiki
from tests.integration.check_support import capibot, config_variant


def _config(stack: StackInfo, tmp_path: Path, api_url: str, user: str, secret: str) -> Path:
    """The stack's config (own database and store) plus a centre and its network wiki."""
    path = config_variant(
        stack,
        tmp_path,
        extra=f"""
[network]
centre = "crpv-check"
label = "CRPV Check"

[network_wiki]
api_url = "{api_url}"
username = "{user}"
password = "{secret}"
contact = "ops@crpv-check.fr"
""",
    )
    migrate = capibot("migrate", path, tmp_path)
    assert migrate.returncode == 0, migrate.stderr
    return path


def _check(config: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return capibot("check", config, tmp_path)


def test_a_working_network_wiki_gets_its_own_ok_line(
    stack: StackInfo, network_wiki: SecondWiki, tmp_path: Path
) -> None:
    config = _config(
        stack, tmp_path, network_wiki.api, network_wiki.username, network_wiki.bot_password
    )
    result = _check(config, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(
        line.startswith("OK   network wiki: ") and network_wiki.api in line for line in lines
    ), result.stdout
    assert any(line.startswith("OK   wiki: ") for line in lines), result.stdout
    # the network wiki's setup is looked at too (its template, with its own setup command)
    assert any(
        line.startswith(("OK   network wiki template", "WARN network wiki template"))
        for line in lines
    ), result.stdout
    assert network_wiki.bot_password not in result.stdout + result.stderr


def test_an_unreachable_network_wiki_fails_the_check_naming_it(
    stack: StackInfo, network_wiki: SecondWiki, tmp_path: Path
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/api.php"
    result = _check(
        _config(stack, tmp_path, closed, network_wiki.username, network_wiki.bot_password), tmp_path
    )
    assert result.returncode == 3, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("FAIL network wiki: ") and closed in line for line in lines)
    assert any(line.startswith("OK   wiki: ") for line in lines), result.stdout


def test_a_refused_network_wiki_login_is_an_auth_failure(
    stack: StackInfo, network_wiki: SecondWiki, tmp_path: Path
) -> None:
    result = _check(
        _config(stack, tmp_path, network_wiki.api, network_wiki.username, "1" * 32), tmp_path
    )
    assert result.returncode == 4, result.stdout + result.stderr
    assert any(
        line.startswith("FAIL network wiki: ") and "login refused" in line
        for line in result.stdout.splitlines()
    ), result.stdout
