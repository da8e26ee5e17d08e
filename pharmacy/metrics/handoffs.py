"""Handoff figures: tickets per reason, the wait for a person (median and p90, answered tickets
only), and tickets nobody answered."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pharmacy.handoff.models import HandoffReason, HandoffTicket


@dataclass(frozen=True)
class HandoffFigures:
    by_reason: dict[str, int]
    conversations: frozenset[str]  # every conversation with at least one ticket
    emergency_conversations: frozenset[str]
    wait_median_minutes: float | None
    wait_p90_minutes: float | None
    unanswered: int


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least ``fraction`` of them at or
    below it (so p90 of ten waits is the ninth)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def handoff_figures(session: Session, since: datetime, until: datetime) -> HandoffFigures:
    rows = session.execute(
        select(
            HandoffTicket.conversation_id,
            HandoffTicket.reason,
            HandoffTicket.created_at,
            HandoffTicket.first_reply_at,
        ).where(HandoffTicket.created_at >= since, HandoffTicket.created_at < until)
    ).all()
    waits = [
        (reply - created).total_seconds() / 60 for _, _, created, reply in rows if reply is not None
    ]
    return HandoffFigures(
        by_reason=dict(Counter(reason.value for _, reason, _, _ in rows)),
        conversations=frozenset(c for c, _, _, _ in rows),
        emergency_conversations=frozenset(
            c for c, reason, _, _ in rows if reason is HandoffReason.EMERGENCY
        ),
        wait_median_minutes=statistics.median(waits) if waits else None,
        wait_p90_minutes=percentile(waits, 0.9),
        unanswered=sum(1 for *_, reply in rows if reply is None),
    )
