"""The stack's users logged in, as fixtures (registered by the integration and reliability
conftests): most end-to-end tests need the same cast."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from nio import AsyncClient

from scripts.devstack import StackInfo
from tests.integration.helpers import logged_in


@pytest.fixture
async def people(stack: StackInfo) -> AsyncIterator[dict[str, AsyncClient]]:
    """Two practitioners and a moderator, logged in, by role name."""
    async with logged_in(stack, "practitioner", "practitioner2", "moderator") as clients:
        yield clients


@pytest.fixture
async def alice(stack: StackInfo) -> AsyncIterator[AsyncClient]:
    """The stack's practitioner, logged in."""
    async with logged_in(stack, "practitioner") as clients:
        yield clients["practitioner"]
