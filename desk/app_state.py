"""What the desk app holds between requests, and the clock and settings it reads."""
from __future__ import annotations

import asyncio
import os
from datetime import datetime

from aiohttp import web

from desk.sessions import LoginThrottle, SessionStore

DB_URL = web.AppKey("db_url", str)
SESSIONS = web.AppKey("sessions", SessionStore)
THROTTLE = web.AppKey("throttle", LoginThrottle)
PAGE = web.AppKey("page", str)
POLL_SECONDS = web.AppKey("poll_seconds", float)
CLOSING = web.AppKey("closing", asyncio.Event)
PUSHES = web.AppKey("pushes", set)


def now() -> datetime:
    return datetime.utcnow()


def env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a number, got {raw!r}") from error
