"""The station API: authorisation matrix, cursor, manifest, ranges, receipt, airing, audit."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.urls import URLPattern, get_resolver

from cms.stations import tokens
from cms.stations.models import AuditLog, PackageDelivery, StationToken
from cms.stations.openapi import schema

from .conftest import expired

pytestmark = pytest.mark.django_db
API = "/api/stations/v1"


@pytest.fixture(autouse=True)
def clear_rate_limit() -> None:
    cache.clear()


@pytest.fixture
def world(make_item, make_station, make_package, release, units, token_for) -> dict[str, Any]:
    """Station A and B, each with its own package; tokens: own, other, revoked, expired."""
    item = make_item("Quyền trẻ em")
    a = make_station("a", unit="cao_loc")
    b = make_station("b", unit="can_tho")
    [delivery_a] = release(
        make_package("Gói của A", [item], stations=[a], units=[units["cao_loc"]])
    )
    [delivery_b] = release(make_package("Gói của B", [item], units=[units["can_tho"]]))
    revoked = tokens.issue(a)
    tokens.revoke(revoked.token)
    return {
        "a": a,
        "b": b,
        "delivery_a": delivery_a,
        "delivery_b": delivery_b,
        "own": token_for(a),
        "other": token_for(b),
        "revoked": revoked.secret,
        "expired": token_for(a, expires_at=expired()),
    }


def airing(delivery: PackageDelivery) -> dict[str, Any]:
    """A complete airing report: explicit items and time (an empty one is a 400)."""
    items = list(delivery.package.items.values_list("pk", flat=True))
    return {"aired_at": "2026-01-05T06:30:00+07:00", "items": items}


def call(client, method: str, url: str, token: str | None = None, **extra: Any):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "POST":
        return client.post(url, data=extra.pop("data", {}), content_type="application/json",
                           **headers, **extra)  # fmt: skip
    return client.generic(method, url, **headers, **extra)


def endpoints(world: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    pid = world["delivery_a"].package_id
    build = world["delivery_a"].build
    first_file = build.files[0]["path"]
    return [
        ("GET", f"{API}/packages/{pid}", {}),
        ("GET", f"{API}/packages/{pid}/bag.zip", {}),
        ("GET", f"{API}/packages/{pid}/files/{quote(first_file)}", {}),
        ("POST", f"{API}/packages/{pid}/receipt", {"data": {"sha256": build.zip_sha256}}),
        ("POST", f"{API}/packages/{pid}/airings", {"data": airing(world["delivery_a"])}),
    ]


def test_authorisation_matrix(client, world) -> None:
    missing_id = max(PackageDelivery.objects.values_list("package_id", flat=True)) + 1000
    for method, url, extra in endpoints(world):
        # No token, revoked, expired, garbage: 401 with a Bearer challenge.
        for token in (None, world["revoked"], world["expired"], "st_nothing_here"):
            response = call(client, method, url, token, **dict(extra))
            assert response.status_code == 401, (method, url, token)
            assert response["WWW-Authenticate"].startswith("Bearer")
            cache.clear()
        # Another station's token: the same 404 as a package that does not exist.
        other = call(client, method, url, world["other"], **dict(extra))
        nonexistent_url = url.replace(
            f"/packages/{world['delivery_a'].package_id}", f"/packages/{missing_id}"
        )
        absent = call(client, method, nonexistent_url, world["own"], **dict(extra))
        assert other.status_code == absent.status_code == 404, (method, url)
        assert other.content == absent.content == b'{"error": "not_found"}'
        assert other["Content-Type"] == absent["Content-Type"]
        # Own token: allowed.
        own = call(client, method, url, world["own"], **dict(extra))
        assert own.status_code in (200, 201), (method, url, own.content[:200])


def test_list_endpoints_need_a_token_and_show_only_own_packages(client, world) -> None:
    for path in ("/packages", "/station"):
        assert call(client, "GET", API + path).status_code == 401
        assert call(client, "GET", API + path, world["revoked"]).status_code == 401
    listing = call(client, "GET", f"{API}/packages", world["own"]).json()
    assert [p["title"] for p in listing["packages"]] == ["Gói của A"]
    assert call(client, "GET", f"{API}/station", world["own"]).json()["code"] == "a"


def test_cursor_pages_through_packages_in_availability_order(
    client, make_item, make_station, make_package, release, units, token_for
) -> None:
    item = make_item("Bản tin")
    station = make_station("xa", unit="cao_loc")
    for n in range(5):
        release(make_package(f"Gói {n}", [item], units=[units["cao_loc"]]))
    token = token_for(station)
    seen, cursor = [], None
    for _ in range(10):
        url = f"{API}/packages?limit=2" + (f"&since={cursor}" if cursor else "")
        page = call(client, "GET", url, token).json()
        seen += [p["title"] for p in page["packages"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == [f"Gói {n}" for n in range(5)]
    # Nothing new since the last cursor; a new package shows up after it.
    assert call(client, "GET", f"{API}/packages?since={cursor}", token).json()["packages"] == []
    release(make_package("Gói mới", [item], units=[units["cao_loc"]]))
    later = call(client, "GET", f"{API}/packages?since={cursor}", token).json()
    assert [p["title"] for p in later["packages"]] == ["Gói mới"]
    assert call(client, "GET", f"{API}/packages?since=!!bad", token).status_code == 400


def test_page_size_outside_the_documented_range_is_refused(client, world) -> None:
    """The schema says 1–200: a client asking for more learns it instead of getting less."""
    for limit in ("0", "201", "-5", "abc"):
        response = call(client, "GET", f"{API}/packages?limit={limit}", world["own"])
        assert response.status_code == 400, limit
        assert response.json()["error"] == "invalid_limit"
    assert call(client, "GET", f"{API}/packages?limit=200", world["own"]).status_code == 200


def test_unknown_routes_are_json_404s_even_for_posts_and_odd_paths(client, world) -> None:
    for method, path in (("POST", "/packages/x/receipt"), ("GET", "/packages/1/files/a%0Ab")):
        response = call(client, method, f"{API}{path}", world["own"])
        assert response.status_code == 404, path
        assert response["Content-Type"].startswith("application/json")


def test_manifest_lists_every_file_with_checksum_and_download_urls(client, world) -> None:
    delivery = world["delivery_a"]
    manifest = call(client, "GET", f"{API}/packages/{delivery.package_id}", world["own"]).json()
    assert manifest["bag"]["zip_sha256"] == delivery.build.zip_sha256
    paths = {f["path"] for f in manifest["files"]}
    assert "data/manifest.json" in paths and "tagmanifest-sha256.txt" in paths
    for entry in manifest["files"]:
        response = client.get(entry["url"], HTTP_AUTHORIZATION=f"Bearer {world['own']}")
        body = b"".join(response.streaming_content)
        assert response.status_code == 200 and len(body) == entry["size"]
        assert hashlib.sha256(body).hexdigest() == entry["sha256"]
        assert response["ETag"] == f'"{entry["sha256"]}"'


def test_ranges_resume_and_invalid_ranges_get_416(client, world) -> None:
    delivery = world["delivery_a"]
    url = f"{API}/packages/{delivery.package_id}/bag.zip"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {world['own']}"}
    whole = Path(default_storage.path(delivery.build.zip_storage_name)).read_bytes()
    size = len(whole)
    etag = f'"{delivery.build.zip_sha256}"'

    first = client.get(url, HTTP_RANGE="bytes=0-99", **auth)
    assert first.status_code == 206 and first["Content-Range"] == f"bytes 0-99/{size}"
    rest = client.get(url, HTTP_RANGE="bytes=100-", HTTP_IF_RANGE=etag, **auth)
    assert rest.status_code == 206 and rest["Content-Length"] == str(size - 100)
    joined = b"".join(first.streaming_content) + b"".join(rest.streaming_content)
    assert hashlib.sha256(joined).hexdigest() == delivery.build.zip_sha256

    suffix = client.get(url, HTTP_RANGE="bytes=-10", **auth)
    assert b"".join(suffix.streaming_content) == whole[-10:]
    # A changed file (another ETag) is sent whole, never spliced.
    stale = client.get(url, HTTP_RANGE="bytes=100-", HTTP_IF_RANGE='"0000"', **auth)
    assert stale.status_code == 200 and stale["Content-Length"] == str(size)
    for bad in (f"bytes={size}-", f"bytes={size + 5}-{size + 10}", "bytes=50-10", "bytes=x-y"):
        response = client.get(url, HTTP_RANGE=bad, **auth)
        assert response.status_code == 416, bad
        assert response["Content-Range"] == f"bytes */{size}"
    head = client.head(url, **auth)
    assert head.status_code == 200 and head["Content-Length"] == str(size)
    assert head["Accept-Ranges"] == "bytes"


def test_receipt_needs_the_right_checksum(client, world) -> None:
    delivery = world["delivery_a"]
    url = f"{API}/packages/{delivery.package_id}/receipt"
    wrong = call(client, "POST", url, world["own"], data={"sha256": "0" * 64})
    assert wrong.status_code == 409 and wrong.json() == {"error": "checksum_mismatch"}
    delivery.refresh_from_db()
    assert delivery.received_at is None
    assert call(client, "POST", url, world["own"], data={}).status_code == 400
    ok = call(client, "POST", url, world["own"], data={"sha256": delivery.build.bag_sha256})
    assert ok.status_code == 200 and ok.json()["verified"] is True
    delivery.refresh_from_db()
    assert delivery.received_at is not None


def test_oversized_confirmation_body_is_a_json_400_and_confirms_nothing(
    client, world, settings
) -> None:
    delivery = world["delivery_a"]
    sha = delivery.build.bag_sha256
    padded = json.dumps({"sha256": sha, "pad": " " * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    for kind in ("receipt", "airings"):
        url = f"{API}/packages/{delivery.package_id}/{kind}"
        response = call(client, "POST", url, world["own"], data=padded)
        assert response.status_code == 400, kind
        assert response.json() == {"error": "bad_request"}
    delivery.refresh_from_db()
    assert delivery.received_at is None and not delivery.airings.exists()


def test_airing_report_records_items_and_rejects_foreign_ones(client, world) -> None:
    delivery = world["delivery_a"]
    item = delivery.package.items.get()
    url = f"{API}/packages/{delivery.package_id}/airings"
    foreign = world["delivery_b"].package.items.get().pk
    assert call(client, "POST", url, world["own"], data={"items": [foreign]}).status_code == 400
    bad_time = call(client, "POST", url, world["own"], data={"aired_at": "hôm qua"})
    assert bad_time.status_code == 400
    response = call(
        client, "POST", url, world["own"],
        data={"aired_at": "2026-01-05T06:30:00+07:00", "items": [item.pk]},
    )  # fmt: skip
    assert response.status_code == 201
    assert response.json()["items"] == [{"id": item.pk, "order": 1, "title": "Quyền trẻ em"}]
    delivery.refresh_from_db()
    assert delivery.aired_at.isoformat() == "2026-01-04T23:30:00+00:00"


def test_every_download_and_confirmation_is_audited(client, world) -> None:
    delivery = world["delivery_a"]
    pid = delivery.package_id
    call(client, "GET", f"{API}/packages/{pid}/bag.zip", world["own"], HTTP_RANGE="bytes=0-9")
    call(client, "GET", f"{API}/packages/{pid}/files/{quote(delivery.build.files[0]['path'])}",
         world["own"])  # fmt: skip
    call(client, "POST", f"{API}/packages/{pid}/receipt", world["own"],
         data={"sha256": delivery.build.zip_sha256})  # fmt: skip
    call(client, "POST", f"{API}/packages/{pid}/airings", world["own"], data=airing(delivery))
    token = StationToken.objects.filter(station=world["a"], revoked_at=None).first()
    logs = list(AuditLog.objects.filter(package_id=pid).order_by("created_at", "pk"))
    assert [log.action for log in logs] == [
        "download_bag", "download_file", "confirm_receipt", "confirm_airing",
    ]  # fmt: skip
    assert all(log.station == world["a"] and log.ip == "127.0.0.1" for log in logs)
    assert logs[0].detail["range"] == "bytes=0-9"
    assert logs[0].token is not None and logs[0].token.station == token.station
    delivery.refresh_from_db()
    assert delivery.first_download_at is not None


def test_token_brute_force_is_rate_limited(client, world, settings) -> None:
    settings.CMS_STATIONS = {"AUTH_FAILURE_LIMIT": 5}
    for n in range(5):
        assert call(client, "GET", f"{API}/packages", f"st_guess{n}_x").status_code == 401
    blocked = call(client, "GET", f"{API}/packages", "st_guess9_x")
    assert blocked.status_code == 429 and blocked.json() == {"error": "too_many_attempts"}
    # The right token still works from that address (stations share addresses behind NAT);
    # the address limit stops only further guesses (tests/cms/integrity/test_security_small.py).
    assert call(client, "GET", f"{API}/packages", world["own"]).status_code == 200
    other_ip = call(client, "GET", f"{API}/packages", world["own"], REMOTE_ADDR="10.0.0.7")
    assert other_ip.status_code == 200
    assert AuditLog.objects.filter(action="auth_failed").count() == 5


def test_token_is_stored_only_as_a_hash(world) -> None:
    token = StationToken.objects.get(prefix=world["own"].split("_")[1])
    assert world["own"] not in json.dumps(list(StationToken.objects.values()), default=str)
    assert token.token_hash == hashlib.sha256(world["own"].encode()).hexdigest()


def test_openapi_schema_describes_every_api_route(client) -> None:
    document = client.get(f"{API}/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    described = set(document["paths"])
    routes = set()
    for pattern in get_resolver().url_patterns:
        for sub in getattr(pattern, "url_patterns", []):
            if isinstance(sub, URLPattern) and str(sub.pattern).startswith("api/stations/v1/"):
                route = str(sub.pattern).removeprefix("api/stations/v1")
                route = route.replace("<int:package_id>", "{package_id}").replace(
                    "<path:path>", "{path}"
                )
                routes.add(route)
    # Push (docs/stations.md): the event stream is served by nginx's nchan module, which asks
    # the authorize view through an internal subrequest; clients learn the stream's address
    # from ``push_url`` in the package list, which the schema does describe.
    served_by_nginx = {"/push/<int:station_id>", "/push/<int:station_id>/authorize"}
    assert served_by_nginx <= routes
    assert "push_url" in json.dumps(document)
    assert routes - served_by_nginx == described
    assert document == schema(document["servers"][0]["url"])


def test_package_list_is_cached_yet_every_change_shows_on_the_next_poll(
    client, world, make_item, make_package, release, units, django_assert_num_queries
) -> None:
    from cms.stations import distribution

    own, url = world["own"], f"{API}/packages"
    first = call(client, "GET", url, own)
    assert first.status_code == 200
    # A repeated poll costs one query: the token, with its station and list version.
    with django_assert_num_queries(1):
        again = call(client, "GET", url, own)
    assert again.content == first.content
    [listed] = first.json()["packages"]
    assert listed["received_at"] is None and first.json()["emergency_pending"] is False

    pid = world["delivery_a"].package_id
    sha = world["delivery_a"].build.zip_sha256
    call(client, "POST", f"{API}/packages/{pid}/receipt", own, data={"sha256": sha})
    assert call(client, "GET", url, own).json()["packages"][0]["received_at"] is not None
    call(client, "POST", f"{API}/packages/{pid}/airings", own, data=airing(world["delivery_a"]))
    assert call(client, "GET", url, own).json()["packages"][0]["aired_at"] is not None

    # An emergency targeted but not built yet: pending at once, listed once available.
    emergency = make_package("Khẩn cấp: lũ quét", [make_item("Lũ quét")], "emergency",
                             stations=[world["a"]])  # fmt: skip
    distribution.release(emergency)  # its build waits for the commit that never comes here
    pending = call(client, "GET", url, own).json()
    assert pending["emergency_pending"] is True and len(pending["packages"]) == 1
    release(emergency)
    titles = [p["title"] for p in call(client, "GET", url, own).json()["packages"]]
    assert titles == ["Gói của A", "Khẩn cấp: lũ quét"]

    # A deleted package leaves the list; the other station's list never had it.
    world["delivery_a"].package.delete()
    titles = [p["title"] for p in call(client, "GET", url, own).json()["packages"]]
    assert titles == ["Khẩn cấp: lũ quét"]
    other = call(client, "GET", url, world["other"]).json()
    assert [p["title"] for p in other["packages"]] == ["Gói của B"]
    assert other["emergency_pending"] is False
