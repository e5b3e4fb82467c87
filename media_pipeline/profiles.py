"""Output profiles, declared once as data (the reasons are in docs/design.md#output-profiles).

Profiles are frozen dataclasses so they can be hashed into rendition keys
(:func:`media_pipeline.hashing.rendition_key`) and shared between threads.
:func:`profiles_from_config` lets Django settings override any field by name, e.g.::

    MEDIA_PROFILES = {
        "loudspeaker": {"bitrate": "96k"},
        "board_led_hall": {"type": "board_native", "width": 768, "height": 384},
        "broadcast_mp2": {"extends": "broadcast", "codec": "mp2", "container": "mp2",
                          "extension": "mp2", "bitrate": "256k"},
    }

The profile kinds are :mod:`media_pipeline.profile_types`, the default table
:mod:`media_pipeline.profile_defaults` and the settings overrides
:mod:`media_pipeline.profile_config`; this module is the one place callers import them from.
"""

from __future__ import annotations

from .profile_config import profiles_from_config
from .profile_defaults import (
    AUDIO_PROFILE_NAMES,
    AUDIOGRAM,
    AUDIOGRAM_PROFILE_NAMES,
    BOARD_LANDSCAPE,
    BOARD_PORTRAIT,
    BROADCAST,
    DEFAULT_PROFILES,
    IMAGE_BOARD,
    IMAGE_PRINT,
    IMAGE_PROFILE_NAMES,
    IMAGE_WEB,
    LOUDSPEAKER,
    SOCIAL_SQUARE,
    SOCIAL_VERTICAL,
    SOCIAL_VIDEO_PROFILE_NAMES,
    VIDEO_PROFILE_NAMES,
    WAVEFORM,
    WAVEFORM_PROFILE_NAMES,
    WEB_AUDIO,
    WEB_VIDEO,
    WEB_VIDEO_LIGHT,
    board_native,
)
from .profile_types import (
    AudiogramProfile,
    AudioProfile,
    ChannelPolicy,
    ImageProfile,
    PlatformVideoProfile,
    Profile,
    SocialVideoProfile,
    VideoProfile,
    WaveformProfile,
    bitrate_bps,
)

__all__ = [
    "AUDIOGRAM",
    "AUDIOGRAM_PROFILE_NAMES",
    "AUDIO_PROFILE_NAMES",
    "BOARD_LANDSCAPE",
    "BOARD_PORTRAIT",
    "BROADCAST",
    "DEFAULT_PROFILES",
    "IMAGE_BOARD",
    "IMAGE_PRINT",
    "IMAGE_PROFILE_NAMES",
    "IMAGE_WEB",
    "LOUDSPEAKER",
    "SOCIAL_SQUARE",
    "SOCIAL_VERTICAL",
    "SOCIAL_VIDEO_PROFILE_NAMES",
    "VIDEO_PROFILE_NAMES",
    "WAVEFORM",
    "WAVEFORM_PROFILE_NAMES",
    "WEB_AUDIO",
    "WEB_VIDEO",
    "WEB_VIDEO_LIGHT",
    "AudioProfile",
    "AudiogramProfile",
    "ChannelPolicy",
    "ImageProfile",
    "PlatformVideoProfile",
    "Profile",
    "SocialVideoProfile",
    "VideoProfile",
    "WaveformProfile",
    "bitrate_bps",
    "board_native",
    "profiles_from_config",
]
