"""Admin: the archivist's views — which published items are ready and what each lacks, the
export log, and starting an export run — each checking its own permission."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission

from cms.archive.models import ExportRecord, ExportStatus
from cms.content.models import ItemPage

ARCHIVIST = "Lưu trữ viên"
VIEWS = ["/admin/archive/", "/admin/archive/exports/"]


@pytest.fixture
def archivist(django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("luutru", password="pw-12345!")
    user.groups.add(Group.objects.get(name=ARCHIVIST))
    return user


@pytest.mark.django_db
def test_archivist_group_has_the_archive_permissions_and_no_editing() -> None:
    group = Group.objects.get(name=ARCHIVIST)
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert {
        "archive.run_export",
        "archive.view_exportrecord",
        "wagtailadmin.access_admin",
    } <= granted
    assert not [p for p in granted if p.split(".")[1].startswith(("add_", "change_", "delete_"))]
    assert not group.page_permissions.exists()


@pytest.mark.django_db
def test_readiness_view_lists_items_and_missing_fields(
    client, archivist, radio_item, exhibition_item
) -> None:
    ItemPage.objects.filter(pk=exhibition_item.pk).update(access_level="", retention_period="")
    client.force_login(archivist)
    response = client.get("/admin/archive/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Quyền trẻ em ở thôn bản" in body and "vi, km, cjm" in body
    assert 'data-ready="true"' in body and 'data-ready="false"' in body
    assert "Thời hạn bảo quản" in body and "Mức độ tiếp cận" in body
    assert "data-archive-run" in body  # the archivist may start a run
    ready_only = client.get("/admin/archive/?status=ready").content.decode()
    assert "Ảnh và tranh cổ động" not in ready_only and "Quyền trẻ em" in ready_only
    menu = client.get("/admin/").content.decode()
    assert "/admin/archive/" in menu


@pytest.mark.django_db
def test_archivist_runs_an_export_and_reads_the_log(
    client, archivist, settings, radio_item, tmp_path
) -> None:
    settings.CMS_ARCHIVE = {**settings.CMS_ARCHIVE, "SECOND_COPY_DIR": str(tmp_path / "copy")}
    client.force_login(archivist)
    assert "Chưa có lượt xuất nào" in client.get("/admin/archive/exports/").content.decode()
    assert client.get("/admin/archive/run/").status_code == 405  # only by POST
    response = client.post("/admin/archive/run/", follow=True)
    assert response.redirect_chain[-1][0] == "/admin/archive/exports/"
    body = response.content.decode()
    assert "Đã đưa lượt xuất lưu trữ vào hàng đợi." in body
    # The test settings run tasks at once; a worker does in production.
    record = ExportRecord.objects.get()
    assert record.status == ExportStatus.DONE
    assert 'data-status="done"' in body and record.target in body
    failed_only = client.get("/admin/archive/exports/?status=failed").content.decode()
    assert 'data-status="done"' not in failed_only


@pytest.mark.django_db
@pytest.mark.parametrize("url", VIEWS)
def test_views_refuse_users_without_the_permission(client, make_user, url) -> None:
    client.force_login(make_user("phongvien", "reporter"))
    assert client.get(url).status_code in (302, 403)
    assert "/admin/archive/" not in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_run_needs_its_own_permission(client, make_user, settings, radio_item, tmp_path) -> None:
    settings.CMS_ARCHIVE = {**settings.CMS_ARCHIVE, "SECOND_COPY_DIR": str(tmp_path / "copy")}
    reader = make_user("doc", "reporter")
    reader.user_permissions.add(Permission.objects.get(codename="view_exportrecord"))
    client.force_login(reader)
    for url in VIEWS:
        response = client.get(url)
        assert response.status_code == 200
        assert "data-archive-run" not in response.content.decode()
    refused = client.post("/admin/archive/run/")
    # Wagtail's admin turns PermissionDenied into a redirect to the dashboard with a message.
    assert refused.status_code == 403 or refused["Location"] == "/admin/"
    assert not ExportRecord.objects.exists()
    client.logout()
    assert client.post("/admin/archive/run/").status_code in (302, 403)
    assert not ExportRecord.objects.exists()
