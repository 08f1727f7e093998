"""Per-user command rate limit: a flood from one account must not starve the others.

Reactions that act (📌, ✅ / ❌ on a review card) spend the same tokens (DESIGN §4).

A token bucket per sender, driven by the events' own timestamps (so a replayed batch
decides the same way). The first refused command gets one short reply ("try again in a
minute"); further refusals within that minute are silent, even when a token came back
and a command was answered in between: a sustained flood earns one reply a minute, not
one every refill.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta


class Admission(enum.Enum):
    ALLOW = "allow"
    REFUSE_AND_SAY = "refuse_and_say"
    REFUSE_SILENTLY = "refuse_silently"


@dataclass
class _Bucket:
    tokens: float
    updated: datetime
    warned_at: datetime | None = None


class CommandRateLimit:
    def __init__(
        self,
        burst: int = 10,
        per_second: float = 0.5,
        max_users: int = 10_000,
        warn_every: timedelta = timedelta(minutes=1),
    ) -> None:
        self.burst = burst
        self.per_second = per_second
        self.max_users = max_users
        self.warn_every = warn_every
        self._buckets: dict[str, _Bucket] = {}

    def admit(self, user_id: str, at: datetime) -> Admission:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= self.max_users:  # bounded memory
                self._buckets.clear()
            bucket = self._buckets[user_id] = _Bucket(float(self.burst), at)
        elapsed = max(0.0, (at - bucket.updated).total_seconds())
        bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.per_second)
        bucket.updated = max(bucket.updated, at)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return Admission.ALLOW
        if bucket.warned_at is not None and at - bucket.warned_at < self.warn_every:
            return Admission.REFUSE_SILENTLY
        bucket.warned_at = at
        return Admission.REFUSE_AND_SAY
