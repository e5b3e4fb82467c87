"""Renditions made by the background job, checked the way a user would: ffprobe, ebur128."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from django.test import override_settings

from cms.media import renditions
from cms.media.models import MediaRendition, RenditionStatus


def ffprobe(path: Path) -> dict:
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_streams",
            "-show_format",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def ebur128(path: Path, dual_mono: bool = False) -> tuple[float, float]:
    flt = "ebur128=peak=true" + (":dualmono=true" if dual_mono else "")
    err = subprocess.run(
        ["ffmpeg", "-nostats", "-hide_banner", "-i", str(path), "-af", flt, "-f", "null", "-"],
        capture_output=True,
        text=True,
    ).stderr
    summary = err[err.rfind("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return integrated, peak


@pytest.fixture
def quiet_master(master_factory):
    return master_factory("vi_very_quiet.m4a", title="Bản tin rất nhỏ")


@pytest.mark.django_db
def test_scheduling_creates_one_job_per_profile_on_commit(
    quiet_master, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        scheduled = renditions.schedule_renditions(quiet_master)
    assert sorted(r.profile for r in scheduled) == [
        "broadcast",
        "loudspeaker",
        "waveform",
        "web_audio",
    ]
    assert len(callbacks) == 4  # enqueued only when the upload's transaction commits


@pytest.mark.django_db
def test_loudspeaker_rendition_meets_its_profile(quiet_master, media_root) -> None:
    renditions.schedule_renditions(quiet_master)
    rendition = MediaRendition.objects.get(master=quiet_master, profile="loudspeaker")
    assert renditions.run(rendition.pk) == RenditionStatus.DONE
    rendition.refresh_from_db()
    path = Path(rendition.file.path)
    info = ffprobe(path)
    stream = info["streams"][0]
    assert stream["codec_name"] == "mp3"
    assert int(stream["sample_rate"]) == 44100 and stream["channels"] == 1
    assert abs(float(info["format"]["duration"]) - quiet_master.duration) < 0.1
    integrated, peak = ebur128(path, dual_mono=True)
    assert abs(integrated - -16) <= 1.0
    assert peak <= -1.5 + 0.3  # sample peak measured independently, true-peak ceiling -1.5
    assert rendition.loudness["input"]["integrated_lufs"] < -45
    assert renditions.within_tolerance(rendition.loudness) is True
    # The master is untouched and no partial file is left beside the rendition.
    assert renditions.sha256_file(quiet_master.file.path) == quiet_master.sha256
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".partial-")]


@pytest.mark.django_db
def test_identical_master_is_not_transcoded_twice(master_factory) -> None:
    first = master_factory("vi_speech.ogg", title="một")
    second = master_factory("vi_speech.ogg", title="hai")
    renditions.schedule_renditions(first)
    renditions.schedule_renditions(second)
    a = MediaRendition.objects.get(master=first, profile="web_audio")
    b = MediaRendition.objects.get(master=second, profile="web_audio")
    assert a.key == b.key
    renditions.run(a.pk)
    a.refresh_from_db()
    renditions.run(b.pk)
    b.refresh_from_db()
    assert b.status == RenditionStatus.DONE
    assert b.file.name == a.file.name and b.sha256 == a.sha256


@pytest.mark.django_db
def test_video_without_audio_gets_a_clear_no_audio(master_factory) -> None:
    master = master_factory("silent_no_audio.mp4")
    renditions.schedule_renditions(master)
    audio = MediaRendition.objects.get(master=master, profile="loudspeaker")
    assert audio.status == RenditionStatus.NOT_APPLICABLE and audio.error_code == "no_audio"


@pytest.mark.django_db
def test_failed_job_shows_reason_and_can_be_retried(client, make_user, quiet_master) -> None:
    renditions.schedule_renditions(quiet_master)
    rendition = MediaRendition.objects.get(master=quiet_master, profile="broadcast")
    Path(quiet_master.file.path).rename(Path(quiet_master.file.path + ".moved"))
    assert renditions.run(rendition.pk) == RenditionStatus.FAILED
    client.force_login(make_user("bientap", "editor"))
    url = f"/admin/media-masters/{quiet_master.pk}/renditions/"
    html = client.get(url).content.decode()
    assert "Không tìm thấy tệp" in html
    Path(quiet_master.file.path + ".moved").rename(quiet_master.file.path)
    with override_settings(
        TASKS={
            "default": {
                "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                "QUEUES": ["default", "media"],
            }
        }
    ):
        response = client.post(f"{url}{rendition.pk}/retry/")
    assert response.status_code == 302
    rendition.refresh_from_db()
    assert rendition.status in (RenditionStatus.PENDING, RenditionStatus.DONE)


@pytest.mark.django_db
def test_renditions_page_needs_permission(client, make_user, quiet_master) -> None:
    client.force_login(make_user("khach", None, is_staff=False))
    response = client.get(f"/admin/media-masters/{quiet_master.pk}/renditions/")
    assert response.status_code in (302, 403)
