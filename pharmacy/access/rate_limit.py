"""Fixed-window message counters per key (a chat id, a client address), kept in memory.

Each Rasa process counts its own traffic; behind a load balancer the proxy's own limit (README,
"Production") bounds the whole."""

from __future__ import annotations

import threading
from collections.abc import Hashable


class RateLimiter:
    def __init__(self, limit: int, window_seconds: float, max_keys: int = 100_000):
        self.limit = limit
        self.window_seconds = window_seconds
        self.max_keys = max_keys
        self._windows: dict[Hashable, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def allow(self, key: Hashable, now: float) -> bool:
        """Count one event for ``key``; False once the window holds ``limit`` events."""
        if self.limit <= 0:
            return True
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= self.window_seconds:
                start, count = now, 0
            if count >= self.limit:
                return False
            if len(self._windows) >= self.max_keys and key not in self._windows:
                self._forget_old(now)
            self._windows[key] = (start, count + 1)
            return True

    def _forget_old(self, now: float) -> None:
        expired = [
            k for k, (start, _) in self._windows.items() if now - start >= self.window_seconds
        ]
        for key in expired:
            del self._windows[key]
        if len(self._windows) >= self.max_keys:  # a flood of fresh keys: start over
            self._windows.clear()
