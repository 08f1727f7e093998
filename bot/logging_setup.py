"""Logging: one format, and a filter that keeps secrets out of every record."""

from __future__ import annotations

import logging
import re

# Access tokens (Matrix "syt_…", "mct_…"), passwords and tokens in URLs or JSON.
_SECRET_PATTERNS = [
    re.compile(r"(syt_|mct_|syr_)[A-Za-z0-9_\-]+"),
    re.compile(
        r"(?i)(access_token|password|lgpassword|token|secret)([\"']?\s*[=:]\s*[\"']?)[^\s\"'&,}]+"
    ),
]


def redact(text: str) -> str:
    text = _SECRET_PATTERNS[0].sub(r"\1***", text)
    return _SECRET_PATTERNS[1].sub(r"\1\2***", text)


class SecretFilter(logging.Filter):
    """Rewrites every record's message with secrets masked (nio and mwclient log URLs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("nio", "peewee", "urllib3", "aiohttp", "alembic", "mwclient", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
