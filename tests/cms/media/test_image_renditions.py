"""Image and waveform renditions through the job path, read back with Pillow as a viewer would."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cms.media import renditions
from cms.media.models import CustomImage, MediaRendition, RenditionStatus
from media_pipeline.hashing import sha256_file


def upload_image(client, samples: Path, name: str, title: str, capture) -> CustomImage:
    """Upload through Wagtail's image form; the renditions are scheduled on commit."""
    upload = SimpleUploadedFile(name, (samples / name).read_bytes(), content_type="image/jpeg")
    with capture(execute=True):
        response = client.post("/admin/images/add/", {"title": title, "file": upload})
    assert response.status_code == 302, response.content.decode()[-1500:]
    return CustomImage.objects.get(title=title)


@pytest.fixture
def auto_render(settings):
    settings.CMS_MEDIA = {**settings.CMS_MEDIA, "AUTO_RENDER": True}


@pytest.mark.django_db
def test_uploaded_photo_gets_web_board_and_print(
    client, make_user, samples, auto_render, django_capture_on_commit_callbacks
) -> None:
    client.force_login(make_user("bientap", "editor"))
    image = upload_image(
        client,
        samples,
        "photo_3000x2000.jpg",
        "Ngày hội đại đoàn kết",
        django_capture_on_commit_callbacks,
    )
    original = sha256_file(image.file.path)
    rows = {r.profile: r for r in MediaRendition.objects.filter(image=image)}
    assert set(rows) == {"image_web", "image_board", "image_print"}
    assert all(r.status == RenditionStatus.DONE for r in rows.values()), [
        (r.profile, r.status, r.error_detail) for r in rows.values()
    ]
    with Image.open(rows["image_web"].file.path) as web:
        assert web.format == "JPEG" and web.mode == "RGB"
        assert max(web.size) == 1600 and web.size == (1600, 1067)
    with Image.open(rows["image_board"].file.path) as board:
        assert board.size == (1920, 1080)
        # the caption band at the bottom carries light text on the dark background
        band = board.crop((0, 1080 - 140, 1920, 1080)).convert("L")
        assert band.getextrema()[1] > 200
    with Image.open(rows["image_print"].file.path) as printed:
        assert printed.size == (3000, 2000) and printed.mode == "RGB"
    assert sha256_file(image.file.path) == original  # the original is never modified
    folder = Path(rows["image_web"].file.path).parent
    assert not [p for p in folder.iterdir() if ".partial-" in p.name]

    html = client.get(f"/admin/media-images/{image.pk}/renditions/").content.decode()
    for profile in rows:
        assert profile in html
    assert "1600×1067" in html and "Hoàn tất" in html
    assert "chưa đủ chất lượng để lưu trữ" not in html


@pytest.mark.django_db
def test_small_image_is_flagged_for_the_archive_and_cmyk_becomes_rgb(
    client, make_user, samples, auto_render, django_capture_on_commit_callbacks
) -> None:
    client.force_login(make_user("bientap", "editor"))
    logo = upload_image(
        client, samples, "logo_alpha.png", "Biểu trưng", django_capture_on_commit_callbacks
    )
    html = client.get(f"/admin/media-images/{logo.pk}/renditions/").content.decode()
    assert "chưa đủ chất lượng để lưu trữ" in html
    web = MediaRendition.objects.get(image=logo, profile="image_web")
    with Image.open(web.file.path) as im:
        assert im.format == "PNG" and im.mode == "RGBA"  # transparency kept on the web

    poster = upload_image(
        client, samples, "poster_cmyk.jpg", "Áp phích", django_capture_on_commit_callbacks
    )
    for r in MediaRendition.objects.filter(image=poster):
        assert r.status == RenditionStatus.DONE
        with Image.open(r.file.path) as im:
            assert im.mode == "RGB"


@pytest.mark.django_db
def test_identical_image_is_not_rendered_twice(samples) -> None:
    data = (samples / "photo_3000x2000.jpg").read_bytes()
    first = CustomImage(title="Ảnh", file=SimpleUploadedFile("a.jpg", data))
    first.save()
    second = CustomImage(title="Ảnh", file=SimpleUploadedFile("b.jpg", data))
    second.save()
    renditions.schedule_image_renditions(first)
    renditions.schedule_image_renditions(second)
    a = MediaRendition.objects.get(image=first, profile="image_web")
    b = MediaRendition.objects.get(image=second, profile="image_web")
    assert a.key == b.key
    renditions.run(a.pk)
    renditions.run(b.pk)
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.status == RenditionStatus.DONE and b.file.name == a.file.name


@pytest.mark.django_db
def test_decompression_bomb_stored_behind_the_form_fails_with_a_reason(
    client, make_user, samples
) -> None:
    """A file that reached the storage without the form's check still never gets decoded."""
    name = default_storage.save(
        "original_images/bomb.png",
        ContentFile((samples / "bad_decompression_bomb.png").read_bytes()),
    )
    # bulk_create: no model save() and no signal, as a script or an import might store it
    (bomb,) = CustomImage.objects.bulk_create(
        [CustomImage(title="bom", file=name, width=60000, height=60000)]
    )
    renditions.schedule_image_renditions(bomb)
    for r in MediaRendition.objects.filter(image=bomb):
        assert renditions.run(r.pk) == RenditionStatus.FAILED
        r.refresh_from_db()
        assert r.error_code in ("decompression_bomb", "too_many_pixels") and not r.file
    client.force_login(make_user("bientap", "editor"))
    html = client.get(f"/admin/media-images/{bomb.pk}/renditions/").content.decode()
    assert "quá lớn" in html


@pytest.mark.django_db
def test_audio_master_gets_a_waveform(master_factory) -> None:
    master = master_factory("vi_segment_48k_stereo.wav")
    renditions.schedule_renditions(master)
    rendition = MediaRendition.objects.get(master=master, profile="waveform")
    assert renditions.run(rendition.pk) == RenditionStatus.DONE
    rendition.refresh_from_db()
    with Image.open(rendition.file.path) as im:
        assert im.format == "PNG" and im.size == (1200, 120)
        # something was drawn: not a single flat colour
        assert len(im.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 1
