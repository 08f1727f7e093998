"""A server or tool from PyPI in a virtualenv of its own, under the devstack's cache.

Synapse and Taguette pin libraries that clash with capibot's (and with each other's),
so each gets its own venv, created once and reused while its requirement is unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def cache_dir() -> Path:
    return Path(os.environ.get("CAPIBOT_CACHE", Path.home() / ".cache" / "capibot"))


def ensure_tool_venv(name: str, requirement: str, *, note: str = "") -> Path:
    """The python of `<cache>/<name>`, with `requirement` installed (once; a changed
    requirement rebuilds the venv from scratch)."""
    venv = cache_dir() / name
    python = venv / "bin" / "python"
    marker = venv / ".capibot-installed"
    if marker.exists() and marker.read_text() == requirement and python.exists():
        return python
    print(f"devstack: installing {requirement} into {venv}{note}…", flush=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            requirement,
        ],
        check=True,
    )
    marker.write_text(requirement)
    return python
