"""The station portal and the provincial admin: who sees what, confirmations, carriage."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cms.stations.models import AuditLog, PackageDelivery, StationToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_item, make_station, make_package, release, units, station_user) -> dict[str, Any]:
    item = make_item("Quyền trẻ em")
    a = make_station("a", unit="cao_loc", contact_email="dai-a@example.vn")
    b = make_station("b", unit="can_tho")
    [normal] = release(make_package("Gói thường", [item], units=[units["cao_loc"]]))
    [urgent] = release(make_package("Bão khẩn cấp", [item], "emergency", units=[units["cao_loc"]]))
    [other] = release(make_package("Gói của B", [item], units=[units["can_tho"]]))
    return {
        "a": a, "b": b, "normal": normal, "urgent": urgent, "other": other,
        "user_a": station_user("dai-a", a), "user_b": station_user("dai-b", b),
    }  # fmt: skip


def without_csrf(body: bytes) -> bytes:
    """Pages differ only by their masked CSRF token (fresh on every response)."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def portal_urls(delivery: PackageDelivery) -> list[tuple[str, str, dict[str, Any]]]:
    pid = delivery.package_id
    path = delivery.build.files[0]["path"]
    return [
        ("get", f"/stations/goi/{pid}/", {}),
        ("get", f"/stations/goi/{pid}/tai-ve/", {}),
        ("get", f"/stations/goi/{pid}/tep/{path}", {}),
        ("post", f"/stations/goi/{pid}/da-nhan/", {"sha256": delivery.build.zip_sha256}),
        ("post", f"/stations/goi/{pid}/da-phat/", {}),
    ]


def test_portal_matrix_own_other_anonymous(client, world, make_user) -> None:
    missing = world["other"].package_id + 1000
    for method, url, data in portal_urls(world["normal"]):
        client.logout()
        anonymous = getattr(client, method)(url, data)
        assert anonymous.status_code == 302 and "/stations/dang-nhap/" in anonymous["Location"]
        client.force_login(world["user_b"])
        other = getattr(client, method)(url, data)
        absent = getattr(client, method)(
            url.replace(f"/{world['normal'].package_id}/", f"/{missing}/"), data
        )
        assert other.status_code == absent.status_code == 404, url
        assert without_csrf(other.content) == without_csrf(absent.content)
        client.force_login(world["user_a"])
        assert getattr(client, method)(url, data).status_code in (200, 302), url
    client.force_login(make_user("khong-thuoc-dai"))
    assert client.get("/stations/").status_code == 403


def test_list_pins_emergency_on_top_and_hides_other_stations(client, world) -> None:
    client.force_login(world["user_a"])
    html = client.get("/stations/").content.decode()
    assert html.index("Bão khẩn cấp") < html.index("Gói thường")
    assert "Gói của B" not in html
    assert "Bản tin khẩn cấp" in html


def test_confirm_receipt_and_airing_from_the_portal(client, world) -> None:
    delivery = world["normal"]
    pid = delivery.package_id
    client.force_login(world["user_a"])
    bad = client.post(f"/stations/goi/{pid}/da-nhan/", {"sha256": "f" * 64}, follow=True)
    assert "không khớp" in bad.content.decode()
    client.post(f"/stations/goi/{pid}/da-nhan/", {"sha256": delivery.build.zip_sha256})
    item = delivery.package.items.get()
    response = client.post(
        f"/stations/goi/{pid}/da-phat/",
        {"aired_date": "2026-01-05", "aired_time": "06:30", "items": [str(item.pk)]},
        follow=True,
    )
    assert "Đã ghi nhận lịch phát sóng" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.received_at is not None
    assert timezone.localtime(delivery.aired_at).strftime("%d/%m/%Y %H:%M") == "05/01/2026 06:30"
    actions = list(AuditLog.objects.filter(package_id=pid).values_list("action", "user__username"))
    assert ("receipt_mismatch", "dai-a") in actions
    assert ("confirm_receipt", "dai-a") in actions and ("confirm_airing", "dai-a") in actions
    # History: the package moved out of "new".
    html = client.get("/stations/").content.decode()
    assert html.index("Lịch sử") < html.index("Gói thường")


def test_carriage_dashboard_and_overdue_emergency_mail(client, world, make_user, settings) -> None:
    settings.CMS_STATIONS = {
        "ALERT_EMAILS": ["truc-ban@example.vn"],
        "EMERGENCY_DOWNLOAD_MINUTES": 15,
    }
    PackageDelivery.objects.update(targeted_at=timezone.now() - datetime.timedelta(minutes=20))
    call_command("check_carriage")
    call_command("check_carriage")  # flagged once, mailed once
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Bão khẩn cấp" in message.body and "Đài a" in message.body
    assert set(message.to) == {"truc-ban@example.vn", "dai-a@example.vn"}
    assert PackageDelivery.objects.get(pk=world["urgent"].pk).overdue_flagged_at is not None
    assert PackageDelivery.objects.get(pk=world["normal"].pk).overdue_flagged_at is None

    client.force_login(make_user("bientap", "editor"))
    html = client.get("/admin/carriage/").content.decode()
    assert "Phát sóng" in html and "Bão khẩn cấp" in html and 'class="overdue"' in html
    detail = client.get(f"/admin/carriage/packages/{world['urgent'].package_id}/").content.decode()
    assert "quá hạn" in detail
    client.force_login(make_user("phongvien", "reporter"))
    assert client.get("/admin/carriage/").status_code in (302, 403)


def test_token_is_shown_once_and_can_be_revoked(client, world, make_user) -> None:
    client.force_login(make_user("quantri", "administrator"))
    url = f"/admin/carriage/stations/{world['a'].pk}/tokens/"
    created = client.post(url, {"label": "Máy tự động", "days": 30}).content.decode()
    token = StationToken.objects.get(label="Máy tự động")
    start = created.index("st_" + token.prefix)
    secret = created[start : created.index("<", start)]
    assert len(secret) > 40
    assert secret not in client.get(url).content.decode()  # never shown again
    api = "/api/stations/v1/station"
    assert client.get(api, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    client.post(f"{url}{token.pk}/revoke/")
    assert client.get(api, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    client.force_login(make_user("bientap2", "editor"))
    refused = client.get(url)
    assert refused.status_code in (302, 403) and "st_" not in refused.content.decode()


def test_editor_creates_and_releases_a_package_in_the_admin(
    client, make_item, make_station, make_user, units
) -> None:
    item = make_item("Bản tin sáng")
    make_station("xa", unit="cao_loc")
    client.force_login(make_user("bientap", "editor"))
    add = client.get("/admin/snippets/stations/broadcastpackage/add/")
    assert add.status_code == 200
    response = client.post(
        "/admin/snippets/stations/broadcastpackage/add/",
        {
            "title": "Gói sáng thứ hai",
            "description": "",
            "bulletin_class": "priority",
            "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "1", "items-MAX_NUM_FORMS": "1000",
            "items-0-page": str(item.pk), "items-0-cue_in": "0", "items-0-cue_out": "",
            "items-0-note": "", "items-0-ORDER": "1", "items-0-id": "", "items-0-DELETE": "",
            "target_units": [str(units["cao_loc"].pk)],
            "include_related_units": "on",
            "target_kinds": ["commune_radio"],
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    from cms.stations.models import BroadcastPackage

    package = BroadcastPackage.objects.get(title="Gói sáng thứ hai")
    assert package.created_by.username == "bientap" and package.items.count() == 1
    confirm = client.get(f"/admin/carriage/packages/{package.pk}/release/").content.decode()
    assert "Đài xa" in confirm
    client.post(f"/admin/carriage/packages/{package.pk}/release/")
    delivery = PackageDelivery.objects.get(package=package)
    assert delivery.station.code == "xa"
    edit = client.post(
        f"/admin/snippets/stations/broadcastpackage/edit/{package.pk}/", {"title": "Sửa"}
    )
    assert edit.status_code == 200  # refused: released packages are not edited
    package.refresh_from_db()
    assert package.title == "Gói sáng thứ hai"


def test_administrator_registers_a_board_station_with_languages(client, make_user, units) -> None:
    from cms.stations.models import Station

    client.force_login(make_user("quantri", "administrator"))
    url = "/admin/snippets/stations/station/add/"
    html = client.get(url).content.decode()
    assert 'type="checkbox" name="languages"' in html
    response = client.post(
        url,
        {
            "name": "Bảng tin chợ Đồng Đăng",
            "code": "bang-tin-dong-dang",
            "kind": "digital_board",
            "administrative_unit": units["dong_dang"].pk,
            "languages": ["vi", "zh-hans"],
            "screen_model": "LED P5 384×192",
            "board_profile": "board_native_384x192",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    station = Station.objects.get(code="bang-tin-dong-dang")
    assert (
        station.languages == ["vi", "zh-hans"] and station.video_profile() == "board_native_384x192"
    )
    bad = client.post(url, {"name": "X", "code": "x", "kind": "digital_board",
                            "administrative_unit": units["dong_dang"].pk, "languages": ["vi"],
                            "board_profile": "4k"})  # fmt: skip
    assert bad.status_code == 200 and not Station.objects.filter(code="x").exists()
