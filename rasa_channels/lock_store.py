"""Rasa's Redis lock store, safe across Rasa processes.

Rasa 3.6's ``RedisLockStore`` issues a ticket by reading the conversation's lock, adding a
ticket and writing it back, with nothing between the read and the write: two instances taking
messages of one conversation at the same moment can both get ticket 1, run both turns at once,
and Rasa's SQL tracker store then keeps only one of them (seen in tests/scale). Here every
read-modify-write of a lock happens under a short Redis mutex of that conversation.

endpoints.yml: ``lock_store: {type: rasa_channels.lock_store.AtomicRedisLockStore, url, port,
password, db}`` (ops/scaled_stack.py writes it).
"""

from __future__ import annotations

from typing import Any

from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

MUTEX_SECONDS = 10  # held for one read and one write; expires if its holder dies


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def _mutex(self, conversation_id: str) -> Any:
        return self.red.lock(
            f"{self.key_prefix}mutex:{conversation_id}",
            timeout=MUTEX_SECONDS,
            blocking_timeout=MUTEX_SECONDS,
        )

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)
