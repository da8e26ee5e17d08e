"""Generated conversations for the dashboard: the load test's 100,000 (``ops/metrics_load.py``)
and the demo's few weeks (``make run``). Rows are written the way the services write them:
tracker events as Rasa's SQL tracker store does, tickets, ratings and refill events as the core
does, so every figure of the dashboard has something to count. Seeded, so reproducible."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from pharmacy.database import get_engine
from pharmacy.handoff.models import HandoffReason, HandoffTicket, SatisfactionRating, TicketStatus
from pharmacy.knowledge.answers import TEMPLATES as LABEL_TEXT
from pharmacy.messages import render
from pharmacy.metrics.outcomes import FAQ_ACTION
from pharmacy.metrics.ranges import DateRange
from pharmacy.metrics.records import FALLBACK_ACTION, TRACKER_EVENTS
from pharmacy.models import Customer
from pharmacy.refills.models import RefillEvent, RefillEventKind

BATCH = 5000
# Texts of responses that live in domain.yml (the generator does not read Rasa's domain).
GREETING = "Hi, I'm the Evergreen Pharmacy assistant. How can I help you today?"
# What shoppers asked that the assistant could not answer, in a few wordings each.
UNANSWERED = (
    ("do you sell medicine for pets", "do you have pet medicine", "medicine for my dog"),
    ("can i pay with bitcoin", "do you take crypto", "pay with bitcoin"),
    ("do you ship to canada", "can you send my order to canada", "shipping to canada"),
    ("do you have gift cards", "gift card for my mom", "buy a gift card"),
)
UNKNOWN_MEDICINES = ("Zorblax", "Veltrimide", "Quanoxil")
# skill, share of conversations
MIX = (
    ("tracking", 0.30),
    ("faq", 0.22),
    ("medicine", 0.15),
    ("refills", 0.13),
    ("person", 0.06),
    ("unanswered", 0.13),
    ("emergency", 0.01),
)


class _Writer:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rows: dict[Any, list[dict[str, Any]]] = {}
        self.written: Counter = Counter()

    def add(self, table: Any, **row: Any) -> None:
        self.rows.setdefault(table, []).append(row)
        if len(self.rows[table]) >= BATCH:
            self.flush(table)

    def flush(self, table: Any = None) -> None:
        for t in [table] if table is not None else list(self.rows):
            if self.rows.get(t):
                with self.engine.begin() as connection:
                    connection.execute(insert(t), self.rows[t])
                self.written[t] += len(self.rows[t])
                self.rows[t] = []


def _stamp(moment: datetime) -> float:
    return moment.replace(tzinfo=timezone.utc).timestamp()


class _Conversation:
    def __init__(self, writer: _Writer, sender: str, start: datetime) -> None:
        self.writer, self.sender, self.moment = writer, sender, start

    def event(self, kind: str, seconds: float = 1.0, **fields: Any) -> None:
        self.moment += timedelta(seconds=seconds)
        data = {"event": kind, "timestamp": _stamp(self.moment), **fields.pop("data", {})}
        columns = {"intent_name": None, "action_name": None, **fields}  # one shape per batch
        self.writer.add(
            TRACKER_EVENTS,
            sender_id=self.sender,
            type_name=kind,
            timestamp=_stamp(self.moment),
            data=json.dumps(data),
            **columns,
        )

    def user(self, text: str, intent: str, confidence: float) -> None:
        parse = {"intent": {"name": intent, "confidence": confidence}, "entities": []}
        self.event(
            "user",
            seconds=20,
            intent_name=intent,
            data={"text": text, "parse_data": parse, "input_channel": "rest"},
        )

    def refill_event(self, customer: int | None, kind: RefillEventKind) -> None:
        """The refill record a verified customer's offer or order leaves besides the events."""
        if customer is not None:
            self.writer.add(
                RefillEvent.__table__,
                customer_id=customer,
                kind=kind.value,
                conversation_id=self.sender,
                created_at=self.moment,
            )

    def act(self, action: str, *said: str) -> None:
        self.event("action", action_name=action, data={"name": action})
        for text in said:
            self.event("bot", data={"text": text, "data": {}, "metadata": {}})
        self.event("action", action_name="action_listen", data={"name": "action_listen"})


def _conversation_starts(
    rng: random.Random, count: int, first: datetime, days: int
) -> Iterator[datetime]:
    """Busier on weekdays and in the daytime (UTC-5 shoppers)."""
    for _ in range(count):
        day = first + timedelta(days=rng.randrange(days))
        weight = 0.6 if day.weekday() >= 5 else 1.0
        if rng.random() > weight:
            day = first + timedelta(days=rng.randrange(days))
        hour = min(max(int(rng.gauss(19, 4)), 0), 23)  # 2 pm in New York, as UTC
        yield day + timedelta(hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60))


def generate(
    engine: Engine,
    count: int,
    first: datetime,
    days: int,
    prefix: str = "gen",
    seed_value: int = 17,
) -> int:
    """Writes ``count`` conversations starting between ``first`` (a naive-UTC midnight) and
    ``days`` later. Returns the number of tracker events written."""
    rng = random.Random(seed_value)
    with engine.connect() as connection:
        customers = list(connection.execute(select(Customer.id)).scalars()) or [None]
    writer = _Writer(engine)
    skills, shares = zip(*MIX, strict=True)
    for n, start in enumerate(_conversation_starts(rng, count, first, days)):
        chat = _Conversation(writer, f"{prefix}-{n:06d}", start)
        chat.event(
            "action", action_name="action_session_start", data={"name": "action_session_start"}
        )
        chat.event("session_started")
        chat.event("action", action_name="action_listen", data={"name": "action_listen"})
        chat.user("hi", "greet", 0.98)
        chat.act("utter_greet", GREETING)
        customer = rng.choice(customers)
        skill = rng.choices(skills, shares)[0]
        ticket: HandoffReason | None = None
        if skill == "tracking":
            chat.user("where is my order", "track_order", rng.uniform(0.7, 1.0))
            status = render(
                "tracking.status.headline",
                order_number=f"W{rng.randrange(10**6, 10**7)}",
                items="1 item",
                status=rng.choice(("shipped", "out for delivery", "being prepared")),
            ).text
            chat.act("action_begin_private_task", status)
        elif skill == "faq":
            chat.user("how long does delivery take", "faq", rng.uniform(0.6, 1.0))
            chat.act(FAQ_ACTION, "Standard delivery takes 2 to 4 business days.")
        elif skill == "medicine":
            if rng.random() < 0.2:
                name = rng.choice(UNKNOWN_MEDICINES)
                chat.user(f"what is {name.lower()} for", "ask_medicine_info", 0.8)
                chat.act(
                    "action_answer_medicine", LABEL_TEXT["en"]["unknown_medicine"].format(name=name)
                )
                ticket = HandoffReason.PHARMACIST_ONLY
            else:
                chat.user("side effects of metformin", "ask_medicine_info", rng.uniform(0.7, 1.0))
                source = LABEL_TEXT["en"]["source"].format(
                    set_id="0000", effective_date="2024-01-01", last_reviewed="2026-01-01"
                )
                chat.act("action_answer_medicine", "Common side effects of metformin: ...", source)
        elif skill == "refills":
            chat.user("i need a refill", "request_refill", rng.uniform(0.7, 1.0))
            chat.act("action_ask_refill_confirmed", "Shall I order it?")
            chat.refill_event(customer, RefillEventKind.OFFERED)
            if rng.random() < 0.7:
                chat.user("yes", "affirm", 0.99)
                chat.act("action_finish_refill", "Your refill is ordered.")
                chat.refill_event(customer, RefillEventKind.SUBMITTED)
        elif skill == "person":
            chat.user("talk to a person", "request_human", 0.97)
            chat.act("action_request_human", "I've asked a member of our team to join this chat.")
            ticket = HandoffReason.USER_REQUEST
        elif skill == "unanswered":
            text = rng.choice(rng.choice(UNANSWERED))
            chat.user(text, "out_of_scope", rng.uniform(0.2, 0.6))
            chat.act(FALLBACK_ACTION, render("fallback.default").text)
            if rng.random() < 0.4:
                chat.user(text + "?", "out_of_scope", rng.uniform(0.2, 0.5))
                said = render("handoff.low_confidence", position=1, minutes=3).text
                chat.act(FALLBACK_ACTION, said)
                ticket = HandoffReason.LOW_CONFIDENCE
        else:
            chat.user("i took too many pills", "emergency", 0.95)
            chat.act("action_emergency", render("emergency.poisoning").text)
            ticket = HandoffReason.EMERGENCY
        if ticket is not None:
            _ticket(writer, rng, chat.sender, ticket, chat.moment)
        elif customer is not None and rng.random() < 0.05:
            writer.add(
                RefillEvent.__table__,
                customer_id=customer,
                kind=RefillEventKind.REMINDER_SENT.value,
                conversation_id=chat.sender,
                created_at=start,
            )
    writer.flush()
    return writer.written[TRACKER_EVENTS]


def _ticket(
    writer: _Writer, rng: random.Random, sender: str, reason: HandoffReason, at: datetime
) -> None:
    """A closed ticket (the demo queue stays as the demo data made it), answered after a wait,
    or never (one in ten); a rating for half of them."""
    answered = rng.random() > 0.1
    reply = at + timedelta(minutes=rng.expovariate(1 / 6)) if answered else None
    writer.add(
        HandoffTicket.__table__,
        conversation_id=sender,
        reason=reason.value,
        priority=1 if reason is HandoffReason.EMERGENCY else 3,
        required_role="pharmacist"
        if reason in (HandoffReason.EMERGENCY, HandoffReason.PHARMACIST_ONLY)
        else "agent",
        status=(TicketStatus.RESOLVED if answered else TicketStatus.RETURNED).value,
        verified=False,
        summary=f"Generated conversation ({reason.value})",
        context_json="{}",
        created_at=at,
        first_reply_at=reply,
        closed_at=(reply or at) + timedelta(minutes=5),
    )
    if answered and rng.random() < 0.5:
        writer.add(
            SatisfactionRating.__table__,
            conversation_id=sender,
            rating=rng.choices((1, 2, 3, 4, 5), (1, 1, 2, 4, 6))[0],
            created_at=(reply or at) + timedelta(minutes=6),
        )


DEMO_PREFIX = "demo-chat"
DEMO_CONVERSATIONS = 900
DEMO_DAYS = 21  # three weeks: the dashboard's default two weeks, and some before


def seed_demo_conversations(database_url: str, today: date, zone: ZoneInfo) -> int:
    """The demo's conversations, over the three weeks that end ``today``; once per database.
    Returns the events written (0 when they are there already)."""
    engine = get_engine(database_url)
    with engine.connect() as connection:
        there = connection.execute(
            select(TRACKER_EVENTS.c.id)
            .where(TRACKER_EVENTS.c.sender_id.like(f"{DEMO_PREFIX}-%"))
            .limit(1)
        ).first()
    if there:
        return 0
    first = DateRange.last_days(today, DEMO_DAYS).bounds(zone)[0]
    return generate(engine, DEMO_CONVERSATIONS, first, DEMO_DAYS, prefix=DEMO_PREFIX)
