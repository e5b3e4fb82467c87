"""Masters uploaded before a profile existed get it from ``plan_missing_renditions``."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from cms.media import renditions
from cms.media.models import MediaRendition, RenditionStatus


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("plan_missing_renditions", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_an_old_video_gets_the_light_rendition_and_nothing_else_moves(
    master_factory: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CMS_MEDIA = {**settings.CMS_MEDIA, "AUTO_RENDER": False}
    video = master_factory("silent_no_audio.mp4")
    with django_capture_on_commit_callbacks(execute=False):
        renditions.schedule_renditions(video)
    # As before the light profile existed: no row, and the others finished or failed.
    MediaRendition.objects.filter(master=video, profile="web_video_light").delete()
    MediaRendition.objects.filter(master=video, profile="web_video").update(
        status=RenditionStatus.FAILED
    )
    before = dict(MediaRendition.objects.filter(master=video).values_list("profile", "status"))

    assert (
        run("--dry-run")
        == f"{video.pk} {video.title}: web_video_light\n1 masters, 1 renditions missing\n"
    )
    assert not MediaRendition.objects.filter(master=video, profile="web_video_light").exists()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert run().endswith("1 masters, 1 renditions planned\n")
    light = MediaRendition.objects.get(master=video, profile="web_video_light")
    assert light.status == RenditionStatus.PENDING
    assert len(queued) >= 1
    after = dict(
        MediaRendition.objects.filter(master=video)
        .exclude(profile="web_video_light")
        .values_list("profile", "status")
    )
    assert after == before

    with django_capture_on_commit_callbacks(execute=False):
        assert run() == "0 masters, 0 renditions planned\n"
