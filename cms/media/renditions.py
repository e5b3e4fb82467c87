"""Plans and runs renditions of masters and images through ``media_pipeline``.

One ``MediaRendition`` row and one background job per (source, profile), the source being an
audio/video master (audio, video and waveform profiles) or a ``CustomImage`` (image
profiles: web, board with caption band, print). A rendition's ``key`` hashes the source's
content and the profile's parameters, so a file uploaded twice is never processed twice: the
second row reuses the first one's file. Outputs are made in a temporary directory and saved
to the storage under a new name only when complete.
"""

from __future__ import annotations

import datetime
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

from cms.i18n.languages import ISO639_3
from cms.media.inputs import (
    RenditionInputs,
    burns_subtitles,
    inputs_for,
    is_item_profile,
    key_for,
    subtitles_digest,
)
from cms.media.models import CustomImage, MediaMaster, MediaRendition, RenditionStatus
from cms.media.storage import OBJECT_STORE_ERRORS
from media_pipeline.errors import PipelineError, os_error
from media_pipeline.hashing import rendition_key, sha256_file
from media_pipeline.profiles import (
    AUDIO_PROFILE_NAMES,
    AUDIOGRAM_PROFILE_NAMES,
    IMAGE_PROFILE_NAMES,
    SOCIAL_VIDEO_PROFILE_NAMES,
    VIDEO_PROFILE_NAMES,
    WAVEFORM_PROFILE_NAMES,
    AudiogramProfile,
    AudioProfile,
    ImageProfile,
    SocialVideoProfile,
    VideoProfile,
    WaveformProfile,
    profiles_from_config,
)

logger = logging.getLogger(__name__)
MAX_TRANSIENT_ATTEMPTS = 3


def profiles() -> dict[str, Any]:
    return profiles_from_config(settings.CMS_MEDIA.get("PROFILE_OVERRIDES", {}))


def profile_names_for(master: MediaMaster) -> list[str]:
    if master.kind == "video":
        return [*VIDEO_PROFILE_NAMES, *AUDIO_PROFILE_NAMES]
    return [*AUDIO_PROFILE_NAMES, *WAVEFORM_PROFILE_NAMES]


def item_profile_names_for(master: MediaMaster) -> list[str]:
    """The versions made from the master's item (its cut, subtitles, title): the social
    versions of a video, the audiogram of a recording."""
    if master.kind == "video":
        return [*SOCIAL_VIDEO_PROFILE_NAMES]
    return [*AUDIOGRAM_PROFILE_NAMES]


def image_caption(image: CustomImage) -> str:
    """The text of the board rendition's caption band: the title, and the credit if any."""
    return f"{image.title} — {image.credit}" if image.credit else image.title


def file_sha256(field: Any) -> str:
    """SHA-256 of a stored file, streamed in 1 MB chunks."""
    import hashlib

    digest = hashlib.sha256()
    with field.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def plan_image(image: CustomImage) -> list[MediaRendition]:
    """Create the image rendition rows (web, board, print) and enqueue their jobs on commit."""
    table = profiles()
    digest = file_sha256(image.file)
    created = []
    for name in IMAGE_PROFILE_NAMES:
        if name not in table:
            continue
        key = rendition_key(digest, table[name], caption=image_caption(image))
        rendition, new = MediaRendition.objects.get_or_create(
            image=image, profile=name, defaults={"key": key}
        )
        if not new and rendition.key != key:
            # the file or the caption changed: make it again
            MediaRendition.objects.filter(pk=rendition.pk).update(
                key=key, status=RenditionStatus.PENDING, progress=0.0, attempts=0
            )
            rendition.status = RenditionStatus.PENDING
        if rendition.status in (RenditionStatus.PENDING, RenditionStatus.FAILED):
            created.append(rendition)
    for rendition in created:
        enqueue(rendition)
    return created


def plan(
    master: MediaMaster, inputs: RenditionInputs | None = None, *, requeue: bool = True
) -> list[MediaRendition]:
    """Create the rendition rows for a master and enqueue their jobs after commit.

    ``inputs`` (default: what the content layer gives for the master's item) are part of
    each key they shape: a rendition whose key changed (new subtitles, new in/out points) is
    made again, as a new file. The item's versions (social, audiogram) are planned only once
    an item uses the master. ``requeue=False`` (an item saved) queues only the rows new or
    renewed here, not the ones already waiting in the queue."""
    table = profiles()
    if inputs is None:
        inputs = inputs_for(master)
    digest = subtitles_digest(inputs)
    has_audio = bool((master.technical_metadata or {}).get("audio"))
    names = profile_names_for(master)
    if inputs is not None:
        names += item_profile_names_for(master)
    created = []
    for name in names:
        if name not in table:  # removed in CMS_MEDIA["PROFILE_OVERRIDES"]
            continue
        profile = table[name]
        key = key_for(master, profile, inputs, digest)
        rendition, new = MediaRendition.objects.get_or_create(
            master=master, profile=name, defaults={"key": key}
        )
        changed = new
        if not new and rendition.key != key:
            renew(rendition, key)
            changed = True
        needs_audio = isinstance(profile, AudioProfile | WaveformProfile | AudiogramProfile)
        if needs_audio and not has_audio:
            rendition.status = RenditionStatus.NOT_APPLICABLE
            rendition.error_code = "no_audio"
            rendition.save(update_fields=["status", "error_code", "updated_at"])
            continue
        if rendition.status in (RenditionStatus.PENDING, RenditionStatus.FAILED) and (
            requeue or changed
        ):
            created.append(rendition)
    for rendition in created:
        enqueue(rendition)
    return created


def renew(rendition: MediaRendition, key: str) -> None:
    """What shapes the rendition changed: make it again under ``key``. The old file stays
    in the storage (a package or export made from it keeps it); the row points at the new
    one when it is done. A job still running on the old inputs finds the key changed and
    its result is dropped (:func:`finish`)."""
    MediaRendition.objects.filter(pk=rendition.pk).update(
        key=key,
        status=RenditionStatus.PENDING,
        progress=0.0,
        attempts=0,
        file="",
        sha256="",
        size=0,
        extra_files={},
        error_code="",
        error_detail="",
        cancel_requested=False,
    )
    rendition.refresh_from_db()


def enqueue(rendition: MediaRendition) -> None:
    from cms.media.tasks import render_rendition

    rendition_id = rendition.pk
    transaction.on_commit(lambda: render_rendition.enqueue(rendition_id))


class RenditionIsFinal(Exception):
    """A finished rendition whose file is stored is never made again: what a live page, a
    package or an export uses must not change bytes behind an approval. (A new recording or
    new settings mean a new master.)"""

    code = "rendition_final"


def output_exists(rendition: MediaRendition) -> bool:
    """The rendition's file is in the storage (a storage that cannot answer counts as yes:
    never re-make over what may still be there)."""
    if not rendition.file:
        return False
    try:
        return bool(default_storage.exists(rendition.file.name))
    except Exception:
        logger.warning("could not check %s in the storage", rendition.file.name)
        return True


def is_final(rendition: MediaRendition) -> bool:
    return rendition.status == RenditionStatus.DONE and output_exists(rendition)


def retry(rendition: MediaRendition) -> None:
    """Run a rendition again: after a failure or a cancellation, or a finished one whose file
    is missing from the storage. A finished rendition whose file is there is final
    (``RenditionIsFinal``)."""
    if is_final(rendition):
        raise RenditionIsFinal
    MediaRendition.objects.filter(pk=rendition.pk).update(
        status=RenditionStatus.PENDING,
        progress=0.0,
        error_code="",
        error_detail="",
        attempts=0,
        cancel_requested=False,
    )
    enqueue(rendition)


def cancel(rendition: MediaRendition) -> bool:
    """Cancel a queued or running job. A queued one is cancelled at once; a running one is
    flagged and its worker stops ffmpeg within about a second. Asking again for a job still
    running (its worker may have died) marks it cancelled at once; a live worker still sees
    the flag and stops. False if the job was neither queued nor running."""
    queued = MediaRendition.objects.filter(pk=rendition.pk, status=RenditionStatus.PENDING)
    if queued.update(status=RenditionStatus.CANCELLED, error_code="cancelled", progress=0.0):
        return True
    running = MediaRendition.objects.filter(pk=rendition.pk, status=RenditionStatus.RUNNING)
    if running.filter(cancel_requested=True).update(
        status=RenditionStatus.CANCELLED, error_code="cancelled", progress=0.0
    ):
        return True
    return bool(running.update(cancel_requested=True))


# A running job touches its row at least this often (progress or heartbeat); a row left
# "running" much longer than that belongs to a worker that died (killed, machine lost).
HEARTBEAT_SECONDS = 30.0
MAX_ATTEMPTS_AFTER_WORKER_LOSS = 3


def heartbeat(rendition_id: int) -> None:
    MediaRendition.objects.filter(pk=rendition_id, status=RenditionStatus.RUNNING).update(
        updated_at=timezone.now()
    )


def requeue_stale(older_than: datetime.timedelta) -> tuple[list[int], list[int]]:
    """Jobs whose worker died mid-way: run them again, or fail them after repeated losses.

    A job is stale when it is "running" but has not touched its row for ``older_than``
    (several heartbeats). Its partial output only ever existed in the dead worker's
    temporary directory, so starting again from the master is safe. Returns the ids
    re-queued and the ids failed.
    """
    cutoff = timezone.now() - older_than
    requeued: list[int] = []
    failed: list[int] = []
    with transaction.atomic():
        stale = list(
            MediaRendition.objects.select_for_update(skip_locked=True).filter(
                status=RenditionStatus.RUNNING, updated_at__lt=cutoff
            )
        )
        for rendition in stale:
            if rendition.attempts >= MAX_ATTEMPTS_AFTER_WORKER_LOSS:
                fail(
                    rendition,
                    "worker_lost",
                    f"the worker stopped {rendition.attempts} times while making this",
                    permanent=True,
                )
                failed.append(rendition.pk)
                continue
            MediaRendition.objects.filter(pk=rendition.pk).update(
                status=RenditionStatus.PENDING,
                progress=0.0,
                error_code="",
                error_detail="",
                cancel_requested=False,
            )
            enqueue(rendition)
            requeued.append(rendition.pk)
    return requeued, failed


class CancelPoller:
    """``should_cancel`` for the pipeline: reads the rendition's cancel flag at most once a
    second (the pipeline polls more often while ffmpeg runs)."""

    def __init__(self, rendition_id: int) -> None:
        self.rendition_id = rendition_id
        self.last = 0.0
        self.last_beat = time.monotonic()
        self.cancelled = False

    def __call__(self) -> bool:
        now = time.monotonic()
        if not self.cancelled and now - self.last >= 1.0:
            self.last = now
            self.cancelled = MediaRendition.objects.filter(
                pk=self.rendition_id, cancel_requested=True
            ).exists()
            if now - self.last_beat >= HEARTBEAT_SECONDS:
                self.last_beat = now
                heartbeat(self.rendition_id)
        return self.cancelled


class SourceUnavailable(Exception):
    """The object store did not give the source back (down, unreachable, timing out, 5xx).

    Transient: :func:`run` fails the job as ``source_unavailable`` and it is retried with
    backoff like any transient failure. The code is the CMS's (like ``worker_lost``), not
    the pipeline's: the pipeline never talks to a storage."""


@contextmanager
def local_copy(source: Any) -> Iterator[Path]:
    """A local path for a source: the file itself on local storage, else a streamed copy
    (only read: masters are never modified).

    From an object store: a missing object is ``not_found`` (permanent); the store down or
    failing is ``SourceUnavailable`` (transient, retried). A copy cut short is removed with
    its temporary directory, never used. Errors of the local disk stay ``OSError``."""
    try:
        path: Path | None = Path(source.file.path)
    except NotImplementedError:  # not on local disk
        path = None
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="master-") as tmp:
        target = Path(tmp) / Path(source.file.name).name
        try:
            with source.file.open("rb") as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
        except OBJECT_STORE_ERRORS as error:  # before OSError: some of them are OSErrors too
            raise SourceUnavailable(
                f"could not read {source.file.name} from the storage: {error!r}"
            ) from error
        except FileNotFoundError as error:
            raise PipelineError(
                "not_found", f"{source.file.name} is not in the storage: {error}"
            ) from error
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
                progress=max(0.0, min(1.0, fraction)), updated_at=timezone.now()
            )


def subtitles_for(master: MediaMaster) -> Path | None:
    """The local path of the subtitles the master's item burns in (None on an object store:
    the worker uses a local copy, :func:`make`)."""
    inputs = inputs_for(master)
    if inputs is None or inputs.subtitles is None:
        return None
    try:
        return Path(inputs.subtitles.file.path)
    except NotImplementedError:
        return None


def run(rendition_id: int) -> str:
    """Make one rendition. Returns its final status; never leaves a partial file visible."""
    with transaction.atomic():
        rendition = (
            MediaRendition.objects.select_for_update(of=("self",))
            .select_related("master", "image")
            .get(pk=rendition_id)
        )
        if rendition.status in (
            RenditionStatus.DONE,
            RenditionStatus.NOT_APPLICABLE,
            RenditionStatus.CANCELLED,
        ):
            return rendition.status
        if rendition.sha256 and output_exists(rendition):
            # It was finished once and its file is still stored: never replace those bytes
            # by a new output (whatever put the row back in the queue).
            MediaRendition.objects.filter(pk=rendition.pk).update(
                status=RenditionStatus.DONE, progress=1.0, error_code="", error_detail=""
            )
            return RenditionStatus.DONE
        inputs: RenditionInputs | None = None
        if rendition.master is not None:
            # the inputs as they are now (the item may have changed since the plan)
            inputs = inputs_for(rendition.master)
            key = _current_key(rendition, inputs)
            if key is not None and key != rendition.key:
                rendition.key = key
                rendition.save(update_fields=["key", "updated_at"])
        rendition.status = RenditionStatus.RUNNING
        rendition.attempts += 1
        rendition.progress = 0.0
        rendition.cancel_requested = False
        rendition.save(
            update_fields=["status", "attempts", "progress", "cancel_requested", "updated_at"]
        )
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
    profile = profiles().get(rendition.profile)
    source: MediaMaster | CustomImage | None = rendition.master or rendition.image
    try:
        if profile is None or source is None:
            raise PipelineError("invalid_profile", f"unknown profile {rendition.profile!r}")
        with local_copy(source) as src, tempfile.TemporaryDirectory(prefix="rendition-") as tmp:
            made = make(rendition, source, profile, src, Path(tmp), inputs)
            if rendition.master is not None:
                folder = f"renditions/{rendition.master.language}/{rendition.master.pk}"
            else:
                folder = f"renditions/images/{source.pk}"
            stored = store(made.path, f"{folder}/{made.path.name}")
            extra = {key: store(path, f"{folder}/{path.name}") for key, path in made.extra.items()}
            return finish(
                rendition,
                stored,
                sha256_file(made.path),
                made.path.stat().st_size,
                made.loudness,
                made.technical,
                extra,
            )
    except PipelineError as error:
        if error.code == "cancelled":
            return cancelled(rendition)
        return fail(rendition, error.code, error.detail, error.permanent)
    except SourceUnavailable as error:
        return fail(rendition, "source_unavailable", str(error), permanent=False)
    except OSError as error:
        pipeline_error = os_error(error, "reading or writing the rendition failed")
        return fail(rendition, pipeline_error.code, pipeline_error.detail, permanent=False)


class Made:
    """A finished local output of :func:`make` (in the job's temporary directory)."""

    def __init__(
        self,
        path: Path,
        loudness: dict[str, Any] | None = None,
        technical: dict[str, Any] | None = None,
        extra: dict[str, Path] | None = None,
    ) -> None:
        self.path = path
        self.loudness = loudness or {}
        self.technical = technical or {}
        self.extra = extra or {}


def _current_key(rendition: MediaRendition, inputs: RenditionInputs | None) -> str | None:
    profile = profiles().get(rendition.profile)
    if profile is None or rendition.master is None:
        return None
    if is_item_profile(profile) and inputs is None:
        return None  # no item any more: keep what was planned
    return key_for(rendition.master, profile, inputs, subtitles_digest(inputs))


def make(
    rendition: MediaRendition,
    source: MediaMaster | CustomImage,
    profile: Any,
    src: Path,
    tmp: Path,
    inputs: RenditionInputs | None = None,
) -> Made:
    """Run the pipeline for one rendition into ``tmp``; raises ``PipelineError``."""
    progress = ProgressWriter(rendition.pk)
    should_cancel = CancelPoller(rendition.pk)
    stem = Path(source.file.name).stem
    extension = getattr(profile, "extension", "mp4")
    out = tmp / f"{stem}.{rendition.profile}.{extension}"
    if isinstance(profile, ImageProfile):
        from media_pipeline.images import inspect_image, output_extension, render_images

        assert isinstance(source, CustomImage)
        max_pixels = settings.CMS_MEDIA["MAX_IMAGE_PIXELS"]
        info = inspect_image(src, max_pixels)
        out = tmp / f"{stem}.{rendition.profile}{output_extension(profile, info)}"
        if should_cancel():
            raise PipelineError("cancelled", "processing was cancelled")
        image = render_images(
            src,
            {profile.name: out},
            {profile.name: profile},
            caption=image_caption(source),
            max_pixels=max_pixels,
        )[profile.name]
        progress(1.0)
        return Made(
            out,
            technical={
                "warnings": list(info.warnings),
                "width": image.width,
                "height": image.height,
                "format": image.format,
                "source": {"width": info.width, "height": info.height, "format": info.format},
            },
        )
    assert isinstance(source, MediaMaster)
    master = source
    from media_pipeline.probe import probe

    info = probe(src)
    if info.duration_is_partial:
        # as at upload: a master is the archive copy, a cut-off one must be uploaded again
        raise PipelineError("truncated", "the master is cut off; its duration is partial")
    if isinstance(profile, SocialVideoProfile | AudiogramProfile):
        from cms.media.social import make_social

        return make_social(profile, src, out, inputs, info, progress, should_cancel)
    if isinstance(profile, WaveformProfile):
        from media_pipeline.waveform import render_waveform

        render_waveform(
            src,
            out,
            width=profile.width,
            height=profile.height,
            color=profile.color,
            should_cancel=should_cancel,
            info=info,
        )
        progress(1.0)
        return Made(out, technical={"width": profile.width, "height": profile.height})
    if isinstance(profile, AudioProfile):
        from media_pipeline.audio import AudioTags, render_audio

        result = render_audio(
            src,
            {profile.name: out},
            {profile.name: profile},
            tags=AudioTags(
                title=master.title,
                language=ISO639_3.get(master.language, ""),
                item_id=f"master-{master.pk}",
            ),
            progress_cb=progress,
            should_cancel=should_cancel,
            info=info,
        )[profile.name]
        extra: dict[str, Path] = {}
        frame: tuple[int, int] | None = None
    elif isinstance(profile, VideoProfile):
        from media_pipeline.video import output_size, render_video

        # every profile with a poster (web_video, web_video_light) gets its own, named after
        # the profile so two posters of one master never share a stored name
        poster = tmp / f"{stem}.{profile.name}.poster.jpg" if profile.poster else None
        with subtitles_copy(inputs if burns_subtitles(profile) else None) as subtitles:
            result = render_video(
                src,
                out,
                profile,
                subtitles_path=subtitles,
                poster_dest=poster,
                progress_cb=progress,
                should_cancel=should_cancel,
                info=info,
            )
        extra = {"poster": poster} if poster is not None and poster.exists() else {}
        frame = output_size(profile, info)
    else:  # pragma: no cover - configuration error
        raise PipelineError("invalid_profile", f"{profile!r} is not a known profile type")
    return Made(
        out,
        loudness={
            "input": _stats(result.input_loudness),
            "output": _stats(result.output_loudness),
            "gain_db": result.gain_db,
            **targets(profile),
        },
        technical={
            "warnings": list(result.warnings),
            "duration": result.duration,
            **({"width": frame[0], "height": frame[1]} if frame else {}),
        },
        extra=extra,
    )


@contextmanager
def subtitles_copy(inputs: RenditionInputs | None) -> Iterator[Path | None]:
    """A local path of the item's subtitles (a copy when they are on an object store)."""
    if inputs is None or inputs.subtitles is None or not inputs.subtitles.file:
        yield None
        return
    with local_copy(inputs.subtitles) as path:
        yield path


def cancelled(rendition: MediaRendition) -> str:
    MediaRendition.objects.filter(pk=rendition.pk).update(
        status=RenditionStatus.CANCELLED,
        error_code="cancelled",
        error_detail="",
        progress=0.0,
        cancel_requested=False,
    )
    return RenditionStatus.CANCELLED


def targets(profile: Any) -> dict[str, float | None]:
    """The loudness targets the report compares a rendition against."""
    if not isinstance(profile, AudioProfile | VideoProfile | SocialVideoProfile | AudiogramProfile):
        return {}
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
    # filtered on the key the job started with: if the item changed meanwhile the row was
    # renewed (new key, queued again) and this output is not the one wanted any more
    updated = MediaRendition.objects.filter(pk=rendition.pk, key=rendition.key).update(
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
    return RenditionStatus.DONE if updated else RenditionStatus.PENDING


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
