"""The master chooser offers upload (issue 14, item 10): a "Tải lên" tab in the modal, the
page's language preselected, the upload form's own checks (Vietnamese errors, nothing
half-written), and the new master chosen at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cms.media.models import MediaMaster

pytestmark = pytest.mark.django_db

CHOOSE = "wagtailsnippetchoosers_media_mediamaster:choose"
CREATE = "wagtailsnippetchoosers_media_mediamaster:create"


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def reporter(client: Any, make_user: Any) -> Any:
    user = make_user("phongvien", "reporter")
    client.force_login(user)
    return user


def modal(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content[:500]
    return json.loads(response.content)


def upload(client: Any, samples: Path, sample: str, query: str, **fields: str) -> Any:
    data = {"title": "Nước sạch", "language": "vi", **fields}
    data["file"] = SimpleUploadedFile(sample, (samples / sample).read_bytes())
    return modal(client.post(f"{reverse(CREATE)}?{query}", data))


def test_the_chooser_has_an_upload_tab_in_the_pages_language(client: Any, reporter: Any) -> None:
    data = modal(client.get(reverse(CHOOSE) + "?language=km&kind=audio"))
    html = data["html"]
    assert "Tải lên" in html
    assert 'enctype="multipart/form-data"' in html
    assert '<option value="km" selected>' in html
    # the upload form posts back with the same language and kind
    assert f"{reverse(CREATE)}?language=km&amp;kind=audio" in html


def test_page_form_opens_the_chooser_with_its_language_and_kind(
    client: Any, reporter: Any, section: Any
) -> None:
    response = client.get(f"/admin/pages/add/content/radiosegmentpage/{section.pk}/")
    assert response.status_code == 200
    assert f"{reverse(CHOOSE)}?language=vi&amp;kind=audio" in response.content.decode()


@pytest.mark.parametrize(
    "sample,message",
    [
        ("bad_text_named.mp3", "không phải âm thanh, video hay hình ảnh"),
        ("bad_empty.wav", "Tệp rỗng"),
        ("bad_truncated.mp3", "cắt cụt"),
        # a video into a radio segment's audio field
        ("km_test_pattern_720p.mp4", "Loại tệp không phù hợp"),
    ],
)
def test_bad_files_are_refused_in_the_chooser_and_nothing_is_stored(
    client: Any, reporter: Any, samples: Path, media_root: Path, sample: str, message: str
) -> None:
    data = upload(client, samples, sample, "language=vi&kind=audio")
    assert data["step"] == "reshow_creation_form"
    assert message in data["htmlFragment"]
    assert MediaMaster.objects.count() == 0
    assert files_under(media_root) == []


def test_an_upload_in_the_chooser_is_stored_and_chosen(
    client: Any, reporter: Any, samples: Path, media_root: Path
) -> None:
    data = upload(client, samples, "vi_segment_48k_stereo.wav", "language=vi&kind=audio")
    assert data["step"] == "chosen"
    master = MediaMaster.objects.get()
    assert data["result"]["id"] == str(master.pk)
    assert data["result"]["string"] == "Nước sạch [vi]"
    assert (master.kind, master.language, master.uploaded_by) == ("audio", "vi", reporter)
    assert master.original_name == "vi_segment_48k_stereo.wav"
    assert [p.name for p in files_under(media_root)] == ["vi_segment_48k_stereo.wav"]


def test_users_who_may_not_add_masters_get_no_upload(client: Any, make_user: Any) -> None:
    from django.contrib.auth.models import Permission

    user = make_user("chi-xem")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="change_mediamaster"),
    )
    client.force_login(user)
    data = modal(client.get(reverse(CHOOSE)))
    assert "Tải lên" not in data["html"]
    response = client.post(reverse(CREATE), {"title": "x", "language": "vi"})
    assert response.status_code in (302, 403)
    assert MediaMaster.objects.count() == 0
