"""How many of the shopper's messages in a row got an "I couldn't tell" answer, kept in two slots
set on purpose, so that no behaviour depends on the wording of any message.

``unclear_replies`` counts them up to the latest message, ``unclear_replies_before`` up to the one
before it. At each new message ``ConversationGuardPolicy`` (rasa_components/guard_policy.py) moves
the first into the second and starts the first at 0; an action that can't tell what the message
means sets it to ``before + 1``. A message answered any other way (a response, a form, another
action) therefore ends the run without any of them having to say so.
"""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

UNCLEAR_REPLIES = "unclear_replies"
UNCLEAR_BEFORE = "unclear_replies_before"


def unclear_before(tracker: Tracker) -> int:
    """Unclear answers in a row just before the shopper's latest message."""
    return int(tracker.get_slot(UNCLEAR_BEFORE) or 0)


def count_unclear(tracker: Tracker) -> dict[str, Any]:
    """The event for an unclear answer to the latest message (the same however often it is sent
    in one turn)."""
    return SlotSet(UNCLEAR_REPLIES, unclear_before(tracker) + 1)
