"""Station tokens: creation (shown once), lookup by prefix, constant-time check, rate limit.

A token reads ``st_<prefix>_<secret>``: ``prefix`` (10 random base32 characters) finds the
row, ``secret`` (43 URL-safe characters, 256 bits) is what makes it unguessable. Only the
SHA-256 of the whole token is stored.

Failed attempts are counted in Django's default cache, separately per client address and per
token prefix. Many stations share one address behind a carrier NAT, so the address count
never stops a valid token: over the limit, an address's *failed* attempts get 429 instead of
401 (and are no longer audited one by one). Guessing the secret of one token is what the
prefix count stops: over the limit, every attempt with that prefix is refused for the window
without being checked. With the default LocMem cache the counts are per process, which
bounds a brute force by (limit × processes) per window; point ``CACHES["default"]`` at Redis
or the database cache to share them.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from cms.stations import conf
from cms.stations.models import Station, StationToken, default_token_expiry
from cms.users.models import User

TOKEN_PREFIX = "st_"  # noqa: S105 - a public marker, not a secret


@dataclass(frozen=True)
class IssuedToken:
    token: StationToken
    secret: str  # the full token string; never stored, shown to the administrator once


def hash_token(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def issue(
    station: Station,
    label: str = "",
    created_by: AbstractBaseUser | AnonymousUser | None = None,
    expires_at: datetime.datetime | None = None,
) -> IssuedToken:
    prefix = base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()[:10]
    value = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = StationToken.objects.create(
        station=station,
        label=label,
        prefix=prefix,
        token_hash=hash_token(value),
        # an anonymous request (never an admin view's) records no creator
        created_by=created_by if isinstance(created_by, User) else None,
        expires_at=expires_at or default_token_expiry(),
    )
    return IssuedToken(token=token, secret=value)


def revoke(token: StationToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


PREFIX_PATTERN = re.compile(r"[a-z2-7]{10}")


def _failure_key(ip: str) -> str:
    return f"stations:auth-failures:{ip}"


def _prefix_failure_key(prefix: str) -> str:
    return f"stations:auth-failures:prefix:{prefix}"


def token_prefix(value: str) -> str | None:
    """The prefix part of a presented token, if it has the form of one."""
    if not value.startswith(TOKEN_PREFIX):
        return None
    prefix = value[len(TOKEN_PREFIX) :].partition("_")[0]
    return prefix if PREFIX_PATTERN.fullmatch(prefix) else None


def _over_limit(key: str) -> bool:
    return int(cache.get(key, 0)) >= int(conf.get("AUTH_FAILURE_LIMIT"))


def is_rate_limited(ip: str) -> bool:
    """Too many failed tokens from this address: further failures get 429."""
    return _over_limit(_failure_key(ip))


def is_prefix_limited(prefix: str | None) -> bool:
    """Too many failed secrets for this token prefix: refused without checking."""
    return prefix is not None and _over_limit(_prefix_failure_key(prefix))


def _count(key: str) -> None:
    window = int(conf.get("AUTH_FAILURE_WINDOW_SECONDS"))
    if not cache.add(key, 1, timeout=window):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window)


def record_failure(ip: str, prefix: str | None = None) -> None:
    _count(_failure_key(ip))
    if prefix is not None:
        _count(_prefix_failure_key(prefix))


def bearer_value(request: HttpRequest) -> str | None:
    header = str(request.META.get("HTTP_AUTHORIZATION", ""))
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate(value: str, ip: str) -> StationToken | None:
    """The usable token this value is, or None (unknown, revoked, expired, inactive)."""
    if not value.startswith(TOKEN_PREFIX) or len(value) > 128:
        return None
    prefix, _sep, _secret = value[len(TOKEN_PREFIX) :].partition("_")
    try:  # one query (token and station; the prefix is unique, so no ORDER BY)
        token: StationToken | None = StationToken.objects.select_related("station").get(
            prefix=prefix, station__is_active=True
        )
    except StationToken.DoesNotExist:
        token = None
    if token is None or not hmac.compare_digest(token.token_hash, hash_token(value)):
        return None
    if not token.is_usable:
        return None
    now = timezone.now()
    # One write a minute at most: 300 stations polling must not turn reads into writes.
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        StationToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
    return token
