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
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Union

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

_TYPES: dict[str, type[Any]] = {
    "audio": AudioProfile,
    "video": VideoProfile,
    "image": ImageProfile,
    "waveform": WaveformProfile,
    "social": SocialVideoProfile,
    "audiogram": AudiogramProfile,
}


def _coerce(cls: type[Any], name: str, key: str, value: Any) -> Any:
    hints = typing.get_type_hints(cls)
    if key not in hints or key == "kind":
        raise _bad(f"{name}: unknown field {key!r} for {cls.__name__}")
    hint = hints[key]
    allowed = typing.get_args(hint) if typing.get_origin(hint) in (Union, types.UnionType) else ()
    if value is None:
        if type(None) in allowed:
            return None
        raise _bad(f"{name}: field {key!r} may not be empty")
    base = next((a for a in allowed if a is not type(None)), hint)
    origin = typing.get_origin(base)
    try:
        if base is bool:
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "yes", "on")
            return bool(value)
        if base is int:
            return int(value)
        if base is float:
            return float(value)
        if base is str:
            return str(value)
        if origin is Literal:
            if value not in typing.get_args(base):
                raise _bad(f"{name}: {key}={value!r} not one of {typing.get_args(base)}")
            return value
        if origin is tuple:
            items = value.items() if isinstance(value, Mapping) else value
            return tuple(sorted((str(k), str(v)) for k, v in items))
    except (TypeError, ValueError) as exc:
        raise _bad(f"{name}: bad value for {key!r}: {value!r}") from exc
    return value


def _apply(profile: Profile | None, cls: type[Any], name: str, fields: Mapping[str, Any]) -> Any:
    values = {k: _coerce(cls, name, k, v) for k, v in fields.items()}
    values["name"] = name
    try:
        if profile is None:
            return cls(**values)
        return dataclasses.replace(profile, **values)
    except TypeError as exc:  # missing required fields
        raise _bad(f"{name}: {exc}") from exc


def profiles_from_config(
    config: Mapping[str, Mapping[str, Any]] | None,
    base: Mapping[str, Profile] = DEFAULT_PROFILES,
) -> dict[str, Profile]:
    """Return ``base`` with overrides from a plain settings dict applied.

    * ``{"loudspeaker": {"bitrate": "96k"}}`` overrides fields of an existing profile;
    * ``{"new_name": {"extends": "broadcast", ...}}`` derives a new profile;
    * ``{"new_name": {"type": "audio" | "video" | "image" | "waveform", ...}}`` declares one;
    * ``{"wall": {"type": "board_native", "width": 384, "height": 192}}`` uses the factory;
    * ``{"name": None}`` removes a profile.

    Unknown fields or invalid values raise ``PipelineError("invalid_profile")``.
    """
    result: dict[str, Profile] = dict(base)
    for name, raw in (config or {}).items():
        if raw is None:
            result.pop(name, None)
            continue
        if not isinstance(raw, Mapping):
            raise _bad(f"{name}: profile override must be a mapping")
        fields = dict(raw)
        ptype = fields.pop("type", None)
        extends = fields.pop("extends", None)
        if ptype == "board_native":
            try:
                start: Profile = board_native(
                    int(fields.pop("width")), int(fields.pop("height")), name=name
                )
            except KeyError as exc:
                raise _bad(f"{name}: board_native needs width and height") from exc
            result[name] = _apply(start, VideoProfile, name, fields)
            continue
        parent: Profile | None
        if extends is not None:
            if extends not in result:
                raise _bad(f"{name}: extends unknown profile {extends!r}")
            parent = result[extends]
        else:
            parent = result.get(name)
        if parent is not None:
            cls: type[Any] = type(parent)
        elif ptype in _TYPES:
            cls = _TYPES[str(ptype)]
        else:
            raise _bad(f"{name}: new profiles need 'type' (audio/video/image/board_native)")
        if ptype is not None and ptype in _TYPES and _TYPES[str(ptype)] is not cls:
            raise _bad(f"{name}: type {ptype!r} does not match the existing profile")
        result[name] = _apply(parent, cls, name, fields)
    return result
