"""Debian packages the stack and the tests need, installed when missing (idempotent)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence


def missing_packages(packages: Sequence[str]) -> list[str]:
    missing = []
    for package in packages:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package],
            capture_output=True,
            text=True,
            check=False,
        )
        if "install ok installed" not in result.stdout:
            missing.append(package)
    return missing


def ensure_packages(packages: Sequence[str]) -> None:
    """apt-get install what is missing (no recommends: apache2 stays out of the way)."""
    missing = missing_packages(packages)
    if not missing:
        return
    if os.geteuid() != 0 and not shutil.which("sudo"):
        raise RuntimeError(f"missing Debian packages {missing}; install them as root")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"devstack: apt-get install {' '.join(missing)} …", flush=True)
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
