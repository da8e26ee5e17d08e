"""The desk's JSON API: the queue, one ticket, and what an agent does with it.

Every handler runs its database work through ``run_as_agent``: one transaction in a worker thread,
as the logged-in agent, with the desk's refusals turned into HTTP errors.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from desk import events, rasa_push
from desk.app_state import CLOSING, DB_URL, EVENTS_PATH, POLL_SECONDS, PUSHES, SESSIONS, now
from desk.responses import error, refusal
from pharmacy.database import session_scope
from pharmacy.handoff import desk_ops
from pharmacy.handoff.agents import Agent
from pharmacy.handoff.models import HandoffTicket
from pharmacy.handoff.queue import BadFilter, QueueFilter, filter_options, open_queue

log = logging.getLogger("desk")

_STATUS_OF_REFUSAL = {
    desk_ops.TicketNotFound: (404, "not_found"),
    desk_ops.NotPermitted: (403, "forbidden"),
    desk_ops.TicketConflict: (409, "closed"),
    desk_ops.BadReply: (400, "bad_reply"),
}


class _AgentGone(Exception):
    """The logged-in account was deleted or deactivated since login."""


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/api/me", api_me)
    router.add_get("/api/queue", api_queue)
    router.add_get("/api/canned", api_canned)
    router.add_get("/api/filters", api_filters)
    router.add_get(r"/api/tickets/{ticket_id:\d{1,9}}", api_ticket)
    router.add_post(r"/api/tickets/{ticket_id:\d{1,9}}/claim", api_claim)
    router.add_post(r"/api/tickets/{ticket_id:\d{1,9}}/reply", api_reply)
    router.add_post(r"/api/tickets/{ticket_id:\d{1,9}}/return", api_return)
    router.add_post(r"/api/tickets/{ticket_id:\d{1,9}}/resolve", api_resolve)
    router.add_get(EVENTS_PATH, api_events)


async def api_me(request: web.Request) -> web.Response:
    desk_session = request["desk_session"]
    return web.json_response(
        {
            "agent": {
                "id": desk_session.agent_id,
                "display_name": desk_session.display_name,
                "role": desk_session.role,
            },
            "csrf_token": desk_session.csrf_token,
        }
    )


async def api_queue(request: web.Request) -> web.Response:
    wanted = _queue_filter(request)
    tickets = await run_as_agent(request, lambda session, agent: open_queue(session, agent, wanted))
    return web.json_response({"tickets": tickets})


async def api_canned(_request: web.Request) -> web.Response:
    return web.json_response({"replies": desk_ops.CANNED_REPLIES})


async def api_filters(_request: web.Request) -> web.Response:
    return web.json_response(filter_options())


async def api_ticket(request: web.Request) -> web.Response:
    ticket_id = int(request.match_info["ticket_id"])
    return web.json_response(
        await run_as_agent(
            request, lambda session, agent: desk_ops.ticket_view(session, ticket_id, agent, now())
        )
    )


async def api_claim(request: web.Request) -> web.Response:
    ticket_id = int(request.match_info["ticket_id"])

    def work(session, agent):
        won = desk_ops.claim(session, ticket_id, agent, now())
        return won, _after_action(session, ticket_id, agent)

    won, (conversation_id, ticket) = await run_as_agent(request, work)
    if not won:
        return error(409, "claim_taken")
    _push_later(request.app, conversation_id)
    return web.json_response(ticket)


async def api_reply(request: web.Request) -> web.Response:
    ticket_id = int(request.match_info["ticket_id"])
    try:
        body = await request.json()
    except ValueError:
        return error(400, "bad_json")
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        return error(400, "bad_reply")

    def work(session, agent):
        desk_ops.reply(session, ticket_id, agent, text, now())
        return _after_action(session, ticket_id, agent)

    return await _respond_and_push(request, work)


def _ticket_action(operation: Callable) -> Callable:
    """A POST handler that runs ``operation(session, ticket_id, agent, now)`` and answers with the
    ticket, pushing any change into the shopper's chat."""

    async def handler(request: web.Request) -> web.Response:
        ticket_id = int(request.match_info["ticket_id"])

        def work(session, agent):
            operation(session, ticket_id, agent, now())
            return _after_action(session, ticket_id, agent)

        return await _respond_and_push(request, work)

    return handler


api_return = _ticket_action(desk_ops.return_to_bot)
api_resolve = _ticket_action(desk_ops.resolve)


async def api_events(request: web.Request) -> web.StreamResponse:
    app, token = request.app, request["desk_session"].token
    wanted, ticket_id = _queue_filter(request), events.int_param(request, "ticket")
    # A read like any other: who opened the feed, when, and which ticket it follows.
    await run_as_agent(
        request, lambda session, agent: desk_ops.open_feed(session, agent, ticket_id, now())
    )
    return await events.stream(
        request,
        app[DB_URL],
        is_live=lambda: app[SESSIONS].get(token, touch=False) is not None,
        poll_seconds=app[POLL_SECONDS],
        closing=app[CLOSING],
        ticket_id=ticket_id,
        wanted=wanted,
    )


def _queue_filter(request: web.Request) -> QueueFilter:
    try:
        return QueueFilter.parse(request.query)
    except BadFilter:
        raise refusal(400, "bad_filter") from None


def _after_action(session, ticket_id: int, agent: Agent):
    """The conversation to push to, and the ticket as the page shows it after the action."""
    ticket = session.get(HandoffTicket, ticket_id, populate_existing=True)
    return ticket.conversation_id, desk_ops.ticket_json(session, ticket, agent)


async def _respond_and_push(request: web.Request, work) -> web.Response:
    conversation_id, ticket = await run_as_agent(request, work)
    _push_later(request.app, conversation_id)
    return web.json_response(ticket)


async def run_as_agent(request: web.Request, work: Callable[[Any, Agent], Any]) -> Any:
    """``work(session, agent)`` in a worker thread, in one transaction, as the logged-in agent;
    the desk's refusals become HTTP errors."""
    desk_session = request["desk_session"]

    def unit():
        with session_scope(request.app[DB_URL]) as session:
            agent = session.get(Agent, desk_session.agent_id)
            if agent is None or not agent.active:
                raise _AgentGone()
            return work(session, agent)

    try:
        return await asyncio.to_thread(unit)
    except _AgentGone:
        await asyncio.to_thread(request.app[SESSIONS].drop, desk_session.token)
        raise refusal(401, "not_logged_in") from None
    except desk_ops.DeskError as refused:
        status, key = _STATUS_OF_REFUSAL[type(refused)]
        log.info("desk: %s refused for agent %s (%s)", request.path, desk_session.agent_id, key)
        raise refusal(status, key) from None


def _push_later(app: web.Application, conversation_id: str | None) -> None:
    """Ask Rasa to deliver in the background: the agent never waits on (or sees) a Rasa outage."""
    if not conversation_id:
        return
    task = asyncio.get_running_loop().create_task(
        asyncio.to_thread(rasa_push.deliver, conversation_id)
    )
    app[PUSHES].add(task)
    task.add_done_callback(app[PUSHES].discard)


async def finish_pushes(app: web.Application) -> None:
    if app[PUSHES]:
        await asyncio.gather(*app[PUSHES], return_exceptions=True)
