"""The project's own Matrix errors: nio's responses are turned into these at the boundary."""

from __future__ import annotations

from bot.domain.models import Outcome


class MatrixError(Exception):
    """Base of Matrix-side failures."""


class MatrixUnavailable(MatrixError):
    """The homeserver cannot be reached or keeps failing: retry later."""


class MatrixAuthError(MatrixError):
    """The homeserver refused our credentials (password or stored token)."""


def classify_matrix_error(exc: BaseException) -> Outcome | None:
    """The outbox outcome of a Matrix error (None: not one). An unavailable homeserver is
    waited for; anything else it says (forbidden, not found, a refused token the sync
    loop deals with) is retried a bounded number of times, then fails."""
    if isinstance(exc, MatrixUnavailable):
        return Outcome.UNAVAILABLE
    if isinstance(exc, MatrixError):
        return Outcome.RETRY
    return None
