"""Plans and runs renditions of masters through ``media_pipeline``.

One ``MediaRendition`` row and one background job per (master, profile). A rendition's
``key`` hashes the master's content and the profile's parameters, so a master uploaded twice
is never transcoded twice: the second row reuses the first one's file.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from cms.media.models import MediaMaster, MediaRendition, RenditionStatus
from media_pipeline.errors import PipelineError
from media_pipeline.hashing import rendition_key, sha256_file
from media_pipeline.profiles import (
    AUDIO_PROFILE_NAMES,
    VIDEO_PROFILE_NAMES,
    AudioProfile,
    VideoProfile,
    profiles_from_config,
)

logger = logging.getLogger(__name__)
MAX_TRANSIENT_ATTEMPTS = 3

# ISO 639-2 codes for ID3 TLAN frames.
ISO639_2 = {
    "vi": "vie",
    "en": "eng",
    "zh-hans": "zho",
    "km": "khm",
    "tyz": "tyz",
    "nut": "nut",
    "hmn": "hmn",
    "cjm": "cjm",
    "ktv": "ktv",
    "sti": "sti",
}


def profiles() -> dict[str, Any]:
    return profiles_from_config(settings.CMS_MEDIA.get("PROFILE_OVERRIDES", {}))


def profile_names_for(master: MediaMaster) -> list[str]:
    if master.kind == "video":
        return [*VIDEO_PROFILE_NAMES, *AUDIO_PROFILE_NAMES]
    return list(AUDIO_PROFILE_NAMES)


def plan(master: MediaMaster) -> list[MediaRendition]:
    """Create the rendition rows for a master and enqueue their jobs after commit."""
    table = profiles()
    has_audio = bool((master.technical_metadata or {}).get("audio"))
    created = []
    for name in profile_names_for(master):
        profile = table[name]
        rendition, _ = MediaRendition.objects.get_or_create(
            master=master, profile=name, defaults={"key": rendition_key(master.sha256, profile)}
        )
        if isinstance(profile, AudioProfile) and not has_audio:
            rendition.status = RenditionStatus.NOT_APPLICABLE
            rendition.error_code = "no_audio"
            rendition.save(update_fields=["status", "error_code", "updated_at"])
            continue
        if rendition.status in (RenditionStatus.PENDING, RenditionStatus.FAILED):
            created.append(rendition)
    for rendition in created:
        enqueue(rendition)
    return created


def enqueue(rendition: MediaRendition) -> None:
    from cms.media.tasks import render_rendition

    rendition_id = rendition.pk
    transaction.on_commit(lambda: render_rendition.enqueue(rendition_id))


def retry(rendition: MediaRendition) -> None:
    """Run a rendition again (after a failure, or to re-make it with current settings)."""
    MediaRendition.objects.filter(pk=rendition.pk).update(
        status=RenditionStatus.PENDING,
        progress=0.0,
        error_code="",
        error_detail="",
        attempts=0,
    )
    enqueue(rendition)


@contextmanager
def local_copy(master: MediaMaster) -> Iterator[Path]:
    """A local path for the master: the file itself on local storage, else a streamed copy."""
    try:
        yield Path(master.file.path)
        return
    except NotImplementedError:
        pass
    with tempfile.TemporaryDirectory(prefix="master-") as tmp:
        target = Path(tmp) / Path(master.file.name).name
        with master.file.open("rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        yield target


class ProgressWriter:
    """Writes job progress to the database at most once a second."""

    def __init__(self, rendition_id: int) -> None:
        self.rendition_id = rendition_id
        self.last = 0.0

    def __call__(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self.last >= 1.0 or fraction >= 1.0:
            self.last = now
            MediaRendition.objects.filter(pk=self.rendition_id).update(
                progress=max(0.0, min(1.0, fraction))
            )


def subtitles_for(master: MediaMaster) -> Path | None:
    from cms.content.models import VideoPage

    page = (
        VideoPage.objects.filter(video=master, locale__language_code=master.language)
        .exclude(subtitles=None)
        .select_related("subtitles")
        .first()
    )
    if page is None:
        return None
    try:
        return Path(page.subtitles.file.path)
    except NotImplementedError:
        return None


def run(rendition_id: int) -> str:
    """Make one rendition. Returns its final status; never leaves a partial file visible."""
    with transaction.atomic():
        rendition = (
            MediaRendition.objects.select_for_update().select_related("master").get(pk=rendition_id)
        )
        if rendition.status in (RenditionStatus.DONE, RenditionStatus.NOT_APPLICABLE):
            return rendition.status
        rendition.status = RenditionStatus.RUNNING
        rendition.attempts += 1
        rendition.progress = 0.0
        rendition.save(update_fields=["status", "attempts", "progress", "updated_at"])
    master = rendition.master
    done = (
        MediaRendition.objects.filter(key=rendition.key, status=RenditionStatus.DONE)
        .exclude(pk=rendition.pk)
        .exclude(file="")
        .first()
    )
    if done is not None:
        return finish(
            rendition,
            done.file.name,
            done.sha256,
            done.size,
            done.loudness,
            done.technical_metadata,
            done.extra_files,
        )
    profile = profiles()[rendition.profile]
    progress = ProgressWriter(rendition.pk)
    try:
        with local_copy(master) as src, tempfile.TemporaryDirectory(prefix="rendition-") as tmp:
            extension = getattr(profile, "extension", "mp4")
            out = Path(tmp) / f"{Path(master.file.name).stem}.{rendition.profile}.{extension}"
            extra: dict[str, str] = {}
            poster: Path | None = None
            if isinstance(profile, AudioProfile):
                from media_pipeline.audio import AudioTags, render_audio

                result = render_audio(
                    src,
                    {profile.name: out},
                    {profile.name: profile},
                    tags=AudioTags(
                        title=master.title,
                        language=ISO639_2.get(master.language, ""),
                        item_id=f"master-{master.pk}",
                    ),
                    progress_cb=progress,
                )[profile.name]
            elif isinstance(profile, VideoProfile):
                from media_pipeline.video import render_video

                if profile.name == "web_video":
                    poster = Path(tmp) / f"{Path(master.file.name).stem}.poster.jpg"
                result = render_video(
                    src,
                    out,
                    profile,
                    subtitles_path=subtitles_for(master),
                    poster_dest=poster,
                    progress_cb=progress,
                )
            else:  # pragma: no cover - configuration error
                raise PipelineError("invalid_profile", f"{profile!r} is not audio or video")
            folder = f"renditions/{master.language}/{master.pk}"
            stored = store(out, f"{folder}/{out.name}")
            if poster is not None and poster.exists():
                extra["poster"] = store(poster, f"{folder}/{poster.name}")
            loudness = {
                "input": _stats(result.input_loudness),
                "output": _stats(result.output_loudness),
                "gain_db": result.gain_db,
                **targets(profile),
            }
            return finish(
                rendition,
                stored,
                sha256_file(out),
                out.stat().st_size,
                loudness,
                {"warnings": list(result.warnings), "duration": result.duration},
                extra,
            )
    except PipelineError as error:
        return fail(rendition, error.code, error.detail, error.permanent)
    except OSError as error:
        return fail(rendition, "io_error", str(error), permanent=False)


def targets(profile: Any) -> dict[str, float | None]:
    """The loudness targets the report compares a rendition against."""
    if isinstance(profile, AudioProfile):
        return {
            "target_lufs": profile.target_lufs,
            "tolerance_lu": profile.tolerance_lu,
            "max_true_peak_dbtp": profile.true_peak_dbtp,
            "max_lra_lu": profile.max_lra_lu,
        }
    return {
        "target_lufs": profile.audio_target_lufs,
        "tolerance_lu": profile.audio_tolerance_lu,
        "max_true_peak_dbtp": profile.audio_true_peak_dbtp,
        "max_lra_lu": None,
    }


def within_tolerance(loudness: dict[str, Any]) -> bool | None:
    """True/False when the output was measured against a target, None otherwise."""
    output, target = loudness.get("output"), loudness.get("target_lufs")
    if not output or target is None:
        return None
    ok = abs(output["integrated_lufs"] - target) <= loudness["tolerance_lu"] + 1e-6
    peak = output.get("true_peak_dbtp")
    if peak is not None and peak > loudness["max_true_peak_dbtp"] + 1e-6:
        ok = False
    if loudness.get("max_lra_lu") is not None and output["lra_lu"] > loudness["max_lra_lu"]:
        ok = False
    return ok


def _stats(stats: Any) -> dict[str, Any] | None:
    return stats.as_dict() if stats is not None else None


def store(path: Path, name: str) -> str:
    """Save a finished local file to the default storage (atomically), returning its name."""
    with path.open("rb") as handle:
        return default_storage.save(name, File(handle, name=path.name))


def finish(
    rendition: MediaRendition,
    name: str,
    sha256: str,
    size: int,
    loudness: Any,
    technical: Any,
    extra: Any,
) -> str:
    MediaRendition.objects.filter(pk=rendition.pk).update(
        status=RenditionStatus.DONE,
        progress=1.0,
        file=name,
        sha256=sha256,
        size=size,
        loudness=loudness or {},
        technical_metadata=technical or {},
        extra_files=extra or {},
        error_code="",
        error_detail="",
        finished_at=timezone.now(),
    )
    return RenditionStatus.DONE


def fail(rendition: MediaRendition, code: str, detail: str, permanent: bool) -> str:
    """Record a failure; transient failures are retried a few times with backoff."""
    logger.warning("rendition %s failed: %s %s", rendition.pk, code, detail[:500])
    retry_later = not permanent and rendition.attempts < MAX_TRANSIENT_ATTEMPTS
    MediaRendition.objects.filter(pk=rendition.pk).update(
        status=RenditionStatus.PENDING if retry_later else RenditionStatus.FAILED,
        error_code=code,
        error_detail=detail[:4000],
        progress=0.0,
    )
    if retry_later:
        from cms.media.tasks import render_rendition

        delay = 30 * 2 ** (rendition.attempts - 1)
        task = render_rendition
        if task.get_backend().supports_defer:
            task = task.using(run_after=timezone.now() + timezone.timedelta(seconds=delay))
        task.enqueue(rendition.pk)
        return RenditionStatus.PENDING
    return RenditionStatus.FAILED
