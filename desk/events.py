"""The desk page's live feed: Server-Sent Events built by polling the database.

Polling once a second keeps the feed correct whoever changed the data (another desk process, the
action server adding a shopper's message) and survives restarts: the page's EventSource reconnects
and asks for the messages after the last one it has.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from pharmacy.database import session_scope
from pharmacy.handoff.agents import Agent
from pharmacy.handoff.desk_ops import may_read, ticket_json
from pharmacy.handoff.models import HandoffTicket
from pharmacy.handoff.queue import QueueFilter, open_queue

HEARTBEAT_SECONDS = 15


def snapshot(
    database_url: str,
    agent_id: int,
    ticket_id: int | None,
    after_message_id: int,
    wanted: QueueFilter,
) -> tuple[list | None, dict[str, Any] | None]:
    """The queue as filtered and the open ticket (with its messages after ``after_message_id``).
    The ticket is None when it is gone or no longer for this agent; both are None when the agent
    no longer exists or was deactivated."""
    with session_scope(database_url) as session:
        agent = session.get(Agent, agent_id)
        if agent is None or not agent.active:
            return None, None
        queue = open_queue(session, agent, wanted)
        ticket = session.get(HandoffTicket, ticket_id) if ticket_id else None
        if ticket is None or not may_read(agent, ticket):
            return queue, None
        return queue, ticket_json(session, ticket, agent, after_message_id)


async def stream(
    request: web.Request,
    database_url: str,
    is_live,
    poll_seconds: float,
    closing: asyncio.Event,
    ticket_id: int | None,
    wanted: QueueFilter,
) -> web.StreamResponse:
    """Events: "queue" (the whole list as filtered, when it changes), "ticket" (the header of
    ``ticket_id``, when it changes), "messages" (its new lines), "ticket-gone", "expired"."""
    desk_session = request["desk_session"]
    after = int_param(request, "after") or 0
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    last_queue: list | None = None
    last_header: dict[str, Any] | None = None
    idle = 0.0
    try:
        while not closing.is_set():
            if not await asyncio.to_thread(is_live):
                await _send(response, "expired", {})
                break
            queue, ticket = await asyncio.to_thread(
                snapshot, database_url, desk_session.agent_id, ticket_id, after, wanted
            )
            if queue is None:
                await _send(response, "expired", {})
                break
            sent = False
            if queue != last_queue:
                await _send(response, "queue", {"tickets": queue})
                last_queue, sent = queue, True
            if ticket_id and ticket is None:
                await _send(response, "ticket-gone", {"id": ticket_id})
                ticket_id, sent = None, True
            elif ticket is not None:
                messages = ticket.pop("messages")
                if ticket != last_header:
                    await _send(response, "ticket", ticket)
                    last_header, sent = ticket, True
                if messages:
                    await _send(
                        response, "messages", {"ticket_id": ticket_id, "messages": messages}
                    )
                    after, sent = messages[-1]["id"], True
            idle = 0.0 if sent else idle + poll_seconds
            if idle >= HEARTBEAT_SECONDS:
                await response.write(
                    b": keep-alive\n\n"
                )  # lets proxies and the browser see a live stream
                idle = 0.0
            try:
                await asyncio.wait_for(closing.wait(), timeout=poll_seconds)
            except asyncio.TimeoutError:
                pass
    except ConnectionResetError:
        pass  # the page went away
    return response


async def _send(response: web.StreamResponse, event: str, data: dict[str, Any]) -> None:
    await response.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())


def int_param(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name, "")
    # ASCII digits only ("²" is a digit to isdigit), and no id bigger than the column holds.
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None
