"""Inputs the fuzz tests share: any text, text made of the characters parsers look for, and
long text up to the 20,000 characters a channel may pass on."""

from hypothesis import strategies as st

LONGEST_INPUT = 20_000
_TRICKY = list("0123456789/-.,:()+# \t\n'’`") + [
    "st",
    "th",
    "EP-",
    "RX",
    "rx ",
    "March ",
    "sept",
    "\u017f",
    "\uff11",
    "\u0663",
    "ﬁ",
    "İ",
    "<",
    "&",
]

tricky_text = st.lists(st.sampled_from(_TRICKY) | st.text(max_size=3), max_size=40).map("".join)
long_text = st.builds(
    lambda chunk, times: (chunk * times)[:LONGEST_INPUT],
    st.text(min_size=1, max_size=30) | tricky_text.filter(bool),
    st.integers(min_value=1, max_value=LONGEST_INPUT),
)

# Dates as typed, with the calendar's edges over-represented: leap days, centuries, the future.
_year = st.integers(0, 9999) | st.sampled_from([1900, 2000, 2024, 2100, 2400, 9996])
_month = st.integers(0, 13) | st.just(2)
_day = st.integers(0, 32) | st.sampled_from([28, 29, 30, 31])
date_shaped = st.builds(
    lambda month, day, year, separator, padded, two_digit_year: separator.join(
        [
            f"{month:02d}" if padded else str(month),
            f"{day:02d}" if padded else str(day),
            f"{year % 100:02d}" if two_digit_year else str(year),
        ]
    ),
    _month,
    _day,
    _year,
    st.sampled_from(["/", "-", "."]),
    st.booleans(),
    st.booleans(),
) | st.builds(lambda year, month, day: f"{year}-{month}-{day}", _year, _month, _day)

any_text = st.text() | tricky_text | long_text | date_shaped


SHORT_TEXT = st.text(max_size=30)


def json_values(leaves=SHORT_TEXT, max_leaves: int = 12):
    """Anything JSON can carry, nested, with ``leaves`` among its strings (e.g. markup)."""
    return st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | leaves,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
        ),
        max_leaves=max_leaves,
    )
