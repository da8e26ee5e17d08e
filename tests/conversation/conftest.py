import pytest

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
