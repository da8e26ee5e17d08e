"""The Rasa server an evaluation talks to: a running stack's, or a private stack of its own."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pharmacy.rasa_api import RasaApi


@contextmanager
def evaluation_stack(
    rasa_url: str | None, caller: str, model_file: Path | None = None
) -> Iterator[tuple[RasaApi, str]]:
    """The Rasa API and the chat-session key. With rasa_url, that stack's secrets come from
    RASA_JWT_SECRET and CHAT_SESSION_KEY or the files under var/; without it a private stack
    serves model_file, or the model of the current inputs (trained first if there is none)."""
    if rasa_url:
        from pharmacy.access.config import chat_session_key
        from pharmacy.rasa_api import jwt_secret

        yield RasaApi(rasa_url.rstrip("/"), jwt_secret(), caller), chat_session_key()
        return
    from ops.model_cache import ensure_model
    from ops.stack import Stack, private_stack_config

    model = model_file.resolve() if model_file else ensure_model()
    with tempfile.TemporaryDirectory() as work:
        with Stack(private_stack_config(Path(work), model)) as stack:
            yield stack.api, stack.chat_key
