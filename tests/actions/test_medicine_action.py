"""The medicine action on real SDK trackers: comparisons, the optional aspects, and a pharmacist
when the label facts we hold do not cover the question."""

import asyncio
import dataclasses
from types import MappingProxyType

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.medicine as medicine_action
from pharmacy.knowledge.loader import knowledge_base


def tracker_after(text, medicine=None):
    latest = {"text": text, "intent": {"name": "ask_medicine_info", "confidence": 1.0}}
    latest["entities"] = []
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": latest},
    ]
    slots = {"medicine": medicine} if medicine else {}
    return Tracker("shopper-1", slots, latest, events, False, None, {}, "action_listen")


@pytest.fixture
def handoffs(monkeypatch):
    opened = []

    async def fake_open_handoff(dispatcher, tracker, reason, question=None):
        opened.append((reason, question))
        return []

    monkeypatch.setattr(medicine_action, "open_handoff", fake_open_handoff)
    return opened


@pytest.fixture
def filled_kb(monkeypatch):
    kb = dict(knowledge_base())
    kb["metformin"] = dataclasses.replace(
        kb["metformin"], alcohol="Fixture alcohol text.", driving=None
    )
    monkeypatch.setattr(medicine_action, "knowledge_base", lambda: MappingProxyType(kb))
    return kb


def run(text, medicine=None):
    dispatcher = CollectingDispatcher()
    action = medicine_action.ActionAnswerMedicine()
    events = asyncio.run(action.run(dispatcher, tracker_after(text, medicine), {}))
    return [m.get("text") or "" for m in dispatcher.messages], events


def test_a_comparison_is_one_short_answer_not_two_overviews(handoffs):
    texts, events = run("whats the difference between advil and tylenol")
    assert len(texts) == 1
    assert texts[0].startswith("Ibuprofen vs acetaminophen:")
    assert "You can ask me about its side effects" not in texts[0]  # the overview's closing
    assert handoffs == []
    assert events[-1]["value"] == "acetaminophen"


def test_a_filled_aspect_is_answered_from_the_knowledge_base(filled_kb, handoffs):
    texts, _ = run("can i drink on metformin")
    assert texts[0].startswith("Metformin and alcohol: Fixture alcohol text.")
    assert handoffs == []


def test_a_missing_aspect_is_said_and_goes_to_a_pharmacist(filled_kb, handoffs):
    texts, _ = run("is it ok to drive on metformin")
    assert texts == [
        "The label facts I have for metformin don't cover driving, so I'm passing your "
        "question to our pharmacist."
    ]
    assert len(handoffs) == 1 and handoffs[0][1] == "is it ok to drive on metformin"


def test_a_follow_up_about_kids_keeps_the_medicine(filled_kb, handoffs):
    texts, _ = run("is it safe for kids", medicine="acetaminophen")
    assert "acetaminophen" in texts[0].lower() and "children" in texts[0]
    assert not any("What it is used for" in text for text in texts)  # not the overview again


def test_a_childs_dose_goes_to_a_pharmacist(handoffs):
    texts, _ = run("how much tylenol can i give my 4 year old")
    assert "a child's dose" in texts[0]
    assert len(handoffs) == 1


def test_a_question_the_label_does_not_answer_gets_the_overview_and_a_pharmacist(handoffs):
    question = "could i be allergic to the ingredients in synthroid?"
    texts, events = run(question)
    assert texts[0].startswith("Levothyroxine")  # the overview, named by its generic
    assert "passing it to our pharmacist" in texts[-1]
    assert handoffs == [(handoffs[0][0], question)]
    assert events[-1]["value"] == "levothyroxine"


def test_a_label_topic_is_answered_without_a_pharmacist(handoffs):
    texts, _ = run("does lexapro cause weight gain")
    assert texts[0].startswith("Common side effects of")
    assert handoffs == []
