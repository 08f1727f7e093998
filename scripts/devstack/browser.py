"""Headless Chromium (Debian's), for the tests that look at a page as a person would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from scripts.devstack.debian import ensure_packages

DEBIAN_PACKAGES = ["chromium"]


def ensure_installed() -> None:
    ensure_packages(DEBIAN_PACKAGES)


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise RuntimeError("chromium is not installed: run scripts/stack prepare")
    return found


def _headless(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",  # root in CI
            "--disable-gpu",
            "--allow-file-access-from-files",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def dump_dom(page: Path) -> str:
    """The page's DOM after its load event (scripts run, images decoded)."""
    return _headless("--virtual-time-budget=5000", "--dump-dom", page.as_uri()).stdout


def screenshot(page: Path, out: Path, width: int = 1000, height: int = 2400) -> None:
    _headless(
        f"--window-size={width},{height}",
        "--virtual-time-budget=5000",
        f"--screenshot={out}",
        page.as_uri(),
    )
