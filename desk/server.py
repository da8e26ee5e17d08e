"""The agent desk: the web app where customer-service agents and pharmacists take over handoffs.

Run it (after ``python -m pharmacy.database prepare``):

    python -m desk.server                      # http://localhost:8081/ (DESK_PORT)
    python -m desk.accounts add --username dana --role pharmacist --name "Dana Lee"

Demo mode (DEMO_MODE=1, which `make run` turns on; refused unless BIND_HOST is loopback) creates
the demo accounts of ``desk.accounts.DEMO_AGENTS`` at start; without it they are disabled at start,
and only accounts made with ``desk.accounts add`` exist.

Settings (pharmacy.settings): DATABASE_URL, DESK_PORT, DESK_SESSION_MINUTES (inactivity before a
logout; logins live in the database, so restarts and several desk processes keep them),
DEMO_MODE, BIND_HOST, DESK_TRUSTED_PROXIES and DESK_COOKIE_SECURE (TLS at a proxy), RASA_URL and
RASA_JWT_SECRET (to push replies into the shopper's chat, pharmacy/rasa_api.py).

Endpoints (all but the login page need a logged-in agent; every POST needs the session's CSRF
token in the X-CSRF-Token header, or the csrf_token form field):

    GET  /login, POST /login, POST /logout         the login form, session cookie (desk.login)
    GET  /                                         the desk page (static/desk.html, desk.js)
    GET  /api/me                                   who is logged in, and the CSRF token (desk.api)
    GET  /api/queue[?reason=&priority=&state=&q=&collapse=0]
                                                   open tickets this role may see, one row per client
    GET  /api/filters                              the reasons, priorities and states to filter by
    GET  /api/tickets/{id}                         one ticket with its transcript (audited)
    POST /api/tickets/{id}/claim|reply|return|resolve
    GET  /api/canned                               canned replies
    GET  /api/events[?ticket=ID&after=MESSAGE_ID&<queue filters>]
                                                   Server-Sent Events: queue and ticket changes (audited)
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import suppress

from aiohttp import web

from desk import accounts, api, conversations, login, supervisor, unanswered
from desk.app_state import (
    CLOSING,
    DB_URL,
    FORWARDING,
    PAGE,
    POLL_SECONDS,
    PUSHES,
    SESSIONS,
    THROTTLE,
)
from desk.client import Forwarding
from desk.responses import STATIC_DIR, add_headers, render, static_file
from desk.sessions import Clock, LoginThrottle, SessionStore
from pharmacy.database import get_engine
from pharmacy.logs import configure_logging
from pharmacy.metrics.digest import digest
from pharmacy.rasa_api import jwt_secret
from pharmacy.settings import Settings, load_settings, start_settings

log = logging.getLogger("desk")

DIGEST_SECONDS = 60.0  # between background rounds of the dashboard's digest
STATIC_FILES = ("desk.js", "desk.css")  # all /static/ serves: nothing else of the disk


def create_app(
    database_url: str | None = None,
    clock: Clock | None = None,
    session_minutes: float | None = None,
    demo_mode: bool | None = None,
    poll_seconds: float = 1.0,
    settings: Settings | None = None,
) -> web.Application:
    settings = settings or load_settings()
    url = database_url or settings.database_url
    minutes = settings.desk_session_minutes if session_minutes is None else session_minutes
    app = web.Application(middlewares=[login.require_login], client_max_size=64 * 1024)
    app[DB_URL] = url
    app[SESSIONS] = SessionStore(url, minutes, clock)
    app[THROTTLE] = LoginThrottle(clock=clock)
    app[FORWARDING] = Forwarding(settings.desk_trusted_proxies, settings.desk_cookie_secure)
    app[PAGE] = (STATIC_DIR / "desk.html").read_text(encoding="utf-8")
    app[POLL_SECONDS] = poll_seconds
    app[CLOSING] = asyncio.Event()
    app[PUSHES] = set()
    # aiohttp 3.9 declares its signals with an older aiosignal's generics: mypy cannot match them.
    app.on_response_prepare.append(add_headers)  # type: ignore[arg-type]
    app.on_startup.append(
        _demo_accounts_at_start(settings.demo_mode if demo_mode is None else demo_mode)
    )
    app.on_shutdown.append(_close_live_feeds)  # type: ignore[arg-type]
    app.cleanup_ctx.append(_keep_digest_current)
    app.on_cleanup.append(api.finish_pushes)  # type: ignore[arg-type]

    login.add_routes(app.router)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/", desk_page)
    for name in STATIC_FILES:
        app.router.add_get(f"/static/{name}", static_file(name))
    api.add_routes(app.router)
    supervisor.add_routes(app.router)
    unanswered.add_routes(app.router)
    conversations.add_routes(app.router)
    return app


async def desk_page(request: web.Request) -> web.Response:
    return render(request.app, "desk")


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def _demo_accounts_at_start(demo_mode: bool):
    """Demo mode creates the demo accounts; any other start disables those that exist."""
    work = accounts.ensure_demo_agents if demo_mode else accounts.retire_demo_agents

    async def on_startup(app: web.Application) -> None:
        await asyncio.to_thread(work, app[DB_URL])

    return on_startup


async def _keep_digest_current(app: web.Application) -> AsyncIterator[None]:
    """Keeps the dashboard's digest of the tracker events current in the background, so that a
    supervisor's page view only digests what arrived since the last round."""

    async def rounds() -> None:
        while True:
            try:
                await asyncio.to_thread(digest, get_engine(app[DB_URL]))
            except Exception as error:  # a database outage: the next round tries again
                # The type only: the error's text can quote a shopper's message.
                log.warning("metrics digest failed (%s)", type(error).__name__)
            await asyncio.sleep(DIGEST_SECONDS)

    task = asyncio.create_task(rounds())
    yield
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task


async def _close_live_feeds(app: web.Application) -> None:
    app[CLOSING].set()


def main() -> int:
    # A bad value (e.g. demo mode off loopback) refuses to start, saying why.
    settings = start_settings("desk", check=jwt_secret)
    configure_logging("desk")
    log.info(
        "agent desk on http://%s:%s/%s",
        settings.bind_host,
        settings.desk_port,
        " (DEMO MODE)" if settings.demo_mode else "",
    )
    web.run_app(
        create_app(settings=settings),
        host=settings.bind_host,
        port=settings.desk_port,
        print=None,
        access_log=None,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
