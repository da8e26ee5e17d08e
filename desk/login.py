"""Logging in and out of the desk: the login form, session cookies, CSRF and the login gate.

Every path but the login page, health check and static files needs a live desk session; every POST
needs the session's CSRF token (header or form field). The login form itself is protected by a
double-submit token, since no session exists yet.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import secrets

from aiohttp import web

from desk.api import run_as_agent
from desk.app_state import DB_URL, EVENTS_PATH, FORWARDING, SESSIONS, THROTTLE, now
from desk.responses import MESSAGES, error, redirect, render, set_cookie
from pharmacy.database import session_scope
from pharmacy.handoff.agents import audit, authenticate

log = logging.getLogger("desk")

SESSION_COOKIE = "desk_session"
LOGIN_COOKIE = "desk_login"  # double-submit token of the login form (no session exists yet)
LOGIN_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/login", login_page)
    router.add_post("/login", login)
    router.add_post("/logout", logout)


def _is_public(request: web.Request) -> bool:
    return request.path in ("/login", "/healthz") or request.path.startswith("/static/")


@web.middleware
async def require_login(request: web.Request, handler):
    if _is_public(request) or request.match_info.http_exception is not None:
        return await handler(request)  # unknown paths get their 404 without a redirect
    # The live feed polls by itself; only what the agent does keeps the session alive.
    desk_session = await asyncio.to_thread(
        request.app[SESSIONS].get, request.cookies.get(SESSION_COOKIE), request.path != EVENTS_PATH
    )
    if desk_session is None:
        if request.path.startswith("/api/"):
            return error(401, "not_logged_in")
        return redirect("/login")
    if request.method == "POST" and not desk_session.csrf_matches(await _offered_csrf(request)):
        log.warning(
            "desk: POST %s without a valid CSRF token (agent %s)",
            request.path,
            desk_session.agent_id,
        )
        return error(403, "csrf")
    request["desk_session"] = desk_session
    return await handler(request)


async def _offered_csrf(request: web.Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header is not None or request.content_type not in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return header
    field = (await request.post()).get(CSRF_FIELD)
    return field if isinstance(field, str) else None


async def login_page(request: web.Request) -> web.Response:
    if await asyncio.to_thread(request.app[SESSIONS].get, request.cookies.get(SESSION_COOKIE)):
        return redirect("/")
    return _login_form(request)


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    offered, expected = form.get(CSRF_FIELD), request.cookies.get(LOGIN_COOKIE)
    if not (
        isinstance(offered, str)
        and expected
        and hmac.compare_digest(offered.encode(), expected.encode())
    ):
        return _login_form(request, "csrf", status=403)
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    throttle, address = request.app[THROTTLE], request.app[FORWARDING].address(request)
    if throttle.blocked(username, address):
        log.warning("desk: login throttled for a client address")
        return _login_form(request, "login_throttled", status=429)
    found = await asyncio.to_thread(_authenticate, request.app[DB_URL], username, password)
    if found is None:
        throttle.failed(username, address)
        return _login_form(request, "login_failed", status=401)
    throttle.succeeded(username, address)
    desk_session = await asyncio.to_thread(request.app[SESSIONS].create, *found)
    log.info("desk: agent %s logged in", desk_session.agent_id)
    response = redirect("/")
    set_cookie(request, response, SESSION_COOKIE, desk_session.token)
    response.del_cookie(LOGIN_COOKIE, path="/")
    return response


async def logout(request: web.Request) -> web.Response:
    desk_session = request["desk_session"]
    await asyncio.to_thread(request.app[SESSIONS].drop, desk_session.token)
    await run_as_agent(request, lambda session, agent: audit(session, agent.id, "logout", now()))
    response = redirect("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


def _login_form(request: web.Request, error_key: str = "", status: int = 200) -> web.Response:
    # Kept while the cookie lives, so a second tab or a stray request does not void the first form.
    token = request.cookies.get(LOGIN_COOKIE, "")
    if not LOGIN_TOKEN.fullmatch(token):
        token = secrets.token_urlsafe(32)
    response = render(
        request.app,
        "login",
        login_csrf=token,
        login_error=MESSAGES[error_key] if error_key else "",
        status=status,
    )
    set_cookie(request, response, LOGIN_COOKIE, token)
    return response


def _authenticate(database_url: str, username: str, password: str):
    with session_scope(database_url) as session:
        agent = authenticate(session, username, password, now())
        return (agent.id, agent.display_name, agent.role) if agent else None
