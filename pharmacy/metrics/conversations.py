"""Conversation figures from the tracker store, per day: who talked, user turns, fallback turns,
the skills asked for and the conversations that reached a goal (``outcomes``). Read from the
digest's rows of quarter hours (``digest``), whatever the range's number of days."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pharmacy.metrics.buckets import day_number, day_of, quarters_of, within
from pharmacy.metrics.models import ConversationQuarter
from pharmacy.metrics.outcomes import skills_in
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
    """One ConversationFigures per day between consecutive ``bounds`` (naive UTC, on quarter
    hours), from the digest of the tracker events (``digest``; bring it up to date first)."""
    quarters = quarters_of(bounds)
    days = [ConversationFigures() for _ in bounds[:-1]]
    row = ConversationQuarter.__table__.c
    # A plain SQL result, not ORM rows: a month holds a row per conversation and quarter hour.
    for quarter, sender, user_turns, fallback_turns, skills, goal in session.connection().execute(
        select(
            row.quarter, row.sender_id, row.user_turns, row.fallback_turns, row.skills, row.goal
        ).where(row.quarter >= quarters[0], row.quarter < quarters[-1])
    ):
        day = days[day_of(quarter, quarters)]
        if user_turns:
            day.senders.add(sender)
            day.user_turns += user_turns
        day.fallback_turns += fallback_turns
        for skill in skills_in(skills):
            day.skills[skill].add(sender)
        if goal:
            day.goals.add(sender)
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
