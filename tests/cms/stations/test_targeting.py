"""Who receives a package: units across the 2025 reform, kinds, languages; build priority."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django_tasks import default_task_backend

from cms.stations import distribution
from cms.stations.models import PackageDelivery

pytestmark = pytest.mark.django_db


def codes(package) -> set[str]:
    return {s.code for s in distribution.target_stations(package)}


def test_former_district_station_receives_what_its_new_commune_is_sent(
    make_station, make_package, units
) -> None:
    make_station("huyen-cao-loc-cu", kind="district_radio", unit="cao_loc_district")
    make_station("xa-cao-loc", unit="cao_loc")
    make_station("xa-dong-dang", unit="dong_dang")
    make_station("can-tho", unit="can_tho")
    package = make_package("Gói", [], units=[units["cao_loc"]])
    assert codes(package) == {"huyen-cao-loc-cu", "xa-cao-loc"}  # not the sibling commune
    package.include_related_units = False
    assert codes(package) == {"xa-cao-loc"}


def test_new_province_reaches_stations_under_old_codes_and_its_communes(
    make_station, make_package, units
) -> None:
    make_station("tinh-cu", kind="provincial_radio", unit="lang_son_old")
    make_station("huyen-cu", kind="district_radio", unit="cao_loc_district")
    make_station("xa", unit="dong_dang")
    make_station("can-tho", unit="can_tho")
    package = make_package("Gói", [], units=[units["lang_son"]])
    assert codes(package) == {"tinh-cu", "huyen-cu", "xa"}


def test_old_district_target_reaches_the_communes_it_became(make_station, make_package, units):
    make_station("xa-cao-loc", unit="cao_loc")
    make_station("xa-dong-dang", unit="dong_dang")
    package = make_package("Gói", [], units=[units["cao_loc_district"]])
    assert codes(package) == {"xa-cao-loc", "xa-dong-dang"}


def test_kind_and_language_filters_and_named_stations(make_station, make_package, units) -> None:
    make_station("loa-vi", unit="cao_loc")
    make_station("loa-km", unit="cao_loc", languages=("km",))
    make_station("bang", kind="digital_board", unit="cao_loc")
    extra = make_station("can-tho-km", unit="can_tho", languages=("km",), kind="digital_board")
    make_station("tat", unit="cao_loc", is_active=False)
    package = make_package(
        "Gói", [], units=[units["cao_loc"]], stations=[extra],
        target_kinds=["commune_radio"], target_languages=["km"],
    )  # fmt: skip
    assert codes(package) == {"loa-km", "can-tho-km"}


def test_no_target_means_every_active_station(make_station, make_package) -> None:
    make_station("a", unit="cao_loc")
    make_station("b", unit="can_tho")
    assert codes(make_package("Gói", [])) == {"a", "b"}


def builds_enqueued() -> dict[int, int]:
    return {
        r.args[0]: r.task.priority
        for r in default_task_backend.results
        if r.task.module_path == "cms.stations.tasks.build_package"
    }


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}}
)
def test_release_enqueues_builds_on_commit_with_emergency_first(
    make_item, make_station, make_package, units, django_capture_on_commit_callbacks
) -> None:
    item = make_item("Bão số 5")
    make_station("xa", unit="cao_loc")
    normal = make_package("Thường", [item], units=[units["cao_loc"]])
    emergency = make_package("Khẩn", [item], "emergency", units=[units["cao_loc"]])
    default_task_backend.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        distribution.release(normal)
        distribution.release(emergency)
        assert builds_enqueued() == {}  # nothing before the commit
    for callback in callbacks:
        callback()
    priorities = builds_enqueued()
    builds = {d.package.title: d.build_id for d in PackageDelivery.objects.all()}
    assert priorities[builds["Khẩn"]] == 100 and priorities[builds["Thường"]] == 0
    normal.refresh_from_db()
    assert normal.released_at is not None
