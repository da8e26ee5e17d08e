"""Service metrics of the pharmacy rules (section 7), computed from the database.

Conversations and turns come from Rasa's SQL tracker store (table ``events``, the same database),
handoffs and ratings from the handoff tables, refill prompts and submissions from
``refill_events``. One module per family: ``conversations``, ``handoffs``, ``refills``, ``csat``;
``outcomes`` defines skills and goal markers (resolved containment), ``ranges`` and ``buckets``
the days, ``service`` puts them together, ``report`` prints them.
"""

from pharmacy.metrics.__main__ import main
from pharmacy.metrics.ranges import DateRange
from pharmacy.metrics.records import FALLBACK_ACTION, TRACKER_EVENTS
from pharmacy.metrics.report import report
from pharmacy.metrics.service import ServiceMetrics, compute, compute_daily, compute_range

__all__ = [
    "FALLBACK_ACTION",
    "TRACKER_EVENTS",
    "DateRange",
    "ServiceMetrics",
    "compute",
    "compute_daily",
    "compute_range",
    "main",
    "report",
]
