"""Content sniffing and probing of uploaded masters.

Decisions are made from the *content* (magic bytes, then ffprobe), never from the file name:
a text file called ``news.mp3`` is ``not_media``. Limits (duration, pixels) are checked on the
probe result, before anything is decoded.
"""

from __future__ import annotations

import os
import stat
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from .errors import PipelineError
from .ffmpeg_adapter import InputRef, InputSpec, Job, OutputSpec, run_ffprobe, run_job

Kind = Literal["audio", "video", "image"]

#: magic prefixes -> (kind hint, mime). "media" means "ask ffprobe whether audio or video".
_MAGIC: tuple[tuple[int, bytes, str, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "image", "image/png"),
    (0, b"\xff\xd8\xff", "image", "image/jpeg"),
    (0, b"II*\x00", "image", "image/tiff"),
    (0, b"MM\x00*", "image", "image/tiff"),
    (0, b"GIF87a", "image", "image/gif"),
    (0, b"GIF89a", "image", "image/gif"),
    (0, b"BM", "image", "image/bmp"),
    (0, b"ID3", "media", "audio/mpeg"),
    (0, b"OggS", "media", "audio/ogg"),
    (0, b"fLaC", "media", "audio/flac"),
    (0, b"RF64", "media", "audio/wav"),
    (0, b"FORM", "media", "audio/aiff"),
    (0, b"\x1aE\xdf\xa3", "media", "video/x-matroska"),
    (0, b"\x00\x00\x01\xba", "media", "video/mpeg"),
    (0, b"\x00\x00\x01\xb3", "media", "video/mpeg"),
    (0, b"0&\xb2u\x8ef\xcf\x11", "media", "video/x-ms-asf"),
    (0, b"FLV", "media", "video/x-flv"),
    (0, b"#!AMR", "media", "audio/amr"),
    (0, b".snd", "media", "audio/basic"),
    (0, b"caff", "media", "audio/x-caf"),
)
_IMAGE_FTYP = (b"heic", b"heix", b"mif1", b"msf1", b"avif", b"heim", b"heis")


@dataclass(frozen=True)
class Limits:
    """Upload limits checked from the probe, before decoding. ``None`` disables a check."""

    max_duration_s: float | None = 6 * 3600.0
    max_pixels: int | None = 7680 * 4320


@dataclass(frozen=True)
class AudioStreamInfo:
    index: int
    codec: str
    sample_rate: int
    channels: int
    channel_layout: str | None
    bit_rate: int | None
    duration: float | None


@dataclass(frozen=True)
class VideoStreamInfo:
    index: int
    codec: str
    width: int
    height: int
    #: clockwise rotation (0, 90, 180, 270) a player must apply (display matrix or tag)
    rotation: int
    sar: tuple[int, int]
    #: size as displayed: SAR applied, then rotation
    display_width: int
    display_height: int
    frame_rate: float
    field_order: str | None
    interlaced: bool
    pix_fmt: str | None
    duration: float | None

    @property
    def is_portrait(self) -> bool:
        return self.display_height > self.display_width

    @property
    def pixels(self) -> int:
        return self.width * self.height


@dataclass(frozen=True)
class MediaInfo:
    path: str
    format_name: str
    duration: float | None
    size: int
    bit_rate: int | None
    start_time: float | None
    audio: AudioStreamInfo | None
    video: VideoStreamInfo | None
    #: e.g. "truncated: about 1.9 s of the declared 8.6 s can be decoded"
    warnings: tuple[str, ...] = ()
    #: the duration the container declares when it differs from what can be decoded
    declared_duration: float | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def has_audio(self) -> bool:
        return self.audio is not None

    @property
    def has_video(self) -> bool:
        return self.video is not None

    @property
    def kind(self) -> Kind:
        return "video" if self.video is not None else "audio"

    @property
    def duration_is_partial(self) -> bool:
        return self.declared_duration is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (for storing on the Django model)."""
        return asdict(self)


@dataclass(frozen=True)
class SniffResult:
    kind: Kind
    mime: str
    #: the probe, for audio/video (images are inspected with :mod:`media_pipeline.images`)
    info: MediaInfo | None = None


def _check_file(path: Path) -> int:
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise PipelineError("not_found", f"file not found: {path}") from exc
    except OSError as exc:
        raise PipelineError("io_error", f"cannot stat {path}: {exc}") from exc
    if not stat.S_ISREG(st.st_mode):
        raise PipelineError("not_found", f"not a regular file: {path}")
    if st.st_size == 0:
        raise PipelineError("empty_file", "the file is empty (0 bytes)")
    return st.st_size


def _read_head(path: Path, n: int = 4096) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(n)
    except OSError as exc:
        raise PipelineError("io_error", f"cannot read {path}: {exc}") from exc


def magic_kind(head: bytes) -> tuple[str, str] | None:
    """``(kind hint, mime)`` from leading bytes, or ``None`` when nothing matches."""
    for offset, sig, kind, mime in _MAGIC:
        if head[offset : offset + len(sig)] == sig:
            return kind, mime
    if head[:4] == b"RIFF" and head[8:12] in (b"WAVE", b"AVI "):
        return "media", "audio/wav" if head[8:12] == b"WAVE" else "video/x-msvideo"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "image/webp"
    if head[4:8] == b"ftyp":
        if head[8:12] in _IMAGE_FTYP:
            return "image", "image/heif"
        return "media", "video/mp4"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "media", "audio/mpeg" if head[1] & 0x06 else "audio/aac"  # MPEG audio / ADTS
    if head[:1] == b"\x47" and (len(head) < 189 or head[188:189] == b"\x47"):
        return "media", "video/mp2t"
    if head[:2] == b"\x0b\x77":
        return "media", "audio/ac3"
    return None


def looks_like_text(head: bytes) -> bool:
    """True for plain text (UTF-8 / ASCII without control bytes): never a media file."""
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # a multi-byte character cut at the end of the buffer is still text
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return controls == 0


def _fraction(value: Any) -> Fraction | None:
    if not isinstance(value, str) or ("/" not in value and ":" not in value):
        return None
    num, _, den = value.replace(":", "/").partition("/")
    try:
        n, d = int(num), int(den)
    except ValueError:
        return None
    if n <= 0 or d <= 0:
        return None
    return Fraction(n, d)


def _float(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if f == f and f not in (float("inf"), float("-inf")) else None


def _int(value: Any) -> int | None:
    f = _float(value)
    return int(f) if f is not None else None


def _rotation(stream: dict[str, Any]) -> int:
    """Clockwise display rotation in degrees, normalised to 0/90/180/270."""
    for sd in stream.get("side_data_list") or []:
        if "rotation" in sd:
            r = _float(sd.get("rotation"))
            if r is not None:
                # the display matrix angle is counter-clockwise
                return round(-r / 90.0) * 90 % 360
    tag = (stream.get("tags") or {}).get("rotate")
    r = _float(tag)
    if r is not None:
        return round(r / 90.0) * 90 % 360
    return 0


def _parse_video(s: dict[str, Any]) -> VideoStreamInfo:
    width, height = int(s.get("width") or 0), int(s.get("height") or 0)
    sar = _fraction(s.get("sample_aspect_ratio")) or Fraction(1, 1)
    rotation = _rotation(s)
    dw, dh = max(2, round(width * sar)), height
    if rotation in (90, 270):
        dw, dh = dh, dw
    rate = _fraction(s.get("avg_frame_rate")) or _fraction(s.get("r_frame_rate"))
    field_order = s.get("field_order")
    return VideoStreamInfo(
        index=int(s.get("index", 0)),
        codec=str(s.get("codec_name") or "unknown"),
        width=width,
        height=height,
        rotation=rotation,
        sar=(sar.numerator, sar.denominator),
        display_width=dw,
        display_height=dh,
        frame_rate=float(rate) if rate else 0.0,
        field_order=field_order,
        interlaced=field_order in ("tt", "bb", "tb", "bt"),
        pix_fmt=s.get("pix_fmt"),
        duration=_float(s.get("duration")),
    )


def _parse_audio(s: dict[str, Any]) -> AudioStreamInfo:
    layout = s.get("channel_layout")
    return AudioStreamInfo(
        index=int(s.get("index", 0)),
        codec=str(s.get("codec_name") or "unknown"),
        sample_rate=int(s.get("sample_rate") or 0),
        channels=int(s.get("channels") or 0),
        channel_layout=layout if layout and layout != "unknown" else None,
        bit_rate=_int(s.get("bit_rate")),
        duration=_float(s.get("duration")),
    )


_WARNING_MARKERS = (
    "filesize and duration do not match",
    "truncat",
    "partial file",
    "invalid data",
    "corrupt",
    "error while decoding",
    "incomplete",
)


def parse_probe(path: str, size: int, data: dict[str, Any], warnings: list[str]) -> MediaInfo:
    fmt = data.get("format") or {}
    audio: AudioStreamInfo | None = None
    video: VideoStreamInfo | None = None
    for s in data.get("streams") or []:
        ctype = s.get("codec_type")
        if ctype == "video" and video is None:
            if (s.get("disposition") or {}).get("attached_pic"):
                continue  # cover art inside an MP3/M4A is not a video
            if int(s.get("width") or 0) > 0 and int(s.get("height") or 0) > 0:
                video = _parse_video(s)
        elif ctype == "audio" and audio is None and int(s.get("channels") or 0) > 0:
            audio = _parse_audio(s)
    notes = [f"ffprobe: {w}" for w in warnings if any(m in w.lower() for m in _WARNING_MARKERS)]
    tags = {str(k): str(v) for k, v in (fmt.get("tags") or {}).items()}
    return MediaInfo(
        path=path,
        format_name=str(fmt.get("format_name") or "unknown"),
        duration=_float(fmt.get("duration")),
        size=size,
        bit_rate=_int(fmt.get("bit_rate")),
        start_time=_float(fmt.get("start_time")),
        audio=audio,
        video=video,
        warnings=tuple(dict.fromkeys(notes)),
        tags=tags,
    )


def _decoded_duration(path: str, info: MediaInfo) -> float:
    """Seconds that really decode (one fast decode of the audio stream)."""
    job = Job(
        inputs=[InputSpec(path)],
        streams=[],
        outputs=[OutputSpec("-", [InputRef(0, "a:0")], {"f": "null"})],
    )
    timeout = 120.0 + (info.duration or 0.0)
    return run_job(job, timeout=timeout).out_time


def _check_truncation(info: MediaInfo) -> MediaInfo:
    """Detect an audio file whose payload is shorter than its header claims.

    A cut-off MP3 keeps its Xing/VBRI header, so ffprobe reports the full declared duration
    while only part of the data exists. Suspicion comes from ffprobe's warnings or from the
    size being much smaller than duration x stream bitrate; it is then confirmed by decoding
    the audio (cheap: audio decodes at hundreds of times real time).
    """
    if info.audio is None or info.video is not None or not info.duration:
        return info
    suspicious = any("filesize and duration" in w or "truncat" in w.lower() for w in info.warnings)
    if info.audio.bit_rate and info.audio.codec not in ("pcm_s16le", "pcm_s24le", "flac"):
        expected = info.duration * info.audio.bit_rate / 8
        if info.size < 0.85 * expected:
            suspicious = True
    if not suspicious:
        return info
    try:
        real = _decoded_duration(info.path, info)
    except PipelineError as exc:
        if exc.code in ("ffmpeg_failed",):
            raise PipelineError("truncated", f"the file is cut off: {exc.detail}") from exc
        raise
    if real <= 0.05:
        raise PipelineError("truncated", "the file is cut off before any audio")
    if real < info.duration - 0.5:
        note = (
            f"truncated: only {real:.1f} s of the declared {info.duration:.1f} s can be "
            "decoded; the duration is partial"
        )
        return MediaInfo(
            **{
                **{k: getattr(info, k) for k in info.__dataclass_fields__},
                "duration": real,
                "declared_duration": info.duration,
                "warnings": (*info.warnings, note),
            }
        )
    return info


def check_limits(info: MediaInfo, limits: Limits | None) -> None:
    """Raise ``too_long`` / ``too_many_pixels`` from the probe alone."""
    if limits is None:
        return
    if (
        limits.max_duration_s is not None
        and info.duration is not None
        and info.duration > limits.max_duration_s
    ):
        raise PipelineError(
            "too_long",
            f"duration {info.duration:.0f} s exceeds the limit of {limits.max_duration_s:.0f} s",
        )
    if (
        limits.max_pixels is not None
        and info.video is not None
        and info.video.pixels > limits.max_pixels
    ):
        raise PipelineError(
            "too_many_pixels",
            f"frame {info.video.width}x{info.video.height} exceeds the limit of "
            f"{limits.max_pixels} pixels",
        )


def _classify(path: Path) -> tuple[int, tuple[str, str] | None]:
    size = _check_file(path)
    head = _read_head(path)
    found = magic_kind(head)
    if found is None and looks_like_text(head):
        raise PipelineError("not_media", "the file contains text, not audio, video or an image")
    return size, found


def probe(path: str | os.PathLike[str], limits: Limits | None = None) -> MediaInfo:
    """Probe an audio/video master (read-only) and check ``limits`` before any decoding."""
    p = Path(path)
    size, found = _classify(p)
    if found is not None and found[0] == "image":
        raise PipelineError("not_media", "the file is an image, not audio or video")
    try:
        out = run_ffprobe(str(p))
    except PipelineError as exc:
        if exc.code != "unreadable":
            raise
        if found is None:
            raise PipelineError("not_media", "not a recognised audio or video file") from exc
        if "moov atom not found" in exc.detail or "partial file" in exc.detail:
            raise PipelineError("truncated", exc.detail) from exc
        raise
    info = parse_probe(str(p), size, out.data, out.warnings)
    if info.audio is None and info.video is None:
        raise PipelineError("not_media", "the file contains no audio or video stream")
    check_limits(info, limits)
    return _check_truncation(info)


def sniff(path: str | os.PathLike[str], limits: Limits | None = None) -> SniffResult:
    """Classify an upload by content as ``audio``, ``video`` or ``image``.

    Audio/video come back with their probe (limits checked); images only with their MIME
    type: use :func:`media_pipeline.images.inspect_image` for the bomb-safe header check.
    """
    p = Path(path)
    _, found = _classify(p)
    if found is not None and found[0] == "image":
        return SniffResult(kind="image", mime=found[1])
    info = probe(p, limits)
    mime = found[1] if found else "application/octet-stream"
    if info.video is not None and mime.startswith("audio/"):
        mime = "video/" + mime.split("/", 1)[1]
    elif info.video is None and mime.startswith("video/"):
        mime = "audio/" + mime.split("/", 1)[1]  # e.g. an audio-only MP4 (.m4a)
    return SniffResult(kind=info.kind, mime=mime, info=info)
