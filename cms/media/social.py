"""The social versions and the audiogram of a master's item, through ``media_pipeline``
(issue 18: 2): the item's cut, subtitles (a local copy, also from an object store) and
title go in; the result is recorded like every other rendition's."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cms.media.inputs import RenditionInputs
from media_pipeline.ffmpeg_adapter import CancelCheck, ProgressCallback
from media_pipeline.probe import MediaInfo
from media_pipeline.profiles import AudiogramProfile, SocialVideoProfile

if TYPE_CHECKING:
    from cms.media.making import Made


def make_social(
    profile: SocialVideoProfile | AudiogramProfile,
    src: Path,
    out: Path,
    inputs: RenditionInputs | None,
    info: MediaInfo,
    progress: ProgressCallback,
    should_cancel: CancelCheck,
) -> Made:
    from cms.media.renditions import Made, subtitles_copy, targets
    from media_pipeline.social import render_audiogram, render_social

    cut_in = inputs.cut_in if inputs else None
    cut_out = inputs.cut_out if inputs else None
    with subtitles_copy(inputs if profile.burn_subtitles else None) as subtitles:
        if isinstance(profile, AudiogramProfile):
            result = render_audiogram(
                src,
                out,
                profile,
                title=inputs.caption if inputs else "",
                cut_in=cut_in,
                cut_out=cut_out,
                subtitles_path=subtitles,
                progress_cb=progress,
                should_cancel=should_cancel,
                info=info,
            )
        else:
            result = render_social(
                src,
                out,
                profile,
                cut_in=cut_in,
                cut_out=cut_out,
                subtitles_path=subtitles,
                progress_cb=progress,
                should_cancel=should_cancel,
                info=info,
            )
    return Made(
        out,
        loudness={
            "input": result.input_loudness.as_dict() if result.input_loudness else None,
            "output": result.output_loudness.as_dict() if result.output_loudness else None,
            "gain_db": result.gain_db,
            **targets(profile),
        },
        technical={
            "warnings": list(result.warnings),
            "duration": result.duration,
            "width": profile.width,
            "height": profile.height,
            "cut_in": cut_in,
            "cut_out": cut_out,
            "subtitles_language": inputs.subtitles_language if inputs and subtitles else "",
        },
    )


def max_cut_seconds() -> float | None:
    """The longest cut every social profile in use accepts (None: no social profile)."""
    from cms.media.renditions import profiles

    limits = [
        p.max_duration_s
        for p in profiles().values()
        if isinstance(p, SocialVideoProfile | AudiogramProfile)
    ]
    return min(limits) if limits else None
