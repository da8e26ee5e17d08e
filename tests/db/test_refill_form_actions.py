"""The refill form's validation action run as Rasa runs it (real SDK trackers and dispatcher) on the
seeded database: what it reads from a reply, which slots it sets, and what it says."""

import asyncio
import os

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.refill_form import ValidateRefillForm
from actions.refill_questions import ActionAskRefillConfirmed, ActionAskRefillDelivery
from actions.refills import ActionFinishRefill, ActionRefillReminder
from pharmacy import repositories
from pharmacy.database import session_scope
from pharmacy.messages import CATALOGUE, Message, render
from pharmacy.models import Order, OrderItem, OrderStatusEvent
from pharmacy.refills.models import RefillEvent, RefillEventKind, RenewalRequest
from tests.actions.turns import Turns
from tests.conversation.helpers import verified_chat

pytestmark = pytest.mark.db
TABLES_TESTS_ADD_TO = [RefillEvent, RenewalRequest, OrderStatusEvent, OrderItem, Order]
DOMAIN = {
    "forms": {
        "refill_form": {"required_slots": ["refill_rx_list", "refill_delivery", "refill_confirmed"]}
    }
}


@pytest.fixture(autouse=True)
def actions_use_the_seeded_database(monkeypatch, seeded_database):
    monkeypatch.setenv("DATABASE_URL", seeded_database)


def chat_for(slots) -> str:
    """The tracker's chat: verified on the server as the slots' customer, if they name one."""
    reference = slots.get("verified_customer")
    if not reference:
        return "refill-form-test"
    return verified_chat(os.environ["DATABASE_URL"], reference, f"refill-form-test-{reference}")


def persona(url, reference):
    with session_scope(url) as session:
        customer = repositories.customer_by_reference(session, reference)
        return (
            {p.medicine_id: p.rx_number for p in customer.prescriptions},
            {a.label: str(a.id) for a in customer.addresses},
        )


def run_form(slots, text="", intent=None, entities=(), after=None, history=()):
    """One run of validate_refill_form after the shopper said ``text`` (and, if given, after the
    action ``after`` answered it); returns the slots it set and what it said. As in Rasa, the
    tracker's latest action is the form itself."""
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": [{"entity": k, "value": v} for k, v in entities],
    }
    events = list(history) + [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": message},
    ]
    if after:
        events.append({"event": "action", "name": after})
    tracker = Tracker(
        chat_for(slots), slots, message, events, False, None, {"name": "refill_form"}, "refill_form"
    )
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateRefillForm().run(dispatcher, tracker, DOMAIN))
    set_slots = {e["name"]: e["value"] for e in result if e.get("event") == "slot"}
    return set_slots, [m.get("text") or "" for m in dispatcher.messages], dispatcher.messages


def test_refill_all_at_the_start_keeps_what_can_be_refilled_and_explains_the_rest(seeded_database):
    rx, _ = persona(seeded_database, "C-1004")
    slots, said, _ = run_form(
        {
            "verified_customer": "C-1004",
            "requested_slot": None,
            "task_text": "refill all my medicines",
        },
        after="action_after_identity",
    )
    assert slots["refill_rx_list"] == rx["amlodipine"]
    assert any(t.startswith("Losartan 50 mg tablet: It's too early") for t in said)
    assert "I can refill Amlodipine 5 mg tablet." in said
    assert "requested_slot" not in slots  # the form goes on to ask for the delivery


def test_schedule_ii_at_the_start_ends_the_form_and_offers_a_pharmacist(seeded_database):
    slots, said, messages = run_form(
        {"verified_customer": "C-1002", "requested_slot": None, "task_text": "refill my oxycontin"},
        after="action_after_identity",
    )
    assert slots["requested_slot"] is None and slots["refill_rx_list"] is None
    assert "new prescription" in said[0]
    assert {"title": "Ask a pharmacist", "payload": "/request_human"} in messages[0]["buttons"]


def test_no_but_ship_it_to_work_at_the_summary_changes_the_delivery_not_cancels(seeded_database):
    rx, addresses = persona(seeded_database, "C-1004")
    slots, said, _ = run_form(
        {
            "verified_customer": "C-1004",
            "requested_slot": "refill_confirmed",
            "refill_rx_list": rx["amlodipine"],
            "refill_delivery": addresses["Home"],
        },
        "no, ship it to work instead",
        "deny",
    )
    assert slots == {"refill_delivery": addresses["Work"], "refill_confirmed": None}
    assert said == []


def test_a_delivery_button_is_read(seeded_database):
    rx, addresses = persona(seeded_database, "C-1004")
    slots, _, _ = run_form(
        {
            "verified_customer": "C-1004",
            "requested_slot": "refill_delivery",
            "refill_rx_list": rx["amlodipine"],
        },
        '/choose_delivery{"delivery":"' + addresses["Work"] + '"}',
        "choose_delivery",
        [("delivery", addresses["Work"])],
    )
    assert slots == {"refill_delivery": addresses["Work"], "refill_confirmed": None}


def test_stop_at_any_question_cancels_and_ends_the_form(seeded_database):
    slots, _, _ = run_form(
        {"verified_customer": "C-1004", "requested_slot": "refill_rx_list"}, "stop", "stop"
    )
    assert slots["refill_confirmed"] is False and slots["requested_slot"] is None


def test_a_question_for_another_skill_sets_nothing_so_rasa_hands_it_on(seeded_database):
    rx, _ = persona(seeded_database, "C-1004")
    slots, said, _ = run_form(
        {
            "verified_customer": "C-1004",
            "requested_slot": "refill_delivery",
            "refill_rx_list": rx["amlodipine"],
        },
        "do you deliver on saturdays",
        "faq",
    )
    assert slots == {} and said == []


def test_back_from_another_skill_nothing_is_read_again(seeded_database):
    rx, _ = persona(seeded_database, "C-1004")
    slots, said, _ = run_form(
        {
            "verified_customer": "C-1004",
            "requested_slot": "refill_delivery",
            "refill_rx_list": rx["amlodipine"],
        },
        "pick up",
        "choose_delivery",
        after="utter_faq",
    )
    assert slots == {} and said == []


def test_unreadable_delivery_answer_is_said_and_asked_again(seeded_database):
    rx, _ = persona(seeded_database, "C-1004")
    slots, said, _ = run_form(
        {
            "verified_customer": "C-1004",
            "requested_slot": "refill_delivery",
            "refill_rx_list": rx["amlodipine"],
        },
        "x" * 5000,
        "nlu_fallback",
    )
    assert slots == {"refill_delivery": None, "unclear_replies": 1}
    assert "characters" in said[0]


def test_nothing_is_read_for_a_shopper_who_is_not_verified(seeded_database):
    slots, said, _ = run_form(
        {"requested_slot": None, "task_text": "refill all"}, after="action_after_identity"
    )
    assert slots == {} and said == []


def run_action(action, slots, chat=None):
    tracker = Tracker(
        chat or chat_for(slots), slots, {}, [], False, None, {"name": "refill_form"}, "refill_form"
    )
    dispatcher = CollectingDispatcher()
    result = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return (
        {e["name"]: e["value"] for e in result if e.get("event") == "slot"},
        dispatcher.messages,
    )


def refill_turns(reference, **slots):
    """A verified shopper's chat inside the refill form, run turn by turn (tests/actions/turns.py)."""
    slots = {"verified_customer": reference, **slots}
    return Turns(chat_for(slots), slots, form="refill_form")


def form_turn(turns, text, intent, entities=None):
    turns.message(text, intent, entities)
    said, _ = turns.run(ValidateRefillForm(), DOMAIN)
    return said


def delivery_turns(seeded_database):
    rx, _ = persona(seeded_database, "C-1004")
    turns = refill_turns(
        "C-1004", requested_slot="refill_delivery", refill_rx_list=rx["amlodipine"]
    )
    turns.run(ActionAskRefillDelivery(), DOMAIN)  # the question, as the form asks it
    return turns


def test_a_second_unclear_reply_in_a_row_offers_a_person(seeded_database):
    turns = delivery_turns(seeded_database)
    first = form_turn(turns, "by pigeon", "inform")
    assert first[0].startswith("Sorry, I didn't catch") and "person" not in first[0]
    assert turns.slot("unclear_replies") == 1
    second = form_turn(turns, "by carrier pigeon", "inform")
    assert "talk to a person" in second[0]
    assert {"title": "Talk to a person", "payload": "/request_human"} in turns.messages[0][
        "buttons"
    ]
    assert turns.slot("unclear_replies") == 2
    assert "talk to a person" in form_turn(turns, "pigeons!", "inform")[0]  # and again after


def test_an_understood_answer_ends_the_run_of_unclear_ones(seeded_database):
    turns = delivery_turns(seeded_database)
    form_turn(turns, "by pigeon", "inform")
    assert form_turn(turns, "pick up", "choose_delivery", {"delivery": "pickup"}) == []
    assert turns.slot("refill_delivery") == "pickup" and turns.slot("unclear_replies") == 0
    turns.set(requested_slot="refill_confirmed")
    said = form_turn(turns, "purple elephant", "inform")
    assert said == [render("refill.confirm_unclear").text]


def test_an_unreadable_message_in_the_form_counts_as_unclear(seeded_database):
    turns = delivery_turns(seeded_database)
    assert "looks empty" in form_turn(turns, " ", "nlu_fallback")[0]
    assert form_turn(turns, "by pigeon", "inform") == [render("refill.still_unclear").text]


@pytest.mark.parametrize(
    "key, text",
    [
        # Worded like the question the form asks before it: not a second unclear answer.
        ("refill.delivery_unclear", "How would you like to get it?"),
        ("refill.delivery_unclear", "(Sorry!) Please pick one of these:"),
        ("refill.still_unclear", "Still lost? Tap a choice below, or ask for a person."),
    ],
)
def test_rewording_a_message_does_not_change_when_a_person_is_offered(
    seeded_database, monkeypatch, key, text
):
    monkeypatch.setitem(CATALOGUE["en"], key, Message(text, CATALOGUE["en"][key].buttons))
    turns = delivery_turns(seeded_database)
    assert form_turn(turns, "by pigeon", "inform") == [render("refill.delivery_unclear").text]
    assert form_turn(turns, "by carrier pigeon", "inform") == [render("refill.still_unclear").text]


def test_the_earlier_choice_is_kept_after_change_medicines_emptied_it(seeded_database):
    rx, addresses = persona(seeded_database, "C-1004")
    turns = refill_turns("C-1004", requested_slot="refill_rx_list")
    form_turn(turns, "amlodipine", "request_refill")
    assert turns.slot("refill_accepted_rx_list") == rx["amlodipine"]
    turns.set(requested_slot="refill_confirmed", refill_delivery=addresses["Home"])
    change = '/change_answer{"refill_field":"prescriptions"}'
    form_turn(turns, change, "change_answer", {"refill_field": "prescriptions"})
    assert turns.slot("refill_rx_list") is None
    turns.set(requested_slot="refill_rx_list")
    said = form_turn(turns, "losartan", "request_refill")
    assert turns.slot("refill_rx_list") == rx["amlodipine"]
    assert said[-1] == "I've kept your earlier choice: Amlodipine 5 mg tablet."


def test_changing_to_a_medicine_that_cannot_be_refilled_keeps_the_earlier_choice(seeded_database):
    rx, addresses = persona(seeded_database, "C-1004")
    slots, said, _ = run_form(
        {
            "verified_customer": "C-1004",
            "requested_slot": "refill_confirmed",
            "refill_rx_list": rx["amlodipine"],
            "refill_accepted_rx_list": rx["amlodipine"],
            "refill_delivery": addresses["Home"],
        },
        "make it the losartan instead",
        "request_refill",
    )
    assert slots["refill_rx_list"] == rx["amlodipine"] and "requested_slot" not in slots
    assert said[0].startswith("Losartan 50 mg tablet: It's too early")
    assert said[1] == "I've kept your earlier choice: Amlodipine 5 mg tablet."


def test_an_offer_is_counted_once_however_often_it_is_made(seeded_database):
    rx, _ = persona(seeded_database, "C-1004")
    for _ in range(2):
        run_form(
            {"verified_customer": "C-1004", "requested_slot": "refill_rx_list"},
            "amlodipine",
            "request_refill",
        )
    with session_scope(seeded_database) as session:
        offers = (
            session.query(RefillEvent)
            .filter_by(kind=RefillEventKind.OFFERED, conversation_id="refill-form-test-C-1004")
            .count()
        )
    assert offers == 1


def test_the_summary_asks_again_when_a_prescription_is_no_longer_active(seeded_database):
    _, addresses = persona(seeded_database, "C-1004")
    slots, messages = run_action(
        ActionAskRefillConfirmed(),
        {
            "verified_customer": "C-1004",
            "refill_rx_list": "RX9999999",
            "refill_delivery": addresses["Home"],
        },
    )
    assert slots == {"refill_rx_list": None, "requested_slot": "refill_rx_list"}
    assert messages[0]["text"].startswith("Your prescription list changed")
    assert any(b["title"].startswith("Amlodipine") for b in messages[1]["buttons"])


def test_finishing_reports_a_refill_that_can_no_longer_be_placed(seeded_database):
    rx, addresses = persona(seeded_database, "C-1004")
    slots, messages = run_action(
        ActionFinishRefill(),
        {
            "verified_customer": "C-1004",
            "refill_rx_list": f"RX9999999,{rx['amlodipine']}",
            "refill_delivery": addresses["Home"],
            "refill_confirmed": True,
        },
    )
    assert messages[0]["text"].startswith("I couldn't place the refill of RX9999999")
    assert messages[1]["text"].startswith(f"Done: your refill of {rx['amlodipine']} is order EP-")
    assert slots["refill_rx_list"] is None and slots["refill_confirmed"] is None
    assert slots["refill_accepted_rx_list"] is None  # a later refill starts with no choice


def test_finishing_with_the_database_down_says_nothing_was_placed(
    seeded_database, monkeypatch, tmp_path
):
    rx, addresses = persona(seeded_database, "C-1004")
    slots = {
        "verified_customer": "C-1004",
        "refill_rx_list": rx["amlodipine"],
        "refill_delivery": addresses["Home"],
        "refill_confirmed": True,
    }
    chat_for(slots)  # verified while the database was up
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing-dir/pharmacy.db")
    slots, messages = run_action(ActionFinishRefill(), slots, chat="refill-form-test-C-1004")
    assert messages[0]["text"].startswith("Our order system isn't answering right now")
    assert rx["amlodipine"] in messages[0]["text"]
    assert slots["refill_rx_list"] is None  # the form is forgotten; the shopper can start again


def ask_delivery(slots):
    tracker = Tracker(
        chat_for(slots), slots, {}, [], False, None, {"name": "refill_form"}, "refill_form"
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskRefillDelivery().run(dispatcher, tracker, DOMAIN))
    return dispatcher.messages[0]


def test_the_delivery_question_says_it_for_one_medicine_and_them_for_several(seeded_database):
    rx, addresses = persona(seeded_database, "C-1001")
    one = ask_delivery({"verified_customer": "C-1001", "refill_rx_list": rx["atorvastatin"]})
    several = ask_delivery(
        {
            "verified_customer": "C-1001",
            "refill_rx_list": f"{rx['atorvastatin']},{rx['lisinopril']}",
        }
    )
    assert (one["text"], several["text"]) == (
        "How would you like to get it?",
        "How would you like to get them?",
    )
    assert [b["payload"] for b in several["buttons"]] == [
        *(f'/choose_delivery{{"delivery":"{address_id}"}}' for address_id in addresses.values()),
        '/choose_delivery{"delivery":"pickup"}',
        "/deny",
    ]


def test_a_reminder_push_with_nothing_left_to_show_says_nothing(seeded_database):
    # An overlapping scheduler run already said this chat's reminders.
    tracker = Tracker("no-reminders-waiting", {}, {}, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionRefillReminder().run(dispatcher, tracker, DOMAIN))
    assert dispatcher.messages == []


def test_class_words_at_the_start_choose_the_one_prescription_they_fit(seeded_database):
    rx, _ = persona(seeded_database, "C-1001")
    assert "atorvastatin" in rx  # the demo customer this test relies on
    slots, _, _ = run_form(
        {"verified_customer": "C-1001", "requested_slot": None, "task_text": "refill my statin"},
        after="action_after_identity",
    )
    assert slots["refill_rx_list"] == rx["atorvastatin"]


def test_class_words_that_fit_several_prescriptions_ask_which_one(seeded_database):
    rx, _ = persona(seeded_database, "C-1004")
    assert {"amlodipine", "losartan"} <= set(rx)  # both blood pressure medicines
    slots, said, _ = run_form(
        {
            "verified_customer": "C-1004",
            "requested_slot": None,
            "task_text": "I need a refill of my blood pressure pills",
        },
        after="action_after_identity",
    )
    assert not slots.get("refill_rx_list")
    asked = [t for t in said if t.startswith("More than one of your prescriptions fits that")]
    assert len(asked) == 1
    assert "Amlodipine" in asked[0] and "Losartan" in asked[0]
