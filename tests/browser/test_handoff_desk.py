"""A shopper and a pharmacist in two browser pages at once: the whole handoff (issue 3)."""
from playwright.sync_api import expect

from tests.browser.test_chat_page import open_chat, send


def desk_login(browser, stack, username, password):
    page = browser.new_context().new_page()
    page.goto(stack.config.desk_url + "/login")
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-submit")
    expect(page.locator("#queue")).to_be_visible()
    return page


def test_pharmacist_takes_over_replies_and_hands_back(browser, stack):
    shopper, errors = open_chat(browser, stack)
    send(shopper, "i need to talk to a pharmacist")
    expect(shopper.locator(".msg-bot").last).to_contain_text("in the queue")
    send(shopper, "it's about my order from yesterday")

    desk = desk_login(browser, stack, "pharmacist", "pharmacist-demo-password")
    row = desk.locator(".ticket-row", has_text="Customer asked for a person").last
    expect(row).to_be_visible(timeout=15000)
    row.click()
    expect(desk.locator("#ticket-summary")).to_contain_text("Customer asked for a person")
    expect(desk.locator("#ticket-summary")).to_contain_text("NOT verified")
    expect(desk.locator("#ticket-transcript .from-customer").last).to_contain_text(
        "it's about my order from yesterday")

    desk.click("#claim")
    expect(shopper.locator(".msg-bot").last).to_contain_text("has joined the chat", timeout=15000)
    desk.fill("#reply-input", "Hello, this is the pharmacist. Which order do you mean?")
    desk.click("#reply-send")
    expect(shopper.locator(".msg-bot").last).to_contain_text(
        "Which order do you mean?", timeout=15000)

    send(shopper, "the one with my inhaler")
    expect(desk.locator("#ticket-transcript .from-customer").last).to_contain_text(
        "the one with my inhaler", timeout=15000)
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
