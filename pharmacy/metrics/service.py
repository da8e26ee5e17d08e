"""The service metrics of the pharmacy rules (section 7) over a window, and per day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from pharmacy.metrics.conversations import conversation_figures
from pharmacy.metrics.csat import SCALE, CsatFigures, csat_figures
from pharmacy.metrics.handoffs import handoff_figures
from pharmacy.metrics.ranges import DateRange
from pharmacy.metrics.records import has_tracker_store
from pharmacy.metrics.refills import RefillFigures, refill_figures


@dataclass
class ServiceMetrics:
    since: datetime
    until: datetime
    conversations: int | None = None  # None: no tracker store table in this database
    user_turns: int = 0
    fallback_turns: int = 0
    handoffs_by_reason: dict[str, int] = field(default_factory=dict)
    contained: int | None = None
    containment_base: int | None = None  # conversations without an emergency
    emergencies: int = 0  # conversations with an emergency ticket
    handoff_wait_minutes: float | None = None  # median, handoff to first human reply
    handoff_wait_p90_minutes: float | None = None
    handoffs_unanswered: int = 0
    refills: RefillFigures = field(default_factory=lambda: RefillFigures(0, 0, 0))
    csat_figures: CsatFigures = field(default_factory=lambda: CsatFigures(dict.fromkeys(SCALE, 0)))

    @property
    def containment(self) -> float | None:
        if self.contained is None or not self.containment_base:
            return None
        return self.contained / self.containment_base

    @property
    def fallback_rate(self) -> float | None:
        return self.fallback_turns / self.user_turns if self.user_turns else None

    @property
    def refill_prompts(self) -> int:
        return self.refills.prompts

    @property
    def refills_submitted(self) -> int:
        return self.refills.submitted

    @property
    def refill_conversion(self) -> float | None:
        return self.refills.submitted / self.refills.prompts if self.refills.prompts else None

    @property
    def ratings(self) -> int:
        return self.csat_figures.ratings

    @property
    def csat(self) -> float | None:
        return self.csat_figures.mean

    def handoff_rate(self, reason: str) -> float | None:
        if not self.conversations:
            return None
        return self.handoffs_by_reason.get(reason, 0) / self.conversations


def compute(session: Session, since: datetime, until: datetime) -> ServiceMetrics:
    """Metrics over [since, until) (naive UTC, like every stored time)."""
    handoffs = handoff_figures(session, since, until)
    metrics = ServiceMetrics(
        since,
        until,
        handoffs_by_reason=handoffs.by_reason,
        handoff_wait_minutes=handoffs.wait_median_minutes,
        handoff_wait_p90_minutes=handoffs.wait_p90_minutes,
        handoffs_unanswered=handoffs.unanswered,
        refills=refill_figures(session, since, until),
        csat_figures=csat_figures(session, since, until),
    )
    if has_tracker_store(session):
        talk = conversation_figures(session, since, until)
        metrics.conversations = len(talk.senders)
        metrics.user_turns = talk.user_turns
        metrics.fallback_turns = talk.fallback_turns
        # A conversation counts once however many tickets it had; emergencies leave the base.
        emergency = talk.senders & handoffs.emergency_conversations
        metrics.emergencies = len(emergency)
        metrics.containment_base = len(talk.senders - emergency)
        metrics.contained = len(talk.senders - handoffs.conversations)
    else:
        metrics.emergencies = len(handoffs.emergency_conversations)
    return metrics


def compute_daily(session: Session, window: DateRange) -> list[ServiceMetrics]:
    """One ServiceMetrics per day of the window, for trend lines."""
    return [compute(session, day.since, day.until) for day in window.days()]
