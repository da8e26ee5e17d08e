"""Skills and their goal markers: what a conversation asked for, and whether it got it.

A conversation belongs to a skill when a shopper message was classified as one of the skill's
intents. It reached its goal (the "resolved" of resolved containment) when the assistant
completed an outcome of some skill, read from records rather than guessed:

- tracking answered: the assistant said an order's status (the ``tracking.status.headline``
  sentence);
- refill submitted: a ``submitted`` row in ``refill_events`` for the conversation;
- medicine answered: the assistant gave a label answer (its source line);
- FAQ answered: the FAQ response action ran.

Resolved containment counts contained conversations (no handoff) that reached one of these.
Sentences are matched by their catalogue templates, so rewording one keeps the marker.
"""

from __future__ import annotations

import re

from sqlalchemy import and_, case, or_
from sqlalchemy.sql.elements import ColumnElement

from pharmacy.knowledge.answers import TEMPLATES as LABEL_TEXT
from pharmacy.messages import CATALOGUE
from pharmacy.metrics.records import TRACKER_EVENTS

SKILLS: dict[str, tuple[str, ...]] = {
    "tracking": ("track_order", "report_delivery_problem", "change_address", "choose_address"),
    "refills": ("request_refill", "enable_reminders", "stop_reminders", "choose_delivery"),
    "medicine": ("ask_medicine_info",),
    "faq": ("faq",),
    "person": ("request_human", "leave_message", "request_callback"),
}
FAQ_ACTION = "utter_faq"


def like_template(template: str) -> str:
    """A LIKE pattern for a sentence of the catalogue: each placeholder matches anything."""
    literal = template.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "%" + re.sub(r"\{[^}]*\}", "%", literal) + "%"


# The completed outcomes the assistant says, as LIKE patterns over a bot event's JSON.
GOAL_SENTENCES = (
    like_template(CATALOGUE["en"]["tracking.status.headline"].text),
    like_template(LABEL_TEXT["en"]["source"].split("{")[0]),
    like_template(LABEL_TEXT["en"]["source.lookup"].split("{")[0]),
)


def skill_of_intent() -> ColumnElement[str]:
    events = TRACKER_EVENTS.c
    return case(
        *[(events.intent_name.in_(intents), skill) for skill, intents in SKILLS.items()],
        else_=None,
    )


def skill_intents() -> list[str]:
    return [intent for intents in SKILLS.values() for intent in intents]


def goal_event() -> ColumnElement[bool]:
    """Tracker events that mark a completed outcome (the refill's is in ``refill_events``)."""
    events = TRACKER_EVENTS.c
    return or_(
        and_(events.type_name == "action", events.action_name == FAQ_ACTION),
        and_(
            events.type_name == "bot",
            or_(*[events.data.like(p, escape="\\") for p in GOAL_SENTENCES]),
        ),
    )
