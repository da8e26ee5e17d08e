"""The shopper's chat page in headless Chromium, against the running stack."""

import requests
from playwright.sync_api import expect

GREETING = "Evergreen Pharmacy assistant"


def open_chat(browser, stack, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(stack.config.web_url + "/")
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "connected")
    return page, errors


def send(page, text):
    page.get_by_label("Message").first.fill(text)
    page.keyboard.press("Enter")


def test_hi_gets_a_greeting_with_buttons_and_a_reload_keeps_the_conversation(browser, stack):
    page, errors = open_chat(browser, stack)
    send(page, "hi")
    expect(page.locator(".msg-bot").first).to_contain_text(GREETING)
    expect(page.locator("button.quick-reply")).to_have_count(4)

    page.locator("button.quick-reply", has_text="What can you do?").click()
    expect(page.locator(".msg-user").last).to_have_text("What can you do?")
    expect(page.locator(".msg-bot").last).to_contain_text("put you through to our pharmacy team")

    page.reload()
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "connected")
    expect(page.locator("#chat-log .msg")).to_have_count(4)
    expect(page.locator(".msg-user").first).to_have_text("hi")
    expect(page.locator(".msg-user").last).to_have_text("What can you do?")

    send(page, "thanks")
    expect(page.locator(".msg-bot").last).to_contain_text("You're welcome")
    assert errors == []
    page.context.close()


# Records each time the indicator is shown: an answer can come too fast to catch it on screen.
WATCH_TYPING = """() => {
  window.typingShown = [];
  const typing = document.getElementById("typing");
  new MutationObserver(() => {
    if (!typing.hidden) window.typingShown.push(typing.textContent.trim());
  }).observe(typing, {attributes: true, childList: true, subtree: true, characterData: true});
}"""


def test_typing_indicator_shows_while_waiting_and_hides_after_the_answer(browser, stack):
    page, _ = open_chat(browser, stack)
    page.evaluate(WATCH_TYPING)
    expect(page.locator("#typing")).to_be_hidden()
    send(page, "hello")
    expect(page.locator(".msg-bot").last).to_contain_text(GREETING)
    expect(page.locator("#typing")).to_be_hidden()
    assert "Assistant is typing" in page.evaluate("window.typingShown")
    page.context.close()


def test_page_fits_a_phone_screen_and_works_from_the_keyboard(browser, stack):
    page, _ = open_chat(
        browser, stack, viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True
    )
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    expect(page.locator("#chat-input")).to_be_in_viewport()
    page.locator("#chat-input").focus()
    page.keyboard.type("hi")
    page.keyboard.press("Enter")
    expect(page.locator(".msg-bot").first).to_contain_text(GREETING)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement && document.activeElement.tagName")
    assert focused in ("BUTTON", "TEXTAREA", "INPUT")
    page.context.close()


def stored_chat(page):
    return page.evaluate("JSON.parse(localStorage.getItem('pharmacy-chat'))")


def test_end_chat_closes_the_chat_on_the_server_and_starts_a_new_one(browser, stack):
    page, _ = open_chat(browser, stack)
    send(page, "hi")
    expect(page.locator(".msg-bot").first).to_contain_text(GREETING)
    ended = stored_chat(page)
    send(page, "what can you do")  # still being answered when the chat ends
    page.locator("#end-chat").click()
    # The new chat first, so that what follows is checked once the page has moved on.
    page.wait_for_function(
        "(old) => { const chat = JSON.parse(localStorage.getItem('pharmacy-chat'));"
        " return chat !== null && chat.id !== old; }",
        arg=ended["id"],
    )
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "connected")
    expect(page.locator("#chat-log .msg")).to_have_count(0)
    # The old chat's id and secret open nothing any more.
    old = requests.get(
        f"{stack.config.web_url}/api/history/{ended['id']}",
        headers={"X-Chat-Secret": ended["secret"]},
        timeout=10,
    )
    assert old.status_code == 410
    page.reload()
    # The page shows the history before it connects (chat.js start()): none for the new chat.
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "connected")
    expect(page.locator("#chat-log .msg")).to_have_count(0)
    send(page, "hi")
    expect(page.locator(".msg-bot").first).to_contain_text(GREETING)
    expect(page.locator("button.quick-reply")).to_have_count(4)
    # Now that the new chat has been answered: nothing of the ended one arrived or came back.
    expect(page.locator(".msg-user")).to_have_count(1)
    expect(page.locator(".msg-history")).to_have_count(0)
    expect(page.locator("#chat-log")).not_to_contain_text("put you through to our pharmacy team")
    page.context.close()


def test_empty_input_is_not_sent(browser, stack):
    page, _ = open_chat(browser, stack)
    send(page, "   ")
    expect(page.locator("#chat-log .msg")).to_have_count(0)
    page.context.close()


def test_a_long_answer_looks_the_same_after_a_reload(browser, stack):
    page, errors = open_chat(browser, stack)
    send(page, "what is lisinopril for")
    # The first medicine question of a fresh action server also builds the spaCy recogniser.
    expect(page.locator(".msg-bot").last).to_contain_text("not medical advice", timeout=30000)
    live = page.locator("#chat-log .msg").all_inner_texts()
    page.reload()
    expect(page.locator("#chat-log .msg")).to_have_count(len(live))
    assert page.locator("#chat-log .msg").all_inner_texts() == live
    assert errors == []
    page.context.close()
