"""The private tasks' table (actions/private_tasks.py) is complete both ways."""

import inspect

import yaml

from actions.private_tasks import PRIVATE_TASKS, TASK_HANDLERS
from pharmacy.settings import PROJECT_ROOT


def test_every_private_task_has_a_handler_and_every_handler_a_private_task():
    tasks = set(PRIVATE_TASKS.values())
    assert sorted(tasks - set(TASK_HANDLERS)) == [], "private tasks without a handler"
    assert sorted(set(TASK_HANDLERS) - tasks) == [], "handlers no intent starts"


def test_handlers_take_dispatcher_tracker_and_the_verified_customer():
    for task, handler in TASK_HANDLERS.items():
        assert inspect.iscoroutinefunction(handler), task
        assert list(inspect.signature(handler).parameters) == [
            "dispatcher",
            "tracker",
            "reference",
        ], task


def test_every_private_intent_is_an_intent_of_the_domain():
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    intents = {next(iter(i)) if isinstance(i, dict) else i for i in domain["intents"]}
    assert sorted(set(PRIVATE_TASKS) - intents) == []
