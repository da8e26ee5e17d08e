"""The closed loop: ``concurrency`` workers, each running one conversation after another (a new
sender id each) over Rasa's REST channel until the level's time is up."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from ops.load.scripts import Script, Turn, schedule
from pharmacy.access.chat_sessions import SECRET_METADATA_KEY, issue_secret
from pharmacy.access.login_tokens import METADATA_KEY as LOGIN_TOKEN_KEY


@dataclass(frozen=True)
class Target:
    """An assistant to load: its Rasa URL, the chat session key if its channel signs chats,
    and how to log a customer in (a login token for a reference)."""

    name: str
    rasa_url: str
    chat_key: str | None = None
    login_token: Callable[[str], str] | None = None


@dataclass(frozen=True)
class TurnResult:
    skill: str
    ms: float
    # "http 500", "timeout", "connection", "bad body", "no reply text", "no button"
    error: str | None = None


def _button(replies: list[dict[str, Any]], wanted: str) -> str | None:
    buttons = [b for r in replies for b in r.get("buttons") or [] if b.get("payload")]
    for b in buttons:
        if wanted in b["payload"] or wanted in str(b.get("title", "")):
            return str(b["payload"])
    return str(buttons[0]["payload"]) if buttons else None


def run_conversation(
    target: Target,
    script: Script,
    http: requests.Session,
    deadline: float,
    timeout: float,
    record: Callable[[TurnResult], None],
) -> None:
    """One conversation; it stops at its first error (later turns depend on the replies)."""
    sender = f"load-{uuid.uuid4()}"
    metadata: dict[str, Any] = {}
    if target.chat_key:
        metadata[SECRET_METADATA_KEY] = issue_secret(target.chat_key)
    first: dict[str, Any] = {}
    if script.login and target.login_token:
        first[LOGIN_TOKEN_KEY] = target.login_token(script.login)
    replies: list[dict[str, Any]] = []
    for index, turn in enumerate(script.turns):
        if time.monotonic() >= deadline:
            return
        text = _text_of(turn, replies)
        if text is None:
            record(TurnResult(script.skill, 0.0, "no button"))
            return
        started = time.perf_counter()
        error = None
        try:
            response = http.post(
                f"{target.rasa_url}/webhooks/rest/webhook",
                json={
                    "sender": sender,
                    "message": text,
                    "metadata": {**metadata, **(first if index == 0 else {})},
                },
                timeout=timeout,
            )
            if response.status_code != 200:
                error = f"http {response.status_code}"
            else:
                replies = response.json()
                if not any(r.get("text") for r in replies):
                    error = "no reply text"
        except requests.Timeout:
            error = "timeout"
        except requests.RequestException:
            error = "connection"
        except ValueError:  # a 200 whose body is not JSON
            error = "bad body"
        record(TurnResult(script.skill, (time.perf_counter() - started) * 1000, error))
        if error:
            return


def _text_of(turn: Turn, replies: list[dict[str, Any]]) -> str | None:
    if turn.button is None:
        return turn.text
    return _button(replies, turn.button)


@dataclass
class LevelRun:
    concurrency: int
    elapsed_s: float
    conversations: int
    turns: list[TurnResult]


def run_level(
    target: Target,
    scripts: list[Script],
    concurrency: int,
    seconds: float,
    timeout: float = 30.0,
) -> LevelRun:
    order = schedule(scripts)
    results: list[TurnResult] = []
    conversations = [0] * concurrency
    lock = threading.Lock()

    def record(result: TurnResult) -> None:
        with lock:
            results.append(result)

    started = time.monotonic()
    deadline = started + seconds

    def work(worker: int) -> None:
        # Keep-alive connections, as a page holds its socket; one session per thread.
        with requests.Session() as http:
            position = worker * 7  # spread the workers over the schedule
            while time.monotonic() < deadline:
                script = scripts[order[position % len(order)]]
                run_conversation(target, script, http, deadline, timeout, record)
                conversations[worker] += 1
                position += 1

    workers = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return LevelRun(concurrency, time.monotonic() - started, sum(conversations), results)
