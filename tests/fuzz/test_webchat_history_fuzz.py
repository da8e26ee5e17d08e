"""The chat history reads any tracker Rasa returns (user metadata comes from the client) and
answers JSON in which no markup is raw; the page then shows every text with textContent."""

import asyncio
import json
import os

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given
from hypothesis import strategies as st

from pharmacy.access.chat_sessions import issue_secret
from pharmacy.database import migrate
from webchat.server import conversation_messages, create_app

MARKUP = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "</p><img src=x onerror=alert(1)>",
        "&lt;b&gt;",
        "\u2028",
        "/help",
        "/",
        "\n\n",
        "",
    ]
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text() | MARKUP,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
buttons = (
    st.lists(
        st.fixed_dictionaries(
            {}, optional={"title": json_values | MARKUP, "payload": json_values | MARKUP}
        )
    )
    | json_values
)
events = st.lists(
    st.fixed_dictionaries(
        {"event": st.sampled_from(["user", "bot", "slot", "action"])},
        optional={
            "text": json_values | MARKUP,
            "metadata": st.fixed_dictionaries({}, optional={"button_title": json_values | MARKUP})
            | json_values,
            "data": st.fixed_dictionaries(
                {}, optional={"buttons": buttons, "quick_replies": buttons}
            )
            | json_values,
        },
    )
    | json_values,
    max_size=8,
)
trackers = st.fixed_dictionaries({"events": events | json_values}) | json_values


class HistoryPage:
    """The web chat server in front of a fake Rasa that answers with the tracker given."""

    def __init__(self):
        self.secret = issue_secret(os.environ["CHAT_SESSION_KEY"])
        self.loop = asyncio.new_event_loop()
        self.tracker = None
        rasa = web.Application()
        rasa.router.add_get("/conversations/{session}/tracker", self._tracker)
        self.rasa = TestServer(rasa, loop=self.loop)
        self.loop.run_until_complete(self.rasa.start_server())
        os.environ["RASA_URL"] = str(self.rasa.make_url("")).rstrip("/")  # read by create_app
        self.client = TestClient(TestServer(create_app(), loop=self.loop), loop=self.loop)
        self.loop.run_until_complete(self.client.start_server())

    async def _tracker(self, _request):
        return web.json_response(self.tracker)

    def get(self, tracker):
        self.tracker = tracker

        async def fetch():
            response = await self.client.get(
                "/api/history/session-0001", headers={"X-Chat-Secret": self.secret}
            )
            return response.status, response.headers, await response.text()

        return self.loop.run_until_complete(fetch())

    def close(self):
        self.loop.run_until_complete(self.client.close())
        self.loop.run_until_complete(self.rasa.close())
        self.loop.close()


@pytest.fixture(scope="module")
def history_page(database_url):
    """The page holds the chat's secret, so every answer is the history itself."""
    migrate(database_url)
    names = ("RASA_URL", "DATABASE_URL", "CHAT_SESSION_KEY")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update({"DATABASE_URL": database_url, "CHAT_SESSION_KEY": "fuzz-chat-key"})
    page = HistoryPage()
    yield page
    page.close()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _well_formed(message):
    assert message["from"] in ("user", "bot") and isinstance(message["text"], str)
    assert set(message) <= {"from", "text", "buttons"}
    for button in message.get("buttons", []):
        assert isinstance(button["title"], str) and isinstance(button["payload"], str)


@given(events | json_values)
def test_any_events_become_messages_of_plain_strings(raw_events):
    for message in conversation_messages(raw_events):
        _well_formed(message)


@given(trackers)
def test_the_history_answer_is_json_with_no_raw_markup(history_page, tracker):
    status, headers, body = history_page.get(tracker)
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert not {"<", ">", "&"} & set(body)
    messages = json.loads(body)["messages"]
    expected = tracker.get("events") if isinstance(tracker, dict) else None
    assert messages == conversation_messages(expected)
    for message in messages:
        _well_formed(message)
