"""Logging for every service, with personal data removed from every record (pharmacy rules 2).

``configure_logging(service)`` is the first thing each service's ``main`` does. Redaction is a
log record factory rather than a handler filter: Sanic's loggers bring handlers of their own,
coloredlogs and Rasa replace the root handler, and a factory sees every record whichever handler
later writes it. The message, the exception text and the stack are redacted; the time and the
logger's name are ours, not the shopper's.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from typing import Any

from pharmacy.privacy import redact

LOG_FORMAT = "%(asctime)s {service} %(name)s %(levelname)s %(message)s"
_plain = logging.Formatter()


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message, exception and stack text redacted, arguments merged in."""
    try:
        message = record.getMessage()
    except Exception:  # arguments that do not fit the format: keep the format only
        message = str(record.msg)
    record.msg, record.args = redact(message), ()
    if record.exc_info:
        # Rendered now so that no handler renders the raw exception (its message may quote input).
        record.exc_text = redact(_plain.formatException(record.exc_info))
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


class _RedactingFactory:
    def __init__(self, inner: Any):
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(self.inner(*args, **kwargs))


def _log_uncaught(kind, value, trace) -> None:
    logging.getLogger("uncaught").critical("uncaught exception", exc_info=(kind, value, trace))


def install_redaction() -> None:
    """Redact every log record this process makes from now on (idempotent). Uncaught exceptions
    and warnings, which Python writes to stderr itself, go through logging instead."""
    current = logging.getLogRecordFactory()
    if not isinstance(current, _RedactingFactory):
        logging.setLogRecordFactory(_RedactingFactory(current))
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = lambda hook: _log_uncaught(
        hook.exc_type, hook.exc_value, hook.exc_traceback
    )


def configure_logging(service: str, level: int = logging.INFO) -> None:
    """Redaction, then one stderr handler with the service's name in every line."""
    install_redaction()
    logging.basicConfig(
        level=level, stream=sys.stderr, force=True, format=LOG_FORMAT.format(service=service)
    )


def exception_summary(error: BaseException) -> str:
    """Where an exception happened and its class, without its message (which may quote what the
    shopper typed): for logs and error answers."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"{type(error).__name__}\n{frames}".rstrip()
