"""How many new handoff tickets one client may open per clock hour, counted in the database.

Each count is one atomic upsert with a condition (SQLite and PostgreSQL both have
``INSERT ... ON CONFLICT DO UPDATE ... WHERE``): two requests at the same moment cannot both slip
under the limit, as they could with a count followed by an insert.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pharmacy.handoff.models import TicketQuota

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def client_keys(
    conversation_id: str,
    customer_reference: str | None,
    client_address_key: str | None = None,
    per_hour: int = 5,
    per_address: int = 0,
) -> dict[str, int]:
    """Who is asking, each with its hourly limit: the conversation, the verified customer when
    there is one (a new chat does not start a customer's count again), and the client's address
    (the channel's keyed hash of it: new sender ids from one script share it; no limit if 0)."""
    keys = {f"conversation:{conversation_id}": per_hour}
    if customer_reference:
        keys[f"customer:{customer_reference}"] = per_hour
    if client_address_key and per_address > 0:
        keys[f"address:{client_address_key}"] = per_address
    return keys


def take_ticket_quota(session: Session, keys: dict[str, int], now: datetime) -> bool:
    """Count one new ticket for every key; False as soon as one key already has its limit
    (at least 1) of tickets this hour (the keys before it keep their count: a refused try counts)."""
    window = now.replace(minute=0, second=0, microsecond=0)
    session.execute(delete(TicketQuota).where(TicketQuota.window_start < window))
    return all(_count_one(session, key, window, limit) for key, limit in keys.items())


def _count_one(session: Session, key: str, window: datetime, per_hour: int) -> bool:
    insert = _INSERTS[session.get_bind().dialect.name]
    statement = insert(TicketQuota).values(client_key=key, window_start=window, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[TicketQuota.client_key, TicketQuota.window_start],
        set_={"count": TicketQuota.count + 1},
        where=TicketQuota.count < per_hour,
    )
    return session.execute(statement).rowcount == 1
