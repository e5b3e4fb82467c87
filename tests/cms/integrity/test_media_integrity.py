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


# --- finding 3 --------------------------------------------------------------------------


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token in the form"
    return match.group(1)


def stored_sha256(name: str) -> str:
    with default_storage.open(name, "rb") as handle:
        return sha256(handle.read())


@pytest.mark.parametrize("role", ["reporter", "editor", "approver", "translator", "administrator"])
def test_no_role_swaps_the_audio_of_a_live_bulletin(
    role: str,
    bulletin: dict[str, Any],
    make_user: Any,
    samples: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """As a reporter did: POST another recording to the master's edit form, then "Làm lại" on
    its web rendition. The live page must keep its audio URL and bytes; the master its file."""
    master: MediaMaster = bulletin["master"]
    before = listener_hears(bulletin["page"])
    stored_before = (master.file.name, master.sha256, stored_sha256(master.file.name))
    user = Client(enforce_csrf_checks=True)
    user.force_login(make_user(f"nguoi-{role}", role))

    edit_url = f"/admin/snippets/media/mediamaster/edit/{master.pk}/"
    form = user.get(edit_url).content.decode()
    other = (samples / "vi_segment_48k_stereo.wav").read_bytes()
    swap = user.post(
        edit_url,
        {
            "csrfmiddlewaretoken": csrf_token(form),
            "title": "Bản tin sáng (đã sửa)",
            "language": "vi",
            "file": SimpleUploadedFile("bản tin khác.wav", other, content_type="audio/wav"),
        },
    )
    renditions_url = f"/admin/media-masters/{master.pk}/renditions/"
    listing = user.get(renditions_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        retry = user.post(
            f"{renditions_url}{bulletin['rendition'].pk}/retry/",
            # the page shows no button for it; the session's token from the edit form
            {"csrfmiddlewaretoken": csrf_token(form)},
            follow=True,
        )

    # what listeners hear, and the stored master, did not change
    master.refresh_from_db()
    assert (master.file.name, master.sha256, stored_sha256(master.file.name)) == stored_before
    assert listener_hears(bulletin["page"]) == before
    # and the user was told why, in Vietnamese
    assert 'type="file"' not in form  # the edit form takes no file
    assert f"/admin/snippets/media/mediamaster/add/?from={master.pk}" in form  # but shows how
    assert swap.status_code == 200  # the form again, with the reason
    assert "Không thể thay tệp của tư liệu gốc đã lưu" in swap.content.decode()
    assert "/retry/" not in listing  # no re-make button on a finished rendition
    assert "Bản dựng đã hoàn tất" in retry.content.decode()
    # Wagtail's copy view is not a back door either
    assert user.get(f"/admin/snippets/media/mediamaster/copy/{master.pk}/").status_code == 404
    # metadata stays editable
    response = user.post(
        edit_url,
        {
            "csrfmiddlewaretoken": csrf_token(user.get(edit_url).content.decode()),
            "title": "Bản tin sáng (đã sửa)",
            "language": "vi",
        },
    )
    assert response.status_code == 302
    master.refresh_from_db()
    assert master.title == "Bản tin sáng (đã sửa)" and master.sha256 == stored_before[1]


def test_a_new_recording_is_a_new_master_and_stored_bytes_never_change(
    bulletin: dict[str, Any], make_user: Any, samples: Path
) -> None:
    """ "Tải bản ghi mới" opens the upload form prefilled; the new master reaches nobody until
    a page revision using it is approved. Below the form, the model and the job runner keep
    the same rule."""
    from cms.media.models import MasterFileImmutable

    master: MediaMaster = bulletin["master"]
    before = listener_hears(bulletin["page"])
    reporter = Client(enforce_csrf_checks=True)
    reporter.force_login(make_user("phongvien", "reporter"))
    listing = reporter.get("/admin/snippets/media/mediamaster/").content.decode()
    link = re.search(r'href="(/admin/snippets/media/mediamaster/add/\?from=\d+)"', listing)
    assert link and "Tải bản ghi mới" in listing
    form = reporter.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert 'value="Bản tin sáng"' in form and 'type="file"' in form
    response = reporter.post(
        "/admin/snippets/media/mediamaster/add/",
        {
            "csrfmiddlewaretoken": csrf_token(form),
            "title": "Bản tin sáng",
            "language": "vi",
            "file": SimpleUploadedFile(
                "bản tin mới.wav", (samples / "vi_segment_48k_stereo.wav").read_bytes()
            ),
        },
    )
    assert response.status_code == 302
    new = MediaMaster.objects.exclude(pk=master.pk).get(title="Bản tin sáng")
    assert new.sha256 != master.sha256
    assert listener_hears(bulletin["page"]) == before  # not public until approved on a page
    assert Client().get(f"/media/{new.file.name}").status_code == 404

    # the model refuses a changed file, whoever saves it
    master.refresh_from_db()
    master.file.name = new.file.name
    master.sha256 = new.sha256
    with pytest.raises(MasterFileImmutable):
        master.save()
    # a finished rendition put back in the queue by any means is not made again
    rendition = bulletin["rendition"]
    MediaRendition.objects.filter(pk=rendition.pk).update(status=RenditionStatus.PENDING)
    assert renditions.run(rendition.pk) == RenditionStatus.DONE
    rendition.refresh_from_db()
    assert rendition.status == RenditionStatus.DONE and rendition.sha256 == before[1]
    assert listener_hears(bulletin["page"]) == before


def test_on_s3_public_renditions_go_to_presigned_urls_and_masters_nowhere(
    settings: Any, s3_credentials: None, tmp_path: Path, section: Any, master_factory: Any
) -> None:
    """The same policy on S3-compatible storage (a real moto_server; the bucket is private):
    the view checks, then redirects to a short-lived presigned URL."""
    import requests

    from tests.support import MotoServer, s3_default_storage

    moto = MotoServer(tmp_path)
    moto.start()
    try:
        moto.client().create_bucket(Bucket="cms-media")
        settings.STORAGES = {
            **settings.STORAGES,
            "default": s3_default_storage("cms-media", moto.url),
        }
        master = master_factory("vi_speech.ogg", title="Bản tin trên S3")
        rendition = done_rendition(master, "web_audio", b"audio kept on S3", "mp3")
        page = publish_segment(section, master, "Bản tin S3", "ban-tin-s3")
        anonymous = Client()
        src = AUDIO_SRC.search(anonymous.get(page.url).content.decode())
        assert src and src.group(1) == f"/media/{rendition.file.name}"
        response = anonymous.get(src.group(1))
        assert response.status_code == 302 and response["Location"].startswith(moto.url)
        direct = requests.Session()
        direct.trust_env = False
        assert direct.get(response["Location"], timeout=30).content == b"audio kept on S3"
        assert anonymous.get(f"/media/{master.file.name}").status_code == 404
        # the bucket itself is private: the object's plain URL is refused
        plain = f"{moto.url}/cms-media/media/{master.file.name}"
        assert direct.get(plain, timeout=30).status_code == 403
    finally:
        moto.stop()
