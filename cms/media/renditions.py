"""Runs rendition jobs of masters and images through ``media_pipeline``.

One ``MediaRendition`` row and one background job per (source, profile) (scheduled by
:mod:`cms.media.scheduling`, queued by :mod:`cms.media.dispatch`). The audio renditions of a
master are made together: the first of their jobs to run takes every queued audio
rendition of the master and makes them in one pipeline run (the master probed and measured
once, one encode process writing all outputs); their later jobs find them done. Each row
keeps its own status, failure and retry: when the shared run fails, each rendition is made
again on its own, so only the one at fault fails. A rendition's ``key`` hashes the source's
content and what shapes the output, so a file uploaded twice is never processed twice.
Outputs are made in a temporary directory and saved to the storage under a new name only
when complete.

This module also re-exports the names other code uses from the modules it was split into.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.db import transaction

from cms.media import dispatch
from cms.media.dispatch import (
    HEARTBEAT_SECONDS,
    MAX_ATTEMPTS_AFTER_WORKER_LOSS,
    MAX_TRANSIENT_ATTEMPTS,
    CancelPoller,
    ProgressWriter,
    RenditionIsFinal,
    cancel,
    cancelled,
    enqueue,
    fail,
    heartbeat,
    is_final,
    output_exists,
    requeue_stale,
    retry,
)
from cms.media.inputs import RenditionInputs, inputs_for, is_item_profile, key_for, subtitles_digest
from cms.media.local_copies import (
    SourceUnavailable,
    local_copy,
    store,
    subtitles_copy,
    subtitles_for,
)
from cms.media.loudness_report import targets, within_tolerance
from cms.media.making import Made, make, make_audio, probe_master
from cms.media.models import CustomImage, MediaMaster, MediaRendition, RenditionStatus
from cms.media.scheduling import (
    file_sha256,
    image_caption,
    item_profile_names_for,
    profile_names_for,
    profiles,
    renew,
    schedule_image_renditions,
    schedule_renditions,
)
from media_pipeline.errors import PipelineError, os_error
from media_pipeline.hashing import sha256_file
from media_pipeline.profiles import AudioProfile

__all__ = [
    "HEARTBEAT_SECONDS",
    "MAX_ATTEMPTS_AFTER_WORKER_LOSS",
    "MAX_TRANSIENT_ATTEMPTS",
    "CancelPoller",
    "Made",
    "ProgressWriter",
    "RenditionIsFinal",
    "SourceUnavailable",
    "cancel",
    "cancelled",
    "enqueue",
    "fail",
    "file_sha256",
    "finish",
    "heartbeat",
    "image_caption",
    "is_final",
    "item_profile_names_for",
    "local_copy",
    "make",
    "output_exists",
    "profile_names_for",
    "profiles",
    "renew",
    "requeue_stale",
    "retry",
    "run",
    "schedule_image_renditions",
    "schedule_renditions",
    "sha256_file",
    "store",
    "subtitles_copy",
    "subtitles_for",
    "targets",
    "within_tolerance",
]

#: a job leaves these rows as they are: finished, or final until ``retry`` (or a new scheduling)
#: puts them back in the queue -- a failed row may have been failed by its master's audio
#: batch after its own job was queued
_SETTLED = (
    RenditionStatus.DONE,
    RenditionStatus.NOT_APPLICABLE,
    RenditionStatus.CANCELLED,
    RenditionStatus.FAILED,
)


def run(rendition_id: int) -> str:
    """Make one rendition -- with the master's other queued audio renditions when it is an
    audio one. Returns its final status; never leaves a partial file visible."""
    with transaction.atomic():
        rendition = (
            MediaRendition.objects.select_for_update(of=("self",))
            .select_related("master", "image")
            .get(pk=rendition_id)
        )
        settled = _settled(rendition)
        if settled is not None:
            return settled
        inputs = inputs_for(rendition.master) if rendition.master is not None else None
        batch = [rendition, *_queued_audio_siblings(rendition)]
        for member in batch:
            _start(member, inputs)
    todo = [member for member in batch if not _reuse_done_twin(member)]
    if not todo:
        return _status(rendition)
    if len(todo) > 1 and rendition.master is not None:
        _run_audio(todo, rendition.master, inputs)
    else:
        _run_one(todo[0], inputs)
    return _status(rendition)


def _settled(rendition: MediaRendition) -> str | None:
    """The status to return without making anything, or None when the job is to run."""
    if rendition.status in _SETTLED:
        return rendition.status
    if dispatch.is_live(rendition):
        return rendition.status  # another job is making it (with its master's audio batch)
    if rendition.sha256 and output_exists(rendition):
        # It was finished once and its file is still stored: never replace those bytes by a
        # new output (whatever put the row back in the queue).
        MediaRendition.objects.filter(pk=rendition.pk).mark_done()
        return RenditionStatus.DONE
    return None


def _queued_audio_siblings(rendition: MediaRendition) -> list[MediaRendition]:
    """The master's other queued audio renditions, locked (rows other jobs hold are left to
    them), when ``rendition`` is an audio one."""
    table = profiles()
    if rendition.master is None or not isinstance(table.get(rendition.profile), AudioProfile):
        return []
    audio = [name for name, profile in table.items() if isinstance(profile, AudioProfile)]
    siblings = (
        MediaRendition.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("master")
        .queued()
        .filter(master=rendition.master, profile__in=audio)
        .exclude(pk=rendition.pk)
        .order_by("pk")
    )
    return [sibling for sibling in siblings if _settled(sibling) is None]


def _start(rendition: MediaRendition, inputs: RenditionInputs | None) -> None:
    """Take the (locked) row: its key as the inputs are now, then running, one more attempt."""
    key = _current_key(rendition, inputs)
    if key is not None and key != rendition.key:
        rendition.key = key
        rendition.save(update_fields=["key", "updated_at"])
    MediaRendition.objects.filter(pk=rendition.pk).mark_running()
    rendition.status = RenditionStatus.RUNNING
    rendition.attempts += 1


def _reuse_done_twin(rendition: MediaRendition) -> bool:
    """Finish ``rendition`` with the file of a done rendition with the same key, if any."""
    twin = MediaRendition.objects.done().filter(key=rendition.key).exclude(pk=rendition.pk).first()
    if twin is None:
        return False
    finish(
        rendition,
        twin.file.name,
        twin.sha256,
        twin.size,
        twin.loudness,
        twin.technical_metadata,
        twin.extra_files,
    )
    return True


def _folder(rendition: MediaRendition, source: MediaMaster | CustomImage) -> str:
    if rendition.master is not None:
        return f"renditions/{rendition.master.language}/{rendition.master.pk}"
    return f"renditions/images/{source.pk}"


def _keep(rendition: MediaRendition, source: MediaMaster | CustomImage, made: Made) -> str:
    """Store a finished output and its extra files, and finish the row."""
    folder = _folder(rendition, source)
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


def _guarded(rendition: MediaRendition, error: BaseException) -> str:
    """Record an error of a job (one the pipeline, the storage or the disk raised)."""
    if isinstance(error, PipelineError):
        if error.code == "cancelled":
            return cancelled(rendition)
        return fail(rendition, error.code, error.detail, error.permanent)
    if isinstance(error, SourceUnavailable):
        return fail(rendition, "source_unavailable", str(error), permanent=False)
    if isinstance(error, OSError):
        pipeline_error = os_error(error, "reading or writing the rendition failed")
        return fail(rendition, pipeline_error.code, pipeline_error.detail, permanent=False)
    raise error


_JOB_ERRORS = (PipelineError, SourceUnavailable, OSError)


def _run_one(rendition: MediaRendition, inputs: RenditionInputs | None) -> str:
    profile = profiles().get(rendition.profile)
    source: MediaMaster | CustomImage | None = rendition.master or rendition.image
    try:
        if profile is None or source is None:
            raise PipelineError("invalid_profile", f"unknown profile {rendition.profile!r}")
        with local_copy(source) as src, tempfile.TemporaryDirectory(prefix="rendition-") as tmp:
            return _keep(
                rendition, source, make(rendition, source, profile, src, Path(tmp), inputs)
            )
    except _JOB_ERRORS as error:
        return _guarded(rendition, error)


def _run_audio(
    batch: list[MediaRendition], master: MediaMaster, inputs: RenditionInputs | None
) -> None:
    """Make several audio renditions of ``master`` in one pipeline run; each row is
    finished or failed on its own. A failure of the shared run (other than the master's
    own: unreadable, cut off, cancelled) makes each rendition again on its own, so only
    the one at fault fails."""
    table = profiles()
    try:
        with local_copy(master) as src, tempfile.TemporaryDirectory(prefix="rendition-") as tmp:
            info = probe_master(src)
            try:
                made = make_audio(batch, master, table, src, Path(tmp), info)
            except PipelineError as error:
                if error.code == "cancelled":
                    raise
                made = None
            if made is not None:
                for rendition in batch:
                    try:
                        _keep(rendition, master, made[rendition.profile])
                    except _JOB_ERRORS as error:
                        _guarded(rendition, error)
                return
    except PipelineError as error:
        if error.code == "cancelled":
            _stop_batch(batch)
            return
        for rendition in batch:
            _guarded(rendition, error)
        return
    except (SourceUnavailable, OSError) as error:
        for rendition in batch:
            _guarded(rendition, error)
        return
    for rendition in batch:
        _run_one(rendition, inputs)


def _stop_batch(batch: list[MediaRendition]) -> None:
    """A cancel stopped the shared run: the renditions asked to be cancelled are; the
    others go back to the queue to be made without them."""
    asked = set(
        MediaRendition.objects.filter(
            pk__in=[r.pk for r in batch], cancel_requested=True
        ).values_list("pk", flat=True)
    )
    for rendition in batch:
        if rendition.pk in asked:
            cancelled(rendition)
        else:
            MediaRendition.objects.filter(pk=rendition.pk).mark_pending(
                attempts=max(0, rendition.attempts - 1)
            )
            dispatch.enqueue(rendition)


def _status(rendition: MediaRendition) -> str:
    return MediaRendition.objects.values_list("status", flat=True).get(pk=rendition.pk)


def _current_key(rendition: MediaRendition, inputs: RenditionInputs | None) -> str | None:
    profile = profiles().get(rendition.profile)
    if profile is None or rendition.master is None:
        return None
    if is_item_profile(profile) and inputs is None:
        return None  # no item any more: keep what was scheduled
    return key_for(rendition.master, profile, inputs, subtitles_digest(inputs))


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
    updated = MediaRendition.objects.filter(pk=rendition.pk, key=rendition.key).mark_done(
        file=name,
        sha256=sha256,
        size=size,
        loudness=loudness or {},
        technical_metadata=technical or {},
        extra_files=extra or {},
    )
    return RenditionStatus.DONE if updated else RenditionStatus.PENDING
