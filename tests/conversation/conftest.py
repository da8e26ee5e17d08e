import uuid
from datetime import date

import pytest

from pharmacy.database import session_scope
from pharmacy.models import Customer
from tests.conversation.log_scan import findings, personal_data


@pytest.fixture(scope="session")
def seeded_database(stack_database: str) -> str:
    """Here the seeded database is the running stack's (see tests/conftest.py)."""
    return stack_database


@pytest.fixture(scope="session", autouse=True)
def no_personal_data_in_any_log(stack, stack_database: str):
    """After the last test: every service's log, flushed by stopping the stack, holds none of the
    demo customers' dates of birth, phones, addresses or insurance ids (issue 13, item 5)."""
    yield
    stack.stop()
    logs = sorted(stack.log_dir.glob("*.log"))
    assert {log.stem for log in logs} >= {service.name for service in stack.services}
    found = findings(logs, personal_data(stack_database))
    assert not found, "personal data in the logs:\n" + "\n".join(found[:50])


@pytest.fixture
def own_customer(seeded_database):
    """A customer of one test alone, for tests that lock verification: a lock counts per customer
    across chats, so locking a demo persona would fail other tests for 15 minutes.
    Returns (reference, date of birth as typed, phone as typed)."""
    reference = f"C-{uuid.uuid4().hex[:6]}"
    digits = f"{uuid.uuid4().int % 10**7:07d}"
    with session_scope(seeded_database) as session:
        session.add(
            Customer(
                reference=reference,
                first_name="Lee",
                last_name="Park",
                date_of_birth=date(1966, 5, 9),
                phone=f"+1-555-{digits}",
                email=f"{reference}@example.com",
            )
        )
    return reference, "05/09/1966", f"555{digits}"
