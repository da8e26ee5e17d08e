"""The agent desk's web app, served by aiohttp's test server on its own test database.

Rasa is replaced by a small fake HTTP server that records the pushes it receives.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from desk.accounts import login_hint
from desk.accounts import main as accounts_main
from desk.server import create_app
from desk.server import main as server_main
from pharmacy.database import session_scope
from pharmacy.handoff import HandoffContext, HandoffReason, desk_ops, request_handoff
from pharmacy.handoff.agents import Agent, DeskAuditLog, DeskLogin, create_agent
from pharmacy.handoff.models import HandoffMessage
from pharmacy.settings import PROJECT_ROOT, load_settings

AGENT = ("agent", "agent-demo-password")
PHARMACIST = ("pharmacist", "pharmacist-demo-password")
SUPERVISOR = ("supervisor", "supervisor-demo-password")
RASA_TOKEN = "test-rasa-jwt-secret-of-32-bytes!!"
# The desk's session and queue SQL must run on PostgreSQL too (CI's `-m "db or stack"` pass).
pytestmark = pytest.mark.db


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


@pytest.fixture(scope="module")
def desk_db(desk_database: str) -> str:
    return desk_database  # TEST_DATABASE_URL's sibling when set: PostgreSQL in CI


@pytest.fixture(autouse=True)
def rasa_nowhere(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pushes go nowhere unless a test starts the fake Rasa; the token never comes from var/.
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("RASA_JWT_SECRET", RASA_TOKEN)


def run(scenario) -> None:
    asyncio.run(scenario)


@asynccontextmanager
async def desk(
    url: str, clock: FakeClock = None, demo_mode: bool = True
) -> AsyncIterator[TestClient]:
    app = create_app(url, clock=clock, demo_mode=demo_mode, poll_seconds=0.05)
    async with TestClient(TestServer(app)) as client:
        yield client


async def submit_login(client: TestClient, username: str, password: str, headers=None):
    """Posts the login form like a browser, with the form's token; the response, not followed."""
    page = await (await client.get("/login", headers=headers)).text()
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return await client.post(
        "/login",
        allow_redirects=False,
        headers=headers,
        data={"csrf_token": form_token, "username": username, "password": password},
    )


async def log_in(client: TestClient, credentials: tuple[str, str]) -> str:
    """Logs in through the form like a browser; returns the session's CSRF token."""
    response = await submit_login(client, *credentials)
    assert response.status == 303, await response.text()
    return (await (await client.get("/api/me")).json())["csrf_token"]


def open_ticket(
    url: str, reason: HandoffReason = HandoffReason.USER_REQUEST, question: str | None = None
) -> tuple[int, str]:
    conversation_id = f"desk-web-{uuid.uuid4()}"
    with session_scope(url) as session:
        place = request_handoff(
            session,
            HandoffContext(
                conversation_id=conversation_id,
                reason=reason,
                question=question,
                transcript=[("customer", "Where is my order?", datetime.utcnow())],
            ),
            now=datetime.utcnow(),
        )
    return place.ticket_id, conversation_id


def post(client: TestClient, path: str, csrf: str, payload=None):
    return client.post(path, json=payload or {}, headers={"X-CSRF-Token": csrf})


def test_api_calls_without_a_session_get_401(desk_db):
    ticket_id, _ = open_ticket(desk_db)

    async def scenario():
        async with desk(desk_db) as client:
            for path in (
                "/api/queue",
                f"/api/tickets/{ticket_id}",
                "/api/canned",
                "/api/events",
                "/api/me",
            ):
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
            response = await submit_login(client, AGENT[0], "guess")
            assert response.status == 401
            assert "Wrong username or password." in await response.text()
            assert (await client.get("/api/queue")).status == 401

    run(scenario())


def test_cookies_and_headers_protect_the_session(desk_db):
    async def scenario():
        async with desk(desk_db) as client:
            response = await submit_login(client, *AGENT)
            cookie = response.cookies["desk_session"]
            assert cookie["httponly"] and cookie["samesite"] == "Strict"
            assert not cookie["secure"]  # plain HTTP, no proxy configured
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
            cookie = first.session.cookie_jar.filter_cookies(first.make_url("/"))[
                "desk_session"
            ].value
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
            response = await client.post(
                "/logout", headers={"X-CSRF-Token": csrf}, allow_redirects=False
            )
            assert response.status == 303
            assert (await client.get("/api/queue")).status == 401

    run(scenario())


def test_second_claim_gets_409(desk_db):
    ticket_id, _ = open_ticket(desk_db)

    async def scenario():
        async with desk(desk_db) as first, desk(desk_db) as second:
            first_csrf, second_csrf = await log_in(first, AGENT), await log_in(second, PHARMACIST)
            assert (await post(first, f"/api/tickets/{ticket_id}/claim", first_csrf)).status == 200
            assert (
                await post(second, f"/api/tickets/{ticket_id}/claim", second_csrf)
            ).status == 409
            refused = await post(
                second, f"/api/tickets/{ticket_id}/reply", second_csrf, {"text": "hi"}
            )
            assert refused.status == 403

    run(scenario())


def test_a_restart_loses_no_ticket_or_message(desk_db):
    ticket_id, _ = open_ticket(desk_db)

    async def scenario():
        async with desk(desk_db) as client:
            csrf = await log_in(client, AGENT)
            await post(client, f"/api/tickets/{ticket_id}/claim", csrf)
            sent = await post(
                client,
                f"/api/tickets/{ticket_id}/reply",
                csrf,
                {"text": "I'm checking your order now."},
            )
            assert sent.status == 200
        async with desk(desk_db) as client:  # a new process: no sessions, same database
            assert (await client.get(f"/api/tickets/{ticket_id}")).status == 401
            await log_in(client, AGENT)
            ticket = await (await client.get(f"/api/tickets/{ticket_id}")).json()
            assert ticket["status"] == "claimed" and ticket["claimed_by_me"]
            assert [(m["sender"], m["text"]) for m in ticket["messages"]][-1] == (
                "agent",
                "I'm checking your order now.",
            )
            queue = (await (await client.get("/api/queue")).json())["tickets"]
            assert ticket_id in {t["id"] for t in queue}

    run(scenario())


class FakeRasa:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict, dict]] = []

    async def execute(self, request: web.Request) -> web.Response:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        claims = jwt.decode(bearer, RASA_TOKEN, algorithms=["HS256"])
        assert claims["user"]["role"] == "admin"
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
        assert query == {"output_channel": "latest"}  # the proof is in the header, not the URL
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
        reply = session.scalars(
            select(HandoffMessage).where(
                HandoffMessage.ticket_id == ticket_id, HandoffMessage.sender == "agent"
            )
        ).one()
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
                session.add(
                    HandoffMessage(
                        ticket_id=ticket_id,
                        sender="customer",
                        text="Are you still there?",
                        created_at=datetime.utcnow(),
                    )
                )
            seen = await read_events(response, until="messages")
            assert [(m["sender"], m["text"]) for m in seen["messages"]["messages"]] == [
                ("customer", "Are you still there?")
            ]
            assert seen["messages"]["messages"][0]["id"] > after
            response.close()

    run(scenario())


async def read_events(response, until: str) -> dict:
    """Reads Server-Sent Events up to the first ``until`` event; the last data of each kind."""
    seen, event = {}, None
    while True:
        line = (
            (await asyncio.wait_for(response.content.readline(), timeout=5)).decode().rstrip("\n")
        )
        if line.startswith("event: "):
            event = line[len("event: ") :]
        elif line.startswith("data: "):
            seen[event] = json.loads(line[len("data: ") :])
        elif not line and event == until:
            return seen


def test_repeated_wrong_passwords_block_the_username_from_that_address_for_a_while(desk_db):
    clock = FakeClock()

    async def attempt(client, password) -> int:
        return (await submit_login(client, AGENT[0], password)).status

    async def scenario():
        async with desk(desk_db, clock) as client:
            assert [await attempt(client, f"guess {n}") for n in range(5)] == [401] * 5
            assert await attempt(client, AGENT[1]) == 429
            clock.advance(16)
            assert await attempt(client, AGENT[1]) == 303

    run(scenario())


# ------------------------------------------------------------ demo mode and staff accounts


def test_outside_demo_mode_the_demo_accounts_are_disabled_and_logged_out(desk_db):
    async def scenario():
        async with desk(desk_db) as demo:
            await log_in(demo, AGENT)
            cookie = demo.session.cookie_jar.filter_cookies(demo.make_url("/"))[
                "desk_session"
            ].value
        async with desk(desk_db, demo_mode=False) as real:
            headers = {"Cookie": f"desk_session={cookie}"}
            assert (await real.get("/api/me", headers=headers)).status == 401
            for credentials in (AGENT, PHARMACIST, SUPERVISOR):
                assert (await submit_login(real, *credentials)).status == 401, credentials
        async with desk(desk_db) as demo_again:  # demo mode brings them back
            await log_in(demo_again, AGENT)

    run(scenario())


def test_demo_mode_is_refused_unless_the_desk_listens_on_loopback(monkeypatch, capsys):
    monkeypatch.setenv("DEMO_MODE", "1")
    monkeypatch.setenv("BIND_HOST", "0.0.0.0")
    with pytest.raises(SystemExit) as stopped:
        server_main()
    assert stopped.value.code == 2
    assert "desk: configuration error: DEMO_MODE=1 needs BIND_HOST on loopback" in (
        capsys.readouterr().err
    )
    monkeypatch.setenv("BIND_HOST", "::1")
    assert load_settings().demo_mode


def test_make_run_turns_demo_mode_on_and_refuses_it_off_loopback_before_starting():
    environment = {key: value for key, value in os.environ.items() if key != "DEMO_MODE"}
    # An impossible database: should the check be missing, the run fails there, starting nothing.
    environment.update(
        BIND_HOST="0.0.0.0",
        PYTHONPATH=str(PROJECT_ROOT),
        DATABASE_URL="sqlite:////proc/no-such-dir/pharmacy.db",
    )
    finished = subprocess.run(
        [sys.executable, "-m", "ops.run"],
        env=environment,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 2, finished.stderr
    assert "make run: configuration error: DEMO_MODE=1 needs BIND_HOST" in finished.stderr


def test_the_banner_names_the_demo_logins_only_in_demo_mode():
    assert "agent / agent-demo-password" in login_hint(demo_mode=True)
    assert "demo-password" not in login_hint(demo_mode=False)
    assert "python -m desk.accounts add" in login_hint(demo_mode=False)


def test_a_deactivated_agent_is_logged_out_at_once(desk_db):
    username, password = f"leaver-{uuid.uuid4().hex[:8]}", "a long leaver password"
    with session_scope(desk_db) as session:
        create_agent(session, username, "Leaver", "agent", password)

    async def scenario():
        async with desk(desk_db) as client:
            await log_in(client, (username, password))
            with session_scope(desk_db) as session:
                session.scalar(select(Agent).where(Agent.username == username)).active = False
            assert (await client.get("/api/me")).status == 401

    run(scenario())


def test_the_accounts_command_creates_and_disables_a_real_account(desk_db, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", desk_db)
    username = f"kim-{uuid.uuid4().hex[:8]}"
    password = "a long supervisor password"
    add = ["add", "--username", username, "--role", "supervisor", "--name", "Kim Lee"]
    assert accounts_main(add, stdin=io.StringIO("too short\n")) == 1
    assert accounts_main(add, stdin=io.StringIO(AGENT[1] + "\n")) == 1  # a published password
    assert accounts_main(add, stdin=io.StringIO(password + "\n")) == 0
    assert accounts_main(add, stdin=io.StringIO(password + "\n")) == 1  # the name is taken
    assert f"Created supervisor account '{username}' (Kim Lee)." in capsys.readouterr().out

    async def scenario():
        async with desk(desk_db, demo_mode=False) as client:
            await log_in(client, (username, password))
            me = await (await client.get("/api/me")).json()
            assert (me["agent"]["role"], me["agent"]["display_name"]) == ("supervisor", "Kim Lee")
            assert accounts_main(["disable", "--username", username]) == 0
            assert (await client.get("/api/me")).status == 401  # logged out at once
            assert (await submit_login(client, username, password)).status == 401

    run(scenario())
    assert accounts_main(["disable", "--username", "nobody-" + username]) == 1


# ------------------------------------------------------------ closed tickets, live feed audit


def resolved_by_agent(url: str) -> int:
    ticket_id, _ = open_ticket(url)
    with session_scope(url) as session:
        agent = session.scalar(select(Agent).where(Agent.username == AGENT[0]))
        desk_ops.claim(session, ticket_id, agent, datetime.utcnow())
        desk_ops.resolve(session, ticket_id, agent, datetime.utcnow())
    return ticket_id


def feed_audits(url: str, username: str) -> list[tuple[str, int | None]]:
    with session_scope(url) as session:
        return [
            tuple(row)
            for row in session.execute(
                select(DeskAuditLog.action, DeskAuditLog.ticket_id)
                .join(Agent, Agent.id == DeskAuditLog.agent_id)
                .where(Agent.username == username, DeskAuditLog.action == "open_feed")
                .order_by(DeskAuditLog.id)
            )
        ]


def test_a_closed_ticket_is_readable_only_by_its_handler_and_supervisors(desk_db):
    async def scenario():
        async with desk(desk_db) as client:  # the demo accounts exist from here on
            await log_in(client, AGENT)
        ticket_id = resolved_by_agent(desk_db)
        for credentials, status in ((AGENT, 200), (PHARMACIST, 403), (SUPERVISOR, 200)):
            async with desk(desk_db) as client:
                await log_in(client, credentials)
                response = await client.get(f"/api/tickets/{ticket_id}")
                assert response.status == status, credentials
                feed = await client.get(f"/api/events?ticket={ticket_id}&after=0")
                seen = await read_events(feed, until="messages" if status == 200 else "ticket-gone")
                assert ("messages" in seen) == (status == 200), credentials
                feed.close()

    run(scenario())


def test_opening_the_live_feed_is_audited(desk_db):
    ticket_id, _ = open_ticket(desk_db)
    before = len(feed_audits(desk_db, PHARMACIST[0]))

    async def scenario():
        async with desk(desk_db) as client:
            await log_in(client, PHARMACIST)
            for path in (
                "/api/events",
                f"/api/events?ticket={ticket_id}&after=0",
                f"/api/events?ticket={10**9}",
            ):
                feed = await client.get(path)
                await read_events(feed, until="queue")
                feed.close()

    run(scenario())
    assert feed_audits(desk_db, PHARMACIST[0])[before:] == [
        ("open_feed", None),
        ("open_feed", ticket_id),
        ("open_feed", None),
    ]


# ------------------------------------------------------------ login throttle and cookies


def test_failed_logins_lock_out_only_the_address_they_come_from(desk_db, monkeypatch):
    monkeypatch.setenv("DESK_TRUSTED_PROXIES", "127.0.0.1")  # the test client is "the proxy"
    attacker, colleague = {"X-Forwarded-For": "203.0.113.5"}, {"X-Forwarded-For": "198.51.100.7"}

    async def scenario():
        async with desk(desk_db) as client:
            failed_before = audit_count(desk_db, AGENT[0], "login_failed")
            for n in range(5):
                assert (await submit_login(client, AGENT[0], f"guess {n}", attacker)).status == 401
            assert (await submit_login(client, *AGENT, headers=attacker)).status == 429
            assert (await submit_login(client, *AGENT, headers=colleague)).status == 303
            assert audit_count(desk_db, AGENT[0], "login_failed") == failed_before + 5

    run(scenario())


def test_one_address_trying_many_usernames_is_capped(desk_db, monkeypatch):
    monkeypatch.setenv("DESK_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")
    # The client, then our two proxies: the nearest hop that is not a proxy counts.
    sprayer = {"X-Forwarded-For": "203.0.113.9, 10.0.0.2"}

    async def scenario():
        async with desk(desk_db) as client:
            for n in range(20):
                response = await submit_login(client, f"staff{n}", "password1", sprayer)
                assert response.status == 401, n
            assert (await submit_login(client, *PHARMACIST, headers=sprayer)).status == 429
            other = {"X-Forwarded-For": "203.0.113.10, 10.0.0.2"}
            assert (await submit_login(client, *PHARMACIST, headers=other)).status == 303

    run(scenario())


def test_forwarded_addresses_are_ignored_from_an_untrusted_peer(desk_db, monkeypatch):
    monkeypatch.delenv("DESK_TRUSTED_PROXIES", raising=False)

    async def scenario():
        async with desk(desk_db) as client:
            for n in range(5):
                spoofed = {"X-Forwarded-For": f"192.0.2.{n}"}
                assert (await submit_login(client, AGENT[0], "guess", spoofed)).status == 401
            fresh = {"X-Forwarded-For": "192.0.2.99"}
            assert (await submit_login(client, *AGENT, headers=fresh)).status == 429

    run(scenario())


@pytest.mark.parametrize(
    "environment, headers, secure",
    [
        ({"DESK_TRUSTED_PROXIES": "127.0.0.1"}, {"X-Forwarded-Proto": "https"}, True),
        ({"DESK_TRUSTED_PROXIES": "127.0.0.1"}, {}, False),
        ({}, {"X-Forwarded-Proto": "https"}, False),  # anyone can write the header
        ({"DESK_COOKIE_SECURE": "1"}, {}, True),
    ],
)
def test_cookies_are_secure_when_tls_ends_at_a_proxy(
    desk_db, monkeypatch, environment, headers, secure
):
    for name in ("DESK_TRUSTED_PROXIES", "DESK_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    async def scenario():
        async with desk(desk_db) as client:
            form = await client.get("/login", headers=headers)
            token = form.cookies["desk_login"].value  # a Secure cookie is not sent back over HTTP
            response = await client.post(
                "/login",
                allow_redirects=False,
                data={"csrf_token": token, "username": AGENT[0], "password": AGENT[1]},
                headers={**headers, "Cookie": f"desk_login={token}"},
            )
            assert response.status == 303
            for cookie in (form.cookies["desk_login"], response.cookies["desk_session"]):
                assert bool(cookie["secure"]) is secure
                assert cookie["httponly"] and cookie["samesite"] == "Strict"

    run(scenario())


def audit_count(url: str, username: str, action: str) -> int:
    with session_scope(url) as session:
        return session.scalar(
            select(func.count(DeskAuditLog.id))
            .join(Agent, Agent.id == DeskAuditLog.agent_id)
            .where(Agent.username == username, DeskAuditLog.action == action)
        )


# ------------------------------------------------------------ queue filters, static files


def test_the_queue_api_filters_searches_and_refuses_unknown_filters(desk_db):
    delivery, _ = open_ticket(
        desk_db, HandoffReason.DELIVERY_PROBLEM, question="Parcel EP-7777777 arrived crushed"
    )
    other, _ = open_ticket(desk_db, HandoffReason.DELIVERY_PROBLEM)

    async def scenario():
        async with desk(desk_db) as client:
            await log_in(client, AGENT)
            found = await (
                await client.get(
                    "/api/queue",
                    params={
                        "reason": "delivery_problem",
                        "priority": "2",
                        "state": "waiting",
                        "q": "ep-7777777",
                    },
                )
            ).json()
            assert [row["id"] for row in found["tickets"]] == [delivery]
            wider = await (await client.get("/api/queue?reason=delivery_problem")).json()
            assert {delivery, other} <= {row["id"] for row in wider["tickets"]}
            feed = await client.get("/api/events?q=EP-7777777")
            assert [
                row["id"] for row in (await read_events(feed, until="queue"))["queue"]["tickets"]
            ] == [delivery]
            feed.close()
            for query in ("reason=nonsense", "priority=7", "state=resolved", "q=" + "x" * 101):
                for path in ("/api/queue", "/api/events"):
                    response = await client.get(f"{path}?{query}")
                    assert response.status == 400, (path, query)
                    assert (await response.json())["error"] == "bad_filter"
            options = await (await client.get("/api/filters")).json()
            assert {"value": "delivery_problem", "text": "Delivery problem"} in options["reasons"]
            assert options["states"] == ["waiting", "claimed"]

    run(scenario())


def test_static_serves_only_the_desks_own_files(desk_db):
    async def scenario():
        async with desk(desk_db) as client:
            for name in ("desk.js", "desk.css"):
                assert (await client.get(f"/static/{name}")).status == 200
            for path in (
                "/static/desk.html",
                "/static/../accounts.py",
                "/static/%2e%2e/server.py",
                "/static/node_modules/socket.io-client/package.json",
                "/static/vendor/socket.io.min.js",
                "/static/chat.js",
            ):
                response = await client.get(path, allow_redirects=False)
                assert response.status == 404, path

    run(scenario())


def test_the_desk_keeps_the_dashboard_digest_current_in_the_background(desk_db):
    from pharmacy.metrics import TRACKER_EVENTS
    from pharmacy.metrics.models import ConversationQuarter

    sender = f"digest-{uuid.uuid4()}"
    with session_scope(desk_db) as session:
        session.execute(
            TRACKER_EVENTS.insert().values(
                sender_id=sender, type_name="user", timestamp=datetime(2099, 3, 1).timestamp()
            )
        )

    def digested() -> int:
        with session_scope(desk_db) as session:
            return session.scalar(
                select(func.count()).where(ConversationQuarter.sender_id == sender)
            )

    async def scenario():
        async with desk(desk_db):  # no page is asked for
            for _ in range(200):
                if digested():
                    return
                await asyncio.sleep(0.05)

    run(scenario())
    assert digested() == 1
