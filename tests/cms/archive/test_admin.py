"""The archivist's view: published items, whether each is export-ready, and what it lacks."""

from __future__ import annotations

import pytest

from cms.content.models import ItemPage


@pytest.mark.django_db
def test_readiness_view_lists_items_and_missing_fields(
    client, django_user_model, radio_item, exhibition_item
) -> None:
    ItemPage.objects.filter(pk=exhibition_item.pk).update(access_level="", retention_period="")
    admin = django_user_model.objects.create_superuser("luutru", password="pw-12345!")
    client.force_login(admin)
    response = client.get("/admin/archive/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Quyền trẻ em ở thôn bản" in body and "vi, km, cjm" in body
    assert 'data-ready="true"' in body and 'data-ready="false"' in body
    assert "Thời hạn bảo quản" in body and "Mức độ tiếp cận" in body
    ready_only = client.get("/admin/archive/?status=ready").content.decode()
    assert "Ảnh và tranh cổ động" not in ready_only and "Quyền trẻ em" in ready_only
    menu = client.get("/admin/").content.decode()
    assert "/admin/archive/" in menu


@pytest.mark.django_db
def test_readiness_view_needs_permission(client, make_user) -> None:
    client.force_login(make_user("phongvien", "reporter"))
    assert client.get("/admin/archive/").status_code in (302, 403)
