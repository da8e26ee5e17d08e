"""Helpers every action uses: saying catalogue messages, running blocking work off the loop, and
answering clearly when the database is down."""

import asyncio
import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from pharmacy.messages import render

T = TypeVar("T")
log = logging.getLogger(__name__)


def say(
    dispatcher: CollectingDispatcher,
    key: str,
    extra_buttons: list[tuple[str, str]] | None = None,
    **values: Any,
) -> None:
    message = render(key, **values)
    buttons = [
        {"title": title, "payload": payload}
        for title, payload in (extra_buttons or []) + message.buttons
    ]
    dispatcher.utter_message(text=message.text, buttons=buttons or None)


async def off_loop(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Database and HTTP calls are blocking: run them in a worker thread so the action server
    keeps serving other conversations meanwhile."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(function, *args, **kwargs))


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached (the SQL error itself is left out: its parameters may
    be personal)."""


class DatabaseGuard:
    """Mixin for every action: a database outage becomes a clear answer instead of a silent turn
    (and the SDK's error log, whose SQL parameters may hold a date of birth, is never reached).

    ``class ActionX(DatabaseGuard, Action)``; the subclass's ``run`` is wrapped when defined.
    An action run by a program rather than a shopper sets ``SAYS_DATABASE_DOWN = False``: it then
    fails with ``DatabaseUnavailable`` (no SQL in the error), so its caller sees the failure.
    """

    SAYS_DATABASE_DOWN = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not getattr(cls.run, "guards_database", False):
            cls.run = _guarded(cls.run)  # type: ignore[assignment]


def _guarded(run: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(run)
    async def guarded_run(
        self: Any, dispatcher: CollectingDispatcher, tracker: Any, domain: Any
    ) -> list[dict[str, Any]]:
        try:
            result = run(self, dispatcher, tracker, domain)
            return await result if inspect.isawaitable(result) else result
        except SQLAlchemyError as error:
            log.warning("%s: database unavailable (%s)", self.name(), type(error).__name__)
            if not self.SAYS_DATABASE_DOWN:
                raise DatabaseUnavailable(self.name()) from None
            say(dispatcher, "service.database_down")
            return []

    guarded_run.guards_database = True  # type: ignore[attr-defined]
    return guarded_run
