"""When people are at the desk: HANDOFF_HOURS such as "Mon-Sat 08:00-20:00 America/New_York".

Outside those hours a handoff becomes a message or a callback request, answered when the desk
next opens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DEFAULT_HOURS = "Mon-Sat 08:00-20:00 America/New_York"
_SPEC = re.compile(r"^(\w{3})-(\w{3})\s+(\d{2}):(\d{2})-(\d{2}):(\d{2})\s+(\S+)$")


@dataclass(frozen=True)
class OpeningHours:
    first_day: int
    last_day: int
    opens: time
    closes: time  # 24:00 is stored as time.max
    zone: ZoneInfo

    @classmethod
    def parse(cls, spec: str) -> OpeningHours:
        match = _SPEC.match(spec.strip())
        if not match or match.group(1).lower() not in DAYS or match.group(2).lower() not in DAYS:
            raise ValueError(f"HANDOFF_HOURS must look like {DEFAULT_HOURS!r}, got {spec!r}")
        first, last, oh, om, ch, cm, zone = match.groups()
        closes = time.max if (ch, cm) == ("24", "00") else time(int(ch), int(cm))
        return cls(
            DAYS.index(first.lower()),
            DAYS.index(last.lower()),
            time(int(oh), int(om)),
            closes,
            ZoneInfo(zone),
        )

    def _open_day(self, weekday: int) -> bool:
        if self.first_day <= self.last_day:
            return self.first_day <= weekday <= self.last_day
        return weekday >= self.first_day or weekday <= self.last_day

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(self.zone)
        return self._open_day(local.weekday()) and self.opens <= local.time() < self.closes

    def next_opening(self, now: datetime) -> datetime:
        local = now.astimezone(self.zone)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            start = datetime.combine(day, self.opens, tzinfo=self.zone)
            if self._open_day(day.weekday()) and start > local:
                return start
        raise ValueError("opening hours never open")


def describe_next_opening(hours: OpeningHours, now: datetime | None = None) -> str:
    """'tomorrow at 8:00' or 'Monday at 8:00' (desk time)."""
    now = now or datetime.now(timezone.utc)
    opening = hours.next_opening(now)
    local_today = now.astimezone(hours.zone).date()
    if opening.date() == local_today:
        day = "today"
    elif opening.date() == local_today + timedelta(days=1):
        day = "tomorrow"
    else:
        day = f"{opening:%A}"
    return f"{day} at {opening.hour}:{opening:%M} ({hours.zone.key.split('/')[-1].replace('_', ' ')} time)"
