"""Which renditions a master or an image gets: one ``MediaRendition`` row per (source,
profile), keyed by what shapes it, queued on commit (:mod:`cms.media.dispatch`)."""

from __future__ import annotations

import hashlib
from typing import Any, cast

from django.conf import settings

from cms.media import dispatch
from cms.media.inputs import RenditionInputs, inputs_for, key_for, subtitles_digest
from cms.media.models import CustomImage, MediaMaster, MediaRendition, RenditionStatus
from media_pipeline.hashing import rendition_key
from media_pipeline.profiles import (
    AUDIO_PROFILE_NAMES,
    AUDIOGRAM_PROFILE_NAMES,
    IMAGE_PROFILE_NAMES,
    SOCIAL_VIDEO_PROFILE_NAMES,
    VIDEO_PROFILE_NAMES,
    WAVEFORM_PROFILE_NAMES,
    AudiogramProfile,
    AudioProfile,
    WaveformProfile,
    profiles_from_config,
)


def profiles() -> dict[str, Any]:
    overrides = cast("dict[str, Any]", settings.CMS_MEDIA.get("PROFILE_OVERRIDES", {}))
    return profiles_from_config(overrides)


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
    digest = hashlib.sha256()
    with field.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def schedule_image_renditions(image: CustomImage) -> list[MediaRendition]:
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
            MediaRendition.objects.filter(pk=rendition.pk).mark_pending(key=key, attempts=0)
            rendition.status = RenditionStatus.PENDING
        if rendition.status in (RenditionStatus.PENDING, RenditionStatus.FAILED):
            created.append(rendition)
    return _enqueue(created)


def schedule_renditions(
    master: MediaMaster, inputs: RenditionInputs | None = None, *, requeue: bool = True
) -> list[MediaRendition]:
    """Create the rendition rows for a master and enqueue their jobs after commit.

    ``inputs`` (default: what the content layer gives for the master's item) are part of
    each key they shape: a rendition whose key changed (new subtitles, new in/out points) is
    made again, as a new file. The item's versions (social, audiogram) are scheduled only once
    an item uses the master. ``requeue=False`` (an item saved) queues only the rows new or
    renewed here, not the ones already waiting in the queue.

    Each row gets its job; the first audio job of a master to run makes all the master's
    queued audio renditions at once (:func:`cms.media.renditions.run`), the others then find
    their row done."""
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
            MediaRendition.objects.filter(pk=rendition.pk).mark_not_applicable("no_audio")
            rendition.refresh_from_db()
            continue
        if rendition.status in (RenditionStatus.PENDING, RenditionStatus.FAILED) and (
            requeue or changed
        ):
            created.append(rendition)
    return _enqueue(created)


def renew(rendition: MediaRendition, key: str) -> None:
    """What shapes the rendition changed: make it again under ``key``. The old file stays
    in the storage (a package or export made from it keeps it); the row points at the new
    one when it is done. A job still running on the old inputs finds the key changed and
    its result is dropped (:func:`cms.media.renditions.finish`)."""
    MediaRendition.objects.filter(pk=rendition.pk).mark_pending(
        key=key, attempts=0, file="", sha256="", size=0, extra_files={}
    )
    rendition.refresh_from_db()


def _enqueue(renditions: list[MediaRendition]) -> list[MediaRendition]:
    """Queue each scheduled rendition's job (after commit); a failed one goes back to the
    queue from the start, like a retry."""
    for rendition in renditions:
        if rendition.status == RenditionStatus.FAILED:
            MediaRendition.objects.filter(pk=rendition.pk).mark_pending(attempts=0)
            rendition.status = RenditionStatus.PENDING
        dispatch.enqueue(rendition)
    return renditions
