"""Screenshot of a wiki page with Debian's headless Chromium (the README's docs/fiche.png).

    ./scripts/stack up
    ./scripts/demo --once            # reuses the running stack, prints PUBLISHED <url>
    python3 -m scripts.screenshot URL [--out docs/fiche.png]
    ./scripts/stack down

Installs the `chromium` package when it is missing (as root, or with sudo). Standard
library only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "docs" / "fiche.png"
WINDOW = (1280, 1400)
MAX_BYTES = 300_000


def chromium() -> str:
    """The Chromium binary, installed from Debian when absent."""
    found = shutil.which("chromium")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print("screenshot: apt-get install chromium …", file=sys.stderr, flush=True)
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    found = shutil.which("chromium")
    if not found:
        raise SystemExit("chromium is still missing after apt-get install")
    return found


def screenshot(url: str, out: Path, *, window: tuple[int, int] = WINDOW) -> Path:
    """Render `url` headless into the PNG `out` (a throwaway profile, no network beyond
    the page itself: no sync, no component updates, no first-run)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="capibot-chromium-") as profile:
        argv = [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--screenshot={out.resolve()}",
            f"--window-size={window[0]},{window[1]}",
            url,
        ]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0 or not out.exists():
        raise SystemExit(f"chromium failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/screenshot.py", description=__doc__)
    parser.add_argument("url", help="the page to render, e.g. the PUBLISHED url of the demo")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--width", type=int, default=WINDOW[0])
    parser.add_argument("--height", type=int, default=WINDOW[1])
    args = parser.parse_args(argv)
    out = screenshot(args.url, args.out, window=(args.width, args.height))
    size = out.stat().st_size
    print(f"{out} ({size // 1000} KB)")
    if size > MAX_BYTES:
        print(f"warning: larger than {MAX_BYTES // 1000} KB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
