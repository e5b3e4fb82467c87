"""Who the client is: its address, believed from ``X-Forwarded-For`` only when the peer is a
trusted proxy (the nginx in front). One notion for the login throttle (django-axes) and the
station API's rate limit.

The proxies trusted are a stations setting (``CMS_STATIONS["TRUSTED_PROXIES"]``, documented
in docs/stations.md): the stations app hands it over when it is ready (``trust_proxies``),
so this app imports no feature app.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Collection

from django.http import HttpRequest

#: loopback only, until an app says otherwise
DEFAULT_TRUSTED_PROXIES: tuple[str, ...] = ("127.0.0.1", "::1")
_trusted_proxies: Callable[[], Collection[str]] = lambda: DEFAULT_TRUSTED_PROXIES  # noqa: E731


def trust_proxies(getter: Callable[[], Collection[str]]) -> None:
    """Where the trusted proxies' addresses are read from (read on every request, so a
    changed setting counts at once)."""
    global _trusted_proxies
    _trusted_proxies = getter


def client_ip(request: HttpRequest) -> str:
    """The client's address; X-Forwarded-For only when the peer is a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104
    if remote in _trusted_proxies():
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        candidate = forwarded.split(",")[-1].strip() if forwarded else ""
        try:
            ipaddress.ip_address(candidate)
            return candidate
        except ValueError:
            pass
    return remote
