import pytest


@pytest.fixture(scope="session")
def seeded_database(stack_database: str) -> str:
    """Here the seeded database is the running stack's (see tests/conftest.py)."""
    return stack_database
