"""Identity verification and delivery tracking against the running stack (issue 5)."""

import pytest
import requests

from pharmacy import repositories
from pharmacy.database import session_scope
from pharmacy.messages import render
from pharmacy.models import OrderStatus, ShipmentStatus
from tests.conversation.helpers import (
    AISHA,
    JAMES,
    MARIA,
    ROBERT,
    logged_in,
    order_numbers,
    persona_order_with_shipment,
    tickets_for,
)

ASK_DOB = "What's your date of birth?"
ASK_FACTOR = "an order number"


def verify(chat, persona, factor=None, first_message="where is my order"):
    """Anonymous verification: date of birth, then a possession factor (phone by default)."""
    assert ASK_DOB in chat.texts(first_message)
    assert ASK_FACTOR in chat.texts(persona[1])
    return chat.texts(factor or persona[2])


@pytest.fixture
def carrier_fault(stack):
    """Set the fake carrier's fault mode for one test, and always clear it afterwards."""
    url = f"{stack.config.carrier_url}/_control/faults"

    def set_mode(mode, **extra):
        requests.post(url, json={"mode": mode, **extra}, timeout=5).raise_for_status()

    yield set_mode
    set_mode(None)


def test_nothing_personal_is_said_before_verification(new_chat, seeded_database):
    chat = new_chat()
    order = order_numbers(seeded_database, MARIA[0])[0]
    replies = chat.texts(f"where is {order}")
    assert replies == render("identity.ask_dob").text  # the order number counts as one factor
    assert "Atorvastatin" not in replies and "shipped" not in replies


def test_token_login_shows_orders_without_questions(new_chat, stack, seeded_database):
    chat = new_chat()
    send = logged_in(chat, stack, ROBERT[0])
    replies = send("where is my order")
    assert ASK_DOB not in replies[0]["text"]
    assert replies[0]["text"] == "Which order would you like to check?"
    payloads = [b["payload"] for b in replies[0]["buttons"]]
    assert len(payloads) == 5  # the five newest of Robert's six orders
    assert all(p.startswith('/track_order{"order_number":"EP-') for p in payloads)


def test_invalid_or_expired_token_is_refused_and_never_trusted(new_chat, stack):
    chat = new_chat()
    expired = stack.login_token(MARIA[0], ttl_seconds=-10)
    replies = " ".join(
        r.get("text", "") for r in chat.send("where is my order", metadata={"login_token": expired})
    )
    assert "could not be confirmed" in replies and ASK_DOB in replies
    forged = stack.login_token(MARIA[0], signing_key="not-the-secret")
    chat2 = new_chat()
    replies = " ".join(
        r.get("text", "") for r in chat2.send("track my order", metadata={"login_token": forged})
    )
    assert "could not be confirmed" in replies and ASK_DOB in replies


def test_anonymous_verification_with_date_of_birth_and_phone(new_chat):
    answer = verify(new_chat(), MARIA)
    assert "you're verified" in answer
    assert "Which order would you like to check?" in answer
    assert "1958" not in answer and "555-0101" not in answer


def test_order_number_in_the_question_counts_as_the_second_factor(new_chat, seeded_database):
    order = persona_order_with_shipment(seeded_database, MARIA[0], ShipmentStatus.IN_TRANSIT)
    chat = new_chat()
    assert ASK_DOB in chat.texts(f"where is my order {order}")
    answer = chat.texts(MARIA[1])
    assert "you're verified" in answer and f"Order {order}" in answer
    assert "in transit" in answer.lower()


def test_three_wrong_dates_of_birth_lock_and_offer_a_person(new_chat, stack, own_customer):
    phone = own_customer[2]
    chat = new_chat()
    assert ASK_DOB in chat.texts("where is my order")
    for remaining in (2, 1):
        chat.texts("01/01/1970")
        assert f"Attempts left: {remaining}." in chat.texts(phone)
    chat.texts("01/01/1970")
    replies = chat.send(phone)
    text = " ".join(r.get("text", "") for r in replies)
    assert "can't try verification again" in text
    assert "/request_human" in [b["payload"] for r in replies for b in r.get("buttons") or []]
    assert "in the queue" in text
    tickets = tickets_for(stack.config.database_url, chat.sender)
    assert [t[0] for t in tickets] == ["identity_failed"]
    assert tickets[0][2] is False  # not verified
    assert all("1970" not in line for line in tickets[0][5])  # DOBs never reach the agent
    # Still locked: asking again does not restart verification.
    assert ASK_DOB not in chat.texts("where is my order")


def test_unreadable_date_is_explained_and_does_not_count_as_a_try(new_chat):
    chat = new_chat()
    chat.texts("where is my order")
    assert "couldn't read that as a date" in chat.texts("sometime in spring")
    assert ASK_FACTOR in chat.texts(MARIA[1])


@pytest.mark.parametrize(
    "persona,state,expected",
    [
        (AISHA, ShipmentStatus.LABEL_CREATED, "label created"),
        (MARIA, ShipmentStatus.IN_TRANSIT, "in transit"),
        (JAMES, ShipmentStatus.OUT_FOR_DELIVERY, "out for delivery"),
        (MARIA, ShipmentStatus.DELIVERED, "delivered"),
        (AISHA, ShipmentStatus.EXCEPTION, "running late"),
    ],
)
def test_each_shipment_state_is_described(
    new_chat, stack, seeded_database, persona, state, expected
):
    order = persona_order_with_shipment(seeded_database, persona[0], state)
    send = logged_in(new_chat(), stack, persona[0])
    text = " ".join(r.get("text", "") for r in send(f"track {order}")).lower()
    assert f"order {order.lower()}" in text
    assert expected in text
    assert "live tracking (rapidparcel" in text
    if state is ShipmentStatus.OUT_FOR_DELIVERY:
        assert "must sign" in text  # controlled medicine: signature and ID at the door
    if state is not ShipmentStatus.DELIVERED:
        assert "expected delivery" in text


@pytest.mark.parametrize("mode", ["error", "timeout"])
def test_carrier_failure_falls_back_to_what_the_database_knows(
    new_chat, stack, seeded_database, carrier_fault, mode
):
    order = persona_order_with_shipment(seeded_database, MARIA[0], ShipmentStatus.IN_TRANSIT)
    carrier_fault(mode)
    send = logged_in(new_chat(), stack, MARIA[0])
    text = " ".join(r.get("text", "") for r in send(f"where is {order}"))
    assert "Our records say: in transit" in text
    assert "Live tracking from the carrier is unavailable right now" in text


def test_tracking_number_unknown_to_the_carrier_still_gets_the_database_status(
    new_chat, stack, seeded_database, carrier_fault
):
    order = persona_order_with_shipment(seeded_database, MARIA[0], ShipmentStatus.IN_TRANSIT)
    carrier_fault("not_found")
    send = logged_in(new_chat(), stack, MARIA[0])
    text = " ".join(r.get("text", "") for r in send(f"where is {order}"))
    assert "Our records say: in transit" in text


def test_someone_elses_order_looks_exactly_like_an_unknown_one(new_chat, stack, seeded_database):
    james_order = order_numbers(seeded_database, JAMES[0])[0]
    send = logged_in(new_chat(), stack, MARIA[0])
    theirs = " ".join(r.get("text", "") for r in send(f"track {james_order}"))
    unknown = " ".join(r.get("text", "") for r in send("track EP-999999"))
    assert theirs.replace(james_order, "X") == unknown.replace("EP-999999", "X")
    assert "couldn't find order" in theirs
    assert "Oxycodone" not in theirs


def test_delivered_but_not_received_goes_to_a_person_with_the_order(
    new_chat, stack, seeded_database
):
    order = persona_order_with_shipment(seeded_database, MARIA[0], ShipmentStatus.DELIVERED)
    chat = new_chat()
    send = logged_in(chat, stack, MARIA[0])
    text = " ".join(
        r.get("text", "") for r in send(f"tracking says {order} was delivered but i dont have it")
    )
    assert f"passed order {order}" in text and "in the queue" in text
    tickets = tickets_for(stack.config.database_url, chat.sender)
    assert tickets[0][0] == "delivery_problem" and tickets[0][3] == order and tickets[0][2] is True


def test_address_change_before_shipping_is_confirmed_and_saved(new_chat, stack, seeded_database):
    order = order_numbers(seeded_database, ROBERT[0], OrderStatus.PROCESSING)[0]
    send = logged_in(new_chat(), stack, ROBERT[0])
    offer = send(f"change the delivery address of {order}")
    assert offer[0]["text"] == f"Where should order {order} go?"
    work = next(b for b in offer[0]["buttons"] if b["title"].startswith("Work"))
    confirm = send(work["payload"])
    assert confirm[0]["text"].startswith(f"Send order {order} to your work address")
    done = send("/affirm")
    assert done[0]["text"].startswith(f"Done: order {order} will go to your work address")
    with session_scope(seeded_database) as session:
        saved = repositories.order_by_number(session, order)
        assert saved.address.label == "Work"
        assert saved.history[-1].note == "delivery address changed in chat"


def test_address_change_after_shipping_is_refused_with_the_reason(new_chat, stack, seeded_database):
    order = persona_order_with_shipment(seeded_database, MARIA[0], ShipmentStatus.IN_TRANSIT)
    send = logged_in(new_chat(), stack, MARIA[0])
    text = send(f"i need to change the shipping address for {order}")[0]["text"]
    assert "already left our pharmacy" in text and "can't be changed" in text


def test_stop_during_verification_cancels_it(new_chat):
    chat = new_chat()
    chat.texts("where is my order")
    assert "stopped" in chat.texts("cancel")
    assert "Evergreen Pharmacy assistant" in chat.texts("hi")
