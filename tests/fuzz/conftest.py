"""One fixed hypothesis profile for every property and fuzz test: the same inputs on every run
and machine (derandomized, no example database), no deadline (CI machines are shared)."""

from hypothesis import settings

MAX_EXAMPLES = 400

settings.register_profile(
    "pharmacy",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=MAX_EXAMPLES,
    print_blob=True,
)
settings.load_profile("pharmacy")
