"""Socket.io and REST input channels that let a message through only past the chat gate."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager

from pharmacy.access.gate import ChatGate, Refusal
from pharmacy.messages import render
from pharmacy.settings import load_settings

log = logging.getLogger(__name__)
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
UNAVAILABLE = Refusal(503, "gate_error", "service.database_down")


async def _through_gate(check: Callable[[], Any]) -> Any:
    """Run a gate check (database work) off the event loop; a failure refuses, never crashes."""
    try:
        return await asyncio.get_running_loop().run_in_executor(None, check)
    except Exception as error:  # noqa: BLE001 - the shopper gets an answer whatever broke
        log.error("chat gate failed: %s", type(error).__name__)
        return UNAVAILABLE


def client_address(request: Request) -> str:
    """The shopper's address: the one a proxy forwarded when Sanic is told to trust it
    (``SANIC_PROXIES_COUNT``, set by the scale-out stack behind its nginx), else the peer's."""
    return request.remote_addr or request.ip


def _refusal_text(refusal: Refusal) -> str:
    return render(refusal.message_key, **refusal.values).text


async def _waiting_for_a_person(app: Any, chat_id: str) -> bool:
    """While a person has the chat, the bot's silence is expected (the agent answers)."""
    tracker = await app.ctx.agent.tracker_store.retrieve(chat_id)
    return bool(tracker and tracker.get_slot("handoff_active"))


async def run_turn(
    on_new_message: OnNewMessage, message: UserMessage, replies_sent: Callable[[], int], app: Any
) -> str | None:
    """Run one turn; the key of what to add when the shopper would otherwise be left waiting in
    silence: the turn failed (e.g. the action server is down) or is slower than the reply limit
    (it then goes on, and its answer still arrives over socket.io and in the history)."""
    turn = asyncio.ensure_future(on_new_message(message))
    done, _ = await asyncio.wait({turn}, timeout=load_settings().reply_timeout_seconds)
    if not done:
        log.warning("a turn is slower than the reply limit; the shopper was told")
        return "service.slow"
    if turn.exception() is not None:
        log.error("a turn failed: %s", type(turn.exception()).__name__)
        return "service.trouble"
    if replies_sent() == 0 and not await _waiting_for_a_person(app, message.sender_id):
        return "service.trouble"  # Rasa logged the failed action and said nothing
    return None


class CountingSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output, counting what it sends in one turn."""

    def __init__(self, sio: Any, bot_message_evt: str) -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        self.sent += 1
        await super().send_custom_json(recipient_id, json_message, **kwargs)


def share_emits_across_instances(sio: Any) -> None:
    """With SOCKETIO_REDIS_URL, every emit of this socket.io server goes through Redis to every
    Rasa instance's, and each delivers it to the sockets it holds: a desk reply or a reminder
    pushed through one instance reaches the shopper connected to another. Done before the first
    connection, when the server would start its manager."""
    settings = load_settings()
    if not settings.socketio_redis_url:
        return
    options = {"password": settings.redis_password} if settings.redis_password else {}
    manager = AsyncRedisManager(settings.socketio_redis_url, redis_options=options)
    manager.set_server(sio)
    sio.manager = manager


class GuardedSocketIOInput(SocketIOInput):
    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        channel = super().from_credentials(credentials)
        channel.gate = ChatGate()
        return channel

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        sio = self.sio
        share_emits_across_instances(sio)

        async def session_request(sid: str, data: dict | None) -> None:
            data = data if isinstance(data, dict) else {}
            chat_id = data.get("session_id")
            if not isinstance(chat_id, str) or not chat_id:
                chat_id = uuid.uuid4().hex  # a new chat: nobody's yet, bound by its first secret
            elif data.get("session_secret"):
                verdict = await _through_gate(partial(self.gate.open_chat, chat_id, data))
                if isinstance(verdict, Refusal):
                    await sio.emit("session_refused", {"reason": verdict.message_key}, room=sid)
                    return
                sio.enter_room(sid, chat_id)
            # Without a secret (the rasa-webchat widget), the socket joins the chat's room with
            # its first message that carries the secret; until then it hears nothing of it.
            await sio.emit("session_confirm", chat_id, room=sid)

        async def handle_message(sid: str, data: dict) -> None:
            data = data if isinstance(data, dict) else {}
            chat_id = data.get("session_id")
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            client = client_address(sio.get_environ(sid, self.namespace)["sanic.request"])
            verdict = await _through_gate(
                partial(self.gate.admit_message, chat_id, data.get("message", ""), metadata, client)
            )
            if isinstance(verdict, Refusal):
                log.info("socket.io message refused: %s", verdict.reason)
                await sio.emit(self.bot_message_evt, {"text": _refusal_text(verdict)}, room=sid)
                return
            sio.enter_room(sid, chat_id)
            output = CountingSocketIOOutput(sio, self.bot_message_evt)
            message = UserMessage(
                verdict.text, output, chat_id, input_channel=self.name(), metadata=verdict.metadata
            )
            app = sio.get_environ(sid, self.namespace)["sanic.request"].app
            missing = await run_turn(on_new_message, message, lambda: output.sent, app)
            if missing:
                await sio.emit(self.bot_message_evt, {"text": render(missing).text}, room=chat_id)

        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return webhook


class GuardedRestInput(InputChannel):
    """POST /webhooks/rest/webhook {"sender", "message", "metadata": {"session_secret": ...}}."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def __init__(self) -> None:
        self.gate = ChatGate()

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - Sanic raises its own error for bad JSON
                body = None
            if not isinstance(body, dict) or not isinstance(body.get("sender"), str):
                return response.json({"error": "send JSON with 'sender' and 'message'"}, status=400)
            sender = body["sender"]
            verdict = await _through_gate(
                partial(
                    self.gate.admit_message,
                    sender,
                    body.get("message"),
                    body.get("metadata"),
                    client_address(request),
                )
            )
            if isinstance(verdict, Refusal):
                log.info("REST message refused: %s", verdict.reason)
                return response.json(
                    [{"recipient_id": sender, "text": _refusal_text(verdict)}],
                    status=verdict.status,
                )
            collector = CollectingOutputChannel()
            message = UserMessage(
                verdict.text,
                collector,
                sender,
                input_channel=self.name(),
                metadata=verdict.metadata,
            )
            missing = await run_turn(
                on_new_message, message, lambda: len(collector.messages), request.app
            )
            replies = list(collector.messages)
            if missing:
                replies.append({"recipient_id": sender, "text": render(missing).text})
            return response.json(replies)

        return webhook
