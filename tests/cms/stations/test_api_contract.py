"""The station API and its OpenAPI schema agree (issue 16, section 4).

An airing needs explicit items and a time: an empty body once recorded every item of the
package as aired now. ``bag.zip`` is a zip and the schema says so; HEAD, 304, 412 and the
cursor's format error are documented.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache

from cms.stations.models import AuditLog

pytestmark = pytest.mark.django_db
API = "/api/stations/v1"


@pytest.fixture
def world(make_item, make_station, make_package, release, units, token_for) -> dict[str, Any]:
    cache.clear()
    item = make_item("Quyền trẻ em")
    station = make_station("a", unit="cao_loc")
    [delivery] = release(
        make_package("Gói của A", [item], stations=[station], units=[units["cao_loc"]])
    )
    return {"delivery": delivery, "auth": f"Bearer {token_for(station)}"}


def test_an_airing_without_items_and_time_is_refused_and_records_nothing(client, world) -> None:
    delivery = world["delivery"]
    url = f"{API}/packages/{delivery.package_id}/airings"
    auth = {"HTTP_AUTHORIZATION": world["auth"]}
    item = delivery.package.items.get().pk
    when = "2026-01-05T06:30:00+07:00"
    refused = {
        "no body": (b"", "invalid_json"),
        "empty object": (b"{}", "aired_at_required"),
        "no time": (json.dumps({"items": [item]}).encode(), "aired_at_required"),
        "no items": (json.dumps({"aired_at": when}).encode(), "items_required"),
        "empty items": (json.dumps({"aired_at": when, "items": []}).encode(), "items_required"),
        "null items": (json.dumps({"aired_at": when, "items": None}).encode(), "items_required"),
        "boolean item": (json.dumps({"aired_at": when, "items": [True]}).encode(), "invalid_items"),
    }
    for name, (body, code) in refused.items():
        response = client.generic("POST", url, body, content_type="application/json", **auth)
        assert response.status_code == 400, name
        assert response["Content-Type"] == "application/json", name
        assert response.json() == {"error": code}, name
    # Nothing was recorded: no report, no aired time, no audit entry.
    delivery.refresh_from_db()
    assert delivery.aired_at is None and not delivery.airings.exists()
    assert not AuditLog.objects.filter(action="confirm_airing").exists()
    # A complete report is still accepted.
    body = json.dumps({"aired_at": when, "items": [item]})
    ok = client.generic("POST", url, body, content_type="application/json", **auth)
    assert ok.status_code == 201 and [i["id"] for i in ok.json()["items"]] == [item]


def test_bag_zip_is_served_as_the_schema_says(client, world) -> None:
    delivery = world["delivery"]
    schema = client.get(f"{API}/openapi.json").json()
    operations = schema["paths"]["/packages/{package_id}/bag.zip"]
    url = f"{API}/packages/{delivery.package_id}/bag.zip"
    auth = {"HTTP_AUTHORIZATION": world["auth"]}
    whole = client.get(url, **auth)
    part = client.get(url, HTTP_RANGE="bytes=0-9", **auth)
    assert whole["Content-Type"] == part["Content-Type"] == "application/zip"
    assert list(operations["get"]["responses"]["200"]["content"]) == ["application/zip"]
    assert list(operations["get"]["responses"]["206"]["content"]) == ["application/zip"]
    # HEAD, 304 and 412 are documented, and the server gives them.
    head = client.head(url, **auth)
    assert head.status_code == 200 and "content" not in operations["head"]["responses"]["200"]
    etag = head["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag, **auth).status_code == 304
    assert client.get(url, HTTP_IF_MATCH='"x"', **auth).status_code == 412
    for method in ("get", "head"):
        assert {"304", "412"} <= set(operations[method]["responses"]), method
    names = {p["name"] for p in operations["get"]["parameters"]}
    assert {"If-None-Match", "If-Match", "Range", "If-Range"} <= names


def test_the_cursor_format_error_is_documented(client, world) -> None:
    schema = client.get(f"{API}/openapi.json").json()
    listing = schema["paths"]["/packages"]["get"]
    assert "invalid_cursor" in listing["responses"]["400"]["description"]
    bad = client.get(f"{API}/packages?since=not-a-cursor", HTTP_AUTHORIZATION=world["auth"])
    assert bad.status_code == 400 and bad.json() == {"error": "invalid_cursor"}
    # An empty since is not "from the start" (leave it out for that): the schema says
    # minLength 1 and the server agrees.
    assert listing["parameters"][0]["schema"]["minLength"] == 1
    empty = client.get(f"{API}/packages?since=", HTTP_AUTHORIZATION=world["auth"])
    assert empty.status_code == 400 and empty.json() == {"error": "invalid_cursor"}
