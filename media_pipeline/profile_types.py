"""The kinds of output profile: frozen dataclasses that check their own fields.

Frozen so they can be hashed into rendition keys (:func:`media_pipeline.hashing.rendition_key`)
and shared between threads. The default table is :mod:`media_pipeline.profile_defaults`; the
settings overrides are :mod:`media_pipeline.profile_config`.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .errors import PipelineError

ChannelPolicy = Literal["mono", "stereo", "as_source"]


def _bad(msg: str) -> PipelineError:
    return PipelineError("invalid_profile", msg)


@dataclass(frozen=True)
class AudioProfile:
    """An audio rendition: pre-processing, loudness target and encoder settings."""

    name: str
    container: str  # ffmpeg muxer name: "mp3", "wav", "ipod" (m4a), "ogg", "mp2"
    extension: str
    codec: str  # ffmpeg encoder: "libmp3lame", "pcm_s16le", "aac", "libopus", "mp2"
    bitrate: str | None  # "64k"; None for PCM
    sample_rate: int
    #: "as_source" keeps mono as mono and anything with 2+ channels becomes stereo
    channels: ChannelPolicy
    highpass_hz: float | None
    lowpass_hz: float | None
    target_lufs: float
    tolerance_lu: float
    true_peak_dbtp: float
    max_lra_lu: float | None
    #: measure mono as dual-mono (a mono file played on two speakers), EBU Tech 3341
    dual_mono: bool
    id3_tags: bool
    #: distance between the limiter ceiling and ``true_peak_dbtp``. The limiter works on
    #: sample peaks; the margin absorbs inter-sample peaks and the lossy codec's overshoot.
    limiter_margin_db: float = 0.5
    #: extra encoder options as ``(("aac_coder", "fast"),)`` (a tuple keeps the profile hashable)
    encoder_options: tuple[tuple[str, str], ...] = ()

    kind: typing.ClassVar[str] = "audio"

    def __post_init__(self) -> None:
        if self.channels not in ("mono", "stereo", "as_source"):
            raise _bad(f"{self.name}: channels must be mono, stereo or as_source")
        if not 8000 <= self.sample_rate <= 192000:
            raise _bad(f"{self.name}: unsupported sample rate {self.sample_rate}")
        if not -70 < self.target_lufs < 0 or self.tolerance_lu <= 0:
            raise _bad(f"{self.name}: invalid loudness target")
        if self.true_peak_dbtp > 0 or self.limiter_margin_db < 0:
            raise _bad(f"{self.name}: invalid true-peak ceiling")
        if isinstance(self.encoder_options, Mapping):
            object.__setattr__(self, "encoder_options", tuple(sorted(self.encoder_options.items())))


@dataclass(frozen=True)
class VideoProfile:
    """A video rendition fitted (letterbox / pillarbox) into an exact frame size."""

    name: str
    width: int
    height: int
    fps: int = 25
    codec: str = "libx264"
    h264_profile: str = "high"
    pix_fmt: str = "yuv420p"
    video_bitrate: str = "4500k"
    preset: str = "veryfast"
    #: seconds between keyframes
    gop_seconds: float = 2.0
    faststart: bool = True
    fit: Literal["pad"] = "pad"
    #: "fixed": always width x height; "auto": swap to height x width for portrait sources
    orientation: Literal["fixed", "auto"] = "fixed"
    burn_subtitles: bool = True
    #: None: never any audio stream (silent boards / LED walls)
    audio_target_lufs: float | None = -23.0
    audio_tolerance_lu: float = 1.0
    audio_true_peak_dbtp: float = -1.0
    audio_bitrate: str = "128k"
    audio_sample_rate: int = 48000
    audio_limiter_margin_db: float = 0.6
    poster: bool = False
    #: position of the poster frame as a fraction of the duration
    poster_at: float = 0.1
    pad_color: str = "black"
    extension: str = "mp4"

    kind: typing.ClassVar[str] = "video"

    def __post_init__(self) -> None:
        if self.width < 16 or self.height < 16 or self.width % 2 or self.height % 2:
            raise _bad(f"{self.name}: frame size must be even and at least 16x16")
        if not 1 <= self.fps <= 120:
            raise _bad(f"{self.name}: fps out of range")
        if self.fit != "pad" or self.orientation not in ("fixed", "auto"):
            raise _bad(f"{self.name}: unsupported fit/orientation")
        if not 0 <= self.poster_at < 1:
            raise _bad(f"{self.name}: poster_at must be in [0, 1)")


@dataclass(frozen=True)
class ImageProfile:
    """An image rendition.

    ``web``: long edge limited to ``max_long_edge``; ``board``: exactly ``width`` x ``height``
    with the picture fitted above a caption band; ``print``: original size, sRGB, high quality.
    """

    name: str
    purpose: Literal["web", "board", "print"]
    #: "auto": JPEG, or PNG when the source has transparency; otherwise "JPEG", "PNG", "WEBP"
    format: str = "auto"
    quality: int = 85
    max_long_edge: int | None = None
    width: int | None = None
    height: int | None = None
    #: caption band height as a fraction of the board height
    caption_band: float = 0.14
    background: str = "#000000"
    caption_color: str = "#ffffff"
    #: colour transparent pixels are flattened onto when the output cannot keep alpha
    flatten_color: str = "#ffffff"

    kind: typing.ClassVar[str] = "image"

    def __post_init__(self) -> None:
        if self.purpose not in ("web", "board", "print"):
            raise _bad(f"{self.name}: unknown image purpose {self.purpose!r}")
        if self.purpose == "board" and not (self.width and self.height):
            raise _bad(f"{self.name}: board images need width and height")
        if self.format.upper() not in ("AUTO", "JPEG", "PNG", "WEBP"):
            raise _bad(f"{self.name}: unsupported image format {self.format!r}")
        if not 1 <= self.quality <= 100 or not 0 <= self.caption_band < 0.5:
            raise _bad(f"{self.name}: quality/caption_band out of range")


@dataclass(frozen=True)
class WaveformProfile:
    """A waveform overview PNG of an audio master (admin and public player)."""

    name: str
    width: int = 1200
    height: int = 120
    color: str = "#1f6feb"
    extension: str = "png"

    kind: typing.ClassVar[str] = "waveform"

    def __post_init__(self) -> None:
        if self.width < 16 or self.height < 8 or self.width * self.height > 16_000_000:
            raise _bad(f"{self.name}: waveform size out of range")
        if not (self.color.startswith("#") and len(self.color) in (4, 7)):
            raise _bad(f"{self.name}: waveform colour must be #rgb or #rrggbb")


@dataclass(frozen=True)
class PlatformVideoProfile:
    """What every version for social platforms shares: H.264/AAC in MP4 at the frame size,
    the safe area (``safe_top``/``safe_bottom`` of the height and ``safe_side`` of the width
    on each side, which platforms cover with their own interface), the platform limits and
    the web renditions' loudness (WEB_AUDIO, WEB_VIDEO)."""

    name: str
    width: int = 1080
    height: int = 1080
    fps: int = 25
    codec: str = "libx264"
    h264_profile: str = "high"
    pix_fmt: str = "yuv420p"
    video_bitrate: str = "3500k"
    max_video_bitrate: str = "4000k"
    preset: str = "veryfast"
    gop_seconds: float = 2.0
    faststart: bool = True
    safe_top: float = 0.14
    safe_bottom: float = 0.20
    safe_side: float = 0.06
    #: subtitle text height as a fraction of the frame width
    font_scale: float = 0.05
    max_duration_s: float = 180.0
    max_size_bytes: int = 100_000_000
    burn_subtitles: bool = True
    audio_target_lufs: float = -16.0
    audio_tolerance_lu: float = 1.0
    audio_true_peak_dbtp: float = -1.0
    audio_bitrate: str = "128k"
    audio_sample_rate: int = 48000
    audio_limiter_margin_db: float = 0.6
    extension: str = "mp4"

    def __post_init__(self) -> None:
        _check_social_frame(self)
        if bitrate_bps(self.video_bitrate) > bitrate_bps(self.max_video_bitrate):
            raise _bad(f"{self.name}: video_bitrate above max_video_bitrate")


@dataclass(frozen=True)
class SocialVideoProfile(PlatformVideoProfile):
    """A version for social platforms and messaging apps (fanpage, Zalo, YouTube Shorts).

    The whole picture is scaled to fit inside the frame, over a blurred copy of itself
    (``background="blur"``) or a plain ``pad_color``; subtitles in the version's language
    are burned inside the platform's *safe area*: the bands a platform covers with its own
    interface (name, caption, buttons) are ``safe_top``/``safe_bottom`` of the height and
    ``safe_side`` of the width on each side. The cut is the editor's in/out points.

    Platform limits, stated here and checked in ``__post_init__``: at most
    ``max_duration_s`` seconds (a longer cut is shortened, with a warning) and
    ``max_size_bytes``; the video bit rate is capped at ``max_video_bitrate`` (VBV), so
    ``max_duration_s`` x (video cap + audio) always fits the size limit.
    """

    background: Literal["blur", "plain"] = "blur"
    pad_color: str = "black"

    kind: typing.ClassVar[str] = "social"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.background not in ("blur", "plain"):
            raise _bad(f"{self.name}: background must be blur or plain")


@dataclass(frozen=True)
class AudiogramProfile(PlatformVideoProfile):
    """A radio segment as a video: a waveform of the (normalised) audio over a plain
    background, the item's title at the top and subtitles, if any, at the bottom, all inside
    the safe area; same platform limits and loudness as :class:`SocialVideoProfile`."""

    video_bitrate: str = "1500k"
    max_video_bitrate: str = "2500k"
    safe_top: float = 0.08
    safe_bottom: float = 0.10
    background_color: str = "#0b2545"
    wave_color: str = "#f2c14e"
    #: waveform height as a fraction of the frame height
    wave_height: float = 0.30

    kind: typing.ClassVar[str] = "audiogram"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0.05 <= self.wave_height <= 0.6:
            raise _bad(f"{self.name}: wave_height out of range")


def bitrate_bps(rate: str) -> int:
    """``"4000k"`` -> 4000000 bits per second."""
    r = rate.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(r[-1:], 1)
    try:
        return int(float(r[:-1] if mult != 1 else r) * mult)
    except ValueError as exc:
        raise _bad(f"bad bit rate {rate!r}") from exc


def _check_social_frame(p: PlatformVideoProfile) -> None:
    if p.width < 16 or p.height < 16 or p.width % 2 or p.height % 2:
        raise _bad(f"{p.name}: frame size must be even and at least 16x16")
    if not 1 <= p.fps <= 120:
        raise _bad(f"{p.name}: fps out of range")
    if not (0 <= p.safe_top < 0.4 and 0 <= p.safe_bottom < 0.4 and 0 <= p.safe_side < 0.3):
        raise _bad(f"{p.name}: safe area out of range")
    if p.max_duration_s <= 0 or p.max_size_bytes <= 0:
        raise _bad(f"{p.name}: platform limits must be positive")
    worst = (
        p.max_duration_s
        * (bitrate_bps(p.max_video_bitrate) + bitrate_bps(p.audio_bitrate))
        / 8
        * 1.02
    )  # container overhead
    if worst > p.max_size_bytes:
        raise _bad(
            f"{p.name}: {p.max_duration_s:.0f} s at the capped bit rates may exceed "
            f"{p.max_size_bytes} bytes"
        )


Profile = (
    AudioProfile
    | VideoProfile
    | ImageProfile
    | WaveformProfile
    | SocialVideoProfile
    | AudiogramProfile
)
