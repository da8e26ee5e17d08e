import logging

import pytest

from pharmacy.privacy import RedactingFilter, redact


@pytest.mark.parametrize("text", ["03/14/1958", "3-14-58", "1958-03-14", "March 14, 1958",
                                  "14th march 1958", "mar 14 1958"])
def test_dates_of_birth_are_removed(text):
    assert redact(f"my dob is {text} ok") == "my dob is [date removed] ok"


@pytest.mark.parametrize("text", ["+1-503-555-0101", "(503) 555-0101", "5035550101"])
def test_phone_numbers_are_removed(text):
    assert "555" not in redact(f"call me on {text}")


def test_order_and_rx_numbers_and_ordinary_text_stay():
    text = "where is EP-100012? my rx is RX1000003, it's 20 mg twice a day"
    assert redact(text) == text


def test_insurance_ids_are_removed():
    assert redact("member EVG12345678") == "member [insurance id removed]"


def test_log_filter_redacts_formatted_messages(caplog):
    logger = logging.getLogger("privacy-test")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="privacy-test"):
        logger.info("verification for %s with %s", "EP-100012", "03/14/1958")
    assert caplog.records[0].getMessage() == "verification for EP-100012 with [date removed]"
