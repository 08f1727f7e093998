"""The project's own Matrix errors: nio's responses are turned into these at the boundary."""


class MatrixError(Exception):
    """Base of Matrix-side failures."""


class MatrixUnavailable(MatrixError):
    """The homeserver cannot be reached or keeps failing: retry later."""


class MatrixAuthError(MatrixError):
    """The homeserver refused our credentials (password or stored token)."""
