"""The digest the dashboard reads (``pharmacy.metrics.digest``): counted once however often it
runs, a turn committed late is still seen, and a rebuilt tracker store is read anew."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from pharmacy.database import get_engine, prepare, session_scope
from pharmacy.metrics import TRACKER_EVENTS, compute
from pharmacy.metrics.digest import digest
from pharmacy.metrics.models import DigestCursor
from tests.conftest import DEMO_TODAY
from tests.db.test_metrics import START, add_turns, record, tracker_events  # noqa: F401

pytestmark = pytest.mark.db
DAY = (START, START + timedelta(days=1))


def _conversations(url: str) -> tuple[int | None, int]:
    with session_scope(url) as session:
        metrics = compute(session, *DAY)
    return metrics.conversations, metrics.user_turns


def test_running_again_and_at_once_counts_each_turn_once(seeded_database, tracker_events):  # noqa: F811
    at = START + timedelta(hours=2)
    add_turns(tracker_events, "c1", at, ["utter_greet", "action_default_fallback"])
    add_turns(tracker_events, "c2", at, ["utter_greet"])
    assert _conversations(seeded_database) == (2, 3)
    add_turns(tracker_events, "c2", at + timedelta(minutes=20), ["utter_goodbye"])
    runs = [threading.Thread(target=digest, args=(tracker_events,)) for _ in range(3)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert _conversations(seeded_database) == (2, 4)


def test_a_turn_committed_after_a_later_one_is_still_counted(seeded_database, tracker_events):  # noqa: F811
    """Two Rasa processes: one takes an id, another takes the next, commits, and the digest
    reads past both before the first commits."""
    at = START + timedelta(hours=3)
    with tracker_events.begin() as connection:
        taken = connection.execute(
            TRACKER_EVENTS.insert().values(sender_id="c6", type_name="user", timestamp=0)
        ).inserted_primary_key[0]
    add_turns(tracker_events, "c1", at, ["utter_greet"])
    with tracker_events.begin() as connection:  # the id stays taken, its row not yet there
        connection.execute(delete(TRACKER_EVENTS).where(TRACKER_EVENTS.c.id == taken))
    assert _conversations(seeded_database) == (1, 1)
    with session_scope(seeded_database) as session:
        assert session.scalar(select(DigestCursor.last_event_id)) > taken
    with tracker_events.begin() as connection:
        connection.execute(
            TRACKER_EVENTS.insert().values(
                id=taken, sender_id="c5", type_name="user", timestamp=at.timestamp()
            )
        )
    assert _conversations(seeded_database) == (2, 2)


def test_a_rebuilt_tracker_store_is_read_anew(tmp_path):
    url = f"sqlite:///{tmp_path / 'rebuilt.db'}"
    prepare(url, today=DEMO_TODAY)
    engine = get_engine(url)
    at = START + timedelta(hours=1)
    for n in range(5):
        record(engine, f"before-{n}", at, ("user", "greet"), ("action", "utter_greet"))
    assert _conversations(url) == (5, 5)
    with engine.begin() as connection:
        connection.execute(delete(TRACKER_EVENTS))
    record(engine, "after", at, ("user", "greet"), ("action", "utter_greet"))
    with engine.connect() as connection:
        assert connection.scalar(select(func.max(TRACKER_EVENTS.c.id))) < 10  # ids start over
    assert _conversations(url) == (1, 1)


def test_a_range_off_the_quarter_hours_is_refused(seeded_database):
    with session_scope(seeded_database) as session, pytest.raises(ValueError, match="quarter"):
        compute(session, datetime(2099, 1, 1, 0, 7), datetime(2099, 1, 2))
