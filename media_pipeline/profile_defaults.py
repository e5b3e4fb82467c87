"""The default output profiles (the reasons are in docs/design.md#output-profiles)."""

from __future__ import annotations

import types
from collections.abc import Mapping

from .profile_types import (
    AudiogramProfile,
    AudioProfile,
    ImageProfile,
    Profile,
    SocialVideoProfile,
    VideoProfile,
    WaveformProfile,
)


def board_native(width: int, height: int, name: str | None = None, fps: int = 25) -> VideoProfile:
    """A profile for an LED wall's exact pixel map (e.g. 384x192): silent, no subtitles."""
    return VideoProfile(
        name=name or f"board_native_{width}x{height}",
        width=width,
        height=height,
        fps=fps,
        video_bitrate=f"{max(300, width * height * fps // 4000)}k",
        burn_subtitles=False,
        audio_target_lufs=None,
    )


LOUDSPEAKER = AudioProfile(
    name="loudspeaker",
    container="mp3",
    extension="mp3",
    codec="libmp3lame",
    bitrate="64k",
    sample_rate=44100,
    channels="mono",
    highpass_hz=100.0,
    lowpass_hz=10000.0,
    target_lufs=-16.0,
    tolerance_lu=1.0,
    true_peak_dbtp=-1.5,
    max_lra_lu=7.0,
    dual_mono=True,
    id3_tags=True,
    limiter_margin_db=0.4,
)
BROADCAST = AudioProfile(
    name="broadcast",
    container="wav",
    extension="wav",
    codec="pcm_s16le",
    bitrate=None,
    sample_rate=48000,
    channels="as_source",
    highpass_hz=None,
    lowpass_hz=None,
    target_lufs=-23.0,
    tolerance_lu=1.0,
    true_peak_dbtp=-1.0,
    max_lra_lu=None,
    dual_mono=False,
    id3_tags=False,
    limiter_margin_db=0.3,
)
WEB_AUDIO = AudioProfile(
    name="web_audio",
    container="ipod",
    extension="m4a",
    codec="aac",
    bitrate="96k",
    sample_rate=48000,
    channels="as_source",
    highpass_hz=None,
    lowpass_hz=None,
    target_lufs=-16.0,
    tolerance_lu=1.0,
    true_peak_dbtp=-1.0,
    max_lra_lu=None,
    dual_mono=False,
    id3_tags=False,
    limiter_margin_db=0.6,
    # the default "twoloop" coder is ~3x slower for no audible gain on speech at 96 kb/s
    encoder_options=(("aac_coder", "fast"),),
)
BOARD_LANDSCAPE = VideoProfile(name="board_landscape", width=1920, height=1080)
BOARD_PORTRAIT = VideoProfile(name="board_portrait", width=1080, height=1920)
WEB_VIDEO = VideoProfile(
    name="web_video",
    width=1280,
    height=720,
    video_bitrate="2500k",
    orientation="auto",
    burn_subtitles=False,
    audio_target_lufs=-16.0,
    audio_bitrate="128k",
    poster=True,
)
#: The light version for phones and slow links (issue 14: 3): 360p H.264 Main (every phone
#: decodes it in hardware), AAC 64 kb/s, about 550 kb/s in all (the player picks it on small
#: screens; it is also the "download" link), faststart, and its own 640x360 poster frame.
WEB_VIDEO_LIGHT = VideoProfile(
    name="web_video_light",
    width=640,
    height=360,
    h264_profile="main",
    video_bitrate="480k",
    orientation="auto",
    burn_subtitles=False,
    audio_target_lufs=-16.0,
    audio_bitrate="64k",
    poster=True,
)
IMAGE_WEB = ImageProfile(name="image_web", purpose="web", max_long_edge=1600, quality=85)
IMAGE_BOARD = ImageProfile(
    name="image_board", purpose="board", width=1920, height=1080, format="JPEG", quality=90
)
IMAGE_PRINT = ImageProfile(name="image_print", purpose="print", format="JPEG", quality=95)
WAVEFORM = WaveformProfile(name="waveform")
#: Social versions (issue 18: 2): 9:16 for Reels / Shorts / TikTok / Zalo video, 1:1 for
#: feeds. In the square the platforms overlay little, so its safe area is narrower.
SOCIAL_VERTICAL = SocialVideoProfile(name="social_vertical", width=1080, height=1920)
SOCIAL_SQUARE = SocialVideoProfile(
    name="social_square", width=1080, height=1080, safe_top=0.06, safe_bottom=0.10
)
AUDIOGRAM = AudiogramProfile(name="audiogram")

DEFAULT_PROFILES: Mapping[str, Profile] = types.MappingProxyType(
    {
        p.name: p
        for p in (
            LOUDSPEAKER,
            BROADCAST,
            WEB_AUDIO,
            BOARD_LANDSCAPE,
            BOARD_PORTRAIT,
            WEB_VIDEO,
            WEB_VIDEO_LIGHT,
            IMAGE_WEB,
            IMAGE_BOARD,
            IMAGE_PRINT,
            WAVEFORM,
            SOCIAL_VERTICAL,
            SOCIAL_SQUARE,
            AUDIOGRAM,
        )
    }
)
AUDIO_PROFILE_NAMES = ("loudspeaker", "broadcast", "web_audio")
VIDEO_PROFILE_NAMES = ("board_landscape", "board_portrait", "web_video", "web_video_light")
IMAGE_PROFILE_NAMES = ("image_web", "image_board", "image_print")
WAVEFORM_PROFILE_NAMES = ("waveform",)
#: made from an item (its in/out points, subtitles, title), not from the master alone
SOCIAL_VIDEO_PROFILE_NAMES = ("social_vertical", "social_square")
AUDIOGRAM_PROFILE_NAMES = ("audiogram",)
