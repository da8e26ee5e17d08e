"""Conversation figures from the tracker store, per day: who talked, user turns, fallback turns,
the skills asked for and the conversations that reached a goal (``outcomes``). One grouped query
per figure over the whole range, whatever its number of days."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pharmacy.metrics.buckets import Days, as_stamps, day_number, quarter_number, within
from pharmacy.metrics.outcomes import goal_event, skill_intents, skill_of_intent
from pharmacy.metrics.records import FALLBACK_ACTION, TRACKER_EVENTS
from pharmacy.refills.models import RefillEvent, RefillEventKind


@dataclass
class ConversationFigures:
    senders: set[str] = field(default_factory=set)  # conversations with a user message
    user_turns: int = 0
    fallback_turns: int = 0
    skills: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    goals: set[str] = field(default_factory=set)  # conversations that reached a goal

    @classmethod
    def merged(cls, parts: Iterable[ConversationFigures]) -> ConversationFigures:
        total = cls()
        for part in parts:
            total.senders |= part.senders
            total.user_turns += part.user_turns
            total.fallback_turns += part.fallback_turns
            for skill, senders in part.skills.items():
                total.skills[skill] |= senders
            total.goals |= part.goals
        return total


def conversation_figures_by_day(
    session: Session, bounds: Sequence[datetime]
) -> list[ConversationFigures]:
    """One ConversationFigures per day between consecutive ``bounds`` (naive UTC)."""
    events = TRACKER_EVENTS.c
    stamps = as_stamps(bounds)
    window = within(events.timestamp, stamps)
    day = quarter_number(events.timestamp, stamps, session.get_bind().dialect.name).label("q")
    of = Days(stamps).of
    days = [ConversationFigures() for _ in stamps[:-1]]
    user = (*window, events.type_name == "user")
    for q, sender, turns in session.execute(
        select(day, events.sender_id, func.count()).where(*user).group_by(day, events.sender_id)
    ):
        days[of(q)].senders.add(sender)
        days[of(q)].user_turns += turns
    for q, turns in session.execute(
        select(day, func.count())
        .where(*window, events.type_name == "action", events.action_name == FALLBACK_ACTION)
        .group_by(day)
    ):
        days[of(q)].fallback_turns += turns
    skill = skill_of_intent().label("skill")
    for q, name, sender in session.execute(
        select(day, skill, events.sender_id)
        .where(*user, events.intent_name.in_(skill_intents()))
        .group_by(day, skill, events.sender_id)
    ):
        days[of(q)].skills[name].add(sender)
    for q, sender in session.execute(
        select(day, events.sender_id).where(*window, goal_event()).group_by(day, events.sender_id)
    ):
        days[of(q)].goals.add(sender)
    refill_day = day_number(RefillEvent.created_at, bounds).label("day")
    for n, conversation in session.execute(
        select(refill_day, RefillEvent.conversation_id)
        .where(
            *within(RefillEvent.created_at, bounds),
            RefillEvent.kind == RefillEventKind.SUBMITTED,
            RefillEvent.conversation_id.is_not(None),
        )
        .group_by(refill_day, RefillEvent.conversation_id)
    ):
        days[n].goals.add(conversation)
    return days


def conversation_figures(session: Session, since: datetime, until: datetime) -> ConversationFigures:
    return conversation_figures_by_day(session, [since, until])[0]
