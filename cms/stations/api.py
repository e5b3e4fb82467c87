"""The station API (JSON, ``Authorization: Bearer <token>``), described in ``openapi.py``.

Status codes: 401 without or with an unusable token (unknown, revoked, expired); 404 for
a package the token's station may not see, with the very same body as for a package that
does not exist; 429 once an IP has failed too many times; 416 for an unsatisfiable range.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from cms.security.clients import client_ip
from cms.stations import access, conf, downloads, push, tokens
from cms.stations.choices import AuditAction
from cms.stations.models import PackageDelivery, StationToken
from cms.stations.openapi import schema
from cms.stations.responses import NOT_FOUND, keep_404

View = Callable[..., HttpResponseBase]


def error(status: int, code: str, **headers: str) -> JsonResponse:
    response = JsonResponse({"error": code}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def not_found() -> JsonResponse:
    return JsonResponse(NOT_FOUND, status=404)


def token_required(*methods: str) -> Callable[[View], View]:
    """Authenticate the bearer token, rate-limit failures per IP, check the method."""

    def decorator(view: View) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            ip = client_ip(request)
            window = str(conf.get("AUTH_FAILURE_WINDOW_SECONDS"))
            value = tokens.bearer_value(request)
            challenge = 'Bearer realm="stations"'
            if value is None:
                return error(401, "unauthorized", WWW_Authenticate=challenge)
            # Failures are counted per address and per token prefix (tokens.py): a valid
            # token works from an address that others behind the same NAT got throttled.
            prefix = tokens.token_prefix(value)
            if tokens.is_prefix_limited(prefix):
                return error(429, "too_many_attempts", Retry_After=window)
            token = tokens.authenticate(value, ip)
            if token is None:
                throttled = tokens.is_rate_limited(ip)
                tokens.record_failure(ip, prefix)
                if throttled:
                    return error(429, "too_many_attempts", Retry_After=window)
                access.audit(request, AuditAction.AUTH_FAILED, prefix=value[3:13])
                return error(
                    401, "unauthorized", WWW_Authenticate=challenge + ', error="invalid_token"'
                )
            if request.method not in methods:
                return error(405, "method_not_allowed", Allow=", ".join(methods))
            return view(request, token, *args, **kwargs)

        if set(methods) <= {"GET", "HEAD"}:
            # Polls and downloads only read (and touch last_used_at): no request
            # transaction around them, so a cached poll stays a single query.
            return transaction.non_atomic_requests(wrapper)
        return wrapper

    return decorator


def absolute(request: HttpRequest, name: str, *args: Any) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


def file_url(request: HttpRequest, package_id: int, path: str) -> str:
    base = absolute(request, "stations:api_package", package_id)
    return f"{base}/files/{quote(path)}"


def summary(request: HttpRequest, delivery: PackageDelivery) -> dict[str, Any]:
    package, build = delivery.package, access.released_build(delivery)
    return {
        "id": package.pk,
        "title": package.title,
        "bulletin_class": package.bulletin_class,
        "air_from": package.air_from.isoformat() if package.air_from else None,
        "air_until": package.air_until.isoformat() if package.air_until else None,
        "available_at": delivery.available_at.isoformat() if delivery.available_at else None,
        "received_at": delivery.received_at.isoformat() if delivery.received_at else None,
        "aired_at": delivery.aired_at.isoformat() if delivery.aired_at else None,
        "manifest_url": absolute(request, "stations:api_package", package.pk),
        "bag": {
            "name": build.bag_name,
            "sha256": build.bag_sha256,
            "zip_url": absolute(request, "stations:api_bag", package.pk),
            "zip_size": build.zip_size,
            "zip_sha256": build.zip_sha256,
        },
    }


@keep_404(api=True)
@token_required("GET")
def station(request: HttpRequest, token: StationToken) -> HttpResponse:
    s = token.station
    return JsonResponse(
        {
            "code": s.code,
            "name": s.name,
            "kind": s.kind,
            "languages": s.languages,
            "board_profile": s.video_profile(),
            "token_expires_at": token.expires_at.isoformat(),
        }
    )


@keep_404(api=True)
@token_required("GET")
def packages(request: HttpRequest, token: StationToken) -> HttpResponse:
    cursor = request.GET.get("since")
    if cursor == "":
        # "since=" is not the start of the list (that is no since at all): a client that
        # lost its cursor must say so by leaving the parameter out.
        return error(400, "invalid_cursor")
    try:
        limit = int(request.GET.get("limit", 50))
    except ValueError:
        return error(400, "invalid_limit")
    if not 1 <= limit <= int(conf.get("MAX_PAGE_SIZE")):
        return error(400, "invalid_limit")
    seconds = int(conf.get("LIST_CACHE_SECONDS"))
    key = access.list_cache_key(token.station, request, cursor, limit)
    body = cache.get(key) if seconds else None
    if body is None:
        try:
            page, has_more = access.deliveries_since(token.station, cursor, limit)
        except access.InvalidCursor:
            return error(400, "invalid_cursor")
        document = {
            "packages": [summary(request, d) for d in page],
            "next_cursor": access.encode_cursor(page[-1]) if page else cursor,
            "has_more": has_more,
            "emergency_pending": access.emergency_pending(token.station),
        }
        if push.enabled():
            document["push_url"] = request.build_absolute_uri(push.subscribe_path(token.station.pk))
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
        if seconds:
            cache.set(key, body, seconds)
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = "private, no-cache"
    return response


@keep_404(api=True)
@token_required("GET")
def package(request: HttpRequest, token: StationToken, package_id: int) -> HttpResponse:
    delivery = access.delivery_for(token.station, package_id)
    if delivery is None:
        return not_found()
    build = access.released_build(delivery)
    access.audit(
        request, AuditAction.MANIFEST, station=token.station, token=token, package_id=package_id
    )
    document = summary(request, delivery)
    document.update(
        {
            "files": [
                {
                    "path": entry["path"],
                    "size": entry["size"],
                    "sha256": entry["sha256"],
                    "url": file_url(request, package_id, entry["path"]),
                }
                for entry in build.files
            ],
            "rundown": build.manifest.get("rundown", []),
            "missing": build.manifest.get("missing", []),
            "items": [
                {"id": item.pk, "order": order, "title": item.page.title}
                for order, item in enumerate(
                    delivery.package.items.order_by("sort_order", "pk").select_related("page"), 1
                )
            ],
            "receipt_url": absolute(request, "stations:api_receipt", package_id),
            "airings_url": absolute(request, "stations:api_airings", package_id),
        }
    )
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


@keep_404(api=True)
@token_required("GET", "HEAD")
def bag_zip(request: HttpRequest, token: StationToken, package_id: int) -> HttpResponseBase:
    delivery = access.delivery_for(token.station, package_id)
    if delivery is None:
        return not_found()
    build = access.released_build(delivery)
    access.record_download(request, delivery, "bag.zip", token=token)
    return downloads.serve(
        request,
        build.zip_storage_name,
        sha256=build.zip_sha256,
        size=build.zip_size,
        filename=f"{build.bag_name}.zip",
        build=build,
        path="bag.zip",
        api=True,
    )


@keep_404(api=True)
@token_required("GET", "HEAD")
def bag_file(
    request: HttpRequest, token: StationToken, package_id: int, path: str
) -> HttpResponseBase:
    delivery = access.delivery_for(token.station, package_id)
    path = unicodedata.normalize("NFC", path)
    if delivery is None or delivery.build is None:
        return not_found()
    build = delivery.build
    entry = build.file_entry(path)
    if entry is None:
        return not_found()
    access.record_download(request, delivery, path, token=token)
    return downloads.serve(
        request,
        entry["storage_name"],
        sha256=entry["sha256"],
        size=entry["size"],
        filename=path.rsplit("/", 1)[-1],
        build=build,
        path=path,
        api=True,
    )


def json_body(request: HttpRequest) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


@keep_404(api=True)
@token_required("POST")
def receipt(request: HttpRequest, token: StationToken, package_id: int) -> HttpResponse:
    delivery = access.delivery_for(token.station, package_id)
    if delivery is None:
        return not_found()
    body = json_body(request)
    if body is None or not isinstance(body.get("sha256"), str):
        return error(400, "sha256_required")
    if not access.confirm_receipt(request, delivery, body["sha256"], token=token):
        return error(409, "checksum_mismatch")
    delivery.refresh_from_db()
    if delivery.received_at is None:  # confirm_receipt records it before returning True
        raise RuntimeError(f"delivery {delivery.pk}: receipt confirmed but not recorded")
    return JsonResponse({"received_at": delivery.received_at.isoformat(), "verified": True})


@keep_404(api=True)
@token_required("POST")
def airings(request: HttpRequest, token: StationToken, package_id: int) -> HttpResponse:
    delivery = access.delivery_for(token.station, package_id)
    if delivery is None:
        return not_found()
    body = json_body(request) if request.body else None
    if body is None:
        # An airing is a fact a station reports: which items went on air and when. An empty
        # or missing body once recorded every item as aired now (issue 16).
        return error(400, "invalid_json")
    if not isinstance(body.get("aired_at"), str):
        return error(400, "aired_at_required")
    aired_at = parse_datetime(body["aired_at"])
    if aired_at is None:
        return error(400, "invalid_aired_at")
    items = body.get("items")
    if not isinstance(items, list) or not items:
        return error(400, "items_required")
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        return error(400, "invalid_items")
    try:
        report = access.record_airing(request, delivery, aired_at, items, token=token)
    except access.InvalidAiring as problem:
        return error(400, "invalid_airing", X_Problem=str(problem))
    return JsonResponse(
        {"id": report.pk, "aired_at": report.aired_at.isoformat(), "items": report.items},
        status=201,
        json_dumps_params={"ensure_ascii": False},
    )


@transaction.non_atomic_requests  # static document: no database needed
def openapi(request: HttpRequest) -> HttpResponse:
    return JsonResponse(
        schema(request.build_absolute_uri("/api/stations/v1")),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
