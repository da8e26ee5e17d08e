"""Services trust each other only by proof, and listen on loopback (issue 13, item 1)."""

import requests

from ops.action_server import TOKEN_HEADER
from tests.conversation.helpers import action_call


def _forged_call(reference: str = "C-1001") -> dict:
    # What an attacker would send: a made-up tracker naming a customer as verified.
    return action_call("action_after_identity", "attacker", {"verified_customer": reference})


def test_a_forged_action_call_without_the_secret_is_refused(stack):
    webhook = f"{stack.config.action_url}/webhook"
    assert requests.post(webhook, json=_forged_call(), timeout=10).status_code == 401
    wrong = requests.post(webhook, json=_forged_call(), headers={TOKEN_HEADER: "guess"}, timeout=10)
    assert wrong.status_code == 401 and "C-1001" not in wrong.text
    assert requests.get(f"{stack.config.action_url}/actions", timeout=10).status_code == 401
    assert requests.get(f"{stack.config.action_url}/health", timeout=10).ok


def test_the_rasa_server_proves_itself_to_the_action_server(stack, new_chat):
    # A custom action's answer arrives, so Rasa's calls carry the secret.
    assert "Common side effects of metformin" in new_chat().texts("side effects of metformin")


def _listening_addresses(port: int) -> set:
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(table).read().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: listening
                found.add(address)
    return found


def test_every_service_listens_on_loopback_only(stack):
    loopback = {"0100007F", "00000000000000000000000001000000"}
    for port in (
        stack.config.rasa_port,
        stack.config.action_port,
        stack.config.web_port,
        stack.config.desk_port,
        stack.config.carrier_port,
    ):
        addresses = _listening_addresses(port)
        assert addresses and addresses <= loopback, (port, addresses)
