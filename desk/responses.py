"""How the desk answers: its words to staff, security headers, pages, errors and cookies."""

from __future__ import annotations

import html
import json
from pathlib import Path

from aiohttp import web

from desk.app_state import FORWARDING, PAGE

STATIC_DIR = Path(__file__).resolve().parent / "static"
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
    "login_throttled": "Too many failed attempts from your network. Try again in 15 minutes.",
    "not_logged_in": "Your session has ended. Please log in again.",
    "csrf": "Request refused: the security token is missing or out of date. Reload the page.",
    "forbidden": "This ticket is not for your role, or you have not claimed it.",
    "not_found": "There is no such ticket.",
    "claim_taken": "A colleague has already claimed this ticket.",
    "closed": "This ticket is no longer open.",
    "bad_reply": "Write a reply of 1 to 2000 characters.",
    "bad_json": "The request body must be JSON.",
    "supervisor_only": "The service dashboard is for supervisors only.",
    "bad_intent": "An intent name is lower case letters, digits and underscores.",
    "bad_filter": "Unknown queue filter, or a search of more than 100 characters.",
}
_HTTP_ERRORS = {
    400: web.HTTPBadRequest,
    401: web.HTTPUnauthorized,
    403: web.HTTPForbidden,
    404: web.HTTPNotFound,
    409: web.HTTPConflict,
}


async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(SECURITY_HEADERS)
    if "Cache-Control" not in response.headers:
        # Tickets carry health information: nothing of it may sit in a shared or browser cache.
        response.headers["Cache-Control"] = "no-store"


def render(
    app: web.Application, view: str, login_csrf: str = "", login_error: str = "", status: int = 200
) -> web.Response:
    page = app[PAGE]
    for name, value in (
        ("view", view),
        ("login_csrf", login_csrf),
        ("login_error", login_error),
        ("login_error_hidden", "" if login_error else "hidden"),
    ):
        page = page.replace("{{" + name + "}}", html.escape(value))
    return web.Response(text=page, content_type="text/html", status=status)


def static_file(name: str):
    async def serve(_request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC_DIR / name, headers={"Cache-Control": "no-cache"})

    return serve


def error(status: int, key: str) -> web.Response:
    return web.json_response({"error": key, "message": MESSAGES[key]}, status=status)


def refusal(status: int, key: str) -> web.HTTPException:
    return _HTTP_ERRORS[status](
        text=json.dumps({"error": key, "message": MESSAGES[key]}), content_type="application/json"
    )


def redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def set_cookie(request: web.Request, response: web.Response, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=request.app[FORWARDING].is_https(request),
    )
