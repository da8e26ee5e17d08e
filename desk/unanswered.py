"""The supervisor's unanswered questions: groups of messages the assistant did not understand,
marked with the intent they should have been, and exported as Rasa NLU YAML for review.

Marks travel in the export form itself (one field per group), so nothing is stored: the groups
are computed again from the same range on export, in the same order."""

from __future__ import annotations

import asyncio
from html import escape

from aiohttp import web

from desk.app_state import DB_URL
from desk.conversations import conversation_link
from desk.responses import error, refusal
from desk.supervisor import _window, is_supervisor, window_of
from pharmacy.database import session_scope
from pharmacy.metrics import DateRange
from pharmacy.metrics.records import has_tracker_store
from pharmacy.metrics.unanswered import Group, group, nlu_yaml, unanswered_messages
from pharmacy.privacy import redact

SHOWN = 100  # groups on the page
SHOWN_LINKS = 5  # conversations linked per group


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/supervisor/unanswered", unanswered_page)
    router.add_post("/supervisor/unanswered.yml", unanswered_export)


async def _groups(request: web.Request, window: DateRange) -> list[Group]:
    desk_session = request["desk_session"]

    def unit():
        with session_scope(request.app[DB_URL]) as session:
            if not is_supervisor(session, desk_session.agent_id):
                return None
            if not has_tracker_store(session):
                return []
            return group(unanswered_messages(session, window.since, window.until))[:SHOWN]

    groups = await asyncio.to_thread(unit)
    if groups is None:
        raise refusal(403, "supervisor_only")
    return groups


async def unanswered_page(request: web.Request) -> web.Response:
    window = _window(request)
    groups = await _groups(request, window)
    csrf = request["desk_session"].csrf_token
    rows = "".join(
        f'<tr class="group"><td>{g.count}</td><td>{escape(redact(g.example))}</td>'
        f"<td>{escape(', '.join(sorted({m.why for m in g.messages})))}</td>"
        "<td>"
        + " ".join(
            f'<a class="conversation" href="{escape(conversation_link(m.conversation_id))}">'
            f"{escape(m.conversation_id)}</a>"
            for m in g.messages[:SHOWN_LINKS]
        )
        + "</td>"
        f'<td><input name="mark_{i}" placeholder="intent, e.g. faq_pets" '
        f'pattern="[a-z][a-z0-9_]*"></td></tr>'
        for i, g in enumerate(groups)
    )
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Unanswered questions</title>"
        '<link rel="stylesheet" href="/static/desk.css"></head><body class="supervisor">'
        "<h1>Unanswered questions</h1>"
        f'<p><a href="/supervisor?from={window.first}&amp;to={window.last}">Dashboard</a></p>'
        '<form method="post" action="/supervisor/unanswered.yml">'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf)}">'
        f'<input type="hidden" name="from" value="{window.first}">'
        f'<input type="hidden" name="to" value="{window.last}">'
        "<table><thead><tr><th>Count</th><th>Example</th><th>Why</th><th>Conversations</th>"
        "<th>Should be intent</th></tr></thead><tbody>"
        + rows
        + '</tbody></table><button type="submit">Export marked as NLU YAML</button></form>'
        "</body></html>"
    )
    return web.Response(text=page, content_type="text/html")


async def unanswered_export(request: web.Request) -> web.Response:
    form = await request.post()
    window = window_of(form)
    groups = await _groups(request, window)
    marked = []
    for i, grp in enumerate(groups):
        intent = str(form.get(f"mark_{i}", "")).strip()
        if intent:
            marked.append((intent, grp))
    try:
        text = nlu_yaml(marked)
    except ValueError:
        return error(400, "bad_intent")
    return web.Response(
        text=text,
        content_type="application/x-yaml",
        headers={"Content-Disposition": 'attachment; filename="unanswered_nlu.yml"'},
    )
