"""Uploads are checked by content; a refused upload leaves nothing behind."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cms.media.models import CustomImage, MediaMaster

ADD_MASTER = "/admin/snippets/media/mediamaster/add/"


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def reporter_client(client, make_user):
    client.force_login(make_user("phongvien", "reporter"))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sample,message",
    [
        ("bad_text_named.mp3", "không phải âm thanh, video hay hình ảnh"),
        ("bad_empty.wav", "Tệp rỗng"),
        ("bad_truncated.mp3", "cắt cụt"),
        ("bad_decompression_bomb.png", "không phù hợp"),
    ],
)
def test_bad_masters_are_refused_with_a_vietnamese_message(
    reporter_client, samples, media_root, sample, message
) -> None:
    upload = SimpleUploadedFile(sample, (samples / sample).read_bytes())
    response = reporter_client.post(ADD_MASTER, {"title": "Thử", "language": "vi", "file": upload})
    assert response.status_code == 200  # the form is shown again, with the error
    assert message in response.content.decode()
    assert MediaMaster.objects.count() == 0
    assert files_under(media_root) == []


@pytest.mark.django_db
def test_valid_master_is_stored_untouched_with_its_unicode_name(
    reporter_client, samples, media_root
) -> None:
    name = unicodedata.normalize("NFD", "Quyền trẻ em សិទ្ធិ.wav")
    raw = (samples / "vi_segment_48k_stereo.wav").read_bytes()
    response = reporter_client.post(
        ADD_MASTER,
        {
            "title": unicodedata.normalize("NFD", "Quyền trẻ em"),
            "language": "vi",
            "file": SimpleUploadedFile(name, raw),
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    master = MediaMaster.objects.get()
    assert master.kind == "audio"
    assert master.title == "Quyền trẻ em"  # stored NFC
    assert master.original_name == unicodedata.normalize("NFC", name)
    assert Path(master.file.name).name == unicodedata.normalize("NFC", name)
    with master.file.open("rb") as handle:
        assert handle.read() == raw
    assert abs(master.duration - len(raw[44:]) / (48000 * 4)) < 0.05


@pytest.mark.django_db
def test_decompression_bomb_image_is_refused_without_decoding(client, make_user, samples) -> None:
    client.force_login(make_user("bientap", "editor"))
    upload = SimpleUploadedFile(
        "bomb.png", (samples / "bad_decompression_bomb.png").read_bytes(), content_type="image/png"
    )
    response = client.post("/admin/images/add/", {"title": "bomb", "file": upload})
    assert response.status_code == 200
    assert CustomImage.objects.count() == 0
    body = response.content.decode()
    assert "Tệp có quá nhiều điểm ảnh" in body  # Wagtail's header-only check, in Vietnamese
    assert "80000000" in body  # the limit from CMS_MAX_IMAGE_PIXELS


@pytest.mark.django_db
def test_anonymous_cannot_upload(client, samples) -> None:
    upload = SimpleUploadedFile("a.wav", (samples / "vi_segment_48k_stereo.wav").read_bytes())
    response = client.post(ADD_MASTER, {"title": "x", "language": "vi", "file": upload})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert MediaMaster.objects.count() == 0
