"""The reliability tests use the integration tests' logged-in users."""

from __future__ import annotations

from tests.integration.people import alice, people

__all__ = ["alice", "people"]
