"""System checks for the media pipeline's native dependencies, as ``wagtail/images/checks.py``
does for Pillow's: a worker without ffmpeg, an encoder or a font fails at startup with a
hint, not on the first upload with a failed rendition."""

from __future__ import annotations

import functools
import shutil
import subprocess
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from media_pipeline import ffmpeg_adapter
from media_pipeline.captions import SCRIPT_FONTS, find_font
from media_pipeline.errors import PipelineError
from media_pipeline.profiles import (
    AudiogramProfile,
    AudioProfile,
    SocialVideoProfile,
    VideoProfile,
    profiles_from_config,
)

#: encoders every video rendition needs for its sound track
_VIDEO_AUDIO_ENCODER = "aac"


@functools.cache
def _encoders(ffmpeg: str) -> frozenset[str]:
    """Encoder names from ``ffmpeg -encoders`` (lines such as ``A....D aac  AAC …``)."""
    listing = subprocess.run(
        [ffmpeg, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=30
    ).stdout
    names = set()
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 6 and parts[0][0] in "VAS":
            names.add(parts[1])
    return frozenset(names)


def _needed_encoders(profiles: dict[str, Any]) -> dict[str, list[str]]:
    """Encoder → the profiles that use it."""
    needed: dict[str, list[str]] = {}
    for name, profile in profiles.items():
        codecs = []
        if isinstance(profile, AudioProfile):
            codecs.append(profile.codec)
        elif isinstance(profile, VideoProfile):
            codecs.append(profile.codec)
            if profile.audio_target_lufs is not None:
                codecs.append(_VIDEO_AUDIO_ENCODER)
        elif isinstance(profile, SocialVideoProfile | AudiogramProfile):
            codecs += [profile.codec, _VIDEO_AUDIO_ENCODER]
        for codec in codecs:
            if codec:
                needed.setdefault(codec, []).append(name)
    return needed


@register()
def check_media_pipeline(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for binary in (ffmpeg_adapter.FFMPEG_BIN, ffmpeg_adapter.FFPROBE_BIN):
        if not shutil.which(binary):
            messages.append(
                Error(
                    f"{binary!r} is not on PATH: no rendition, probe or package can be made.",
                    hint="Install ffmpeg (scripts/system-deps.sh) or set "
                    "MEDIA_PIPELINE_FFMPEG / MEDIA_PIPELINE_FFPROBE.",
                    id="media.E001",
                )
            )
    try:
        profiles = profiles_from_config(settings.CMS_MEDIA.get("PROFILE_OVERRIDES", {}))
    except PipelineError as exc:
        messages.append(
            Error(
                f"CMS_MEDIA['PROFILE_OVERRIDES'] is invalid: {exc}",
                hint="See media_pipeline.profiles.profiles_from_config for the accepted keys.",
                id="media.E002",
            )
        )
        profiles = {}
    ffmpeg = shutil.which(ffmpeg_adapter.FFMPEG_BIN)
    if ffmpeg and profiles:
        available = _encoders(ffmpeg)
        for codec, users in sorted(_needed_encoders(profiles).items()):
            if codec not in available:
                messages.append(
                    Error(
                        f"ffmpeg has no {codec!r} encoder, needed by {', '.join(sorted(users))}.",
                        hint="Install a full ffmpeg build or remove those profiles in "
                        "CMS_MEDIA['PROFILE_OVERRIDES'].",
                        id="media.E003",
                    )
                )
    for script in SCRIPT_FONTS:
        try:
            find_font(script)
        except PipelineError:
            messages.append(
                Warning(
                    f"No {SCRIPT_FONTS[script]} for {script} text: board images and captions "
                    "in that script will show boxes.",
                    hint="Install fonts-noto-core (scripts/system-deps.sh).",
                    id="media.W001",
                )
            )
    return messages
