"""Fixtures for the archive: items in several languages with Unicode file names, and a real
S3-protocol server (moto's standalone server as a subprocess on 127.0.0.1)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from wagtail.models import Locale

from cms.content.models import ExhibitionItem, ExhibitionPage, RadioSegmentPage
from cms.media.models import CustomImage, MediaMaster, MediaRendition, RenditionStatus
from cms.media.uploads import master_from_file
from tests.cms.conftest import complete_metadata
from tests.support import MotoServer

# Vietnamese (with a combining-mark-prone name), Khmer and Cham (script) file names.
VI_NAME = "Phóng sự quyền trẻ em ở thôn bản.wav"
KM_NAME = "សិទ្ធិកុមារ នៅតាមភូមិ.ogg"
CJM_NAME = "ꨀꨇꩉ ꨌꩌ.wav"


@pytest.fixture(scope="session")
def aws_credentials() -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test-archive")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test-archive-secret")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture(scope="session")
def moto_server(
    tmp_path_factory: pytest.TempPathFactory, aws_credentials: None
) -> Iterator[MotoServer]:
    server = MotoServer(tmp_path_factory.mktemp("moto"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3(moto_server: MotoServer, settings: Any, tmp_path: Path) -> MotoServer:
    """Two empty buckets (national store and second copy) on a running server."""
    if moto_server.process is None or moto_server.process.poll() is not None:
        moto_server.start()
    moto_server.reset()
    client = moto_server.client()
    for bucket in ("national-archive", "second-copy"):
        client.create_bucket(Bucket=bucket)
    settings.CMS_ARCHIVE = {
        **settings.CMS_ARCHIVE,
        "S3_ENDPOINT_URL": moto_server.url,
        "S3_BUCKET": "national-archive",
        "S3_PREFIX": "cms",
        "S3_SECOND_BUCKET": "second-copy",
        "MAX_ATTEMPTS": 2,
        "CONNECT_TIMEOUT": 2,
        "READ_TIMEOUT": 10,
    }
    return moto_server


@pytest.fixture(autouse=True)
def archive_settings(settings: Any, tmp_path: Path) -> None:
    settings.CMS_MEDIA = {**settings.CMS_MEDIA, "AUTO_RENDER": False}
    settings.CMS_ARCHIVE = {
        "WORK_DIR": str(tmp_path / "work"),
        "OAI_REPOSITORY_ID": "archive.test.vn",
        "MULTIPART_THRESHOLD": 8 * 1024 * 1024,
        "MULTIPART_CHUNKSIZE": 5 * 1024 * 1024,
    }
    settings.WAGTAILADMIN_BASE_URL = "http://cms.test"


def make_master(data: bytes, name: str, language: str, title: str | None = None) -> MediaMaster:
    """A master stored exactly as the upload form stores one (``master_from_file``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return master_from_file(path, title or name, language)


def add_rendition(master: MediaMaster, profile: str, data: bytes, name: str) -> MediaRendition:
    """A finished rendition as the media pipeline leaves it (file, digest, loudness)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    stored = default_storage.save(
        f"renditions/{master.language}/{master.pk}/{name}", ContentFile(data)
    )
    return MediaRendition.objects.create(
        master=master,
        profile=profile,
        key=f"{master.sha256}-{profile}",
        status=RenditionStatus.DONE,
        file=stored,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        loudness={
            "input": {"integrated_lufs": -30.1},
            "output": {"integrated_lufs": -16.0},
            "target_lufs": -16.0,
        },
        technical_metadata={"duration": 12.0},
    )


def translate(page: Any, language: str, **fields: Any) -> Any:
    locale = Locale.objects.get(language_code=language)
    translation = page.copy_for_translation(locale, copy_parents=True)
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    translation.refresh_from_db()
    return translation


@pytest.fixture
def radio_item(section: Any, samples: Path) -> RadioSegmentPage:
    """A radio segment in Vietnamese, Khmer and Cham, each with its own recording."""
    vi_master = make_master((samples / "vi_segment_48k_stereo.wav").read_bytes(), VI_NAME, "vi")
    add_rendition(
        vi_master,
        "loudspeaker",
        (samples / "vi_vbr_44k.mp3").read_bytes(),
        "Phóng sự.loudspeaker.mp3",
    )
    page = RadioSegmentPage(
        title="Quyền trẻ em ở thôn bản",
        slug="quyen-tre-em-o-thon-ban",
        audio=vi_master,
        script="Phát thanh viên: Kính thưa bà con, mọi trẻ em đều có quyền được học tập.",
        keywords="quyền trẻ em, giáo dục",
        credits="Phóng viên: Nguyễn Văn A",
        live=False,
    )
    section.add_child(instance=page)
    complete_metadata(page)
    page.save_revision().publish()
    page.refresh_from_db()
    km_master = make_master((samples / "vi_speech.ogg").read_bytes(), KM_NAME, "km")
    translate(
        page,
        "km",
        title="សិទ្ធិកុមារនៅតាមភូមិ",
        audio=km_master,
        script="អ្នកប្រកាស៖ ជម្រាបសួរបងប្អូន កុមារគ្រប់រូបមានសិទ្ធិសិក្សា។",
    )
    cjm_master = make_master((samples / "vi_phone_8k_mono.wav").read_bytes(), CJM_NAME, "cjm")
    translate(page, "cjm", title="ꨀꨇꩉ ꨌꩌ ꨁꨪꨓ", audio=cjm_master, script="ꨀꨇꩉ ꨌꩌ")
    return page


@pytest.fixture
def exhibition_item(home: Any, samples: Path) -> ExhibitionPage:
    from cms.content.models import SectionIndexPage
    from cms.taxonomy.models import ProductType

    section = SectionIndexPage(title="Triển lãm", slug="trien-lam")
    home.add_child(instance=section)
    section.save_revision().publish()
    vi = Locale.objects.get(language_code="vi")
    photo = CustomImage(
        # Image titles name the files in the bag (Wagtail keeps only an ASCII file name):
        # these two differ only by case, so they would collide on a FAT/exFAT USB disk.
        title="Ảnh sinh hoạt",
        file=SimpleUploadedFile(
            "Ảnh sinh hoạt.jpg", (samples / "photo_3000x2000.jpg").read_bytes()
        ),
    )
    photo.save()
    poster = CustomImage(
        title="ảnh sinh hoạt",
        file=SimpleUploadedFile("ảnh sinh hoạt.JPG", (samples / "poster_cmyk.jpg").read_bytes()),
    )
    poster.save()
    page = ExhibitionPage(
        title="Ảnh và tranh cổ động về bình đẳng giới",
        slug="anh-va-tranh",
        place="Nhà văn hóa xã",
        live=False,
    )
    page.items.add(ExhibitionItem(image=photo, caption="Buổi sinh hoạt cộng đồng.", locale=vi))
    page.items.add(ExhibitionItem(image=poster, caption="Nam nữ bình đẳng.", locale=vi))
    section.add_child(instance=page)
    complete_metadata(page)
    page.product_type = ProductType.objects.get(code="exhibition", locale=vi)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def new_radio(section: Any, samples: Path, n: int) -> RadioSegmentPage:
    """A small published single-language item (for harvests and bulk tests)."""
    master = MediaMaster.objects.filter(language="vi").first()
    if master is None:
        master = make_master((samples / "vi_vbr_44k.mp3").read_bytes(), "bản tin.mp3", "vi")
    page = RadioSegmentPage(title=f"Bản tin số {n}", slug=f"ban-tin-{n}", audio=master, live=False)
    section.add_child(instance=page)
    complete_metadata(page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def unpublish_in_admin(user: Any, page: Any, capture: Any) -> None:
    """Unpublish one language version through the admin, as ``user``, CSRF enforced; the
    catalogue follows on commit (``capture`` is django_capture_on_commit_callbacks)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = f"/admin/pages/{page.pk}/unpublish/"
    form = client.get(url)
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode())
    assert token is not None
    with capture(execute=True):
        response = client.post(url, {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302, response.content[:500]
