"""Serves the shopper's chat page, opens chat sessions, and returns a chat's history.

The page talks to Rasa directly over socket.io. This server adds what a browser must not do
itself: it issues each chat's secret (``POST /api/chat-sessions``), reads a conversation's history
with the Rasa API token (only for the holder of that chat's secret, and without identity
factors), and ends a chat (``POST /api/chat-sessions/<id>/end``), which ends its verification.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from pharmacy.access import chat_sessions
from pharmacy.access.config import chat_session_key
from pharmacy.access.rate_limit import RateLimiter
from pharmacy.database import session_scope
from pharmacy.logs import configure_logging
from pharmacy.privacy import redact
from pharmacy.rasa_api import RasaApi, jwt_secret
from pharmacy.settings import PROJECT_ROOT, Settings, load_settings, start_settings

log = logging.getLogger("webchat")

WEB_DIR = PROJECT_ROOT / "web"
SOCKET_IO_CLIENT = WEB_DIR / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
SECRET_HEADER = "X-Chat-Secret"
# Slots the identity form fills with what the shopper typed (actions/identity.py).
IDENTITY_SLOTS = ("dob_input", "possession_input")
IDENTITY_PLACEHOLDER = "[identity details hidden]"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self' http: https: ws: wss:; img-src 'self' data:; "
        "style-src 'self'; script-src 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def conversation_messages(events: Any) -> list[dict[str, Any]]:
    """The user and bot messages of a tracker's events, in order, as the page shows them.
    Any shape of events is read (metadata comes from the client): every text is a string."""
    messages: list[dict[str, Any]] = []
    last_user: dict[str, Any] | None = None
    for event in events if isinstance(events, list) else []:
        event = _mapping(event)
        kind = event.get("event")
        if kind == "slot" and last_user is not None and _answers_identity(event):
            # The message filled the identity check (a date of birth, an order or Rx number, a
            # phone): it is not shown again, whatever form it took.
            last_user["text"] = IDENTITY_PLACEHOLDER
        if kind == "user":
            text = _text(event.get("text"))
            if text.startswith("/"):
                # A button payload: show the title the shopper clicked, kept by the page as metadata.
                text = _text(_mapping(event.get("metadata")).get("button_title")) or text
            # Personal data in any message is not shown again either.
            last_user = {"from": "user", "text": redact(text)}
            messages.append(last_user)
        elif kind == "bot":
            data = _mapping(event.get("data"))
            # Rasa's channels send a text with blank lines as several messages; show it the same.
            parts = [p for p in _text(event.get("text")).strip().split("\n\n") if p] or [""]
            for part in parts[:-1]:
                messages.append({"from": "bot", "text": part})
            message: dict[str, Any] = {"from": "bot", "text": parts[-1]}
            buttons = data.get("buttons") or data.get("quick_replies")
            if isinstance(buttons, list) and buttons:
                message["buttons"] = [
                    {"title": _text(b.get("title")), "payload": _text(b.get("payload"))}
                    for b in map(_mapping, buttons)
                ]
            messages.append(message)
    return messages


def _answers_identity(event: dict[str, Any]) -> bool:
    value = event.get("value")
    return (
        event.get("name") in IDENTITY_SLOTS
        and isinstance(value, str)
        and value not in ("verified", "locked")
    )


def html_safe_json(value: Any) -> str:
    """JSON in which no "<", ">" or "&" appears raw, so that no browser can read markup in it."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@web.middleware
async def _security_headers(request: web.Request, handler):
    response = await handler(request)
    response.headers.update(SECURITY_HEADERS)
    return response


async def index(_request: web.Request) -> web.StreamResponse:
    return web.FileResponse(WEB_DIR / "index.html", headers={"Cache-Control": "no-cache"})


async def socket_io_client(_request: web.Request) -> web.StreamResponse:
    if not SOCKET_IO_CLIENT.exists():
        raise web.HTTPServiceUnavailable(text="socket.io client missing: run `make setup`")
    return web.FileResponse(SOCKET_IO_CLIENT)


async def page_config(request: web.Request) -> web.Response:
    settings: Settings = request.app["settings"]
    # The browser reaches Rasa on the host it reached this page on, unless told otherwise.
    public_rasa = settings.rasa_public_url or (
        f"{request.scheme}://{_hostname(request.host)}:{settings.rasa_port}"
    )
    return web.json_response(
        {
            "rasaUrl": public_rasa,
            "socketPath": "/socket.io/",
            "maxMessageChars": settings.max_message_chars,
        },
        headers={"Cache-Control": "no-store"},
    )


def _hostname(host_header: str) -> str:
    """The host part of a Host header ("[::1]:8080" -> "[::1]", "example.org:80" -> "example.org")."""
    if host_header.startswith("["):
        return host_header[: host_header.index("]") + 1]
    return host_header.split(":", 1)[0]


def _client(request: web.Request) -> str:
    return request.remote or "unknown"


async def open_chat_session(request: web.Request) -> web.Response:
    """A new chat id and its secret; the page (or a shop's page with the rasa-webchat widget)
    sends the secret with every message as metadata ``session_secret``."""
    if not request.app["session_limiter"].allow(_client(request), time.monotonic()):
        raise web.HTTPTooManyRequests(text="too many new chats from this address")
    return web.json_response(
        {
            "session_id": str(uuid.uuid4()),
            "session_secret": chat_sessions.issue_secret(request.app["chat_key"]),
        },
        headers={"Cache-Control": "no-store"},
    )


def _admission(key: str, chat_id: str, secret: object) -> chat_sessions.Admission:
    with session_scope() as session:
        return chat_sessions.admit(session, chat_id, secret, key, datetime.utcnow())


async def _require_owner(request: web.Request) -> str:
    """The chat id of the request, once its secret proves the caller holds that chat."""
    chat_id = request.match_info["session_id"]
    if not chat_sessions.is_chat_id(chat_id):
        raise web.HTTPBadRequest(text="invalid session id")
    admission = await asyncio.to_thread(
        _admission, request.app["chat_key"], chat_id, request.headers.get(SECRET_HEADER)
    )
    if admission is chat_sessions.Admission.ENDED:
        raise web.HTTPGone(text="this chat has ended")
    if admission is not chat_sessions.Admission.ADMITTED:
        raise web.HTTPForbidden(text="this chat is not yours")
    return chat_id


def _end(chat_id: str) -> None:
    with session_scope() as session:
        chat_sessions.end_chat(session, chat_id, datetime.utcnow())


async def end_chat_session(request: web.Request) -> web.Response:
    chat_id = await _require_owner(request)
    await asyncio.to_thread(_end, chat_id)
    return web.json_response({"ended": True}, headers={"Cache-Control": "no-store"})


async def history(request: web.Request) -> web.Response:
    session_id = await _require_owner(request)
    rasa: RasaApi = request.app["rasa"]
    try:
        async with request.app["http"].get(
            rasa.conversation_url(session_id, "tracker"),
            params={"include_events": "ALL"},
            headers=rasa.headers(),
            timeout=aiohttp.ClientTimeout(total=10),
        ) as response:
            if response.status != 200:
                log.warning("history for a session: Rasa answered %s", response.status)
                raise web.HTTPBadGateway(text="conversation history unavailable")
            tracker = await response.json()
    except (aiohttp.ClientError, ValueError) as error:  # ValueError: a body that is not JSON
        log.warning("history: Rasa unreachable (%s)", type(error).__name__)
        raise web.HTTPBadGateway(text="conversation history unavailable") from error
    return web.json_response(
        {"messages": conversation_messages(_mapping(tracker).get("events"))},
        headers={"Cache-Control": "no-store"},
        dumps=html_safe_json,
    )


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _open_http(app: web.Application):
    app["http"] = aiohttp.ClientSession()
    yield
    await app["http"].close()


@web.middleware
async def _allowed_origins(request: web.Request, handler):
    """The shop's own sites (CHAT_ALLOWED_ORIGINS) may open chats and read their history;
    preflight requests are answered here."""
    origin = request.headers.get("Origin")
    allowed = origin in request.app["origins"]
    if request.method == "OPTIONS" and request.path.startswith("/api/"):
        response = web.Response(status=204 if allowed else 403)
    else:
        response = await handler(request)
    if allowed and origin is not None and request.path.startswith("/api/"):
        response.headers.update(
            {
                "Access-Control-Allow-Origin": origin,
                "Vary": "Origin",
                "Access-Control-Allow-Headers": f"Content-Type, {SECRET_HEADER}",
                "Access-Control-Allow-Methods": "GET, POST",
            }
        )
    return response


def create_app(settings: Settings | None = None) -> web.Application:
    settings = settings or load_settings()
    app = web.Application(
        middlewares=[_security_headers, _allowed_origins], client_max_size=64 * 1024
    )
    app["settings"] = settings
    app["chat_key"] = chat_session_key(settings)
    app["rasa"] = RasaApi.from_settings("web", settings)
    app["origins"] = frozenset(settings.chat_allowed_origins)
    app["session_limiter"] = RateLimiter(settings.chat_sessions_per_hour, 3600)
    app.cleanup_ctx.append(_open_http)
    app.router.add_get("/", index)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/config.json", page_config)
    app.router.add_post("/api/chat-sessions", open_chat_session)
    app.router.add_post("/api/chat-sessions/{session_id}/end", end_chat_session)
    app.router.add_get("/api/history/{session_id}", history)
    app.router.add_get("/static/vendor/socket.io.min.js", socket_io_client)
    # Only the page's own files: node_modules and anything else under web/ stay private.
    for name in ("chat.js", "chat.css"):
        app.router.add_get(f"/static/{name}", _static_file(WEB_DIR, name))
    return app


def _static_file(folder: Path, name: str):
    async def serve(_request: web.Request) -> web.StreamResponse:
        return web.FileResponse(folder / name, headers={"Cache-Control": "no-cache"})

    return serve


def main() -> None:
    settings = start_settings("web", check=_load_secrets)
    configure_logging("web")
    web.run_app(
        create_app(settings),
        host=settings.bind_host,
        port=settings.web_port,
        print=None,
        access_log=None,
    )


def _load_secrets(settings: Settings) -> None:
    chat_session_key(settings)
    jwt_secret(settings)


if __name__ == "__main__":
    main()
