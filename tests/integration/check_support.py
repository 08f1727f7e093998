"""Running `capibot` as an operator would, against the stack, in a test's own folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scripts.devstack import StackInfo


def capibot(command: str, config: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m bot <command> --config <config>` in `cwd`; its output, never raising."""
    return subprocess.run(
        [sys.executable, "-m", "bot", command, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def config_variant(stack: StackInfo, tmp_path: Path, extra: str = "", **replace: str) -> Path:
    """The stack's config with its own database and store, some values replaced and
    `extra` TOML appended."""
    text = stack.config_path.read_text()
    text = text.replace(str(Path(stack.state_dir) / "bot"), str(tmp_path / "data"))
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "capibot.toml"
    path.write_text(text + extra)
    return path
