"""The carriage pages are Wagtail's generic IndexView in a registered viewset: Wagtail's table,
breadcrumbs, filters drilldown, results-only fragment; the same permission everywhere."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.stations import tokens
from cms.stations.models import BroadcastPackage, PackageDelivery, Station

pytestmark = pytest.mark.django_db


@pytest.fixture
def packages(make_station) -> dict[str, BroadcastPackage]:
    station = make_station("xa-1")
    released = BroadcastPackage.objects.create(title="Gói đã phát", released_at=timezone.now())
    PackageDelivery.objects.create(package=released, station=station, available_at=timezone.now())
    draft = BroadcastPackage.objects.create(title="Gói nháp")
    return {"released": released, "draft": draft}


def test_dashboard_is_wagtails_index_view(client, packages, make_user) -> None:
    client.force_login(make_user("bientap", "editor"))
    html = client.get("/admin/carriage/").content.decode()
    # Wagtail's slim header with breadcrumbs, the filters drilldown and the search box
    assert 'data-controller="w-breadcrumbs"' in html
    assert 'id="filters-drilldown"' in html
    assert 'name="q"' in html and 'name="state"' in html and 'name="date_from"' in html
    # Wagtail's table component: column headers in order, the title column links the package
    [table] = re.findall(r'<table class="listing">.*?</table>', html, re.S)
    headers = re.findall(r"<th[^>]*>\s*(.*?)\s*</th>", table, re.S)
    assert [re.sub(r"<[^>]+>|\s+", " ", h).strip() for h in headers] == [
        "Gói",
        "Loại",
        "Phát hành",
        "Đài nhận",
        "Sẵn sàng",
        "Đã nhận",
        "Đã phát",
        "Quá hạn",
    ]
    package_url = reverse("stations_admin:package", args=[packages["released"].pk])
    assert f'href="{package_url}"' in html
    # the draft has a visible release button for an editor
    assert reverse("stations_admin:release", args=[packages["draft"].pk]) in html


def test_results_fragment_filters_without_the_page_chrome(client, packages, make_user) -> None:
    client.force_login(make_user("bientap", "editor"))
    response = client.get("/admin/carriage/results/", {"state": "unreleased"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    ids = {int(n) for n in re.findall(r'data-package="(\d+)"', html)}
    assert ids == {packages["draft"].pk}
    # the active filter is shown as a removable pill
    assert "w-pill" in html


def test_package_page_has_breadcrumbs_and_release_button_for_releasers(
    client, packages, make_user
) -> None:
    client.force_login(make_user("bientap", "editor"))
    draft_url = reverse("stations_admin:package", args=[packages["draft"].pk])
    html = client.get(draft_url).content.decode()
    assert reverse("stations_admin:dashboard") in html  # breadcrumb back to the dashboard
    assert reverse("stations_admin:release", args=[packages["draft"].pk]) in html
    released = client.get(
        reverse("stations_admin:package", args=[packages["released"].pk])
    ).content.decode()
    assert reverse("stations_admin:release", args=[packages["released"].pk]) not in released
    assert 'data-station="xa-1"' in released


def test_results_views_are_refused_like_the_pages(client, packages, make_user) -> None:
    client.force_login(make_user("phongvien", "reporter"))
    pk = packages["released"].pk
    for url in ("/admin/carriage/results/", f"/admin/carriage/packages/{pk}/results/"):
        assert client.get(url).status_code in (302, 403)
    # a missing package is a 404 only for those who may see packages
    assert client.get("/admin/carriage/packages/999999/").status_code in (302, 403)
    client.force_login(make_user("bientap", "editor"))
    assert client.get("/admin/carriage/packages/999999/").status_code == 404


def test_token_list_is_a_wagtail_table_whose_revoke_forms_carry_the_csrf_token(
    client, packages, make_user
) -> None:
    station = Station.objects.get(code="xa-1")
    token = tokens.issue(station, label="Máy A", created_by=None, expires_at=timezone.now())
    client.force_login(make_user("quantri", "administrator"))
    html = client.get(f"/admin/carriage/stations/{station.pk}/tokens/").content.decode()
    [table] = re.findall(r'<table class="listing">.*?</table>', html, re.S)
    assert f"st_{token.token.prefix}_" in table and "Máy A" in table
    revoke = re.search(r'<form method="post" action="[^"]*/revoke/">(.*?)</form>', table, re.S)
    assert revoke and re.search(r'name="csrfmiddlewaretoken" value="[^"]+"', revoke.group(1))
