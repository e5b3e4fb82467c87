"""The rest of the issue's security list: HEAD requests, packages that exist for the station
but are not ready, admin views for station users, portal login brute force, audit of portal
downloads and of failed checks, nothing secret in the audit log."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from django.core.cache import cache

from cms.stations import distribution
from cms.stations.models import AuditLog, PackageDelivery

pytestmark = pytest.mark.django_db
API = "/api/stations/v1"


@pytest.fixture(autouse=True)
def clear_rate_limit() -> None:
    cache.clear()


@pytest.fixture
def world(make_item, make_station, make_package, release, units, token_for, station_user):
    """Station A with a ready package and one still being built (its build never runs
    here); station B with its own package; a station user and a token for each."""
    item = make_item("Quyền trẻ em")
    a = make_station("a", unit="cao_loc")
    b = make_station("b", unit="can_tho")
    [ready] = release(make_package("Gói của A", [item], stations=[a]))
    [other] = release(make_package("Gói của B", [item], stations=[b]))
    pending_package = make_package("Đang đóng gói", [item], "emergency", stations=[a])
    [pending] = distribution.release(pending_package)  # targeted, not built, not available
    return {
        "a": a, "b": b, "ready": ready, "other": other, "pending": pending,
        "token_a": token_for(a), "token_b": token_for(b),
        "user_a": station_user("dai-a", a), "user_b": station_user("dai-b", b),
    }  # fmt: skip


def api_call(client, method: str, url: str, token: str | None, **extra: Any):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "POST":
        return client.post(url, data=extra.get("data", {}), content_type="application/json",
                           **headers)  # fmt: skip
    return client.generic(method, url, **headers)


def api_urls(package_id: int, path: str) -> list[tuple[str, str]]:
    base = f"{API}/packages/{package_id}"
    return [
        ("GET", base), ("GET", f"{base}/bag.zip"), ("HEAD", f"{base}/bag.zip"),
        ("GET", f"{base}/files/{quote(path)}"), ("HEAD", f"{base}/files/{quote(path)}"),
        ("POST", f"{base}/receipt"), ("POST", f"{base}/airings"),
    ]  # fmt: skip


def test_api_answers_alike_for_foreign_absent_and_not_ready_packages(client, world) -> None:
    path = world["ready"].build.files[0]["path"]
    absent_id = world["pending"].package_id + 1000
    for (method, foreign), (_m, pending), (_n, absent), (_o, own) in zip(
        api_urls(world["other"].package_id, path),
        api_urls(world["pending"].package_id, path),
        api_urls(absent_id, path),
        api_urls(world["ready"].package_id, path),
        strict=True,
    ):
        answers = [api_call(client, method, url, world["token_a"])
                   for url in (foreign, pending, absent)]  # fmt: skip
        assert {r.status_code for r in answers} == {404}, (method, foreign)
        assert len({r.content for r in answers}) == 1, (method, foreign)
        assert len({tuple(sorted(r.headers.items())) for r in answers}) == 1, (method, foreign)
        # Without a token the answer does not depend on the package either.
        anonymous = [api_call(client, method, url, None) for url in (foreign, absent, own)]
        assert {r.status_code for r in anonymous} == {401}
        assert len({(r.content, r["WWW-Authenticate"]) for r in anonymous}) == 1
        data = {}
        if own.endswith("/receipt"):
            data = {"sha256": world["ready"].build.zip_sha256}
        elif own.endswith("/airings"):  # an airing names its items and time (issue 16)
            items = list(world["ready"].package.items.values_list("pk", flat=True))
            data = {"aired_at": "2026-01-05T06:30:00+07:00", "items": items}
        own_answer = api_call(client, method, own, world["token_a"], data=data)
        assert own_answer.status_code in (200, 201), (method, own, own_answer.content[:100])
    # The pending emergency is announced without revealing anything else about it.
    listing = api_call(client, "GET", f"{API}/packages", world["token_a"]).json()
    assert listing["emergency_pending"] is True
    assert [p["title"] for p in listing["packages"]] == ["Gói của A"]


def test_portal_answers_alike_for_foreign_absent_and_not_ready_packages(client, world) -> None:
    client.force_login(world["user_a"])
    path = world["ready"].build.files[0]["path"]
    absent_id = world["pending"].package_id + 1000

    def pages(package_id: int) -> list[tuple[str, str]]:
        base = f"/stations/goi/{package_id}"
        return [("get", f"{base}/"), ("get", f"{base}/tai-ve/"), ("head", f"{base}/tai-ve/"),
                ("get", f"{base}/tep/{path}"), ("post", f"{base}/da-nhan/"),
                ("post", f"{base}/da-phat/")]  # fmt: skip

    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    for (method, foreign), (_m, pending), (_n, absent) in zip(
        pages(world["other"].package_id),
        pages(world["pending"].package_id),
        pages(absent_id),
        strict=True,
    ):
        answers = [getattr(client, method)(url) for url in (foreign, pending, absent)]
        assert {r.status_code for r in answers} == {404}, foreign
        assert len({strip.sub(b"", r.content) for r in answers}) == 1, foreign
    html = client.get("/stations/").content.decode()
    assert "Gói của A" in html and "Đang đóng gói" not in html and "Gói của B" not in html


def test_portal_downloads_are_audited_and_bad_ranges_get_416(client, world) -> None:
    client.force_login(world["user_a"])
    delivery = world["ready"]
    pid, entry = delivery.package_id, delivery.build.files[0]
    response = client.get(f"/stations/goi/{pid}/tai-ve/", HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206 and len(b"".join(response.streaming_content)) == 10
    assert client.head(f"/stations/goi/{pid}/tai-ve/").status_code == 200
    assert client.get(f"/stations/goi/{pid}/tep/{entry['path']}").status_code == 200
    size = delivery.build.zip_size
    bad = client.get(f"/stations/goi/{pid}/tai-ve/", HTTP_RANGE=f"bytes={size}-")
    assert bad.status_code == 416 and bad["Content-Range"] == f"bytes */{size}"
    logs = list(AuditLog.objects.filter(package_id=pid).order_by("pk"))
    assert [(log.action, log.detail["method"], log.detail["range"]) for log in logs] == [
        ("download_bag", "GET", "bytes=0-9"),
        ("download_bag", "HEAD", ""),
        ("download_file", "GET", ""),
        ("download_bag", "GET", f"bytes={size}-"),
    ]
    assert {(log.user.username, log.station.code, log.ip) for log in logs} == {
        ("dai-a", "a", "127.0.0.1")
    }


def test_failed_checks_and_bad_tokens_are_audited_without_secrets(client, world) -> None:
    pid = world["ready"].package_id
    wrong = api_call(client, "POST", f"{API}/packages/{pid}/receipt", world["token_a"],
                     data={"sha256": "0" * 64})  # fmt: skip
    assert wrong.status_code == 409
    [mismatch] = AuditLog.objects.filter(action="receipt_mismatch")
    assert mismatch.station == world["a"] and mismatch.token is not None
    assert mismatch.detail["sha256"] == "0" * 64
    # A guess with a real prefix and a wrong secret: audited by prefix, never the secret.
    prefix = world["token_a"].split("_")[1]
    guess = f"st_{prefix}_{'x' * 43}"
    assert api_call(client, "GET", f"{API}/packages", guess).status_code == 401
    [failed] = AuditLog.objects.filter(action="auth_failed")
    assert failed.detail == {"prefix": prefix} and failed.station is None
    dumped = str(list(AuditLog.objects.values()))
    assert guess not in dumped and world["token_a"] not in dumped


def test_admin_views_refuse_station_users_and_anonymous_visitors(client, world) -> None:
    pid, station = world["ready"].package_id, world["a"].pk
    token = world["a"].tokens.get()
    urls = [
        ("get", "/admin/carriage/"),
        ("get", f"/admin/carriage/packages/{pid}/"),
        ("get", f"/admin/carriage/packages/{pid}/release/"),
        ("post", f"/admin/carriage/packages/{pid}/release/"),
        ("get", f"/admin/carriage/stations/{station}/tokens/"),
        ("post", f"/admin/carriage/stations/{station}/tokens/"),
        ("post", f"/admin/carriage/stations/{station}/tokens/{token.pk}/revoke/"),
    ]
    for user in (None, world["user_a"]):
        client.logout()
        if user is not None:
            client.force_login(user)
        for method, url in urls:
            response = getattr(client, method)(url, {"label": "x", "days": 5})
            assert response.status_code in (302, 403), (user, url)
            if response.status_code == 302:
                assert "/admin/login/" in response["Location"], (user, url)
    token.refresh_from_db()
    assert token.revoked_at is None and world["a"].tokens.count() == 1
    assert PackageDelivery.objects.filter(package_id=pid).count() == 1


def test_portal_login_brute_force_is_locked_out(client, world, settings) -> None:
    url = "/stations/dang-nhap/"
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "dai-a", "password": f"sai-{n}"})
        assert response.status_code == 200 and "_auth_user_id" not in client.session
    last = client.post(url, {"username": "dai-a", "password": "sai"})
    assert last.status_code == 429  # the limit reached: locked out from now on
    locked = client.post(url, {"username": "dai-a", "password": "pw-12345!"})
    assert locked.status_code == 429 and "_auth_user_id" not in client.session
    # Another station's user from the same address is not punished for it.
    other = client.post(url, {"username": "dai-b", "password": "pw-12345!"})
    assert other.status_code == 302 and "_auth_user_id" in client.session
