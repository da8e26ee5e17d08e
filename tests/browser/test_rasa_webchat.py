"""The standard rasa-webchat widget (npm, unchanged) embedded on a shop's own site talks to our
stack: the shop's page asks our chat server for a chat secret and gives it to the widget as
``customData``; without it the widget's messages are refused."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from pharmacy.messages import render
from pharmacy.settings import PROJECT_ROOT
from tests.conftest import SHOP_ORIGIN

WIDGET = PROJECT_ROOT / "web" / "node_modules" / "rasa-webchat" / "lib" / "index.js"
GREETING = "Evergreen Pharmacy assistant"

SHOP_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head>
<body><div id="webchat"></div><script src="/webchat.js"></script><script>
  function start(customData) {
    WebChat.default({socketUrl: "RASA_URL", socketPath: "/socket.io/", customData: customData,
                     initPayload: "/greet",
                     embedded: true, showFullScreenButton: false, params: {storage: "local"}},
                    document.getElementById("webchat"));
  }
  if (WITH_SECRET) {
    fetch("WEB_URL/api/chat-sessions", {method: "POST"}).then(function (r) { return r.json(); })
      .then(function (chat) { start({session_secret: chat.session_secret}); });
  } else {
    start({});
  }
</script></body></html>"""


@pytest.fixture(scope="module")
def shop_site(stack):
    """The shop's own web server: its page (with or without a chat secret) and the widget."""
    pages = {
        f"/{name}": SHOP_PAGE.replace("RASA_URL", stack.config.rasa_url)
        .replace("WEB_URL", stack.config.web_url)
        .replace("WITH_SECRET", flag)
        .encode()
        for name, flag in (("with-secret", "true"), ("without-secret", "false"))
    }

    class Shop(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/webchat.js":
                body, kind = WIDGET.read_bytes(), "application/javascript"
            elif self.path in pages:
                body, kind = pages[self.path], "text/html"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    port = int(SHOP_ORIGIN.rsplit(":", 1)[1])
    server = ThreadingHTTPServer(("127.0.0.1", port), Shop)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield SHOP_ORIGIN
    server.shutdown()


def open_shop_page(browser, shop_site, with_secret: bool):
    page = browser.new_context().new_page()
    page.goto(f"{shop_site}/{'with-secret' if with_secret else 'without-secret'}")
    return page


def say(page, text):
    page.locator(".rw-new-message").fill(text)
    page.keyboard.press("Enter")


def test_the_rasa_webchat_widget_on_a_shop_site_chats_with_its_secret(browser, shop_site):
    assert WIDGET.exists(), "web/node_modules is installed by `make setup`"
    page = open_shop_page(browser, shop_site, with_secret=True)
    expect(page.locator(".rw-response").first).to_contain_text(GREETING)  # its initPayload
    say(page, "side effects of metformin")
    expect(page.locator(".rw-response").last).to_contain_text("not medical advice", timeout=30000)
    page.context.close()


def test_the_widget_without_a_secret_is_told_and_gets_no_answer(browser, shop_site):
    page = open_shop_page(browser, shop_site, with_secret=False)
    expect(page.locator(".rw-response").first).to_contain_text(
        render("access.refused").text.split(":")[0]
    )
    say(page, "hi")
    expect(page.locator(".rw-response")).to_have_count(2)
    expect(page.locator(".rw-response", has_text=GREETING)).to_have_count(0)
    page.context.close()
