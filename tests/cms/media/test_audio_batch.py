"""All audio renditions of a master are made by one job (measured once, one encode), each
row keeping its own status, failure and retry (issue 17 §8)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

import media_pipeline.audio as audio_module
from cms.media import renditions
from cms.media.models import MediaRendition, RenditionStatus
from media_pipeline.profiles import AudioProfile

AUDIO = {"loudspeaker", "broadcast", "web_audio"}


def ebur128(path: Path, dual_mono: bool) -> float:
    """Integrated loudness of a file, measured by ffmpeg on its own."""
    meter = "ebur128" + ("=dualmono=true" if dual_mono else "")
    log = subprocess.run(
        ["ffmpeg", "-nostats", "-hide_banner", "-i", str(path), "-af", meter, "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    summary = log[log.rfind("Summary:") :]
    match = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    assert match is not None, log[-2000:]
    return float(match.group(1))


@pytest.fixture
def pipeline_runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The profiles of every ``render_audio`` call (one call = one measurement + encode)."""
    calls: list[list[str]] = []
    real = audio_module.render_audio

    def spy(src: Any, outputs: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(sorted(outputs))
        return real(src, outputs, *args, **kwargs)

    monkeypatch.setattr(audio_module, "render_audio", spy)
    return calls


def scheduled(master: Any, capture: Any) -> dict[str, MediaRendition]:
    with capture(execute=False):  # the test plays the worker
        renditions.schedule_renditions(master)
    return {r.profile: r for r in MediaRendition.objects.filter(master=master)}


def visible_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and "renditions" in p.parts]


@pytest.mark.django_db
def test_one_job_makes_every_audio_rendition_of_the_master(
    master_factory: Any,
    media_root: Path,
    pipeline_runs: list[list[str]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    master = master_factory("vi_speech.ogg", title="Bản tin sáng")
    rows = scheduled(master, django_capture_on_commit_callbacks)
    assert renditions.run(rows["broadcast"].pk) == RenditionStatus.DONE
    assert pipeline_runs == [sorted(AUDIO)]  # one measurement and encode for all three
    table = renditions.profiles()
    for name in AUDIO:
        row = MediaRendition.objects.get(pk=rows[name].pk)
        profile = table[name]
        assert isinstance(profile, AudioProfile)
        assert row.status == RenditionStatus.DONE and row.attempts == 1, name
        measured = ebur128(Path(row.file.path), profile.dual_mono)
        assert abs(measured - profile.target_lufs) <= profile.tolerance_lu + 0.5, name
        recorded = row.loudness["output"]["integrated_lufs"]
        assert abs(measured - recorded) <= 0.6, name
        assert renditions.within_tolerance(row.loudness) is True, name
    # the waveform is not an audio rendition: its own job makes it
    assert MediaRendition.objects.get(pk=rows["waveform"].pk).status == RenditionStatus.PENDING
    # the jobs queued for the other two find them done and make nothing
    assert renditions.run(rows["web_audio"].pk) == RenditionStatus.DONE
    assert renditions.run(rows["loudspeaker"].pk) == RenditionStatus.DONE
    assert pipeline_runs == [sorted(AUDIO)]
    assert not [p for p in visible_files(media_root) if p.name.startswith(".")]


@pytest.mark.django_db
def test_a_failing_output_fails_only_its_rendition_and_a_retry_redoes_it(
    master_factory: Any,
    media_root: Path,
    settings: Any,
    pipeline_runs: list[list[str]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    master = master_factory("vi_speech.ogg", title="Bản tin trưa")
    # an encoder setting ffmpeg rejects, for one output only
    settings.CMS_MEDIA = {
        **settings.CMS_MEDIA,
        "PROFILE_OVERRIDES": {"web_audio": {"bitrate": "1x"}},
    }
    rows = scheduled(master, django_capture_on_commit_callbacks)
    renditions.run(rows["loudspeaker"].pk)
    status = {r.profile: r for r in MediaRendition.objects.filter(master=master, profile__in=AUDIO)}
    assert status["loudspeaker"].status == RenditionStatus.DONE
    assert status["broadcast"].status == RenditionStatus.DONE
    failed = status["web_audio"]
    assert failed.status == RenditionStatus.FAILED, failed.error_detail
    assert failed.error_code == "ffmpeg_failed" and not failed.file
    # the shared run failed, then each was made on its own: only web_audio failed
    assert pipeline_runs[0] == sorted(AUDIO)
    assert sorted(pipeline_runs[1:4]) == [["broadcast"], ["loudspeaker"], ["web_audio"]]
    names = [p.name for p in visible_files(media_root)]
    assert not [n for n in names if n.endswith(".m4a") or n.startswith(".")], names
    done_files = {status["loudspeaker"].file.name, status["broadcast"].file.name}

    # the setting fixed, the editor retries: web_audio alone is made again
    settings.CMS_MEDIA = {**settings.CMS_MEDIA, "PROFILE_OVERRIDES": {}}
    pipeline_runs.clear()
    with django_capture_on_commit_callbacks(execute=True):
        renditions.retry(failed)
    failed.refresh_from_db()
    assert failed.status == RenditionStatus.DONE, failed.error_detail
    assert pipeline_runs == [["web_audio"]]
    target = renditions.profiles()["web_audio"].target_lufs
    assert abs(ebur128(Path(failed.file.path), False) - target) <= 1.0
    again = MediaRendition.objects.filter(master=master, profile__in=["loudspeaker", "broadcast"])
    assert {r.file.name for r in again} == done_files  # the finished ones were not touched


@pytest.mark.django_db
def test_an_output_the_storage_refuses_fails_alone_without_a_partial_file(
    master_factory: Any,
    media_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    pipeline_runs: list[list[str]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    master = master_factory("vi_speech.ogg", title="Bản tin chiều")
    rows = scheduled(master, django_capture_on_commit_callbacks)
    real_store = renditions.store

    def store(path: Path, name: str) -> str:
        if name.endswith(".mp3"):
            raise PermissionError(13, "Permission denied", name)
        return real_store(path, name)

    monkeypatch.setattr(renditions, "store", store)
    renditions.run(rows["web_audio"].pk)
    assert pipeline_runs[0] == sorted(AUDIO)  # made together ...
    # (the refused one is retried alone: the test queue runs retries at once)
    assert all(run == ["loudspeaker"] for run in pipeline_runs[1:])
    rows = {r.profile: r for r in MediaRendition.objects.filter(master=master)}
    # ... stored one by one: only the refused one is not done (transient: retried later)
    assert rows["broadcast"].status == RenditionStatus.DONE
    assert rows["web_audio"].status == RenditionStatus.DONE
    assert rows["loudspeaker"].status in (RenditionStatus.PENDING, RenditionStatus.FAILED)
    assert rows["loudspeaker"].error_code and not rows["loudspeaker"].file
    assert not [p for p in visible_files(media_root) if p.suffix == ".mp3"]
