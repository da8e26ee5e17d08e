"""Helpers every action uses: saying catalogue messages, and running blocking work off the loop."""
import asyncio
import functools
from typing import Any, Callable, List, Optional, Tuple, TypeVar

from rasa_sdk.executor import CollectingDispatcher

from pharmacy.messages import render

T = TypeVar("T")


def say(dispatcher: CollectingDispatcher, key: str,
        extra_buttons: Optional[List[Tuple[str, str]]] = None, **values: Any) -> None:
    message = render(key, **values)
    buttons = [{"title": title, "payload": payload}
               for title, payload in (extra_buttons or []) + message.buttons]
    dispatcher.utter_message(text=message.text, buttons=buttons or None)


async def off_loop(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Database and HTTP calls are blocking: run them in a worker thread so the action server
    keeps serving other conversations meanwhile."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(function, *args, **kwargs))
