"""The supervisor's view of one conversation, where an unanswered question links to: its
transcript from the tracker store, redacted as the desk's ticket transcripts are
(``pharmacy.handoff.transcript``), and the desk's own view of each of its tickets. Audited."""

from __future__ import annotations

import asyncio
import json
from html import escape
from urllib.parse import quote

from aiohttp import web
from sqlalchemy import select

from desk.app_state import DB_URL, now
from desk.responses import refusal
from desk.supervisor import is_supervisor
from pharmacy.database import session_scope
from pharmacy.handoff.agents import audit
from pharmacy.handoff.models import HandoffTicket
from pharmacy.handoff.transcript import transcript_lines
from pharmacy.metrics.records import TRACKER_EVENTS, has_tracker_store

SENDER_WORDS = {"customer": "Customer", "bot": "Assistant"}
MAX_LINES = 500


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/supervisor/conversations/{conversation_id}", conversation_page)


def conversation_link(conversation_id: str) -> str:
    return "/supervisor/conversations/" + quote(conversation_id, safe="")


async def conversation_page(request: web.Request) -> web.Response:
    conversation_id = request.match_info["conversation_id"]
    desk_session = request["desk_session"]

    def unit():
        with session_scope(request.app[DB_URL]) as session:
            if not is_supervisor(session, desk_session.agent_id):
                return None
            audit(session, desk_session.agent_id, "view_conversation", now())
            events = TRACKER_EVENTS.c
            rows = (
                session.execute(
                    select(events.type_name, events.timestamp, events.data)
                    .where(
                        events.sender_id == conversation_id,
                        events.type_name.in_(("user", "bot")),
                    )
                    .order_by(events.id)
                    .limit(MAX_LINES)
                ).all()
                if has_tracker_store(session)
                else []
            )
            lines = transcript_lines(
                {**json.loads(data or "{}"), "event": kind, "timestamp": stamp}
                for kind, stamp, data in rows
            )
            tickets = session.scalars(
                select(HandoffTicket.id)
                .where(HandoffTicket.conversation_id == conversation_id)
                .order_by(HandoffTicket.id)
            ).all()
            return lines, list(tickets)

    found = await asyncio.to_thread(unit)
    if found is None:
        raise refusal(403, "supervisor_only")
    lines, tickets = found
    body = "".join(
        f'<div class="line from-{sender}"><span class="sender">{SENDER_WORDS[sender]}</span>'
        f'<span class="text">{escape(text)}</span>'
        f'<time datetime="{at.isoformat()}Z">{at:%Y-%m-%d %H:%M}</time></div>'
        for sender, text, at in lines
    )
    ticket_links = "".join(
        f'<li><a class="ticket-link" href="/?ticket={t}">Ticket {t} in the desk</a></li>'
        for t in tickets
    )
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Conversation</title>"
        '<link rel="stylesheet" href="/static/desk.css"></head><body class="supervisor">'
        f"<h1>Conversation {escape(conversation_id)}</h1>"
        '<p><a href="/supervisor/unanswered">Unanswered questions</a></p>'
        + (f'<ul class="tickets">{ticket_links}</ul>' if ticket_links else "")
        + f'<div id="transcript" class="transcript">{body or "<p>No messages stored.</p>"}</div>'
        "</body></html>"
    )
    return web.Response(text=page, content_type="text/html")
