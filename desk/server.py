"""The agent desk: the web app where customer-service agents and pharmacists take over handoffs.

Run it (after ``python -m pharmacy.database prepare``):

    python -m desk.server                      # http://localhost:8081/ (DESK_PORT)
    python -m desk.server create-agent USERNAME --role pharmacist --name "Display Name"
                                               # password from DESK_NEW_PASSWORD, or asked for

Demo accounts, created at start if missing when DESK_DEMO_AGENTS=1 (the default on SQLite, off
otherwise):

    agent       / agent-demo-password        role agent: sees tickets for customer service
    pharmacist  / pharmacist-demo-password   role pharmacist: sees every ticket

Settings: DATABASE_URL, DESK_PORT (8081), DESK_SESSION_MINUTES (30 minutes of inactivity before a
logout; logins live in the database, so restarts and several desk processes keep them),
DESK_DEMO_AGENTS, RASA_URL and RASA_API_TOKEN (to push replies into the shopper's chat).

Endpoints (all but the login page need a logged-in agent; every POST needs the session's CSRF
token in the X-CSRF-Token header, or the csrf_token form field):

    GET  /login, POST /login, POST /logout         the login form, session cookie
    GET  /                                         the desk page (static/desk.html, desk.js)
    GET  /api/me                                   who is logged in, and the CSRF token
    GET  /api/queue                                open tickets this role may take
    GET  /api/tickets/{id}                         one ticket with its transcript (audited)
    POST /api/tickets/{id}/claim|reply|return|resolve
    GET  /api/canned                               canned replies
    GET  /api/events[?ticket=ID&after=MESSAGE_ID]  Server-Sent Events: queue and ticket changes
"""
from __future__ import annotations

import argparse
import asyncio
import getpass
import hmac
import html
import json
import logging
import os
import re
import secrets
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Optional

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from desk import events, rasa_push
from desk.sessions import Clock, LoginThrottle, SessionStore
from pharmacy.db import session_scope
from pharmacy.handoff import desk_ops
from pharmacy.handoff.agents import ROLES, Agent, audit, authenticate, create_agent
from pharmacy.handoff.models import HandoffTicket
from pharmacy.settings import load_settings

log = logging.getLogger("desk")

STATIC_DIR = Path(__file__).resolve().parent / "static"
SESSION_COOKIE = "desk_session"
LOGIN_COOKIE = "desk_login"  # double-submit token of the login form (no session exists yet)
LOGIN_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
EVENTS_PATH = "/api/events"
DEFAULT_PORT = 8081
DEFAULT_SESSION_MINUTES = 30
MIN_PASSWORD_CHARS = 12
DEMO_AGENTS = [
    ("agent", "Alex (demo agent)", "agent", "agent-demo-password"),
    ("pharmacist", "Sam (demo pharmacist)", "pharmacist", "pharmacist-demo-password"),
]
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# Everything this server says to staff, in one place.
MESSAGES = {
    "login_failed": "Wrong username or password.",
    "login_throttled": "Too many failed attempts for this username. Try again in 15 minutes.",
    "not_logged_in": "Your session has ended. Please log in again.",
    "csrf": "Request refused: the security token is missing or out of date. Reload the page.",
    "forbidden": "This ticket is not for your role, or you have not claimed it.",
    "not_found": "There is no such ticket.",
    "claim_taken": "A colleague has already claimed this ticket.",
    "closed": "This ticket is no longer open.",
    "bad_reply": "Write a reply of 1 to 2000 characters.",
    "bad_json": "The request body must be JSON.",
}
_STATUS_OF_REFUSAL = {
    desk_ops.TicketNotFound: (404, "not_found"),
    desk_ops.NotPermitted: (403, "forbidden"),
    desk_ops.TicketConflict: (409, "closed"),
    desk_ops.BadReply: (400, "bad_reply"),
}

_HTTP_ERRORS = {400: web.HTTPBadRequest, 401: web.HTTPUnauthorized, 403: web.HTTPForbidden,
                404: web.HTTPNotFound, 409: web.HTTPConflict}

DB_URL = web.AppKey("db_url", str)
SESSIONS = web.AppKey("sessions", SessionStore)
THROTTLE = web.AppKey("throttle", LoginThrottle)
PAGE = web.AppKey("page", str)
POLL_SECONDS = web.AppKey("poll_seconds", float)
CLOSING = web.AppKey("closing", asyncio.Event)
PUSHES = web.AppKey("pushes", set)


class _AgentGone(Exception):
    """The logged-in account was deleted or deactivated since login."""


# ------------------------------------------------------------------ the app


def create_app(database_url: Optional[str] = None, clock: Optional[Clock] = None,
               session_minutes: Optional[float] = None, demo_agents: Optional[bool] = None,
               poll_seconds: float = 1.0) -> web.Application:
    url = database_url or load_settings().database_url
    minutes = session_minutes if session_minutes is not None else _env_number(
        "DESK_SESSION_MINUTES", DEFAULT_SESSION_MINUTES)
    app = web.Application(middlewares=[_require_login], client_max_size=64 * 1024)
    app[DB_URL] = url
    app[SESSIONS] = SessionStore(url, minutes, clock)
    app[THROTTLE] = LoginThrottle(clock=clock)
    app[PAGE] = (STATIC_DIR / "desk.html").read_text(encoding="utf-8")
    app[POLL_SECONDS] = poll_seconds
    app[CLOSING] = asyncio.Event()
    app[PUSHES] = set()
    app.on_response_prepare.append(_add_headers)
    if demo_agents if demo_agents is not None else _demo_agents_wanted(url):
        app.on_startup.append(_create_demo_agents)
    app.on_shutdown.append(_close_live_feeds)
    app.on_cleanup.append(_finish_pushes)

    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/", desk_page)
    app.router.add_get("/static/desk.js", _static("desk.js"))
    app.router.add_get("/static/desk.css", _static("desk.css"))
    app.router.add_get("/api/me", api_me)
    app.router.add_get("/api/queue", api_queue)
    app.router.add_get("/api/canned", api_canned)
    app.router.add_get(r"/api/tickets/{ticket_id:\d+}", api_ticket)
    app.router.add_post(r"/api/tickets/{ticket_id:\d+}/claim", api_claim)
    app.router.add_post(r"/api/tickets/{ticket_id:\d+}/reply", api_reply)
    app.router.add_post(r"/api/tickets/{ticket_id:\d+}/return", api_return)
    app.router.add_post(r"/api/tickets/{ticket_id:\d+}/resolve", api_resolve)
    app.router.add_get(EVENTS_PATH, api_events)
    return app


def _is_public(request: web.Request) -> bool:
    return request.path in ("/login", "/healthz") or request.path.startswith("/static/")


@web.middleware
async def _require_login(request: web.Request, handler):
    if _is_public(request) or request.match_info.http_exception is not None:
        return await handler(request)  # unknown paths get their 404 without a redirect
    # The live feed polls by itself; only what the agent does keeps the session alive.
    desk_session = await asyncio.to_thread(request.app[SESSIONS].get,
                                           request.cookies.get(SESSION_COOKIE),
                                           request.path != EVENTS_PATH)
    if desk_session is None:
        if request.path.startswith("/api/"):
            return _error(401, "not_logged_in")
        return _redirect("/login")
    if request.method == "POST" and not desk_session.csrf_matches(await _offered_csrf(request)):
        log.warning("desk: POST %s without a valid CSRF token (agent %s)", request.path,
                    desk_session.agent_id)
        return _error(403, "csrf")
    request["desk_session"] = desk_session
    return await handler(request)


async def _offered_csrf(request: web.Request) -> Optional[str]:
    offered = request.headers.get(CSRF_HEADER)
    if offered is None and request.content_type in ("application/x-www-form-urlencoded",
                                                    "multipart/form-data"):
        offered = (await request.post()).get(CSRF_FIELD)
    return offered if isinstance(offered, str) else None


async def _add_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(SECURITY_HEADERS)
    if "Cache-Control" not in response.headers:
        # Tickets carry health information: nothing of it may sit in a shared or browser cache.
        response.headers["Cache-Control"] = "no-store"


# ------------------------------------------------------------------ login and pages


async def login_page(request: web.Request) -> web.Response:
    if await asyncio.to_thread(request.app[SESSIONS].get, request.cookies.get(SESSION_COOKIE)):
        return _redirect("/")
    return _login_form(request)


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    offered, expected = form.get(CSRF_FIELD), request.cookies.get(LOGIN_COOKIE)
    if not (isinstance(offered, str) and expected
            and hmac.compare_digest(offered.encode(), expected.encode())):
        return _login_form(request, "csrf", status=403)
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    throttle = request.app[THROTTLE]
    if throttle.blocked(username):
        return _login_form(request, "login_throttled", status=429)
    found = await asyncio.to_thread(_authenticate, request.app[DB_URL], username, password)
    if found is None:
        throttle.failed(username)
        return _login_form(request, "login_failed", status=401)
    throttle.succeeded(username)
    desk_session = await asyncio.to_thread(request.app[SESSIONS].create, *found)
    log.info("desk: agent %s logged in", desk_session.agent_id)
    response = _redirect("/")
    _set_cookie(request, response, SESSION_COOKIE, desk_session.token)
    response.del_cookie(LOGIN_COOKIE, path="/")
    return response


async def logout(request: web.Request) -> web.Response:
    desk_session = request["desk_session"]
    await asyncio.to_thread(request.app[SESSIONS].drop, desk_session.token)
    await _run(request, lambda session, agent: audit(session, agent.id, "logout", _now()))
    response = _redirect("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


async def desk_page(request: web.Request) -> web.Response:
    return _render(request.app, "desk")


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def _static(name: str) -> Callable:
    async def serve(_request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC_DIR / name, headers={"Cache-Control": "no-cache"})
    return serve


def _login_form(request: web.Request, error_key: str = "", status: int = 200) -> web.Response:
    # Kept while the cookie lives, so a second tab or a stray request does not void the first form.
    token = request.cookies.get(LOGIN_COOKIE, "")
    if not LOGIN_TOKEN.fullmatch(token):
        token = secrets.token_urlsafe(32)
    response = _render(request.app, "login", login_csrf=token,
                       login_error=MESSAGES[error_key] if error_key else "", status=status)
    _set_cookie(request, response, LOGIN_COOKIE, token)
    return response


def _render(app: web.Application, view: str, login_csrf: str = "", login_error: str = "",
            status: int = 200) -> web.Response:
    page = app[PAGE]
    for name, value in (("view", view), ("login_csrf", login_csrf), ("login_error", login_error),
                        ("login_error_hidden", "" if login_error else "hidden")):
        page = page.replace("{{" + name + "}}", html.escape(value))
    return web.Response(text=page, content_type="text/html", status=status)


def _authenticate(database_url: str, username: str, password: str):
    with session_scope(database_url) as session:
        agent = authenticate(session, username, password, _now())
        return (agent.id, agent.display_name, agent.role) if agent else None


# ------------------------------------------------------------------ JSON API


async def api_me(request: web.Request) -> web.Response:
    desk_session = request["desk_session"]
    return web.json_response({
        "agent": {"id": desk_session.agent_id, "display_name": desk_session.display_name,
                  "role": desk_session.role},
        "csrf_token": desk_session.csrf_token,
    })


async def api_queue(request: web.Request) -> web.Response:
    tickets = await _run(request, desk_ops.open_queue)
    return web.json_response({"tickets": tickets})


async def api_canned(_request: web.Request) -> web.Response:
    return web.json_response({"replies": desk_ops.CANNED_REPLIES})


async def api_ticket(request: web.Request) -> web.Response:
    ticket_id = int(request.match_info["ticket_id"])
    return web.json_response(await _run(
        request, lambda session, agent: desk_ops.ticket_view(session, ticket_id, agent, _now())))


async def api_claim(request: web.Request) -> web.Response:
    ticket_id = int(request.match_info["ticket_id"])

    def work(session, agent):
        won = desk_ops.claim(session, ticket_id, agent, _now())
        return won, _after_action(session, ticket_id, agent)

    won, (conversation_id, ticket) = await _run(request, work)
    if not won:
        return _error(409, "claim_taken")
    _push_later(request.app, conversation_id)
    return web.json_response(ticket)


async def api_reply(request: web.Request) -> web.Response:
    ticket_id = int(request.match_info["ticket_id"])
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "bad_json")
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        return _error(400, "bad_reply")

    def work(session, agent):
        desk_ops.reply(session, ticket_id, agent, text, _now())
        return _after_action(session, ticket_id, agent)

    return await _respond_and_push(request, work)


async def api_return(request: web.Request) -> web.Response:
    ticket_id = int(request.match_info["ticket_id"])

    def work(session, agent):
        desk_ops.return_to_bot(session, ticket_id, agent, _now())
        return _after_action(session, ticket_id, agent)

    return await _respond_and_push(request, work)


async def api_resolve(request: web.Request) -> web.Response:
    ticket_id = int(request.match_info["ticket_id"])

    def work(session, agent):
        desk_ops.resolve(session, ticket_id, agent, _now())
        return _after_action(session, ticket_id, agent)

    return await _respond_and_push(request, work)


async def api_events(request: web.Request) -> web.StreamResponse:
    app, token = request.app, request["desk_session"].token
    return await events.stream(request, app[DB_URL],
                               is_live=lambda: app[SESSIONS].get(token, touch=False) is not None,
                               poll_seconds=app[POLL_SECONDS], closing=app[CLOSING])


def _after_action(session, ticket_id: int, agent: Agent):
    """The conversation to push to, and the ticket as the page shows it after the action."""
    ticket = session.get(HandoffTicket, ticket_id, populate_existing=True)
    return ticket.conversation_id, desk_ops.ticket_json(session, ticket, agent)


async def _respond_and_push(request: web.Request, work) -> web.Response:
    conversation_id, ticket = await _run(request, work)
    _push_later(request.app, conversation_id)
    return web.json_response(ticket)


async def _run(request: web.Request, work: Callable[[Any, Agent], Any]) -> Any:
    """``work(session, agent)`` in a worker thread, in one transaction, as the logged-in agent;
    the desk's refusals become HTTP errors."""
    desk_session = request["desk_session"]

    def unit():
        with session_scope(request.app[DB_URL]) as session:
            agent = session.get(Agent, desk_session.agent_id)
            if agent is None or not agent.active:
                raise _AgentGone()
            return work(session, agent)

    try:
        return await asyncio.to_thread(unit)
    except _AgentGone:
        await asyncio.to_thread(request.app[SESSIONS].drop, desk_session.token)
        raise _refusal(401, "not_logged_in")
    except desk_ops.DeskError as refusal:
        status, key = _STATUS_OF_REFUSAL[type(refusal)]
        log.info("desk: %s refused for agent %s (%s)", request.path, desk_session.agent_id, key)
        raise _refusal(status, key)


def _push_later(app: web.Application, conversation_id: Optional[str]) -> None:
    """Ask Rasa to deliver in the background: the agent never waits on (or sees) a Rasa outage."""
    if not conversation_id:
        return
    task = asyncio.get_running_loop().create_task(
        asyncio.to_thread(rasa_push.deliver, conversation_id))
    app[PUSHES].add(task)
    task.add_done_callback(app[PUSHES].discard)


# ------------------------------------------------------------------ helpers


def _error(status: int, key: str) -> web.Response:
    return web.json_response({"error": key, "message": MESSAGES[key]}, status=status)


def _refusal(status: int, key: str) -> web.HTTPException:
    return _HTTP_ERRORS[status](text=json.dumps({"error": key, "message": MESSAGES[key]}),
                                content_type="application/json")


def _redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _set_cookie(request: web.Request, response: web.Response, name: str, value: str) -> None:
    response.set_cookie(name, value, path="/", httponly=True, samesite="Strict",
                        secure=request.secure)


def _now() -> datetime:
    return datetime.utcnow()


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a number, got {raw!r}") from error


def _demo_agents_wanted(database_url: str) -> bool:
    raw = os.environ.get("DESK_DEMO_AGENTS", "").strip()
    return raw == "1" if raw else database_url.startswith("sqlite")


async def _create_demo_agents(app: web.Application) -> None:
    await asyncio.to_thread(ensure_demo_agents, app[DB_URL])


def ensure_demo_agents(database_url: str) -> None:
    for username, name, role, password in DEMO_AGENTS:
        try:
            with session_scope(database_url) as session:
                if session.scalar(select(Agent.id).where(Agent.username == username)) is None:
                    create_agent(session, username, name, role, password)
                    log.info("desk: demo account %r created", username)
        except IntegrityError:
            pass  # another desk process created it at the same moment


async def _close_live_feeds(app: web.Application) -> None:
    app[CLOSING].set()


async def _finish_pushes(app: web.Application) -> None:
    if app[PUSHES]:
        await asyncio.gather(*app[PUSHES], return_exceptions=True)


# ------------------------------------------------------------------ command line


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desk.server", description="The agent desk.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the desk (the default)")
    new_agent = commands.add_parser("create-agent", help="add a staff account")
    new_agent.add_argument("username")
    new_agent.add_argument("--role", choices=ROLES, default="agent")
    new_agent.add_argument("--name", help="name shown to shoppers, e.g. 'Dana Lee'")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.command == "create-agent":
        return _create_agent_command(args.username, args.role, args.name or args.username)
    port = int(_env_number("DESK_PORT", DEFAULT_PORT))
    log.info("agent desk on http://localhost:%s/", port)
    web.run_app(create_app(), port=port, print=None, access_log=None)
    return 0


def _create_agent_command(username: str, role: str, display_name: str) -> int:
    password = os.environ.get("DESK_NEW_PASSWORD", "")
    if not password:
        password = getpass.getpass(f"Password for {username}: ")
        if password != getpass.getpass("Repeat it: "):
            print("The passwords differ; nothing created.", file=sys.stderr)
            return 1
    if len(password) < MIN_PASSWORD_CHARS:
        print(f"Use at least {MIN_PASSWORD_CHARS} characters; nothing created.", file=sys.stderr)
        return 1
    try:
        with session_scope() as session:
            create_agent(session, username, display_name, role, password)
    except IntegrityError:
        print(f"There is already an account {username!r}.", file=sys.stderr)
        return 1
    print(f"Created {role} account {username!r} ({display_name}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
