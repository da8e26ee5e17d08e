"""Logging in to the agent desk, shared by the desk and the supervisor page tests."""

from playwright.sync_api import Page, expect


def log_in(browser, base_url: str, username: str, password: str) -> Page:
    page = browser.new_context(accept_downloads=True).new_page()
    page.goto(base_url + "/login")
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-submit")
    expect(page.locator("#agent-name")).not_to_be_empty()
    return page
