"""The service metrics of the pharmacy rules (section 7) over a window, and per day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from pharmacy.metrics.conversations import ConversationFigures, conversation_figures_by_day
from pharmacy.metrics.csat import SCALE, CsatFigures, csat_figures_by_day
from pharmacy.metrics.digest import digest
from pharmacy.metrics.handoffs import TicketRow, figures_of, ticket_rows_by_day
from pharmacy.metrics.outcomes import SKILLS
from pharmacy.metrics.ranges import DateRange
from pharmacy.metrics.records import has_tracker_store
from pharmacy.metrics.refills import RefillFigures, refill_figures_by_day


@dataclass
class ServiceMetrics:
    since: datetime
    until: datetime
    conversations: int | None = None  # None: no tracker store table in this database
    user_turns: int = 0
    fallback_turns: int = 0
    handoffs_by_reason: dict[str, int] = field(default_factory=dict)
    contained: int | None = None
    resolved: int | None = None  # contained and reached a goal (pharmacy.metrics.outcomes)
    skills: dict[str, int] = field(default_factory=dict)  # conversations per skill
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
    def resolved_containment(self) -> float | None:
        if self.resolved is None or not self.containment_base:
            return None
        return self.resolved / self.containment_base

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


def _metrics(
    since: datetime,
    until: datetime,
    tickets: Sequence[TicketRow],
    refills: RefillFigures,
    csat: CsatFigures,
    talk: ConversationFigures | None,
) -> ServiceMetrics:
    handoffs = figures_of(tickets)
    metrics = ServiceMetrics(
        since,
        until,
        handoffs_by_reason=handoffs.by_reason,
        handoff_wait_minutes=handoffs.wait_median_minutes,
        handoff_wait_p90_minutes=handoffs.wait_p90_minutes,
        handoffs_unanswered=handoffs.unanswered,
        refills=refills,
        csat_figures=csat,
    )
    # Every conversation with an emergency ticket, even one whose messages fall outside the window.
    metrics.emergencies = len(handoffs.emergency_conversations)
    if talk is None:
        return metrics
    metrics.conversations = len(talk.senders)
    metrics.user_turns = talk.user_turns
    metrics.fallback_turns = talk.fallback_turns
    # A conversation counts once however many tickets it had; emergencies leave the base.
    emergency = talk.senders & handoffs.emergency_conversations
    metrics.containment_base = len(talk.senders - emergency)
    contained = talk.senders - handoffs.conversations
    metrics.contained = len(contained)
    metrics.resolved = len(contained & talk.goals)
    metrics.skills = {skill: len(talk.skills.get(skill, ())) for skill in SKILLS}
    return metrics


def _over(
    session: Session, bounds: Sequence[datetime]
) -> tuple[ServiceMetrics, list[ServiceMetrics]]:
    """The metrics of the whole span and of each day between consecutive ``bounds``, from one
    grouped query per family (not one set of queries per day)."""
    tracked = has_tracker_store(session)
    if tracked:
        digest(session.get_bind())
    tickets = ticket_rows_by_day(session, bounds)
    refills = refill_figures_by_day(session, bounds)
    csat = csat_figures_by_day(session, bounds)
    talk: list[ConversationFigures | None] = (
        list(conversation_figures_by_day(session, bounds)) if tracked else [None] * len(tickets)
    )
    days = [
        _metrics(bounds[n], bounds[n + 1], tickets[n], refills[n], csat[n], talk[n])
        for n in range(len(tickets))
    ]
    every_talk = (
        None if talk[0] is None else ConversationFigures.merged(t for t in talk if t is not None)
    )
    total = _metrics(
        bounds[0],
        bounds[-1],
        [row for day in tickets for row in day],
        sum(refills, RefillFigures(0, 0, 0)),
        sum(csat, CsatFigures(dict.fromkeys(SCALE, 0))),
        every_talk,
    )
    return total, days


def compute(session: Session, since: datetime, until: datetime) -> ServiceMetrics:
    """Metrics over [since, until) (naive UTC, like every stored time, on quarter hours)."""
    return _over(session, [since, until])[0]


def compute_range(
    session: Session, window: DateRange, zone: ZoneInfo | None = None
) -> tuple[ServiceMetrics, list[ServiceMetrics]]:
    """The window's metrics and one per day; days run midnight to midnight in ``zone`` (the
    pharmacy's time zone on the dashboard; UTC when None)."""
    return _over(session, window.bounds(zone))


def compute_daily(
    session: Session, window: DateRange, zone: ZoneInfo | None = None
) -> list[ServiceMetrics]:
    """One ServiceMetrics per day of the window, for trend lines."""
    return compute_range(session, window, zone)[1]
