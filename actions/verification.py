"""Who the chat is verified as, read from the server's record of the chat (chat_sessions), not
from the conversation's slots: it ends after VERIFICATION_MINUTES and with "End chat", and a
made-up tracker cannot claim it."""

from rasa_sdk import Tracker

from actions.common import off_loop
from pharmacy import clock
from pharmacy.access import chat_sessions
from pharmacy.database import session_scope


def _current(chat_id: str) -> str | None:
    with session_scope() as session:
        verification = chat_sessions.current_verification(session, chat_id, clock.current().now())
        return verification.customer_reference if verification else None


async def verified_customer(tracker: Tracker) -> str | None:
    """The customer reference this chat is verified as now, or None."""
    return await off_loop(_current, tracker.sender_id)
