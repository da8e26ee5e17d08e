"""The agent desk's web app, served by aiohttp's test server on a temporary SQLite database.

Rasa is replaced by a small fake HTTP server that records the pushes it receives.
"""
from __future__ import annotations

import asyncio
import json
import re
import uuid
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import AsyncIterator, List, Tuple

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from desk.server import create_app
from pharmacy.database import prepare
from pharmacy.db import session_scope
from pharmacy.handoff import HandoffContext, HandoffReason, request_handoff
from pharmacy.handoff.agents import DeskLogin
from pharmacy.handoff.models import HandoffMessage

DEMO_TODAY = date(2026, 11, 23)
AGENT = ("agent", "agent-demo-password")
PHARMACIST = ("pharmacist", "pharmacist-demo-password")
RASA_TOKEN = "test-rasa-token"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


@pytest.fixture(scope="module")
def desk_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('desk') / 'desk.db'}"
    prepare(url, today=DEMO_TODAY)
    return url


@pytest.fixture(autouse=True)
def rasa_nowhere(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pushes go nowhere unless a test starts the fake Rasa; the token never comes from var/.
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("RASA_API_TOKEN", RASA_TOKEN)


def run(scenario) -> None:
    asyncio.run(scenario)


@asynccontextmanager
async def desk(url: str, clock: FakeClock = None) -> AsyncIterator[TestClient]:
    app = create_app(url, clock=clock, demo_agents=True, poll_seconds=0.05)
    async with TestClient(TestServer(app)) as client:
        yield client


async def log_in(client: TestClient, credentials: Tuple[str, str]) -> str:
    """Logs in through the form like a browser; returns the session's CSRF token."""
    page = await (await client.get("/login")).text()
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = await client.post("/login", allow_redirects=False, data={
        "csrf_token": form_token, "username": credentials[0], "password": credentials[1]})
    assert response.status == 303, await response.text()
    return (await (await client.get("/api/me")).json())["csrf_token"]


def open_ticket(url: str, reason: HandoffReason = HandoffReason.USER_REQUEST) -> Tuple[int, str]:
    conversation_id = f"desk-web-{uuid.uuid4()}"
    with session_scope(url) as session:
        place = request_handoff(session, HandoffContext(
            conversation_id=conversation_id, reason=reason,
            transcript=[("customer", "Where is my order?", datetime.utcnow())]),
            now=datetime.utcnow())
    return place.ticket_id, conversation_id


def post(client: TestClient, path: str, csrf: str, payload=None):
    return client.post(path, json=payload or {}, headers={"X-CSRF-Token": csrf})


def test_api_calls_without_a_session_get_401(desk_db):
    ticket_id, _ = open_ticket(desk_db)

    async def scenario():
        async with desk(desk_db) as client:
            for path in ("/api/queue", f"/api/tickets/{ticket_id}", "/api/canned", "/api/events",
                         "/api/me"):
                assert (await client.get(path)).status == 401, path
            assert (await client.post(f"/api/tickets/{ticket_id}/claim")).status == 401
            page = await client.get("/", allow_redirects=False)
            assert (page.status, page.headers["Location"]) == (303, "/login")

    run(scenario())


def test_agent_gets_403_for_a_pharmacist_only_ticket(desk_db):
    ticket_id, _ = open_ticket(desk_db, HandoffReason.PHARMACIST_ONLY)

    async def scenario():
        async with desk(desk_db) as client:
            csrf = await log_in(client, AGENT)
            assert (await client.get(f"/api/tickets/{ticket_id}")).status == 403
            assert (await post(client, f"/api/tickets/{ticket_id}/claim", csrf)).status == 403
            queue = (await (await client.get("/api/queue")).json())["tickets"]
            assert ticket_id not in {t["id"] for t in queue}
        async with desk(desk_db) as client:
            csrf = await log_in(client, PHARMACIST)
            assert (await client.get(f"/api/tickets/{ticket_id}")).status == 200
            assert (await post(client, f"/api/tickets/{ticket_id}/claim", csrf)).status == 200

    run(scenario())


def test_posts_without_the_csrf_token_are_refused(desk_db):
    ticket_id, _ = open_ticket(desk_db)

    async def scenario():
        async with desk(desk_db) as client:
            # The login form itself needs the token of the page it came from.
            refused = await client.post("/login", data={"username": AGENT[0], "password": AGENT[1]})
            assert refused.status == 403
            csrf = await log_in(client, AGENT)
            claim = f"/api/tickets/{ticket_id}/claim"
            assert (await client.post(claim)).status == 403
            assert (await post(client, claim, "not-the-token")).status == 403
            assert (await client.post(claim, data={"csrf_token": "wrong"})).status == 403
            assert (await post(client, claim, csrf)).status == 200

    run(scenario())


def test_wrong_password_does_not_log_in(desk_db):
    async def scenario():
        async with desk(desk_db) as client:
            page = await (await client.get("/login")).text()
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            response = await client.post("/login", allow_redirects=False, data={
                "csrf_token": token, "username": AGENT[0], "password": "guess"})
            assert response.status == 401
            assert "Wrong username or password." in await response.text()
            assert (await client.get("/api/queue")).status == 401

    run(scenario())


def test_cookies_and_headers_protect_the_session(desk_db):
    async def scenario():
        async with desk(desk_db) as client:
            page = await (await client.get("/login")).text()
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            response = await client.post("/login", allow_redirects=False, data={
                "csrf_token": token, "username": AGENT[0], "password": AGENT[1]})
            cookie = response.cookies["desk_session"]
            assert cookie["httponly"] and cookie["samesite"] == "Strict"
            desk_page = await client.get("/")
            assert "script-src 'self'" in desk_page.headers["Content-Security-Policy"]
            assert 'data-view="desk"' in await desk_page.text()
            assert (await client.get("/api/queue")).headers["Cache-Control"] == "no-store"

    run(scenario())


def test_session_expires_after_the_idle_time(desk_db):
    clock = FakeClock()

    async def scenario():
        async with desk(desk_db, clock) as client:
            await log_in(client, AGENT)
            clock.advance(20)
            assert (await client.get("/api/queue")).status == 200  # activity keeps it alive
            clock.advance(20)
            assert (await client.get("/api/queue")).status == 200
            clock.advance(31)
            assert (await client.get("/api/queue")).status == 401

    run(scenario())


def test_a_desk_restart_keeps_agents_logged_in_and_stores_no_usable_cookie(desk_db):
    async def scenario():
        async with desk(desk_db) as first:
            csrf = await log_in(first, AGENT)
            cookie = first.session.cookie_jar.filter_cookies(first.make_url("/"))["desk_session"].value
        with session_scope(desk_db) as session:  # only a hash of the cookie is stored
            stored = session.scalars(select(DeskLogin.token_hash)).all()
            assert cookie not in stored and len(stored) >= 1
        async with desk(desk_db) as restarted:  # a new process on the same database
            headers = {"Cookie": f"desk_session={cookie}", "X-CSRF-Token": csrf}
            me = await restarted.get("/api/me", headers=headers)
            assert me.status == 200 and (await me.json())["agent"]["role"] == "agent"
            logout = await restarted.post("/logout", headers=headers, allow_redirects=False)
            assert logout.status == 303
            assert (await restarted.get("/api/me", headers=headers)).status == 401

    run(scenario())


def test_logout_ends_the_session(desk_db):
    async def scenario():
        async with desk(desk_db) as client:
            csrf = await log_in(client, AGENT)
            response = await client.post("/logout", headers={"X-CSRF-Token": csrf},
                                         allow_redirects=False)
            assert response.status == 303
            assert (await client.get("/api/queue")).status == 401

    run(scenario())


def test_second_claim_gets_409(desk_db):
    ticket_id, _ = open_ticket(desk_db)

    async def scenario():
        async with desk(desk_db) as first, desk(desk_db) as second:
            first_csrf, second_csrf = await log_in(first, AGENT), await log_in(second, PHARMACIST)
            assert (await post(first, f"/api/tickets/{ticket_id}/claim", first_csrf)).status == 200
            assert (await post(second, f"/api/tickets/{ticket_id}/claim", second_csrf)).status == 409
            refused = await post(second, f"/api/tickets/{ticket_id}/reply", second_csrf, {"text": "hi"})
            assert refused.status == 403

    run(scenario())


def test_a_restart_loses_no_ticket_or_message(desk_db):
    ticket_id, _ = open_ticket(desk_db)

    async def scenario():
        async with desk(desk_db) as client:
            csrf = await log_in(client, AGENT)
            await post(client, f"/api/tickets/{ticket_id}/claim", csrf)
            sent = await post(client, f"/api/tickets/{ticket_id}/reply", csrf,
                              {"text": "I'm checking your order now."})
            assert sent.status == 200
        async with desk(desk_db) as client:  # a new process: no sessions, same database
            assert (await client.get(f"/api/tickets/{ticket_id}")).status == 401
            await log_in(client, AGENT)
            ticket = await (await client.get(f"/api/tickets/{ticket_id}")).json()
            assert ticket["status"] == "claimed" and ticket["claimed_by_me"]
            assert [(m["sender"], m["text"]) for m in ticket["messages"]][-1] == (
                "agent", "I'm checking your order now.")
            queue = (await (await client.get("/api/queue")).json())["tickets"]
            assert ticket_id in {t["id"] for t in queue}

    run(scenario())


class FakeRasa:
    def __init__(self) -> None:
        self.calls: List[Tuple[str, dict, dict]] = []

    async def execute(self, request: web.Request) -> web.Response:
        self.calls.append((request.path, dict(request.query), await request.json()))
        return web.json_response({"tracker": {}, "messages": []})

    async def wait_for(self, count: int) -> None:
        for _ in range(200):
            if len(self.calls) >= count:
                return
            await asyncio.sleep(0.025)


def test_claim_and_reply_push_to_rasa(desk_db, monkeypatch):
    ticket_id, conversation_id = open_ticket(desk_db)
    rasa = FakeRasa()

    async def scenario():
        fake = web.Application()
        fake.router.add_post("/conversations/{conversation_id}/execute", rasa.execute)
        async with TestServer(fake) as rasa_server:
            monkeypatch.setenv("RASA_URL", str(rasa_server.make_url("")).rstrip("/"))
            async with desk(desk_db) as client:
                csrf = await log_in(client, AGENT)
                await post(client, f"/api/tickets/{ticket_id}/claim", csrf)
                await rasa.wait_for(1)
                assert len(rasa.calls) == 1  # the join message
                await post(client, f"/api/tickets/{ticket_id}/reply", csrf, {"text": "Hello!"})
                await rasa.wait_for(2)

    run(scenario())
    assert len(rasa.calls) == 2
    for path, query, body in rasa.calls:
        assert path == f"/conversations/{conversation_id}/execute"
        assert query == {"token": RASA_TOKEN, "output_channel": "latest"}
        assert body == {"name": "action_deliver_agent_messages"}


def test_a_rasa_outage_keeps_the_reply_queued(desk_db):
    ticket_id, _ = open_ticket(desk_db)  # RASA_URL points at a closed port

    async def scenario():
        async with desk(desk_db) as client:
            csrf = await log_in(client, AGENT)
            await post(client, f"/api/tickets/{ticket_id}/claim", csrf)
            response = await post(client, f"/api/tickets/{ticket_id}/reply", csrf, {"text": "Hi"})
            assert response.status == 200

    run(scenario())
    with session_scope(desk_db) as session:
        reply = session.scalars(select(HandoffMessage).where(
            HandoffMessage.ticket_id == ticket_id, HandoffMessage.sender == "agent")).one()
        assert reply.delivered_at is None


def test_live_feed_sends_the_queue_and_new_messages(desk_db):
    ticket_id, _ = open_ticket(desk_db)

    async def scenario():
        async with desk(desk_db) as client:
            await log_in(client, AGENT)
            response = await client.get(f"/api/events?ticket={ticket_id}&after=0")
            assert response.headers["Content-Type"].startswith("text/event-stream")
            seen = await read_events(response, until="messages")
            assert ticket_id in {t["id"] for t in seen["queue"]["tickets"]}
            assert seen["ticket"]["status"] == "waiting"
            after = seen["messages"]["messages"][-1]["id"]
            with session_scope(desk_db) as session:
                session.add(HandoffMessage(ticket_id=ticket_id, sender="customer",
                                           text="Are you still there?", created_at=datetime.utcnow()))
            seen = await read_events(response, until="messages")
            assert [(m["sender"], m["text"]) for m in seen["messages"]["messages"]] == [
                ("customer", "Are you still there?")]
            assert seen["messages"]["messages"][0]["id"] > after
            response.close()

    run(scenario())


async def read_events(response, until: str) -> dict:
    """Reads Server-Sent Events up to the first ``until`` event; the last data of each kind."""
    seen, event = {}, None
    while True:
        line = (await asyncio.wait_for(response.content.readline(), timeout=5)).decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[len("event: "):]
        elif line.startswith("data: "):
            seen[event] = json.loads(line[len("data: "):])
        elif not line and event == until:
            return seen


def test_repeated_wrong_passwords_block_the_username_for_a_while(desk_db):
    clock = FakeClock()

    async def attempt(client, password) -> int:
        page = await (await client.get("/login")).text()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = await client.post("/login", allow_redirects=False, data={
            "csrf_token": token, "username": AGENT[0], "password": password})
        return response.status

    async def scenario():
        async with desk(desk_db, clock) as client:
            assert [await attempt(client, f"guess {n}") for n in range(5)] == [401] * 5
            assert await attempt(client, AGENT[1]) == 429
            clock.advance(16)
            assert await attempt(client, AGENT[1]) == 303

    run(scenario())
