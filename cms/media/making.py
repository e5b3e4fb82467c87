"""Running the pipeline for renditions into a job's temporary directory: one rendition of
any kind (:func:`make`), or all audio renditions of one master at once (:func:`make_audio`:
the master is probed and measured once for all of them)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from django.conf import settings

from cms.i18n.languages import ISO639_3
from cms.media.dispatch import CancelPoller, ProgressWriter
from cms.media.inputs import RenditionInputs, burns_subtitles
from cms.media.local_copies import subtitles_copy
from cms.media.loudness_report import report
from cms.media.models import CustomImage, MediaMaster, MediaRendition
from cms.media.scheduling import image_caption
from media_pipeline.errors import PipelineError
from media_pipeline.ffmpeg_adapter import CancelCheck, ProgressCallback
from media_pipeline.probe import MediaInfo
from media_pipeline.profiles import (
    AudiogramProfile,
    AudioProfile,
    ImageProfile,
    SocialVideoProfile,
    VideoProfile,
    WaveformProfile,
)


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


def output_path(tmp: Path, source: MediaMaster | CustomImage, profile_name: str, ext: str) -> Path:
    return tmp / f"{Path(source.file.name or 'source').stem}.{profile_name}.{ext}"


def probe_master(src: Path) -> MediaInfo:
    from media_pipeline.probe import probe

    info = probe(src)
    if info.duration_is_partial:
        # as at upload: a master is the archive copy, a cut-off one must be uploaded again
        raise PipelineError("truncated", "the master is cut off; its duration is partial")
    return info


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
    out = output_path(tmp, source, rendition.profile, getattr(profile, "extension", "mp4"))
    if isinstance(profile, ImageProfile):
        if not isinstance(source, CustomImage):
            raise PipelineError("invalid_profile", "an image profile needs an image")
        return _make_image(source, profile, src, tmp, progress, should_cancel)
    if not isinstance(source, MediaMaster):
        raise PipelineError("invalid_profile", f"{profile!r} needs a master")
    info = probe_master(src)
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
        made = _render_audio(
            source, {profile.name: (profile, out)}, src, info, progress, should_cancel
        )
        return made[profile.name]
    if isinstance(profile, VideoProfile):
        return _make_video(profile, src, out, tmp, inputs, info, progress, should_cancel)
    raise PipelineError("invalid_profile", f"{profile!r} is not a known profile type")


def make_audio(
    renditions: Sequence[MediaRendition],
    master: MediaMaster,
    table: dict[str, Any],
    src: Path,
    tmp: Path,
    info: MediaInfo,
) -> dict[str, Made]:
    """All of ``renditions`` (audio profiles of ``master``) in one pipeline run: one probe
    (``info``), one loudness measurement, one encode process writing every output. Returns
    the outputs by profile name; raises ``PipelineError`` (then nothing is made)."""
    ids = [r.pk for r in renditions]
    outputs = {
        r.profile: (
            table[r.profile],
            output_path(tmp, master, r.profile, table[r.profile].extension),
        )
        for r in renditions
    }
    return _render_audio(master, outputs, src, info, ProgressWriter(ids), CancelPoller(ids))


def _render_audio(
    master: MediaMaster,
    outputs: dict[str, tuple[AudioProfile, Path]],
    src: Path,
    info: MediaInfo,
    progress: ProgressCallback,
    should_cancel: CancelCheck,
) -> dict[str, Made]:
    from media_pipeline.audio import AudioTags, render_audio

    results = render_audio(
        src,
        {name: out for name, (_, out) in outputs.items()},
        {name: profile for name, (profile, _) in outputs.items()},
        tags=AudioTags(
            title=master.title,
            language=ISO639_3.get(master.language, ""),
            item_id=f"master-{master.pk}",
        ),
        progress_cb=progress,
        should_cancel=should_cancel,
        info=info,
    )
    return {
        name: Made(
            out,
            loudness=report(results[name], profile),
            technical={
                "warnings": list(results[name].warnings),
                "duration": results[name].duration,
            },
        )
        for name, (profile, out) in outputs.items()
    }


def _make_image(
    source: CustomImage,
    profile: ImageProfile,
    src: Path,
    tmp: Path,
    progress: ProgressCallback,
    should_cancel: CancelCheck,
) -> Made:
    from media_pipeline.images import inspect_image, output_extension, render_images

    max_pixels = cast("int", settings.CMS_MEDIA["MAX_IMAGE_PIXELS"])
    info = inspect_image(src, max_pixels)
    stem = Path(source.file.name or "image").stem
    out = tmp / f"{stem}.{profile.name}{output_extension(profile, info)}"
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


def _make_video(
    profile: VideoProfile,
    src: Path,
    out: Path,
    tmp: Path,
    inputs: RenditionInputs | None,
    info: MediaInfo,
    progress: ProgressCallback,
    should_cancel: CancelCheck,
) -> Made:
    from media_pipeline.video import output_size, render_video

    # every profile with a poster (web_video, web_video_light) gets its own, named after
    # the profile so two posters of one master never share a stored name
    stem = out.name.removesuffix(f".{profile.name}.{profile.extension}")
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
    width, height = output_size(profile, info)
    return Made(
        out,
        loudness=report(result, profile),
        technical={
            "warnings": list(result.warnings),
            "duration": result.duration,
            "width": width,
            "height": height,
        },
        extra={"poster": poster} if poster is not None and poster.exists() else {},
    )
