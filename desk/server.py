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

    GET  /login, POST /login, POST /logout         the login form, session cookie (desk.login)
    GET  /                                         the desk page (static/desk.html, desk.js)
    GET  /api/me                                   who is logged in, and the CSRF token (desk.api)
    GET  /api/queue                                open tickets this role may take
    GET  /api/tickets/{id}                         one ticket with its transcript (audited)
    POST /api/tickets/{id}/claim|reply|return|resolve
    GET  /api/canned                               canned replies
    GET  /api/events[?ticket=ID&after=MESSAGE_ID]  Server-Sent Events: queue and ticket changes
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Optional

from aiohttp import web

from desk import accounts, api, login
from desk.app_state import CLOSING, DB_URL, PAGE, POLL_SECONDS, PUSHES, SESSIONS, THROTTLE
from desk.responses import STATIC_DIR, add_headers, render, static_file
from desk.sessions import Clock, LoginThrottle, SessionStore
from pharmacy.handoff.agents import ROLES
from pharmacy.logs import configure_logging
from pharmacy.settings import env_number, load_settings

log = logging.getLogger("desk")

DEFAULT_PORT = 8081
DEFAULT_SESSION_MINUTES = 30


def create_app(database_url: Optional[str] = None, clock: Optional[Clock] = None,
               session_minutes: Optional[float] = None, demo_agents: Optional[bool] = None,
               poll_seconds: float = 1.0) -> web.Application:
    url = database_url or load_settings().database_url
    minutes = session_minutes if session_minutes is not None else env_number(
        "DESK_SESSION_MINUTES", DEFAULT_SESSION_MINUTES)
    app = web.Application(middlewares=[login.require_login], client_max_size=64 * 1024)
    app[DB_URL] = url
    app[SESSIONS] = SessionStore(url, minutes, clock)
    app[THROTTLE] = LoginThrottle(clock=clock)
    app[PAGE] = (STATIC_DIR / "desk.html").read_text(encoding="utf-8")
    app[POLL_SECONDS] = poll_seconds
    app[CLOSING] = asyncio.Event()
    app[PUSHES] = set()
    app.on_response_prepare.append(add_headers)
    if demo_agents if demo_agents is not None else accounts.demo_agents_wanted(url):
        app.on_startup.append(_create_demo_agents)
    app.on_shutdown.append(_close_live_feeds)
    app.on_cleanup.append(api.finish_pushes)

    login.add_routes(app.router)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/", desk_page)
    app.router.add_get("/static/desk.js", static_file("desk.js"))
    app.router.add_get("/static/desk.css", static_file("desk.css"))
    api.add_routes(app.router)
    return app


async def desk_page(request: web.Request) -> web.Response:
    return render(request.app, "desk")


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _create_demo_agents(app: web.Application) -> None:
    await asyncio.to_thread(accounts.ensure_demo_agents, app[DB_URL])


async def _close_live_feeds(app: web.Application) -> None:
    app[CLOSING].set()


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desk.server", description="The agent desk.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the desk (the default)")
    new_agent = commands.add_parser("create-agent", help="add a staff account")
    new_agent.add_argument("username")
    new_agent.add_argument("--role", choices=ROLES, default="agent")
    new_agent.add_argument("--name", help="name shown to shoppers, e.g. 'Dana Lee'")
    args = parser.parse_args(argv)
    configure_logging("desk")
    if args.command == "create-agent":
        return accounts.create_agent_command(args.username, args.role, args.name or args.username)
    port = int(env_number("DESK_PORT", DEFAULT_PORT, int))
    log.info("agent desk on http://localhost:%s/", port)
    web.run_app(create_app(), host=load_settings().bind_host, port=port, print=None,
                access_log=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
