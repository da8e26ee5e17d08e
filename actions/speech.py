"""Sends catalogue messages through the Rasa SDK dispatcher."""
from rasa_sdk.executor import CollectingDispatcher

from pharmacy.messages import render


def say(dispatcher: CollectingDispatcher, key: str, **values: object) -> None:
    message = render(key, **values)
    buttons = [{"title": title, "payload": payload} for title, payload in message.buttons]
    dispatcher.utter_message(text=message.text, buttons=buttons or None)
