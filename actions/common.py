"""Helpers every action uses: saying catalogue messages, running blocking work off the loop, and
the error boundary that answers the shopper whatever fails."""

import asyncio
import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection
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


class ActionFailed(RuntimeError):
    """An action failed (the error's message is left out: it may carry personal data)."""


class DatabaseUnavailable(ActionFailed):
    """The database could not be reached (the SQL error itself is left out: its parameters may
    be personal)."""


class DatabaseGuard:
    """Mixin for every action: the one error boundary. Whatever fails, the shopper gets a clear
    answer instead of a silent turn: a database outage says so, any other error says something
    went wrong and offers a person. The log holds only the action's name and the error's class
    (SQL parameters and error messages may hold a date of birth), and the SDK's error log, which
    quotes them, is never reached.

    ``class ActionX(DatabaseGuard, Action)``; the subclass's ``run`` is wrapped when defined.
    An action run by a program rather than a shopper sets ``SAYS_DATABASE_DOWN = False``: it then
    fails with ``DatabaseUnavailable`` or ``ActionFailed`` (no message of the original error), so
    its caller sees the failure.
    """

    SAYS_DATABASE_DOWN = True
    run: Callable[..., Any]  # the action's, declared for the type checker (no value: no attribute)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not getattr(cls.run, "guards_database", False):
            cls.run = _guarded(cls.run)


def _guarded(run: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(run)
    async def guarded_run(
        self: Any, dispatcher: CollectingDispatcher, tracker: Any, domain: Any
    ) -> list[dict[str, Any]]:
        try:
            result = run(self, dispatcher, tracker, domain)
            return await result if inspect.isawaitable(result) else result
        except ActionExecutionRejection:  # the SDK's signal to Rasa (a form rejecting), not a fault
            raise
        except SQLAlchemyError as error:
            log.warning("%s: database unavailable (%s)", self.name(), type(error).__name__)
            if not self.SAYS_DATABASE_DOWN:
                raise DatabaseUnavailable(self.name()) from None
            say(dispatcher, "service.database_down")
            return []
        except Exception as error:
            log.error("%s: failed (%s)", self.name(), type(error).__name__)
            if not self.SAYS_DATABASE_DOWN:
                raise ActionFailed(self.name()) from None
            say(dispatcher, "service.action_failed")
            return []

    guarded_run.guards_database = True  # type: ignore[attr-defined]
    return guarded_run
