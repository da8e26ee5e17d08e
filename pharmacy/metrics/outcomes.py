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
from functools import cache

from pharmacy.knowledge.answers import TEMPLATES as LABEL_TEXT
from pharmacy.messages import CATALOGUE

SKILLS: dict[str, tuple[str, ...]] = {
    "tracking": ("track_order", "report_delivery_problem", "change_address", "choose_address"),
    "refills": ("request_refill", "enable_reminders", "stop_reminders", "choose_delivery"),
    "medicine": ("ask_medicine_info",),
    "faq": ("faq",),
    "person": ("request_human", "leave_message", "request_callback"),
}
FAQ_ACTION = "utter_faq"
# A bit per skill, in the order above: the digest stores a conversation's skills as one number.
_SKILL_BIT = {intent: 1 << n for n, intents in enumerate(SKILLS.values()) for intent in intents}


def skill_bits(intent: str | None) -> int:
    return _SKILL_BIT.get(intent or "", 0)


@cache
def skills_in(bits: int) -> tuple[str, ...]:
    return tuple(skill for n, skill in enumerate(SKILLS) if bits >> n & 1)


def template_pattern(template: str) -> re.Pattern[str]:
    """A sentence of the catalogue as a pattern: each placeholder matches anything."""
    parts = re.split(r"\{[^}]*\}", template)
    return re.compile(".*?".join(re.escape(part) for part in parts), re.DOTALL)


# The completed outcomes the assistant says.
GOAL_SENTENCES = (
    template_pattern(CATALOGUE["en"]["tracking.status.headline"].text),
    template_pattern(LABEL_TEXT["en"]["source"].split("{")[0]),
    template_pattern(LABEL_TEXT["en"]["source.lookup"].split("{")[0]),
)


def is_goal(type_name: str, action_name: str | None, said: str) -> bool:
    """Whether a tracker event marks a completed outcome (the refill's is in ``refill_events``):
    the FAQ action ran, or the assistant said one of ``GOAL_SENTENCES``."""
    if type_name == "action":
        return action_name == FAQ_ACTION
    return type_name == "bot" and any(p.search(said) for p in GOAL_SENTENCES)
