"""Push: stations hear of a package the moment it becomes available to them.

The fan-out is nginx's nchan module, not this app: each station's sync client holds one
Server-Sent Events connection to ``/api/stations/v1/push/<station id>`` (an nchan subscriber
location in nginx, ``deploy/nginx/cms.conf``), and nginx keeps thousands of those idle
connections for a few kilobytes each, where gunicorn would need a thread per station. nginx
asks this app whether a subscriber may listen (``authorize``: the station's bearer token, and
only for its own channel); the app tells nginx when a package is available (``notify``, after
commit) by POSTing one small JSON message to nchan's publisher location, which listens on
loopback only. See docs/stations.md "Push".

A message is the package id, its class and queue priority, and the API path of its manifest:
the client then runs its usual pass (list, download, verify), so nothing it receives by push
is trusted beyond "something new is there". Each station has its own channel (``station-<id>``):
there is no broadcast channel, because targeting is per station and a broadcast would tell
every station about packages it may not see (the API answers those with a plain 404).

Polling stays the fallback: the client also polls at its ``--interval``, and a failed
publish (nginx down, no nchan) is logged and otherwise ignored.
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.parse
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from cms.security.clients import client_ip
from cms.stations import conf, tokens
from cms.stations.models import BroadcastPackage
from cms.stations.responses import api_not_found

logger = logging.getLogger(__name__)

#: nchan multiplexes at most 255 channels per request, their ids together at most 1,024
#: characters (it answers 403 beyond); stay below both.
CHANNELS_PER_REQUEST = 200
CHANNEL_IDS_LENGTH = 1000


def batches(channels: Sequence[str]) -> list[list[str]]:
    """``channels`` in groups nchan accepts in one publish request."""
    groups: list[list[str]] = [[]]
    length = 0
    for name in channels:
        if groups[-1] and (
            len(groups[-1]) >= CHANNELS_PER_REQUEST or length + 1 + len(name) > CHANNEL_IDS_LENGTH
        ):
            groups.append([])
            length = 0
        length += len(name) + (1 if groups[-1] else 0)
        groups[-1].append(name)
    return [group for group in groups if group]


def channel(station_id: int) -> str:
    return f"station-{station_id}"


def enabled() -> bool:
    return bool(conf.get("PUSH_PUBLISH_URL"))


def subscribe_path(station_id: int) -> str:
    """Where a station listens (served by nginx's nchan, not by this app)."""
    return reverse("stations:api_push", args=[station_id])


def message(package: BroadcastPackage) -> dict[str, Any]:
    return {
        "package": package.pk,
        "class": package.bulletin_class,
        "priority": package.priority,
        "url": reverse("stations:api_package", args=[package.pk]),
    }


def publish(channels: Sequence[str], payload: dict[str, Any]) -> int:
    """POST ``payload`` to nchan for ``channels`` (batched, one keep-alive connection).

    Returns the number of channels published to; raises ``OSError`` or
    ``http.client.HTTPException`` when nchan cannot be reached or refuses."""
    base = urllib.parse.urlsplit(str(conf.get("PUSH_PUBLISH_URL")))
    if base.scheme != "http" or not base.hostname:
        raise ValueError("PUSH_PUBLISH_URL must be an http:// address on loopback")
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    connection = http.client.HTTPConnection(
        base.hostname, base.port or 80, timeout=float(conf.get("PUSH_PUBLISH_TIMEOUT"))
    )
    sent = 0
    try:
        for batch in batches(channels):
            path = base.path.rstrip("/") + "/" + ",".join(batch)
            connection.request(
                "POST",
                path,
                body=body,
                headers={"Content-Type": "application/json", "Accept": "application/json"},
            )
            response = connection.getresponse()
            response.read()
            if response.status not in (200, 201, 202):
                raise http.client.HTTPException(f"nchan answered {response.status} for {path}")
            sent += len(batch)
    finally:
        connection.close()
    return sent


def notify(package_id: int, station_ids: Iterable[int]) -> None:
    """Tell these stations that ``package_id`` is available. Call after commit; never raises
    (the stations' polling picks the package up anyway)."""
    ids = sorted(set(station_ids))
    if not ids or not enabled():
        return
    try:
        package = BroadcastPackage.objects.get(pk=package_id)
        publish([channel(pk) for pk in ids], message(package))
    except Exception:  # a push is a hint: polling remains
        logger.exception("push of package %s to %d stations failed", package_id, len(ids))


@csrf_exempt
def not_served(request: HttpRequest, station_id: int) -> HttpResponse:
    """The subscriber path when nginx does not serve it (no nchan in front): a JSON 404, so
    the client knows push is unavailable and keeps polling."""
    return api_not_found(request)


@csrf_exempt
def authorize(request: HttpRequest, station_id: int) -> HttpResponse:
    """nchan's ``nchan_authorize_request``: 204 lets a subscriber listen on the channel of
    ``station_id``; 403 refuses (no token, a bad one, or another station's token), 429 when
    this address or token prefix has failed too often (counted as for the API). Other
    methods get the API's JSON 405."""
    if request.method not in ("GET", "HEAD"):
        response = JsonResponse({"error": "method_not_allowed"}, status=405)
        response["Allow"] = "GET, HEAD"
        return response
    ip = client_ip(request)
    value = tokens.bearer_value(request)
    window = str(conf.get("AUTH_FAILURE_WINDOW_SECONDS"))
    if value is None:
        return JsonResponse({"error": "forbidden"}, status=403)
    prefix = tokens.token_prefix(value)
    if tokens.is_prefix_limited(prefix):
        response = JsonResponse({"error": "too_many_attempts"}, status=429)
        response["Retry-After"] = window
        return response
    token = tokens.authenticate(value, ip)
    if token is None:
        throttled = tokens.is_rate_limited(ip)
        tokens.record_failure(ip, prefix)
        if throttled:
            response = JsonResponse({"error": "too_many_attempts"}, status=429)
            response["Retry-After"] = window
            return response
        return JsonResponse({"error": "forbidden"}, status=403)
    if token.station_id != station_id:
        return JsonResponse({"error": "forbidden"}, status=403)
    return HttpResponse(status=204)
