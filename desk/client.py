"""Where a desk request comes from: the client's address, and whether it reached us over TLS.

Forwarded headers are believed only from the proxies in DESK_TRUSTED_PROXIES: anyone else could
write them, and would then pick their own address (and escape the login throttle) or scheme.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from aiohttp import web

from pharmacy.settings import IPNetwork


@dataclass(frozen=True)
class Forwarding:
    trusted_proxies: tuple[IPNetwork, ...] = ()
    cookie_secure: bool = False  # DESK_COOKIE_SECURE: TLS ends at a proxy we cannot see

    def address(self, request: web.Request) -> str:
        peer = request.remote or ""
        if not self._trusted(peer):
            return peer
        hops = _forwarded_for(request)
        # The nearest hop that is not one of our proxies is the client.
        for hop in reversed(hops):
            if not self._trusted(hop):
                return hop
        return hops[0] if hops else peer

    def is_https(self, request: web.Request) -> bool:
        if self.cookie_secure or request.secure:
            return True
        if not self._trusted(request.remote):
            return False
        proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0]
        return proto.strip().lower() == "https"

    def _trusted(self, address: str | None) -> bool:
        try:
            ip = ipaddress.ip_address((address or "").strip())
        except ValueError:
            return False
        return any(ip in network for network in self.trusted_proxies)


def _forwarded_for(request: web.Request) -> list[str]:
    joined = ",".join(request.headers.getall("X-Forwarded-For", []))
    return [hop.strip() for hop in joined.split(",") if hop.strip()]
