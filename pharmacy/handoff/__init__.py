"""Human handoff: the one entry point every skill uses to bring in an agent or a pharmacist."""

from pharmacy.handoff.models import HandoffMessage, HandoffReason, HandoffTicket, TicketStatus
from pharmacy.handoff.service import HandoffContext, QueuePlace, request_handoff

__all__ = [
    "HandoffContext",
    "HandoffMessage",
    "HandoffReason",
    "HandoffTicket",
    "QueuePlace",
    "TicketStatus",
    "request_handoff",
]
