"""A shopper and a pharmacist in two browser pages at once: the whole handoff (issue 3); the
queue's filters, search and collapsed rows (issue 13)."""

import uuid
from datetime import datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from pharmacy.database import session_scope
from pharmacy.handoff import (
    HandoffContext,
    HandoffReason,
    HandoffTicket,
    TicketStatus,
    request_handoff,
)
from tests.browser.desk_pages import log_in
from tests.browser.test_chat_page import open_chat, send


def desk_login(browser, stack, username, password):
    page = log_in(browser, stack.config.desk_url, username, password)
    expect(page.locator("#queue")).to_be_visible()
    return page


def test_pharmacist_takes_over_replies_and_hands_back(browser, stack):
    shopper, errors = open_chat(browser, stack)
    send(shopper, "i need to talk to a pharmacist")
    expect(shopper.locator(".msg-bot").last).to_contain_text("in the queue")
    # A word of its own finds this chat's ticket among those other tests leave waiting.
    tag = f"ref{uuid.uuid4().hex[:8]}"
    send(shopper, f"it's about my order from yesterday, {tag}")

    desk = desk_login(browser, stack, "pharmacist", "pharmacist-demo-password")
    desk.fill("#filter-q", tag)
    row = desk.locator(".ticket-row", has_text="Customer asked for a person")
    expect(row).to_have_count(1, timeout=15000)
    expect(row).to_be_visible(timeout=15000)
    row.click()
    expect(desk.locator("#ticket-summary")).to_contain_text("Customer asked for a person")
    expect(desk.locator("#ticket-summary")).to_contain_text("NOT verified")
    expect(desk.locator("#ticket-transcript .from-customer").last).to_contain_text(
        f"it's about my order from yesterday, {tag}"
    )

    desk.click("#claim")
    expect(shopper.locator(".msg-bot").last).to_contain_text("has joined the chat", timeout=15000)
    desk.fill("#reply-input", "Hello, this is the pharmacist. Which order do you mean?")
    desk.click("#reply-send")
    expect(shopper.locator(".msg-bot").last).to_contain_text(
        "Which order do you mean?", timeout=15000
    )

    send(shopper, "the one with my inhaler")
    expect(desk.locator("#ticket-transcript .from-customer").last).to_contain_text(
        "the one with my inhaler", timeout=15000
    )
    expect(shopper.locator(".msg-bot").last).to_contain_text("Which order do you mean?")

    desk.click("#return-to-bot")
    expect(shopper.locator(".msg-bot").last).to_contain_text("rate the help", timeout=15000)
    expect(shopper.locator("button.quick-reply", has_text="5")).to_be_visible()
    shopper.locator("button.quick-reply", has_text="5").last.click()
    expect(shopper.locator(".msg-bot").last).to_contain_text("Thank you for your feedback")
    assert errors == []


def test_the_desk_refuses_agents_without_a_login(browser, stack):
    page = browser.new_context().new_page()
    response = page.goto(stack.config.desk_url + "/api/queue")
    assert response.status == 401


@pytest.fixture
def tagged_tickets(seeded_database):
    """Four waiting tickets that share a search tag: two from one verified customer, a delivery
    problem whose question is markup, and another request; resolved afterwards."""
    tag = f"flt{uuid.uuid4().hex[:8]}"
    customer = f"C-B{uuid.uuid4().hex[:6]}"
    tickets = [
        (HandoffReason.USER_REQUEST, dict(verified=True, customer_reference=customer)),
        (HandoffReason.USER_REQUEST, dict(verified=True, customer_reference=customer)),
        (HandoffReason.DELIVERY_PROBLEM, dict(order_number="EP-100001")),
        (HandoffReason.LOW_CONFIDENCE, {}),
    ]
    ids = []
    with session_scope(seeded_database) as session:
        for n, (reason, context) in enumerate(tickets):
            question = f'{tag} <img src=x onerror="window.injected=1"> {n}'
            ids.append(
                request_handoff(
                    session,
                    HandoffContext(
                        conversation_id=f"browser-{tag}-{n}",
                        reason=reason,
                        question=question,
                        **context,
                    ),
                    now=datetime.utcnow(),
                ).ticket_id
            )
    yield tag
    with session_scope(seeded_database) as session:
        session.execute(
            update(HandoffTicket)
            .where(HandoffTicket.id.in_(ids))
            .values(status=TicketStatus.RESOLVED, closed_at=datetime.utcnow())
            .execution_options(synchronize_session=False)
        )


def test_the_queue_is_filtered_searched_and_collapsed_by_the_server(browser, stack, tagged_tickets):
    desk = desk_login(browser, stack, "pharmacist", "pharmacist-demo-password")
    rows = desk.locator(".ticket-row")
    with desk.expect_request(lambda r: "/api/events?" in r.url and tagged_tickets in r.url):
        desk.fill("#filter-q", tagged_tickets)  # the live feed follows the same filters
    expect(rows).to_have_count(3)  # the customer's two tickets are one row
    expect(rows.filter(has_text="2 tickets from this customer")).to_have_count(1)

    with desk.expect_request(
        lambda r: "/api/queue?" in r.url and "reason=delivery_problem" in r.url
    ):
        desk.select_option("#filter-reason", "delivery_problem")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Delivery problem")
    desk.select_option("#filter-state", "claimed")
    expect(desk.locator("#queue-empty")).to_have_text("No open handoffs match these filters.")
    desk.select_option("#filter-state", "")
    desk.select_option("#filter-priority", "2")
    expect(rows).to_have_count(1)

    rows.first.locator(".ticket-open").click()  # shown as text, never run as markup
    expect(desk.locator("#ticket-facts")).to_contain_text('<img src=x onerror="window.injected=1">')
    expect(desk.locator("#ticket-detail img")).to_have_count(0)
    assert desk.evaluate("window.injected") is None

    desk.fill("#filter-q", "")
    desk.select_option("#filter-reason", "")
    desk.select_option("#filter-priority", "")
    expect(rows.filter(has_text="2 tickets from this customer")).to_have_count(1)
    desk.context.close()
