"""The admin page for bulk ingest: who may use it, the check-then-ingest flow, bad input."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Page

from cms.content.models import RadioSegmentPage
from cms.ingest.models import BatchStatus, IngestBatch
from tests.cms.ingest.test_ingest_legacy import (  # noqa: F401  (fixtures)
    BAD_ROWS,
    GOOD_ROWS,
    HEADER,
    archive,
    sections,
)
from tests.cms.test_access_matrix import denied

ARCHIVIST_GROUP = "Lưu trữ viên"


@pytest.fixture
def inbox(settings: Any, tmp_path: Path, archive: Path) -> Path:  # noqa: F811
    root = tmp_path / "ingest"
    root.mkdir()
    shutil.move(str(archive), root / "so-hoa")
    settings.CMS_INGEST_ROOT = root
    return root


@pytest.fixture
def archivist(make_user: Any) -> Any:
    from django.contrib.auth.models import Group

    user = make_user("luutru")
    user.groups.add(Group.objects.get(name=ARCHIVIST_GROUP))
    return user


def sheet_upload(rows: list[list[str]], name: str = "bang-ke.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows([[*HEADER, "coverage"], *rows])
    return SimpleUploadedFile(name, ("\ufeff" + buffer.getvalue()).encode(), "text/csv")


URL_NAMES = ["ingest_index", "ingest_template"]
BATCH_URL_NAMES = ["ingest_batch", "ingest_status", "ingest_report"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["reporter", "editor", "approver", "translator"])
def test_roles_without_the_permission_get_403_everywhere(
    client: Any, make_user: Any, role: str, inbox: Path, archivist: Any
) -> None:
    batch = IngestBatch.objects.create(sheet_name="x.csv", folder="so-hoa", created_by=archivist)
    client.force_login(make_user(f"u-{role}", role))
    for name in URL_NAMES:
        assert denied(client.get(reverse(name))), name
    for name in BATCH_URL_NAMES:
        assert denied(client.get(reverse(name, args=[batch.pk]))), name
    assert denied(client.post(reverse("ingest_run", args=[batch.pk])))
    response = client.post(
        reverse("ingest_index"),
        {"sheet": sheet_upload(GOOD_ROWS), "folder": "so-hoa", "dry_run": ""},
    )
    assert denied(response)
    assert IngestBatch.objects.count() == 1
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("ingest_index") not in menu


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client: Any, inbox: Path) -> None:
    response = client.get(reverse("ingest_index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_archivist_checks_then_ingests_and_can_download_the_report(
    client: Any,
    archivist: Any,
    inbox: Path,
    sections: dict[str, Page],  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(archivist)
    page = client.get(reverse("ingest_index")).content.decode()
    assert "Nhập tư liệu số hóa" in page and 'value="so-hoa"' in page
    assert reverse("ingest_index") in client.get(reverse("wagtailadmin_home")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ingest_index"),
            {"sheet": sheet_upload(GOOD_ROWS + BAD_ROWS), "folder": "so-hoa", "dry_run": "on"},
        )
    check = IngestBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "ingest_batch", args=[check.pk]
    )
    assert check.status == BatchStatus.DONE and check.dry_run
    assert (check.total_rows, check.created, check.problems) == (13, 4, 9)
    assert not RadioSegmentPage.objects.filter(title__startswith="Bản tin sáng").exists()
    shown = client.get(reverse("ingest_batch", args=[check.pk])).content.decode()
    assert "1999/bang-hong.wav" in shown and "Nhập 4 tư liệu" in shown
    status = client.get(reverse("ingest_status", args=[check.pk])).json()
    assert status["finished"] and status["percent"] == 100
    report = b"".join(client.get(reverse("ingest_report", args=[check.pk])).streaming_content)
    lines = list(csv.reader(io.StringIO(report.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][0] == "Dòng" and len(lines) == 1 + 13

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ingest_run", args=[check.pk]))
    run = IngestBatch.objects.exclude(pk=check.pk).get()
    assert not run.dry_run and run.status == BatchStatus.DONE
    assert (run.created, run.problems) == (4, 9)
    draft = RadioSegmentPage.objects.get(title="Bản tin sáng 30/11/1998")
    assert not draft.live and draft.owner == archivist

    # a real run cannot be "run again" into a second copy
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ingest_run", args=[run.pk]))
    assert IngestBatch.objects.count() == 2
    assert RadioSegmentPage.objects.filter(title="Bản tin sáng 30/11/1998").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "folder", "message"),
    [
        ("virus.exe", b"MZ", "so-hoa", ".xlsx hoặc .csv"),
        ("bang-ke.csv", b"a;b\n", "../../etc", "Hãy chọn một lựa chọn hợp lệ"),
        ("bang-ke.csv", b"", "so-hoa", "trống"),
    ],
)
def test_bad_sheet_or_folder_is_a_form_error_in_vietnamese(
    client: Any, archivist: Any, inbox: Path, name: str, content: bytes, folder: str, message: str
) -> None:
    client.force_login(archivist)
    response = client.post(
        reverse("ingest_index"),
        {"sheet": SimpleUploadedFile(name, content), "folder": folder, "dry_run": "on"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not IngestBatch.objects.exists()


@pytest.mark.django_db
def test_a_sheet_missing_columns_fails_the_batch_with_a_message_and_can_be_retried(
    client: Any,
    archivist: Any,
    inbox: Path,
    sections: dict[str, Page],  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(archivist)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("ingest_index"),
            {
                "sheet": SimpleUploadedFile("bang-ke.csv", b"file;title\nx;y\n"),
                "folder": "so-hoa",
                "dry_run": "on",
            },
        )
    batch = IngestBatch.objects.get()
    assert batch.status == BatchStatus.FAILED
    assert "thiếu cột" in batch.error and "product_type" in batch.error
    page = client.get(reverse("ingest_batch", args=[batch.pk])).content.decode()
    assert "thiếu cột" in page and "Chạy lại" in page


@pytest.mark.django_db
def test_template_download_is_a_workbook(client: Any, archivist: Any, inbox: Path) -> None:
    from openpyxl import load_workbook

    client.force_login(archivist)
    response = client.get(reverse("ingest_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Danh sách", "Mã"]
