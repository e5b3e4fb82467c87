"""The provincial carriage dashboard stays usable with many packages and stations: pages,
filters by bulletin class, date, state and name, totals, a bounded number of queries."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone

from cms.stations.models import BroadcastPackage, PackageDelivery, Station

pytestmark = pytest.mark.django_db
DASHBOARD = "/admin/carriage/"


def package_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-package="(\d+)"', html)]


def station_codes(html: str) -> list[str]:
    return re.findall(r'data-station="([^"]+)"', html)


@pytest.fixture
def many(make_station, units) -> dict[str, Any]:
    """64 packages over 3 days for 3 stations: normal (some received by all), emergency
    (one overdue), unreleased."""
    stations = [make_station(f"xa-{n}") for n in range(3)]
    day = timezone.now().replace(hour=8, minute=0, second=0, microsecond=0)
    created: dict[str, list[BroadcastPackage]] = {"normal": [], "emergency": [], "draft": []}
    for n in range(58):
        package = BroadcastPackage.objects.create(
            title=f"Bản tin số {n:02d}", released_at=day - datetime.timedelta(days=n % 3)
        )
        created["normal"].append(package)
        PackageDelivery.objects.bulk_create(
            PackageDelivery(
                package=package,
                station=station,
                available_at=package.released_at,
                received_at=package.released_at if n < 10 else None,  # 0-9: all received
            )
            for station in stations
        )
    for n in range(4):
        package = BroadcastPackage.objects.create(
            title=f"Khẩn cấp {n}", bulletin_class="emergency", released_at=day
        )
        created["emergency"].append(package)
        PackageDelivery.objects.bulk_create(
            PackageDelivery(
                package=package,
                station=station,
                available_at=day,
                received_at=None if n == 0 else day,
            )
            for station in stations
        )
    PackageDelivery.objects.filter(package=created["emergency"][0]).update(
        targeted_at=timezone.now() - datetime.timedelta(hours=1)
    )
    created["draft"] = [BroadcastPackage.objects.create(title=f"Nháp {n}") for n in range(2)]
    return {"packages": created, "day": day, "stations": stations}


def test_dashboard_pages_through_packages_newest_first(
    client, many, make_user, django_assert_max_num_queries
) -> None:
    client.force_login(make_user("bientap", "editor"))
    with django_assert_max_num_queries(20):  # the same whatever the number of packages
        first = client.get(DASHBOARD).content.decode()
    second = client.get(DASHBOARD, {"p": 2}).content.decode()
    total = sum(len(group) for group in many["packages"].values())
    assert len(package_ids(first)) == 50 and len(package_ids(second)) == total - 50
    assert not set(package_ids(first)) & set(package_ids(second))
    assert "Trang 1 / 2" in first and 'href="?p=2"' in first
    assert f"{total} gói" in first
    # Beyond the last page: the last page, not an error.
    assert package_ids(client.get(DASHBOARD, {"p": 99}).content.decode()) == package_ids(second)


def test_dashboard_filters_by_class_state_date_and_title(client, many, make_user) -> None:
    client.force_login(make_user("bientap", "editor"))
    packages = many["packages"]

    def ids(**query: Any) -> set[int]:
        response = client.get(DASHBOARD, query)
        assert response.status_code == 200
        return set(package_ids(response.content.decode()))

    assert ids(bulletin_class="emergency") == {p.pk for p in packages["emergency"]}
    assert ids(state="overdue") == {packages["emergency"][0].pk}
    assert ids(state="unreleased") == {p.pk for p in packages["draft"]}
    received = {p.pk for p in packages["normal"][:10]} | {p.pk for p in packages["emergency"][1:]}
    assert ids(state="received") == received
    assert ids(state="incomplete", bulletin_class="normal") == {
        p.pk for p in packages["normal"][10:]
    }
    yesterday = (many["day"] - datetime.timedelta(days=1)).date()
    assert ids(date_from=yesterday, date_to=yesterday, bulletin_class="normal") == {
        p.pk for n, p in enumerate(packages["normal"]) if n % 3 == 1
    }
    assert ids(q="số 07") == {packages["normal"][7].pk}
    # Filters survive paging; a bad date is an error on the form, not a failure.
    html = client.get(DASHBOARD, {"bulletin_class": "normal"}).content.decode()
    assert 'href="?bulletin_class=normal&amp;p=2"' in html
    bad = client.get(DASHBOARD, {"date_from": "hôm qua"})
    assert bad.status_code == 200 and "error-message" in bad.content.decode()


def test_package_carriage_pages_and_filters_stations(
    client, make_station, make_user, django_assert_max_num_queries
) -> None:
    unit = make_station("mau").administrative_unit
    Station.objects.all().delete()
    stations = Station.objects.bulk_create(
        Station(
            name=f"Đài {n:03d}",
            code=f"dai-{n:03d}",
            languages=["vi"],
            kind="digital_board" if n % 10 == 0 else "commune_radio",
            administrative_unit=unit,
        )
        for n in range(130)
    )
    now = timezone.now()
    package = BroadcastPackage.objects.create(title="Gói toàn tỉnh", released_at=now)
    PackageDelivery.objects.bulk_create(
        PackageDelivery(
            package=package,
            station=station,
            available_at=now,
            received_at=now if n < 40 else None,
            aired_at=now if n < 15 else None,
        )
        for n, station in enumerate(stations)
    )
    client.force_login(make_user("bientap", "editor"))
    url = f"/admin/carriage/packages/{package.pk}/"
    # 21: the admin chrome's share is constant (since the podcast site setting, the settings
    # menu reads the user's site permissions once); 130 stations must not add any.
    with django_assert_max_num_queries(21):
        first = client.get(url).content.decode()
    assert len(station_codes(first)) == 100 and station_codes(first)[0] == "dai-000"
    assert len(station_codes(client.get(url, {"p": 2}).content.decode())) == 30
    assert "Đài nhận: 130 · sẵn sàng: 130 · đã nhận: 40 · đã phát: 15" in first

    def codes(**query: Any) -> list[str]:
        return station_codes(client.get(url, query).content.decode())

    assert codes(state="aired") == [f"dai-{n:03d}" for n in range(15)]
    assert codes(state="not_aired") == [f"dai-{n:03d}" for n in range(15, 40)]
    assert len(codes(state="not_received")) == 90
    assert codes(kind="digital_board", state="aired") == ["dai-000", "dai-010"]
    assert codes(q="Đài 12") == [f"dai-{n:03d}" for n in range(120, 130)]
    assert codes(state="waiting") == []
