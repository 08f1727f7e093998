"""Which capibot this is: one answer for `capibot --version`, `!version`, the
introduction and the User-Agent of every HTTP request (the wiki's and the homeserver's).

Read from the installed distribution's metadata, so the number lives in pyproject.toml
only; a source tree that was never installed says so instead of inventing a number.
"""

from __future__ import annotations

from importlib import metadata

DISTRIBUTION = "capibot"
UNKNOWN = "0+unknown"  # PEP 440 "local" version: sorts below every real release


def capibot_version() -> str:
    """The installed version, e.g. "0.1.0", else `UNKNOWN`."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return UNKNOWN


def user_agent(contact: str = "") -> str:
    """`capibot/0.1.0 (contact)`: how servers' admins see and reach the bot."""
    agent = f"{DISTRIBUTION}/{capibot_version()}"
    return f"{agent} ({contact})" if contact else agent
