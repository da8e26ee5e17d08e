"""The Rasa server an evaluation talks to: a running stack's, or a private stack of its own."""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Collection, Iterator
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


def read_labelled(path: Path, field: str, allowed: Collection[str]) -> list[tuple[str, str, str]]:
    """(id, text, label) of each line of a JSONL evaluation file; an unknown label stops the run
    with the file and line, before any stack is started."""
    rows = []
    # Lines end at "\n" only: str.splitlines would also cut at a post's own U+2028 or U+0085.
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row[field] not in allowed:
            raise SystemExit(f"{path}:{number}: unknown {field} {row[field]!r}")
        rows.append((str(row.get("id", number)), row["text"], row[field]))
    return rows


def evaluation_arguments(doc: str | None) -> argparse.ArgumentParser:
    """The arguments every evaluation takes: the file, which stack, how many chats at once."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--rasa-url", help="a running stack's Rasa server (default: a private one)")
    parser.add_argument(
        "--model-file", type=Path, help="serve this trained model (default: the current inputs')"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    return parser
