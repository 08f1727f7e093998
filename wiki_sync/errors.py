"""Typed errors of the wiki side.

Callers (the publishing service) branch on the class, never on message text:
``retryable`` errors wait in the outbox, the others go to the moderators.
"""

from __future__ import annotations

from typing import ClassVar


class WikiError(Exception):
    """Base of every error raised by ``wiki_sync``."""

    retryable: ClassVar[bool] = False


class EditConflict(WikiError):
    """A human changed what the bot also wants to change; nothing was written.

    ``conflicts`` names the template parameters / ``section:<name>`` blocks at stake
    (empty when the wiki itself reported the conflict).
    """

    def __init__(self, title: str, conflicts: tuple[str, ...] = ()) -> None:
        self.title = title
        self.conflicts = conflicts
        detail = ", ".join(conflicts) if conflicts else "edit conflict"
        super().__init__(f"{title}: {detail}")


class TitleError(WikiError, ValueError):
    """No valid page title can be made; ``reason`` is meant for the user.

    ``code`` is stable (``empty``, ``no_alnum``, ``exhausted``, ``namespace``: the wiki
    would put the title outside its main namespace) so the bot can
    translate it; ``reason`` is a French default wording.
    """

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(reason)


class RenderError(WikiError, ValueError):
    """A value given to the renderer is unusable (e.g. not a matrix.to URL)."""


class WikiUnavailable(WikiError):
    """Network error, 5xx, maxlag or rate limit: try again later."""

    retryable: ClassVar[bool] = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class WikiAuthError(WikiError):
    """Login refused (bad BotPassword / OAuth keys): retrying will not help."""


class WikiPermissionError(WikiError):
    """Logged in, but the account may not do this (protected page, not a bot...)."""
