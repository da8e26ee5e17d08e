"""The desk's API under any request a logged-in agent's browser (or a script holding its cookie)
could send: odd query strings, bodies, ticket ids and replies give a 4xx or a result, never a
server error, and every answer is JSON in which no markup is raw."""

import asyncio
import json

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given
from hypothesis import strategies as st

from desk.server import create_app
from tests.conftest import DEMO_TODAY
from tests.fuzz import strategies
from tests.unit.test_desk_server import AGENT, log_in, open_ticket

MARKUP = st.sampled_from(["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', ""])
json_values = strategies.json_values(st.text(max_size=40) | MARKUP, max_leaves=8)
queries = st.dictionaries(
    st.sampled_from(["reason", "priority", "state", "q", "collapse", "x"]),
    st.text(max_size=30) | MARKUP,
    max_size=4,
)
actions = st.sampled_from(["claim", "reply", "return", "resolve"])


class LoggedInDesk:
    def __init__(self, url: str):
        self.loop = asyncio.new_event_loop()
        self.client = TestClient(
            TestServer(create_app(url, demo_mode=True, poll_seconds=0.05)), loop=self.loop
        )
        self.loop.run_until_complete(self.client.start_server())
        self.csrf = self.loop.run_until_complete(log_in(self.client, AGENT))
        self.ticket_id, _ = open_ticket(url)

    def call(self, method: str, path: str, **kwargs):
        async def go():
            response = await self.client.request(method, path, **kwargs)
            return response.status, response.headers.get("Content-Type", ""), await response.text()

        return self.loop.run_until_complete(go())

    def close(self):
        self.loop.run_until_complete(self.client.close())
        self.loop.close()


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    from pharmacy.database import prepare

    url = f"sqlite:///{tmp_path_factory.mktemp('desk-fuzz') / 'desk.db'}"
    prepare(url, today=DEMO_TODAY)
    logged_in = LoggedInDesk(url)
    yield logged_in
    logged_in.close()


def _answered_safely(status: int, kind: str, body: str) -> None:
    assert status < 500, body
    if kind.startswith("application/json"):
        json.loads(body)
        assert "<script" not in body and "<img" not in body


@given(query=queries)
def test_any_queue_query_is_answered(desk, query):
    _answered_safely(*desk.call("GET", "/api/queue", params=query))


@given(action=actions, body=json_values, which=st.sampled_from(["own", "other", "huge"]))
def test_any_ticket_action_body_is_answered(desk, action, body, which):
    ticket = {"own": desk.ticket_id, "other": desk.ticket_id + 10_000, "huge": 10**30}[which]
    _answered_safely(
        *desk.call(
            "POST",
            f"/api/tickets/{ticket}/{action}",
            json=body,
            headers={"X-CSRF-Token": desk.csrf},
        )
    )


@given(body=st.binary(max_size=200))
def test_a_body_that_is_not_json_is_answered(desk, body):
    _answered_safely(
        *desk.call(
            "POST",
            f"/api/tickets/{desk.ticket_id}/reply",
            data=body,
            headers={"X-CSRF-Token": desk.csrf, "Content-Type": "application/json"},
        )
    )


@given(ticket=st.text(max_size=12) | st.integers(min_value=-1, max_value=10**20).map(str))
def test_the_live_feed_reads_any_ticket_parameter(desk, ticket):
    # The feed streams; only its answer to the opening request is checked here.
    async def opened():
        response = await desk.client.get("/api/events", params={"ticket": ticket})
        status = response.status
        response.close()
        return status

    assert desk.loop.run_until_complete(opened()) < 500
