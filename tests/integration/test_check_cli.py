"""`capibot check` as an operator runs it: verdict lines and exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scripts.devstack import StackInfo
from scripts.devstack.procs import free_port


def _check(config: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "check", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def _config_variant(stack: StackInfo, tmp_path: Path, **replace: str) -> Path:
    """The stack's config with its own database and store, and some values replaced."""
    text = stack.config_path.read_text()
    text = text.replace(str(Path(stack.state_dir) / "bot"), str(tmp_path / "data"))
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "capibot.toml"
    path.write_text(text)
    return path


def test_check_against_the_stack_prints_three_ok_verdicts(stack: StackInfo, tmp_path: Path) -> None:
    config = _config_variant(stack, tmp_path)
    migrate = subprocess.run(
        [sys.executable, "-m", "bot", "migrate", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert migrate.returncode == 0, migrate.stderr
    result = _check(config, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for subject in ("homeserver", "wiki", "database"):
        assert any(line.startswith(f"OK   {subject}:") for line in lines), result.stdout
    assert stack.wiki_botpassword not in result.stdout + result.stderr
    assert stack.user("bot").password not in result.stdout + result.stderr


def test_wrong_wiki_password_names_the_wiki_login(stack: StackInfo, tmp_path: Path) -> None:
    config = _config_variant(stack, tmp_path, **{stack.wiki_botpassword: "1" * 32})
    result = _check(config, tmp_path)
    assert result.returncode == 4, result.stdout + result.stderr
    wiki_line = next(line for line in result.stdout.splitlines() if "wiki:" in line)
    assert wiki_line.startswith("FAIL wiki:") and "login refused" in wiki_line
    assert "1" * 32 not in result.stdout + result.stderr


def test_unreachable_homeserver_exits_with_the_unreachable_code(
    stack: StackInfo, tmp_path: Path
) -> None:
    port = free_port()
    config = _config_variant(stack, tmp_path, **{stack.homeserver: f"http://127.0.0.1:{port}"})
    result = _check(config, tmp_path)
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stdout.splitlines()[1].startswith("FAIL homeserver:")


def test_a_room_alias_that_does_not_resolve_is_a_config_failure(
    stack: StackInfo, tmp_path: Path
) -> None:
    wrong = "#no-such-room:localhost"
    config = _config_variant(
        stack, tmp_path, **{"[matrix]\n": f'[matrix]\nresearch_room = "{wrong}"\n'}
    )
    result = _check(config, tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if "homeserver:" in line)
    assert line.startswith("FAIL homeserver:") and "matrix.research_room" in line and wrong in line


def test_unmigrated_database_is_its_own_failure(stack: StackInfo, tmp_path: Path) -> None:
    config = _config_variant(stack, tmp_path)
    result = _check(config, tmp_path)
    assert result.returncode == 6, result.stdout + result.stderr
    assert "capibot migrate" in result.stdout


def test_bad_config_names_the_key_and_the_file(tmp_path: Path) -> None:
    config = tmp_path / "broken.toml"
    config.write_text('[wiki]\nedit_interval = "souvent"\n')
    result = _check(config, tmp_path)
    assert result.returncode == 2
    assert str(config) in result.stderr and "wiki.edit_interval" in result.stderr
