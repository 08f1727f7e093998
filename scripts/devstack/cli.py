"""`scripts/stack up|down|status|env`: the local stack from the command line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from scripts.devstack import browser, mediawiki, postgres, synapse, taguette
from scripts.devstack.stack import DEFAULT_STATE, Stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/stack", description=__doc__)
    parser.add_argument("action", choices=["prepare", "up", "down", "status", "info"])
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE)
    parser.add_argument("--synapse-port", type=int, default=8008)
    parser.add_argument("--wiki-port", type=int, default=8089)
    args = parser.parse_args(argv)
    stack = Stack(args.state_dir, synapse_port=args.synapse_port, wiki_port=args.wiki_port)
    if args.action == "prepare":
        mediawiki.ensure_installed()
        postgres.ensure_installed()
        synapse.ensure_installed()
        taguette.ensure_installed()  # the QDA tool the codebook CSV is imported into
        browser.ensure_installed()
        return 0
    if args.action == "up":
        info = stack.up()
        print(f"synapse   {info.homeserver}  (server name localhost)")
        print(f"mediawiki {info.wiki_url}/index.php  (Admin / {info.wiki_admin_password})")
        print(f"config    {info.config_path}")
        for user in info.users:
            print(f"user      {user.user_id():<22} {user.password}  ({user.role})")
        return 0
    if args.action == "down":
        stack.down()
        print("stack stopped")
        return 0
    if args.action == "info":
        info = stack.load()
        print(json.dumps(None if info is None else json.loads(stack.info_path.read_text())))
        return 0
    status = stack.status()
    for name, running in status.items():
        print(f"{name:<10} {'running' if running else 'stopped'}")
    return 0 if all(status.values()) else 3
