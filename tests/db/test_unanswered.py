"""Unanswered questions from recorded tracker events: which messages count, how they group, and
the NLU YAML made from marked groups (which ``rasa data validate`` accepts in a copy of our data)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
import yaml

from pharmacy.database import session_scope
from pharmacy.metrics.records import TRACKER_EVENTS
from pharmacy.metrics.unanswered import group, nlu_yaml, unanswered_messages
from pharmacy.settings import PROJECT_ROOT
from tests.db.test_metrics import tracker_events  # noqa: F401  (the fixture)

pytestmark = pytest.mark.db
START = datetime(2099, 2, 1)


def say(engine, sender, at, text, confidence, action, said=()):
    data = {"event": "user", "text": text, "parse_data": {"intent": {"confidence": confidence}}}
    with engine.begin() as connection:
        connection.execute(
            TRACKER_EVENTS.insert().values(
                sender_id=sender, type_name="user", timestamp=at.timestamp(), data=json.dumps(data)
            )
        )
        for name in (action, "action_listen"):
            connection.execute(
                TRACKER_EVENTS.insert().values(
                    sender_id=sender, type_name="action", action_name=name, timestamp=at.timestamp()
                )
            )
            for line in said if name == action else ():
                connection.execute(
                    TRACKER_EVENTS.insert().values(
                        sender_id=sender,
                        type_name="bot",
                        timestamp=at.timestamp(),
                        data=json.dumps({"event": "bot", "text": line}),
                    )
                )


@pytest.fixture
def recorded(tracker_events):  # noqa: F811
    at = START + timedelta(hours=1)
    say(tracker_events, "c1", at, "do you sell pet medicine", 0.9, "action_default_fallback")
    say(tracker_events, "c2", at, "Do you sell medicine for pets?", 0.3, "utter_out_of_scope")
    say(tracker_events, "c3", at, "where is my order", 0.95, "action_track_order")  # answered
    say(tracker_events, "c4", at, "can I pay with bitcoin", 0.2, "utter_greet")
    no_facts = (
        "I don't have information on Zorblax, so I'm passing your question to our pharmacist."
    )
    say(tracker_events, "c5", at, "is zorblax safe", 0.9, "action_answer_medicine", [no_facts])
    person = "Sorry, I'm still not getting it. I've asked a member of our team to join this chat: "
    say(tracker_events, "c6", at, "blorp wibble", 0.9, "action_default_fallback", [person + "x"])
    say(tracker_events, "old", START - timedelta(days=3), "pet medicine", 0.1, "utter_greet")
    return tracker_events


def test_fallbacks_and_low_confidence_answers_are_found_and_grouped(seeded_database, recorded):
    with session_scope(seeded_database) as session:
        found = unanswered_messages(session, START, START + timedelta(days=1))
    assert {(m.conversation_id, m.why) for m in found} == {
        ("c1", "fallback"),
        ("c2", "low_confidence"),
        ("c4", "low_confidence"),
        ("c5", "no_information"),
        ("c6", "low_confidence_handoff"),
    }
    groups = group(found)
    assert [g.count for g in groups] == [2, 1, 1, 1]
    assert {m.conversation_id for m in groups[0].messages} == {"c1", "c2"}


def test_marked_groups_export_as_nlu_data_rasa_validates(seeded_database, recorded, tmp_path):
    with session_scope(seeded_database) as session:
        groups = group(unanswered_messages(session, START, START + timedelta(days=1)))
    text = nlu_yaml([("out_of_scope", groups[0])])
    assert yaml.safe_load(text)["nlu"][0]["examples"] == (
        "- do you sell pet medicine\n- Do you sell medicine for pets?\n"
    )
    with pytest.raises(ValueError):
        nlu_yaml([("Not An Intent", groups[1])])
    copy = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", copy)
    (copy / "nlu" / "unanswered.yml").write_text(text, encoding="utf-8")
    rasa = [sys.executable, "-m", "rasa", "data", "validate", "--quiet"]
    result = subprocess.run(
        [
            *rasa,
            "--data",
            str(copy),
            "--domain",
            str(PROJECT_ROOT / "domain.yml"),
            "--config",
            str(PROJECT_ROOT / "config.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
