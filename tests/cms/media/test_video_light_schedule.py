"""Every video master gets the light web rendition and its poster scheduled (issue 14: 3);
the video page offers it by screen width, with its poster and a download link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from cms.content.models import VideoPage
from cms.media import renditions
from cms.media.models import MediaRendition, RenditionStatus
from tests.cms.conftest import complete_metadata


@pytest.mark.django_db
def test_scheduler_adds_the_light_rendition_for_every_video_master(
    master_factory: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CMS_MEDIA = {**settings.CMS_MEDIA, "AUTO_RENDER": False}
    video = master_factory("silent_no_audio.mp4")
    audio = master_factory("vi_speech.ogg")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        scheduled = {r.profile for r in renditions.schedule_renditions(video)}
        renditions.schedule_renditions(audio)
    assert {"web_video", "web_video_light"} <= scheduled
    assert len(queued) == len(scheduled) + 4  # one job each; the audio master's four
    assert not MediaRendition.objects.filter(master=audio, profile="web_video_light").exists()
    light = renditions.profiles()["web_video_light"]
    assert light.poster and light.faststart and (light.width, light.height) == (640, 360)


def done(master: Any, profile: str, name: str, size: int, extra: dict[str, str]) -> None:
    stored = default_storage.save(name, ContentFile(b"x" * size))
    MediaRendition.objects.create(
        master=master,
        profile=profile,
        key=f"{profile}-{master.pk}",
        status=RenditionStatus.DONE,
        file=stored,
        size=size,
        technical_metadata={"width": 640, "height": 360}
        if profile == "web_video_light"
        else {"width": 1280, "height": 720},
        extra_files=extra,
    )


@pytest.mark.django_db
def test_video_page_offers_light_source_poster_and_download(
    client: Any, section: Any, master_factory: Any, settings: Any
) -> None:
    settings.CMS_MEDIA = {**settings.CMS_MEDIA, "AUTO_RENDER": False}
    master = master_factory("silent_no_audio.mp4")
    page = VideoPage(title="Video thử", slug="video-thu", video=master)
    complete_metadata(page)
    section.add_child(instance=page)
    page.save_revision().publish()
    folder = f"renditions/vi/{master.pk}"
    poster = default_storage.save(f"{folder}/v.web_video_light.poster.jpg", ContentFile(b"jpg"))
    done(master, "web_video", f"{folder}/v.web_video.mp4", 3_900_000, {})
    done(master, "web_video_light", f"{folder}/v.web_video_light.mp4", 800_000, {"poster": poster})

    body = client.get(page.url).content.decode()
    video = re.search(r"<video[^>]*>.*?</video>", body, re.S).group(0)
    sources = re.findall(r'<source src="([^"]+)" type="video/mp4"( media="[^"]+")?>', video)
    assert sources == [
        (f"/media/{folder}/v.web_video_light.mp4", ' media="(max-width: 720px)"'),
        (f"/media/{folder}/v.web_video.mp4", ""),
    ]
    assert f'poster="/media/{poster}"' in video
    assert 'width="1280" height="720"' in video
    downloads = re.search(r'<p class="downloads">.*?</p>', body, re.S).group(0)
    assert f'<a class="download" href="/media/{folder}/v.web_video_light.mp4" download>' in (
        downloads
    )
    assert "640×360" in downloads and "1280×720" in downloads
    # the poster and the light file are served to anyone (a public page shows them)
    assert client.get(f"/media/{poster}").status_code == 200
    assert client.get(f"/media/{folder}/v.web_video_light.mp4").status_code == 200
