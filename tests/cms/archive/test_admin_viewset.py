"""The archive pages are Wagtail's generic IndexView in a registered viewset: Wagtail's
table and status tags, the filters drilldown, a results-only fragment with the same check."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import Group

from cms.content.models import ItemPage


@pytest.fixture
def archivist(django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("luutru", password="pw-12345!")
    user.groups.add(Group.objects.get(name="Lưu trữ viên"))
    return user


def table_of(html: str) -> str:
    [table] = re.findall(r'<table[^>]*class="listing"[^>]*>.*?</table>', html, re.S)
    return table


@pytest.mark.django_db
def test_readiness_is_a_wagtail_listing(client, archivist, radio_item, exhibition_item) -> None:
    ItemPage.objects.filter(pk=exhibition_item.pk).update(access_level="")
    client.force_login(archivist)
    html = client.get("/admin/archive/").content.decode()
    assert 'data-controller="w-breadcrumbs"' in html and 'id="filters-drilldown"' in html
    table = table_of(html)
    assert "data-archive-readiness" in table
    assert 'class="w-status w-status--primary"' in table  # the ready item's tag
    assert re.search(r'<tr[^>]*data-ready="false"', table)
    edit = f"/admin/pages/{radio_item.pk}/edit/"
    assert f'href="{edit}"' in table
    # The results-only fragment (Wagtail's filtering without reload): no page chrome.
    fragment = client.get("/admin/archive/results/", {"status": "missing"}).content.decode()
    assert "<html" not in fragment
    assert 'data-ready="false"' in fragment and 'data-ready="true"' not in fragment


@pytest.mark.django_db
def test_export_log_filters_in_the_drilldown(client, archivist) -> None:
    client.force_login(archivist)
    html = client.get("/admin/archive/exports/", {"status": "failed"}).content.decode()
    assert 'id="filters-drilldown"' in html and 'name="status"' in html
    assert "w-pill" in html  # the active filter
    assert "Chưa có lượt xuất nào." in html


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/archive/results/", "/admin/archive/exports/results/"])
def test_results_fragments_are_refused_like_the_pages(client, make_user, url) -> None:
    client.force_login(make_user("phongvien", "reporter"))
    assert client.get(url).status_code in (302, 403)
