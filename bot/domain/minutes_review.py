"""Review of a meeting's compte-rendu before the wiki (`!cr approuver|rejeter N`).

Pure rules. A meeting closed in a room whose compte-rendus go through moderation is
PENDING until a network moderator approves it (its page is then queued) or rejects it
(nothing is published). A decision is final: approving twice, or approving what was
rejected, is refused with the state it is in, so no second page ever goes out.
"""

from __future__ import annotations

import enum


class MinutesReview(enum.StrEnum):
    DIRECT = "direct"  #: published without review (the room's setting)
    PENDING = "pending"  #: waits for a network moderator
    APPROVED = "approved"  #: its page is queued (or published)
    REJECTED = "rejected"  #: nothing published


#: the states whose page is (or will be) on the wiki: a rebuild after `!oublier` is for
#: these only; a closed meeting of before the review existed (None) was published directly
PUBLISHED: frozenset[MinutesReview | None] = frozenset(
    {None, MinutesReview.DIRECT, MinutesReview.APPROVED}
)


def refusal(review: MinutesReview | None, *, closed: bool) -> str | None:
    """Why a decision on this compte-rendu is refused (an i18n key under
    `minutes_review.`), or None when it waits for one."""
    if not closed:
        return "still_open"
    if review is MinutesReview.PENDING:
        return None
    if review is MinutesReview.APPROVED:
        return "already_approved"
    if review is MinutesReview.REJECTED:
        return "already_rejected"
    return "not_reviewed"  # published directly: there is nothing to decide
