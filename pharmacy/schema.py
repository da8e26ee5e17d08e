"""The whole database schema: importing this registers every table on ``Base.metadata``.

Table modules live with their concept (shop data, handoff, desk, refills); this is the one list of
them, used by migrations, by `reset` and by the tests.
"""

from pharmacy import models  # noqa: F401
from pharmacy.access import models as access_models  # noqa: F401
from pharmacy.handoff import agents  # noqa: F401
from pharmacy.metrics import models as metrics_models  # noqa: F401
from pharmacy.models import Base
from pharmacy.refills import models as refill_models  # noqa: F401

metadata = Base.metadata
