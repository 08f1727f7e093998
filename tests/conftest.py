"""Session fixtures: the real servers, started once per test session on free ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.devstack import Stack, StackInfo


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackInfo]:
    """A real Synapse and a real MediaWiki in a temp dir; never skipped: a missing server
    is installed (or the session fails loudly)."""
    state = tmp_path_factory.mktemp("stack")
    servers = Stack(Path(state))
    try:
        yield servers.up()
    finally:
        servers.down()
