"""Rasa's socket.io and REST channels behind the chat gate (``pharmacy.access.gate``).

Named as the built-in channels ("socketio", "rest"), so their URLs and Rasa's output-channel
lookup stay the same, and the standard rasa-webchat widget works unchanged: it sends the chat's
secret as ``customData.session_secret``. Configured in credentials.yml.
"""

from rasa_channels.guarded import GuardedRestInput, GuardedSocketIOInput

__all__ = ["GuardedRestInput", "GuardedSocketIOInput"]
