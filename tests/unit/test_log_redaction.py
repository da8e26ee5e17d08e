"""Every log record of a service is redacted, whichever handler writes it (pharmacy.logs)."""

import io
import logging
import sys
import threading
import warnings

import pytest

from pharmacy.logs import configure_logging, exception_summary, install_redaction

DOB, PHONE = "March 14,1958", "503/555/0101"


@pytest.fixture
def redacting():
    """Install redaction as a service does, and undo it afterwards (it is process-wide)."""
    saved = (logging.getLogRecordFactory(), sys.excepthook, threading.excepthook)
    install_redaction()
    yield
    logging.setLogRecordFactory(saved[0])
    sys.excepthook, threading.excepthook = saved[1], saved[2]
    logging.captureWarnings(False)


def _own_handler(name: str) -> io.StringIO:
    # Like Sanic's "sanic.error": a logger with a handler of its own, added after start-up.
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return stream


def test_messages_and_their_arguments_are_redacted_on_any_handler(redacting):
    stream = _own_handler("redaction-test.args")
    logging.getLogger("redaction-test.args").info(
        "dob %s phone %s order %s", DOB, PHONE, "EP-100012"
    )
    assert stream.getvalue() == "INFO dob [date removed] phone [number removed] order EP-100012\n"


def test_an_exception_message_quoting_the_shopper_is_redacted(redacting):
    stream = _own_handler("redaction-test.exc")
    try:
        raise ValueError(f"time data {DOB!r} with phone {PHONE}")
    except ValueError:
        logging.getLogger("redaction-test.exc").exception("validation failed")
    written = stream.getvalue()
    assert "ValueError: time data '[date removed]' with phone [number removed]" in written
    assert "1958" not in written and "0101" not in written


def test_no_handler_can_render_the_raw_exception_again(redacting):
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("redaction-test.raw")
    logger.addHandler(handler)
    try:
        raise ValueError(DOB)
    except ValueError:
        logger.exception("failed")
    assert records[0].exc_info is None and DOB not in records[0].exc_text


def test_uncaught_exceptions_and_warnings_go_through_redaction(redacting, caplog):
    with caplog.at_level(logging.INFO):
        try:
            raise RuntimeError(f"crash for {PHONE}")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
        warnings.warn(f"odd date {DOB}", stacklevel=1)
    logged = caplog.text
    assert "crash for [number removed]" in logged and "odd date [date removed]" in logged
    assert PHONE not in logged and DOB not in logged


def test_installing_twice_redacts_once(redacting):
    install_redaction()
    stream = _own_handler("redaction-test.twice")
    logging.getLogger("redaction-test.twice").info("%s", "[date removed] 03/14/1958")
    assert stream.getvalue() == "INFO [date removed] [date removed]\n"


def test_configure_logging_names_the_service_and_redacts(redacting, capsys):
    saved_handlers = logging.getLogger().handlers[:]
    try:
        configure_logging("desk")
        logging.getLogger("desk").warning("callback to %s", PHONE)
        written = capsys.readouterr().err
    finally:
        logging.getLogger().handlers[:] = saved_handlers
    assert " desk desk WARNING callback to [number removed]" in written


def test_an_exception_summary_has_the_class_and_place_but_not_the_message():
    try:
        raise ValueError(f"time data {DOB!r}")
    except ValueError as error:
        summary = exception_summary(error)
    assert summary.startswith("ValueError\n") and "test_log_redaction.py" in summary
    assert "1958" not in summary
