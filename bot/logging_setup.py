"""Logging: text for people or JSON lines for a collector, and a filter that keeps
secrets out of every record (and a formatter that masks them in tracebacks too)."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

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


class TextFormatter(logging.Formatter):
    """The human format; the whole line masked again, traceback included (an exception's
    text may quote a URL with its token)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, and the
    traceback as `exception` when there is one; every text masked."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Log to stderr (the journal under systemd) as `fmt`: "text" or "json"."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(SecretFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("nio", "peewee", "urllib3", "aiohttp", "alembic", "mwclient", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
