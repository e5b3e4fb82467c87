"""Media integrity (issue 13, findings 3, 9 and 10), each attack over HTTP as the role would.

* 3: a master's file is immutable once stored; "Làm lại" never replaces the bytes of a
  finished rendition; the live page keeps its audio URL and bytes after a reporter's try.
* 9: a public page never falls back to the master when no rendition is finished.
* 10: one policy at ``/media/``, with ``DEBUG`` on and off: public renditions of live public
  pages are served, masters, original images, documents and drafts' renditions never.
  (The same through the real nginx site configuration: ``test_media_nginx.py``.)
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import clear_url_caches
from wagtail.models import Locale

from cms.media import renditions
from cms.media.models import CustomImage, MediaMaster, MediaRendition, RenditionStatus
from media_pipeline.hashing import rendition_key
from tests.cms.conftest import complete_metadata

pytestmark = pytest.mark.django_db
AUDIO_SRC = re.compile(r'<audio[^>]* src="([^"]+)"')


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def done_rendition(master: MediaMaster, profile: str, data: bytes, ext: str) -> MediaRendition:
    """A finished rendition as the pipeline leaves it (stored file, DONE row)."""
    name = default_storage.save(
        f"renditions/{master.language}/{master.pk}/{master.pk}.{profile}.{ext}", ContentFile(data)
    )
    return MediaRendition.objects.create(
        master=master,
        profile=profile,
        key=rendition_key(master.sha256, renditions.profiles()[profile]),
        status=RenditionStatus.DONE,
        file=name,
        sha256=sha256(data),
        size=len(data),
    )


def publish_segment(section: Any, master: MediaMaster, title: str, slug: str) -> Any:
    from cms.content.models import RadioSegmentPage

    page = RadioSegmentPage(
        title=title, slug=slug, audio=master, script="Kính thưa bà con", live=False
    )
    section.add_child(instance=page)
    complete_metadata(page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def debug(request: pytest.FixtureRequest, settings: Any) -> Iterator[bool]:
    """The URL configuration as built with DEBUG off (production) and on (development)."""
    import cms.urls

    settings.DEBUG = request.param
    clear_url_caches()
    importlib.reload(cms.urls)
    yield request.param
    settings.DEBUG = False
    clear_url_caches()
    importlib.reload(cms.urls)


@pytest.fixture
def bulletin(section: Any, master_factory: Any) -> dict[str, Any]:
    """A live vi bulletin with its finished web_audio rendition."""
    master = master_factory("vi_speech.ogg", title="Bản tin sáng")
    rendition = done_rendition(master, "web_audio", b"ID3 web audio of the live bulletin", "mp3")
    page = publish_segment(section, master, "Bản tin sáng 1/12", "ban-tin-sang")
    return {"master": master, "rendition": rendition, "page": page}


def listener_hears(page: Any) -> tuple[str, str]:
    """What an anonymous listener gets: the audio URL in the page HTML and its bytes' hash."""
    listener = Client()
    html = listener.get(page.url).content.decode()
    match = AUDIO_SRC.search(html)
    assert match, "the public page has no player"
    response = listener.get(match.group(1))
    assert response.status_code == 200, (match.group(1), response.status_code)
    return match.group(1), sha256(body(response))


# --- finding 9 --------------------------------------------------------------------------


def test_a_cancelled_rendition_never_falls_back_to_the_master(
    bulletin: dict[str, Any], master_factory: Any, make_user: Any
) -> None:
    """The Tày translation has its own recording, whose rendition an editor cancelled: the
    public /tyz/ page must show no player and no master URL (it played the .ogg master)."""
    vi_page = bulletin["page"]
    tay_master = master_factory("vi_phone_8k_mono.wav", language="tyz", title="Bản tin Tày")
    rendition = MediaRendition.objects.create(
        master=tay_master,
        profile="web_audio",
        key=rendition_key(tay_master.sha256, renditions.profiles()["web_audio"]),
    )
    editor = Client(enforce_csrf_checks=True)
    editor.force_login(make_user("bientap", "editor"))
    listing = editor.get(f"/admin/media-masters/{tay_master.pk}/renditions/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', listing.content.decode())
    assert token
    response = editor.post(
        f"/admin/media-renditions/{rendition.pk}/cancel/",
        {"csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302
    rendition.refresh_from_db()
    assert rendition.status == RenditionStatus.CANCELLED

    tay = vi_page.copy_for_translation(Locale.objects.get(language_code="tyz"), copy_parents=True)
    tay.audio = tay_master
    tay.save_revision().publish()
    tay.refresh_from_db()

    listener = Client()
    response = listener.get(tay.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/media/masters/" not in html and tay_master.file.name not in html
    assert "<audio" not in html
    assert "đang được xử lý" in html  # the note instead of a player
    # and the master is not reachable at its storage URL either
    assert listener.get(f"/media/{tay_master.file.name}").status_code == 404


# --- finding 10 -------------------------------------------------------------------------


def test_media_policy_is_the_same_with_and_without_debug(
    debug: bool, bulletin: dict[str, Any], section: Any, master_factory: Any, make_user: Any,
    samples: Path,
) -> None:  # fmt: skip
    master, rendition = bulletin["master"], bulletin["rendition"]
    anonymous = Client()
    # a public rendition of a live public page: served, the right bytes, with Range
    url, digest = listener_hears(bulletin["page"])
    assert url == f"/media/{rendition.file.name}" and digest == rendition.sha256
    # the master of that very page: never, for anybody
    editor = Client()
    editor.force_login(make_user("bientap", "editor"))
    for client in (anonymous, editor):
        assert client.get(f"/media/{master.file.name}").status_code == 404
    partial = anonymous.get(url, HTTP_RANGE="bytes=4-9")
    assert partial.status_code == 206 and body(partial) == b"web au"
    # a draft's master and its rendition: not public; the editor previews the rendition
    from cms.content.models import RadioSegmentPage

    draft_master = master_factory("vi_vbr_44k.mp3", title="Bản nháp")
    draft_rendition = done_rendition(draft_master, "web_audio", b"draft audio", "mp3")
    draft = RadioSegmentPage(title="Bản nháp", slug="ban-nhap", audio=draft_master, live=False)
    section.add_child(instance=draft)
    draft.save_revision()
    draft_url = f"/media/{draft_rendition.file.name}"
    assert anonymous.get(draft_url).status_code == 404
    assert anonymous.get(f"/media/{draft_master.file.name}").status_code == 404
    assert body(editor.get(draft_url)) == b"draft audio"
    assert "no-cache" in editor.get(draft_url)["Cache-Control"]
    # unpublished: the rendition stops being public
    bulletin["page"].unpublish()
    assert anonymous.get(url).status_code == 404
    # documents and original images: never at /media/
    image = CustomImage(
        title="Ảnh",
        file=SimpleUploadedFile("anh.jpg", (samples / "photo_3000x2000.jpg").read_bytes()),
    )
    image.save()
    for name in (image.file.name, "documents/phu-de.srt", "../etc/passwd", "packages/x.zip"):
        assert anonymous.get(f"/media/{name}").status_code == 404, name
        assert editor.get(f"/media/{name}").status_code == 404, name


def test_image_renditions_of_public_images_are_served_others_not(
    debug: bool, section: Any, samples: Path, make_user: Any
) -> None:
    from cms.content.models import ExhibitionItem, ExhibitionPage

    def image(title: str) -> CustomImage:
        made = CustomImage(
            title=title,
            file=SimpleUploadedFile("anh.jpg", (samples / "photo_3000x2000.jpg").read_bytes()),
        )
        made.save()
        return made

    shown, unused = image("Ảnh triển lãm"), image("Ảnh chưa dùng")
    vi = Locale.objects.get(language_code="vi")
    page = ExhibitionPage(title="Triển lãm", slug="trien-lam", live=False)
    page.items.add(ExhibitionItem(image=shown, caption="Chú thích", locale=vi))
    section.add_child(instance=page)
    complete_metadata(page)
    page.save_revision().publish()
    page.refresh_from_db()
    anonymous = Client()
    html = anonymous.get(page.url).content.decode()
    src = re.search(r'<img[^>]* src="(/media/images/[^"]+)"', html)
    assert src, html
    served = anonymous.get(src.group(1))
    stored = default_storage.open(src.group(1).removeprefix("/media/")).read()
    assert served.status_code == 200 and body(served) == stored and stored[:4] == b"RIFF"
    assert anonymous.get(f"/media/{shown.file.name}").status_code == 404  # the original
    hidden = unused.get_rendition("max-800x800").file.name
    assert anonymous.get(f"/media/{hidden}").status_code == 404
    editor = Client()
    editor.force_login(make_user("bientap", "editor"))
    assert editor.get(f"/media/{hidden}").status_code == 200  # the admin's own thumbnails
    original_copy = shown.get_rendition("original").file.name
    assert anonymous.get(f"/media/{original_copy}").status_code == 404
