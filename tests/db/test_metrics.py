"""Service metrics (pharmacy rules, section 7) from rows written the way the services write them,
in a window of their own (year 2099) so that the demo data does not count."""

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import inspect

from pharmacy import repositories
from pharmacy.database import get_engine, session_scope
from pharmacy.handoff.models import (
    HandoffReason,
    HandoffTicket,
    SatisfactionRating,
    TicketStatus,
)
from pharmacy.metrics import TRACKER_EVENTS, DateRange, compute, compute_daily, main, report
from pharmacy.metrics.digest import forget
from pharmacy.metrics.handoffs import percentile
from pharmacy.refills.models import RefillEvent, RefillEventKind

pytestmark = pytest.mark.db
TABLES_TESTS_ADD_TO = [SatisfactionRating, HandoffTicket, RefillEvent]
START = datetime(2099, 1, 1)


SENDERS = ("c1", "c2", "c3", "c4", "old", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "c5", "c6")


@pytest.fixture
def tracker_events(seeded_database):
    """Rasa's tracker-store table, created here if this database has none (Rasa creates it)."""
    engine = get_engine(seeded_database)
    created = not inspect(engine).has_table(TRACKER_EVENTS.name)
    if created:
        TRACKER_EVENTS.create(engine)
    yield engine
    if created:
        TRACKER_EVENTS.drop(engine)
    else:
        with engine.begin() as connection:
            connection.execute(
                TRACKER_EVENTS.delete().where(TRACKER_EVENTS.c.sender_id.in_(SENDERS))
            )
    # Deleting events is the tests' doing, not Rasa's: the digest is told.
    with session_scope(seeded_database) as session:
        forget(session, SENDERS)


def add_turns(engine, sender, at, actions):
    with engine.begin() as connection:
        for action in actions:
            connection.execute(
                TRACKER_EVENTS.insert().values(
                    sender_id=sender, type_name="user", timestamp=at.timestamp()
                )
            )
            connection.execute(
                TRACKER_EVENTS.insert().values(
                    sender_id=sender,
                    type_name="action",
                    action_name=action,
                    timestamp=at.timestamp(),
                )
            )


def record(engine, sender, at, *events):
    """Events as Rasa's tracker store writes them: ("user", intent), ("action", name) or
    ("bot", text)."""
    with engine.begin() as connection:
        for kind, value in events:
            row = {"sender_id": sender, "type_name": kind, "timestamp": at.timestamp()}
            if kind == "user":
                row.update(intent_name=value, data=json.dumps({"event": "user", "text": value}))
            elif kind == "action":
                row["action_name"] = value
            else:
                row["data"] = json.dumps({"event": "bot", "text": value})
            connection.execute(TRACKER_EVENTS.insert().values(**row))


def ticket(conversation, reason, created, first_reply=None):
    return HandoffTicket(
        conversation_id=conversation,
        reason=reason,
        priority=3,
        required_role="agent",
        status=TicketStatus.RESOLVED,
        summary="test",
        created_at=created,
        first_reply_at=first_reply,
    )


def test_metrics_follow_the_definitions(seeded_database, tracker_events):
    at = START + timedelta(hours=1)
    add_turns(tracker_events, "c1", at, ["utter_greet", "action_default_fallback"])
    add_turns(tracker_events, "c2", at, ["action_request_human"])
    add_turns(tracker_events, "c3", at, ["action_emergency"])
    add_turns(tracker_events, "c4", at, ["action_finish_refill"])
    add_turns(tracker_events, "old", START - timedelta(days=1), ["utter_greet"])  # outside
    with session_scope(seeded_database) as session:
        maria = repositories.customer_by_reference(session, "C-1001")
        session.add_all(
            [
                ticket("c2", HandoffReason.USER_REQUEST, at, at + timedelta(minutes=4)),
                ticket("c3", HandoffReason.EMERGENCY, at, at + timedelta(minutes=1)),
                ticket("c9", HandoffReason.USER_REQUEST, at, at + timedelta(minutes=10)),
                SatisfactionRating(conversation_id="c2", rating=5, created_at=at),
                SatisfactionRating(conversation_id="c3", rating=2, created_at=at),
            ]
            + [
                RefillEvent(customer_id=maria.id, kind=kind, conversation_id="c4", created_at=at)
                for kind in (
                    RefillEventKind.OFFERED,
                    RefillEventKind.OFFERED,
                    RefillEventKind.REMINDER_SENT,
                    RefillEventKind.SUBMITTED,
                )
            ]
        )

    with session_scope(seeded_database) as session:
        metrics = compute(session, START, START + timedelta(days=1))
    assert metrics.conversations == 4
    assert metrics.fallback_turns == 1 and metrics.user_turns == 5
    # c1 and c4 had no handoff; the emergency conversation c3 is left out of the base.
    assert metrics.containment == pytest.approx(2 / 3)
    assert metrics.handoffs_by_reason == {"user_request": 2, "emergency": 1}
    assert metrics.handoff_wait_minutes == pytest.approx(4)
    assert metrics.refill_conversion == pytest.approx(1 / 3)
    assert metrics.csat == pytest.approx(3.5)
    text = report(metrics)
    assert "refill conversion     33.3% (1 submitted / 3 prompts)" in text
    assert "containment           66.7%" in text


def test_an_empty_window_reports_nothing_as_zero(seeded_database, tracker_events):
    with session_scope(seeded_database) as session:
        metrics = compute(session, START + timedelta(days=30), START + timedelta(days=31))
    assert metrics.conversations == 0
    assert metrics.containment is None and metrics.refill_conversion is None
    assert "n/a" in report(metrics)


def test_the_command_prints_the_report(seeded_database, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", seeded_database)
    assert main(["--days", "7"]) == 0
    assert "refill conversion" in capsys.readouterr().out


def test_edge_cases_of_the_recorded_conversations(seeded_database, tracker_events):
    """Hand-checked: c1 two handoffs (4 and 12 minutes), c2 a handoff nobody answered, c3 an
    emergency and then a handoff for a person, c4 contained; waits 1, 4, 12 -> median 4, p90 12."""
    at = START + timedelta(hours=2)
    for sender in ("c1", "c2", "c3", "c4"):
        add_turns(tracker_events, sender, at, ["utter_greet"])
    with session_scope(seeded_database) as session:
        session.add_all(
            [
                ticket("c1", HandoffReason.USER_REQUEST, at, at + timedelta(minutes=4)),
                ticket("c1", HandoffReason.LOW_CONFIDENCE, at, at + timedelta(minutes=12)),
                ticket("c2", HandoffReason.USER_REQUEST, at),
                ticket("c3", HandoffReason.EMERGENCY, at, at + timedelta(minutes=1)),
                ticket("c3", HandoffReason.USER_REQUEST, at),
            ]
            + [
                SatisfactionRating(conversation_id="c1", rating=rating, created_at=at)
                for rating in (1, 4, 4, 5)
            ]
        )
    with session_scope(seeded_database) as session:
        metrics = compute(session, START, START + timedelta(days=1))
    assert metrics.conversations == 4
    assert metrics.emergencies == 1
    # The base is c1, c2, c4 (the emergency conversation c3 is left out); only c4 is contained.
    assert metrics.containment_base == 3 and metrics.contained == 1
    assert metrics.containment == pytest.approx(1 / 3)
    assert metrics.handoffs_by_reason == {"user_request": 3, "low_confidence": 1, "emergency": 1}
    assert metrics.handoff_rate("user_request") == pytest.approx(3 / 4)
    assert metrics.handoffs_unanswered == 2
    assert metrics.handoff_wait_minutes == pytest.approx(4)
    assert metrics.handoff_wait_p90_minutes == pytest.approx(12)
    assert metrics.csat_figures.distribution == {1: 1, 2: 0, 3: 0, 4: 2, 5: 1}
    assert metrics.csat == pytest.approx(3.5)


def test_per_day_figures_split_the_range(seeded_database, tracker_events):
    add_turns(tracker_events, "c1", START + timedelta(hours=3), ["action_default_fallback"])
    add_turns(tracker_events, "c2", START + timedelta(days=2, hours=3), ["utter_greet"])
    add_turns(tracker_events, "c3", START + timedelta(days=2, hours=4), ["utter_greet"])
    window = DateRange(START.date(), START.date() + timedelta(days=2))
    with session_scope(seeded_database) as session:
        days = compute_daily(session, window)
    assert [d.since.date() for d in days] == [START.date() + timedelta(days=n) for n in range(3)]
    assert [d.conversations for d in days] == [1, 0, 2]
    assert [d.fallback_rate for d in days] == [1.0, None, 0.0]


def test_percentile_is_nearest_rank():
    assert percentile([], 0.9) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0


def test_a_range_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        DateRange(START.date(), START.date() - timedelta(days=1))


def test_resolved_containment_and_conversations_per_skill(seeded_database, tracker_events):
    """Hand-checked: r1 got an order status, r2 an FAQ answer, r4 a refill submitted: resolved.
    r3 (a medicine we have no facts on, handed to the pharmacist) and r5 (a label answer, then a
    person) had handoffs; r6 only said hello; r7 is an emergency, out of the base.
    Base 6 (r1-r6), contained 4 (r1, r2, r4, r6), resolved 3 -> 50%."""
    at = START + timedelta(hours=5)
    status = "Order W1001 (Metformin 500 mg) is shipped."
    record(tracker_events, "r1", at, ("user", "track_order"), ("bot", status))
    record(tracker_events, "r2", at, ("user", "faq"), ("action", "utter_faq"))
    record(
        tracker_events,
        "r3",
        at,
        ("user", "ask_medicine_info"),
        ("action", "action_answer_medicine"),
        ("bot", "I don't have information on Zorblax, so I'm passing your question on."),
    )
    record(tracker_events, "r4", at, ("user", "request_refill"), ("action", "action_finish_refill"))
    label = "Source: FDA product label (set id 1234, effective 2024-01-01); last reviewed 2025."
    record(tracker_events, "r5", at, ("user", "ask_medicine_info"), ("bot", label))
    record(tracker_events, "r6", at, ("user", "greet"), ("action", "utter_greet"))
    record(tracker_events, "r7", at, ("user", "track_order"), ("bot", status))
    with session_scope(seeded_database) as session:
        maria = repositories.customer_by_reference(session, "C-1001")
        session.add_all(
            [
                ticket("r3", HandoffReason.PHARMACIST_ONLY, at),
                ticket("r5", HandoffReason.USER_REQUEST, at),
                ticket("r7", HandoffReason.EMERGENCY, at),
                RefillEvent(
                    customer_id=maria.id,
                    kind=RefillEventKind.SUBMITTED,
                    conversation_id="r4",
                    created_at=at,
                ),
                # An offer is no goal: r6 stays unresolved.
                RefillEvent(
                    customer_id=maria.id,
                    kind=RefillEventKind.OFFERED,
                    conversation_id="r6",
                    created_at=at,
                ),
            ]
        )
    with session_scope(seeded_database) as session:
        metrics = compute(session, START, START + timedelta(days=1))
        days = compute_daily(session, DateRange(START.date(), START.date() + timedelta(days=1)))
    assert metrics.conversations == 7 and metrics.containment_base == 6
    assert metrics.contained == 4 and metrics.resolved == 3
    assert metrics.resolved_containment == pytest.approx(0.5)
    assert metrics.skills == {"tracking": 2, "refills": 1, "medicine": 2, "faq": 1, "person": 0}
    assert [d.resolved for d in days] == [3, 0]
    assert [d.skills["medicine"] for d in days] == [2, 0]
    assert "resolved containment  50.0%" in report(metrics)


def test_the_demo_conversations_fill_the_dashboard_once(tmp_path):
    from zoneinfo import ZoneInfo

    from pharmacy.database import prepare
    from pharmacy.metrics import compute_range
    from pharmacy.metrics.synthetic import DEMO_CONVERSATIONS, seed_demo_conversations
    from pharmacy.metrics.unanswered import group, unanswered_messages

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    today = datetime(2099, 6, 30).date()
    zone = ZoneInfo("America/New_York")
    prepare(url, today=today)
    assert seed_demo_conversations(url, today, zone) > DEMO_CONVERSATIONS
    assert seed_demo_conversations(url, today, zone) == 0  # once per database
    window = DateRange.last_days(today, 21)
    with session_scope(url) as session:
        total, days = compute_range(session, window, zone)
        groups = group(unanswered_messages(session, window.since, window.until))
    assert total.conversations == DEMO_CONVERSATIONS
    assert 0 < total.resolved < total.contained < total.conversations
    assert total.emergencies > 0 and total.ratings > 0 and total.refills_submitted > 0
    assert all(n > 0 for n in total.skills.values())
    assert sum(d.conversations or 0 for d in days) >= DEMO_CONVERSATIONS
    assert groups and groups[0].count > 10


def test_days_follow_the_pharmacys_time_zone(seeded_database, tracker_events):
    """00:30 in New York on 10 January is 05:30 UTC; 23:30 the evening before is 04:30 UTC. Their
    days differ on the pharmacy's clock, not on UTC's."""
    from zoneinfo import ZoneInfo

    from pharmacy.metrics import compute_range

    new_york = ZoneInfo("America/New_York")
    just_after_midnight = datetime(2099, 1, 10, 5, 30)
    just_before = datetime(2099, 1, 10, 4, 30)
    add_turns(tracker_events, "c1", just_after_midnight, ["utter_greet"])
    add_turns(tracker_events, "c2", just_before, ["utter_greet"])
    with session_scope(seeded_database) as session:
        session.add(ticket("c1", HandoffReason.USER_REQUEST, just_after_midnight))
    window = DateRange(datetime(2099, 1, 9).date(), datetime(2099, 1, 10).date())
    with session_scope(seeded_database) as session:
        local = compute_daily(session, window, new_york)
        utc = compute_daily(session, window)
        total, _ = compute_range(session, window, new_york)
    assert [d.conversations for d in local] == [1, 1]
    assert [sum(d.handoffs_by_reason.values()) for d in local] == [0, 1]
    assert [d.containment for d in local] == [1.0, 0.0]
    assert [d.conversations for d in utc] == [0, 2]
    assert local[1].since == datetime(2099, 1, 10, 5, 0)  # local midnight, stored as UTC
    assert total.conversations == 2 and total.since == datetime(2099, 1, 9, 5, 0)


def test_a_day_of_a_clock_change_is_23_hours_long():
    from zoneinfo import ZoneInfo

    day = datetime(2099, 3, 8).date()  # the second Sunday of March: clocks go forward
    bounds = DateRange(day, day).bounds(ZoneInfo("America/New_York"))
    assert [b.hour for b in bounds] == [5, 4]  # midnight EST, then midnight EDT, as UTC
    assert bounds[1] - bounds[0] == timedelta(hours=23)
