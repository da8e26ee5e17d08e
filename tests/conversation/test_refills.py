"""Refill reorders and reminders against the running stack (issue 6). Logged-in shoppers (signed
token) unless a test is about verification; each test uses its own prescription, since a refill
can be ordered only once per fill cycle."""

import time
from datetime import datetime

import requests
from sqlalchemy import delete, func, select

from pharmacy import clock, repositories
from pharmacy.database import session_scope
from pharmacy.messages import render
from pharmacy.models import ConsentKind, Order, Prescription
from pharmacy.refills.models import RefillEvent, RefillEventKind, ReminderSend, RenewalRequest
from pharmacy.refills.policy import decide_refill, format_day
from pharmacy.refills.reminders import send_due_reminders, set_reminder_consent
from pharmacy.refills.service import remember_conversation
from tests.conftest import in_transaction
from tests.conversation.helpers import AISHA, JAMES, MARIA, ROBERT, logged_in, tickets_for


def text_of(replies):
    return "\n".join(r.get("text", "") for r in replies)


def buttons_of(replies):
    return [b for r in replies for b in r.get("buttons") or []]


def rx_of(url, reference, medicine_id):
    with session_scope(url) as session:
        customer = repositories.customer_by_reference(session, reference)
        return next(p.rx_number for p in customer.prescriptions if p.medicine_id == medicine_id)


def orders_for_rx(url, rx):
    with session_scope(url) as session:
        prescription = repositories.prescription_by_rx_number(session, rx)
        return session.scalar(
            select(func.count(Order.id)).where(
                Order.idempotency_key.like(f"refill:{prescription.id}:%")
            )
        )


def renewals_for_rx(url, rx):
    with session_scope(url) as session:
        prescription = repositories.prescription_by_rx_number(session, rx)
        return session.scalar(
            select(func.count(RenewalRequest.id)).where(
                RenewalRequest.prescription_id == prescription.id
            )
        )


def test_refill_by_rx_number_is_ordered_once_even_if_confirmed_twice(
    new_chat, stack, seeded_database
):
    rx = rx_of(seeded_database, MARIA[0], "atorvastatin")
    send = logged_in(new_chat(), stack, MARIA[0])
    offer = send(f"refill {rx}")
    assert "I can refill Atorvastatin 20 mg tablet" in text_of(offer)
    home = next(b for b in buttons_of(offer) if b["title"].startswith("Ship to Home"))
    summary = send(home["payload"])
    assert (
        f"Refill of Atorvastatin 20 mg tablet ({rx}), quantity 30, $12.00 before insurance, "
        "delivered to your home address by"
    ) in text_of(summary)
    done = text_of(send("/affirm"))
    assert f"Done: your refill of {rx} is order EP-2" in done
    second_yes = text_of(send("/affirm"))  # a second yes places nothing
    assert "Done" not in second_yes and second_yes.count("\n") <= 1

    again = send(f"refill {rx}")  # the same refill asked for again, in this chat or another
    assert "already ordered (order EP-2" in text_of(again)
    assert not any(b["title"].startswith("Ship to") for b in buttons_of(again))
    assert orders_for_rx(seeded_database, rx) == 1


def test_refill_by_medicine_name_for_pickup(new_chat, stack, seeded_database):
    send = logged_in(new_chat(), stack, MARIA[0])
    offer = send("can i get a refill of my lisinopril")
    assert "I can refill Lisinopril 10 mg tablet" in text_of(offer)
    pickup = next(b for b in buttons_of(offer) if b["title"].startswith("Pick up"))
    assert "ready for pickup from" in text_of(send(pickup["payload"]))
    assert "Done: your refill" in text_of(send("yes"))


def test_refill_by_picking_from_a_list_after_anonymous_verification(new_chat, seeded_database):
    chat = new_chat()
    # Only the question: nothing typed yet, so no "couldn't read that" for empty answers.
    assert chat.texts("i need a refill") == render("identity.ask_dob").text
    chat.texts(AISHA[1])
    listing = chat.send(AISHA[2])
    assert "Which prescription would you like to refill?" in text_of(listing)
    levo = next(b for b in buttons_of(listing) if b["title"].startswith("Levothyroxine"))
    offer = chat.send(levo["payload"])
    assert "I can refill Levothyroxine" in text_of(offer)


def earliest_refill_day(url, rx):
    with session_scope(url) as session:
        prescription = repositories.prescription_by_rx_number(session, rx)
        return format_day(decide_refill(prescription, clock.current().today()).earliest_date)


def test_refill_all_reports_each_outcome(new_chat, stack, seeded_database):
    losartan = rx_of(seeded_database, ROBERT[0], "losartan")
    amlodipine = rx_of(seeded_database, ROBERT[0], "amlodipine")
    send = logged_in(new_chat(), stack, ROBERT[0])
    replies = send("refill all my medicines")
    text = text_of(replies)
    assert (
        "Losartan 50 mg tablet: It's too early to refill this prescription. You can refill "
        f"it from {earliest_refill_day(seeded_database, losartan)}."
    ) in text
    assert "I can refill Amlodipine 5 mg tablet" in text
    home = next(b for b in buttons_of(replies) if b["title"].startswith("Ship to Home"))
    send(home["payload"])
    assert f"Done: your refill of {amlodipine} is order EP-" in text_of(send("/affirm"))
    assert (
        orders_for_rx(seeded_database, amlodipine),
        orders_for_rx(seeded_database, losartan),
    ) == (1, 0)


def test_too_soon_says_the_date_and_offers_a_reminder_which_records_consent(
    new_chat, stack, seeded_database
):
    send = logged_in(new_chat(), stack, MARIA[0])
    replies = send("refill my metformin")
    metformin = rx_of(seeded_database, MARIA[0], "metformin")
    assert (
        f"Metformin 500 mg tablet: It's too early to refill this prescription. You can "
        f"refill it from {earliest_refill_day(seeded_database, metformin)}."
    ) in text_of(replies)
    assert orders_for_rx(seeded_database, metformin) == 0
    remind = next(b for b in buttons_of(replies) if b["payload"] == "/enable_reminders")
    assert "Refill reminders are on" in text_of(send(remind["payload"]))
    with session_scope(seeded_database) as session:
        maria = repositories.customer_by_reference(session, MARIA[0])
        consents = [c for c in maria.consents if c.kind is ConsentKind.REFILL_REMINDERS]
        assert consents and consents[0].revoked_at is None
    assert "Refill reminders are off" in text_of(send("stop reminders"))


def test_expired_prescription_files_a_renewal_without_promising_a_date(
    new_chat, stack, seeded_database
):
    rx = rx_of(seeded_database, AISHA[0], "sertraline")
    send = logged_in(new_chat(), stack, AISHA[0])
    text = text_of(send(f"refill {rx}"))
    assert "Sertraline 50 mg tablet:" in text and "prescriber" in text.lower()
    with session_scope(seeded_database) as session:
        prescription = repositories.prescription_by_rx_number(session, rx)
        renewals = session.scalars(
            select(RenewalRequest).where(RenewalRequest.prescription_id == prescription.id)
        ).all()
    assert len(renewals) == 1


def test_schedule_ii_needs_a_new_prescription_and_offers_a_pharmacist(new_chat, stack):
    send = logged_in(new_chat(), stack, JAMES[0])
    replies = send("refill my oxycodone")
    assert "new prescription" in text_of(replies).lower()
    assert "/request_human" in [b["payload"] for b in buttons_of(replies)]


def test_asking_for_auto_refill_of_a_controlled_medicine_is_told_never(new_chat, stack):
    send = logged_in(new_chat(), stack, JAMES[0])
    assert "never for controlled substances" in text_of(
        send("can my alprazolam be on auto refill?")
    )


def test_change_of_mind_and_cancel_place_nothing(new_chat, stack, seeded_database):
    rx = rx_of(seeded_database, AISHA[0], "levothyroxine")
    before = orders_for_rx(seeded_database, rx)
    send = logged_in(new_chat(), stack, AISHA[0])
    offer = send(f"refill {rx}")
    home = next(b for b in buttons_of(offer) if b["title"].startswith("Ship to Home"))
    pickup = next(b for b in buttons_of(offer) if b["title"].startswith("Pick up"))
    assert "delivered to your home address" in text_of(send(home["payload"]))
    assert "ready for pickup" in text_of(send(pickup["payload"]))  # changed the answer
    assert "haven't placed anything" in text_of(send("no"))
    assert orders_for_rx(seeded_database, rx) == before


def test_an_emergency_in_the_middle_of_a_refill_comes_first_and_places_nothing(
    new_chat, stack, seeded_database
):
    rx = rx_of(seeded_database, AISHA[0], "levothyroxine")
    chat = new_chat()
    send = logged_in(chat, stack, AISHA[0])
    send(f"refill {rx}")
    assert "1-800-222-1222" in text_of(send("i think i took a double dose by mistake"))
    # The refill is set aside: the next message goes to the pharmacist who was called in.
    assert send('/choose_delivery{"delivery":"pickup"}') == []
    urgent = [t for t in tickets_for(seeded_database, chat.sender) if t[0] == "emergency"]
    assert urgent and '/choose_delivery{"delivery":"pickup"}' in urgent[0][5]
    assert orders_for_rx(seeded_database, rx) == 0


def _tracker(stack, chat):
    return requests.get(
        f"{stack.config.rasa_url}/conversations/{chat.sender}/tracker",
        headers=stack.api.headers(),
        timeout=10,
    ).json()


def _send_reminders(stack, seeded_database, monkeypatch):
    monkeypatch.setenv("RASA_URL", stack.config.rasa_url)
    monkeypatch.setenv("RASA_JWT_SECRET", stack.api.secret)
    return send_due_reminders(seeded_database)


def _last_reminder(stack, chat):
    """The last reminder said in the chat, and the Rx numbers and medicines it is about."""
    reminder = [
        e
        for e in _tracker(stack, chat)["events"]
        if e.get("event") == "bot" and "time to reorder" in (e.get("text") or "")
    ][-1]
    with session_scope(stack.config.database_url) as session:
        rows = session.scalars(
            select(ReminderSend)
            .where(ReminderSend.conversation_id == chat.sender)
            .order_by(ReminderSend.id)
        ).all()
        prescriptions = [session.get(Prescription, row.prescription_id) for row in rows]
        return (
            reminder,
            [rx.rx_number for rx in prescriptions],
            [rx.medicine_name for rx in prescriptions],
        )


def _forget_reminders_sent(url, reference):
    """Each reminder goes out once per due date: forget earlier tests' sends, as if due again."""
    with session_scope(url) as session:
        customer = repositories.customer_by_reference(session, reference)
        session.execute(delete(ReminderSend).where(ReminderSend.customer_id == customer.id))


def _opened(seeded_database, chat):
    with session_scope(seeded_database) as session:
        return len(
            session.scalars(
                select(RefillEvent).where(
                    RefillEvent.conversation_id == chat.sender,
                    RefillEvent.kind == RefillEventKind.REMINDER_OPENED,
                )
            ).all()
        )


def test_a_reminder_leads_to_refill_now(new_chat, stack, seeded_database, monkeypatch):
    _forget_reminders_sent(seeded_database, MARIA[0])
    chat = new_chat()
    send = logged_in(chat, stack, MARIA[0])
    send("turn on refill reminders")  # verified here: reminders come to this chat
    summary = _send_reminders(stack, seeded_database, monkeypatch)
    assert summary.sent >= 1 and summary.failed == 0
    reminder, rx_numbers, medicines = _last_reminder(stack, chat)
    assert rx_numbers and not [
        name for name in ("Metformin", "Atorvastatin", "Lisinopril") if name in reminder["text"]
    ]
    refill_now = next(b for b in reminder["data"]["buttons"] if b["title"] == "Refill now")
    assert not [rx for rx in rx_numbers if rx in refill_now["payload"]]  # an identity factor
    answer = text_of(send(refill_now["payload"]))
    assert all(medicine in answer for medicine in medicines)
    assert "Which prescription" not in answer
    assert send_due_reminders(seeded_database).sent == 0  # a second run sends nothing again
    assert _opened(seeded_database, chat) == len(medicines)  # counted for refill conversion


def test_refill_now_works_after_the_chat_session_has_expired(
    new_chat, stack, seeded_database, monkeypatch
):
    """Reminders arrive days after the last message, when Rasa starts a new session (and resets
    the slots) on the reminder itself; the button must still refill the right prescription."""
    _forget_reminders_sent(seeded_database, MARIA[0])
    chat = new_chat()
    # A chat from two hours ago (past session_expiration_time in domain.yml): Maria verified in
    # it and turned reminders on.
    then = time.time() - 2 * 3600
    old_chat = [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
        {
            "event": "user",
            "text": "turn on refill reminders",
            "parse_data": {
                "intent": {"name": "enable_reminders", "confidence": 1.0},
                "entities": [],
            },
        },
        {"event": "slot", "name": "verified_customer", "value": MARIA[0]},
        {"event": "action", "name": "action_listen"},
    ]
    requests.post(
        f"{stack.config.rasa_url}/conversations/{chat.sender}/tracker/events",
        headers=stack.api.headers(),
        timeout=10,
        json=[{**event, "timestamp": then} for event in old_chat],
    ).raise_for_status()
    in_transaction(seeded_database, remember_conversation, MARIA[0], chat.sender, datetime.utcnow())
    in_transaction(seeded_database, set_reminder_consent, MARIA[0], True, datetime.utcnow())

    _send_reminders(stack, seeded_database, monkeypatch)
    events = _tracker(stack, chat)["events"]
    old = max(i for i, e in enumerate(events) if e.get("event") == "user")
    assert any(e.get("event") == "session_started" for e in events[old:])  # a new session
    reminder, _, medicines = _last_reminder(stack, chat)
    refill_now = next(b for b in reminder["data"]["buttons"] if b["title"] == "Refill now")
    answer = text_of(logged_in(chat, stack, MARIA[0])(refill_now["payload"]))
    assert medicines and all(medicine in answer for medicine in medicines)
    assert "Which prescription" not in answer
    assert _opened(seeded_database, chat) == len(medicines)


def test_schedule_iv_at_its_refill_limit_asks_the_prescriber_to_renew(
    new_chat, stack, seeded_database
):
    rx = rx_of(seeded_database, JAMES[0], "alprazolam")  # 5 of 5 refills used
    send = logged_in(new_chat(), stack, JAMES[0])
    replies = send(f"refill {rx}")
    text = text_of(replies)
    assert "Alprazolam" in text and "legal limit on refills" in text
    assert "prescriber to renew" in text
    assert not any(b["title"].startswith("Ship to") for b in buttons_of(replies))
    assert renewals_for_rx(seeded_database, rx) == 1
    assert orders_for_rx(seeded_database, rx) == 0


def test_a_controlled_prescription_past_six_months_needs_renewal(new_chat, stack, seeded_database):
    rx = rx_of(seeded_database, JAMES[0], "zolpidem")  # written 190 days ago
    send = logged_in(new_chat(), stack, JAMES[0])
    text = text_of(send("can i refill my ambien"))
    assert "Zolpidem" in text and "past the legal time limit" in text
    assert renewals_for_rx(seeded_database, rx) == 1


def test_zero_refills_left_files_one_renewal_even_if_asked_twice(new_chat, stack, seeded_database):
    rx = rx_of(seeded_database, AISHA[0], "amoxicillin")
    send = logged_in(new_chat(), stack, AISHA[0])
    assert "no refills left" in text_of(send("refill my amoxicillin"))
    assert "no refills left" in text_of(send("refill my amoxicillin"))
    assert renewals_for_rx(seeded_database, rx) == 1
    assert orders_for_rx(seeded_database, rx) == 0


def summary_for_levothyroxine(stack, seeded_database, new_chat):
    """Aisha's levothyroxine up to the summary (never ordered by these tests)."""
    rx = rx_of(seeded_database, AISHA[0], "levothyroxine")
    send = logged_in(new_chat(), stack, AISHA[0])
    offer = send(f"refill {rx}")
    pickup = next(b for b in buttons_of(offer) if b["title"].startswith("Pick up"))
    summary = send(pickup["payload"])
    assert "Levothyroxine" in text_of(summary) and "ready for pickup" in text_of(summary)
    return rx, send, summary


def test_change_the_medicine_from_the_summary_then_cancel(new_chat, stack, seeded_database):
    rx, send, summary = summary_for_levothyroxine(stack, seeded_database, new_chat)
    change = next(b for b in buttons_of(summary) if b["title"] == "Change medicines")
    listing = send(change["payload"])
    assert "Which prescription would you like to refill?" in text_of(listing)
    amoxicillin = next(b for b in buttons_of(listing) if b["title"].startswith("Amoxicillin"))
    # Not refillable: said why, and the earlier choice stands, back at the summary.
    changed = text_of(send(amoxicillin["payload"]))
    assert "no refills left" in changed
    assert "I've kept your earlier choice: Levothyroxine" in changed
    assert "Shall I place the order?" in changed
    assert "haven't placed anything" in text_of(send("cancel"))
    assert orders_for_rx(seeded_database, rx) == 0


def test_change_the_delivery_by_button_and_cancel_from_the_summary(
    new_chat, stack, seeded_database
):
    rx, send, summary = summary_for_levothyroxine(stack, seeded_database, new_chat)
    change = next(b for b in buttons_of(summary) if b["title"] == "Change delivery")
    question = send(change["payload"])
    assert "How would you like to get it?" in text_of(question)
    home = next(b for b in buttons_of(question) if b["title"].startswith("Ship to Home"))
    assert "delivered to your home address" in text_of(send(home["payload"]))
    cancel = next(b for b in buttons_of(summary) if b["title"] == "Cancel")
    assert "haven't placed anything" in text_of(send(cancel["payload"]))
    assert orders_for_rx(seeded_database, rx) == 0


def test_a_question_mid_form_is_answered_then_the_form_asks_again(new_chat, stack, seeded_database):
    rx = rx_of(seeded_database, AISHA[0], "levothyroxine")
    send = logged_in(new_chat(), stack, AISHA[0])
    send(f"refill {rx}")
    replies = send("how long does shipping take")
    text = text_of(replies)
    assert "How would you like to get it?" in text and text.index("How would you like") > 0
    assert any(b["title"].startswith("Pick up") for b in buttons_of(replies))
    nonsense = send("purple elephant")
    assert "didn't catch how you'd like to get it" in text_of(nonsense)
    assert "haven't placed anything" in text_of(send("stop"))
    assert orders_for_rx(seeded_database, rx) == 0


def test_a_second_unclear_answer_in_a_row_offers_a_person_but_not_after_a_question(
    new_chat, stack, seeded_database
):
    rx = rx_of(seeded_database, AISHA[0], "levothyroxine")
    send = logged_in(new_chat(), stack, AISHA[0])
    send(f"refill {rx}")
    unclear = render("refill.delivery_unclear").text
    still_unclear = render("refill.still_unclear").text
    assert unclear in text_of(send("purple elephant"))
    send("how long does shipping take")  # answered by a response: the run of unclear ones ends
    again = text_of(send("purple elephant"))
    assert unclear in again and still_unclear not in again
    assert still_unclear in text_of(send("purple elephant"))
    assert "haven't placed anything" in text_of(send("stop"))
    assert orders_for_rx(seeded_database, rx) == 0


def test_an_rx_number_that_is_not_theirs_is_refused_and_the_list_is_offered(new_chat, stack):
    send = logged_in(new_chat(), stack, AISHA[0])
    listing = send("i need a refill")
    assert "Which prescription" in text_of(listing)
    replies = send("RX9999999")
    assert "I can't find RX9999999 among your active prescriptions" in text_of(replies)
    assert "Which prescription" in text_of(replies)
    assert "haven't placed anything" in text_of(send("cancel"))


def test_tracking_asked_mid_refill_sets_the_refill_aside_and_tracks(
    new_chat, stack, seeded_database
):
    rx = rx_of(seeded_database, AISHA[0], "levothyroxine")
    send = logged_in(new_chat(), stack, AISHA[0])
    assert "How would you like to get it?" in text_of(send(f"refill {rx}"))
    tracked = text_of(send("where is my order?"))
    assert "put your refill aside" in tracked
    assert "How would you like to get it?" not in tracked
    after = text_of(send("/affirm"))  # a late yes orders nothing: the refill was set aside
    assert "Done" not in after
    assert orders_for_rx(seeded_database, rx) == 0
    assert "I can refill Levothyroxine" in text_of(send(f"refill {rx}"))  # starts afresh


def test_a_question_at_the_summary_does_not_place_the_order(new_chat, stack, seeded_database):
    rx, send, _ = summary_for_levothyroxine(stack, seeded_database, new_chat)
    answer = text_of(send("how long does shipping take?"))
    assert "Done" not in answer and "Shall I place the order?" in answer
    assert orders_for_rx(seeded_database, rx) == 0
    assert "haven't placed anything" in text_of(send("cancel"))


def test_a_class_word_picks_the_customers_own_prescription(new_chat, stack, seeded_database):
    send = logged_in(new_chat(), stack, MARIA[0])
    # Another test of this stack may have ordered it already: either answer names Lisinopril alone.
    reply = text_of(send("I need a refill of my blood pressure pills"))
    assert (
        "I can refill Lisinopril" in reply
        or "Lisinopril 10 mg tablet: this refill is already" in reply
    )
    assert "Atorvastatin" not in reply and "Metformin" not in reply
