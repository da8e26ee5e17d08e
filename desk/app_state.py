"""What the desk app holds between requests, and the clock it stamps with."""

from __future__ import annotations

import asyncio
from datetime import datetime

from aiohttp import web

from desk.client import Forwarding
from desk.sessions import LoginThrottle, SessionStore

EVENTS_PATH = "/api/events"  # the live feed: polled by the page, so it keeps no session alive
DB_URL = web.AppKey("db_url", str)
SESSIONS = web.AppKey("sessions", SessionStore)
THROTTLE = web.AppKey("throttle", LoginThrottle)
FORWARDING = web.AppKey("forwarding", Forwarding)
PAGE = web.AppKey("page", str)
POLL_SECONDS = web.AppKey("poll_seconds", float)
CLOSING = web.AppKey("closing", asyncio.Event)
PUSHES = web.AppKey("pushes", set)


def now() -> datetime:
    return datetime.utcnow()
