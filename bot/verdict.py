"""What `capibot check` says about one dependency, and the CLI's exit codes."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Failure(enum.IntEnum):
    """Exit codes of the CLI; the numbers are part of the stable surface (README)."""

    OK = 0
    CONFIG = 2
    UNREACHABLE = 3
    AUTH = 4
    PERMISSION = 5
    NOT_MIGRATED = 6
    #: `run` only: another bot holds the Matrix store (matrix.store_path).
    ALREADY_RUNNING = 7


@dataclass(frozen=True, slots=True)
class Verdict:
    subject: str
    failure: Failure
    detail: str
    #: Works, but needs a look (events set aside): printed WARN, exit code unchanged.
    warning: bool = False

    @property
    def ok(self) -> bool:
        return self.failure is Failure.OK

    def line(self) -> str:
        status = ("WARN" if self.warning else "OK  ") if self.ok else "FAIL"
        return f"{status} {self.subject}: {self.detail}"


def exit_code(verdicts: list[Verdict]) -> int:
    """The first failure's class decides: callers fix problems in the printed order."""
    for verdict in verdicts:
        if not verdict.ok:
            return int(verdict.failure)
    return 0
