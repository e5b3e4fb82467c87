"""`make run` loads demo content: several languages, each recording its own file."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from wagtail.models import Locale, Page

from cms.content.models import RadioSegmentPage, VideoPage
from cms.media.models import MediaMaster


@pytest.fixture
def demo(db, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.VAR_DIR = tmp_path / "var"
    # Translations are published in on-commit hooks; a test transaction never commits.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())


@pytest.mark.django_db
def test_demo_is_idempotent(demo, settings) -> None:
    counts = (Page.objects.count(), MediaMaster.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (Page.objects.count(), MediaMaster.objects.count()) == counts


@pytest.mark.django_db
def test_translations_have_their_own_recordings(demo, client) -> None:
    segments = {
        code: RadioSegmentPage.objects.get(locale__language_code=code)
        for code in ("vi", "km", "tyz")
    }
    audio = {code: page.audio for code, page in segments.items()}
    assert len({a.pk for a in audio.values()}) == 3
    assert audio["km"].language == "km" and audio["tyz"].language == "tyz"
    assert audio["km"].sha256 != audio["vi"].sha256

    html = client.get(segments["km"].url).content.decode()
    assert '<html lang="km"' in html
    assert "សិទ្ធិកុមារនៅតាមភូមិ" in html
    assert "កុមារគ្រប់រូបមានសិទ្ធិសិក្សា" in html  # the Khmer transcript, not the Vietnamese one
    # No rendition is finished (tests do not transcode): no player, and never the master.
    assert "<audio" not in html and audio["km"].file.name not in html
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from cms.media.models import MediaRendition, RenditionStatus

    name = default_storage.save("renditions/km/demo.web_audio.m4a", ContentFile(b"km audio"))
    MediaRendition.objects.create(
        master=audio["km"], profile="web_audio", key="demo-km", status=RenditionStatus.DONE,
        file=name,
    )  # fmt: skip
    html = client.get(segments["km"].url).content.decode()
    src = re.search(r'<audio[^>]*src="([^"]+)"', html).group(1)
    assert src == f"/media/{name}"  # the Khmer recording's own rendition
    assert b"".join(client.get(src).streaming_content) == b"km audio"


@pytest.mark.django_db
def test_video_has_khmer_subtitles_as_webvtt(demo, client) -> None:
    km = VideoPage.objects.get(locale=Locale.objects.get(language_code="km"))
    assert km.subtitles.language == "km"
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from cms.media.models import MediaRendition, RenditionStatus

    # the player (and its subtitle track) appears once the web video is made
    name = default_storage.save("renditions/km/demo.web_video.mp4", ContentFile(b"km video"))
    MediaRendition.objects.update_or_create(
        master=km.video, profile="web_video",
        defaults={"key": "demo-km-video", "status": RenditionStatus.DONE, "file": name},
    )  # fmt: skip
    html = client.get(km.url).content.decode()
    track = re.search(r'<track[^>]*src="([^"]+)"[^>]*srclang="km"', html)
    assert track
    vtt = client.get(track.group(1))
    assert vtt.status_code == 200 and vtt["Content-Type"].startswith("text/vtt")
    assert "WEBVTT" in vtt.content.decode()


@pytest.mark.django_db
def test_exhibition_prints_bilingual_captions(demo, client) -> None:
    from cms.content.models import ExhibitionPage

    page = ExhibitionPage.objects.get(locale__language_code="vi")
    html = client.get(page.url + "print/?with=en").content.decode()
    assert "Buổi sinh hoạt cộng đồng về bình đẳng giới." in html
    assert "A community meeting on gender equality." in html


def face_ranges(css: str) -> list[tuple[str, list[tuple[int, int]]]]:
    faces = []
    for block in re.findall(r"@font-face\{([^}]*)\}", css):
        url = re.search(r'url\("([^"]+)"\)', block).group(1)
        spans = []
        for part in re.search(r"unicode-range:([^;}]+)", block).group(1).split(","):
            lo, _, hi = part.strip().removeprefix("U+").partition("-")
            spans.append((int(lo, 16), int(hi or lo, 16)))
        faces.append((url, spans))
    return faces


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "km", "tyz"])
def test_item_page_first_load_is_under_300_kb(demo, client, settings, language) -> None:
    """HTML + CSS + the font files a browser needs for the page's text (media excluded)."""
    from html import unescape

    page = RadioSegmentPage.objects.get(locale__language_code=language)
    html = client.get(page.url).content.decode()
    total = len(html.encode())
    static_root = settings.BASE_DIR / "static"
    for href in re.findall(r'<link rel="stylesheet" href="/static/([^"]+)"', html):
        total += (static_root / href).stat().st_size
    css = (settings.FONT_BUILD_DIR / "fonts.css").read_text()
    text = {ord(ch) for ch in unescape(re.sub(r"<[^>]+>", " ", html))}
    needed = [
        url
        for url, spans in face_ranges(css)
        if any(lo <= cp <= hi for cp in text for lo, hi in spans)
    ]
    if language == "km":
        assert any("khmer" in url for url in needed)
    total += sum((settings.FONT_BUILD_DIR / url).stat().st_size for url in needed)
    assert total <= 300 * 1024, f"{language}: {total} bytes"
