"""With ``enable_selective_domain`` (endpoints.yml) Rasa sends the domain only to ``validate_*``
actions and to those marked ``send_domain: true`` in domain.yml. The form validators read their
form's slots from it: without the domain they would validate nothing."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import yaml
from rasa.shared.core.domain import Domain
from rasa_sdk import FormValidationAction

import actions
from pharmacy.settings import PROJECT_ROOT


def _form_validators() -> list[str]:
    for module in pkgutil.iter_modules(actions.__path__):
        importlib.import_module(f"actions.{module.name}")
    found, pending = set(), list(FormValidationAction.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("actions.") and not inspect.isabstract(cls):
            found.add(cls().name())
    return sorted(found)


def test_the_action_endpoint_sends_the_domain_selectively():
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())
    assert endpoints["action_endpoint"]["enable_selective_domain"] is True


def test_every_form_validator_gets_the_domain():
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    validators = _form_validators()
    assert len(validators) >= 2  # identity and refill
    for name in validators:
        assert domain.does_custom_action_explicitly_need_domain(name), name


def test_the_other_actions_go_without_it():
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    assert not domain.does_custom_action_explicitly_need_domain("action_answer_medicine")
