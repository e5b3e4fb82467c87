"""The demo and test media, made from the tools the project already needs.

Every file is synthetic: speech comes from espeak-ng's Vietnamese voice over a quiet tone
bed, pictures from ffmpeg's test sources or from Pillow drawing, and the broken files are a
few literal bytes. Nothing is downloaded and nothing outside the repository is read, so a
fresh clone can build the set on its own (docs/samples.md lists each file and how it is
made).

:func:`ensure_samples` writes the set into a temporary folder beside its destination and
renames it into place, so no reader ever sees a half-written file. A stamp file in the
folder records a digest of this module's source and the versions of ffmpeg, espeak-ng and
Pillow; while it matches, nothing is generated again. Seeds are fixed and encoders run
single-threaded with ffmpeg's ``bitexact`` flags, so two runs on one machine give the same
bytes (other machines, with other encoder versions, may differ slightly).

No synthetic voice exists here for Khmer, Tày or Hmong, so the demo's recordings in those
languages are tone beds without speech (``km_tone_bed.ogg``, ``tyz_tone_bed.ogg``,
``km_test_pattern_720p.mp4``), and the demo says so in its text.

Usage: ``python -m media_pipeline.samples DEST``
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import PIL
from PIL import Image, ImageDraw

STAMP_NAME = ".samples-stamp"

#: Each generated file and what it stresses (the table in docs/samples.md says the same).
SAMPLE_FILES: dict[str, str] = {
    "vi_segment_48k_stereo.wav": "15 s radio segment, 48 kHz stereo PCM, about -20 LUFS",
    "vi_phone_8k_mono.wav": "telephone-quality field recording, 8 kHz mono PCM",
    "vi_vbr_44k.mp3": "VBR MP3 at 44.1 kHz (duration from the Xing header)",
    "vi_very_quiet.m4a": "AAC at about -53 LUFS",
    "vi_clipped_loud.wav": "clipped PCM at about -5 LUFS, true peak above 0 dBFS",
    "vi_speech.ogg": "Opus in Ogg, 48 kHz mono",
    "vi_surround_5_1.wav": "5.1 PCM (speech in the centre channel)",
    "vi_report_1080p.mp4": "12 s 1080p30 H.264 with AAC speech timed to the subtitles",
    "phone_portrait_rotated.mp4": "1920x1080 stored with a 90 degree rotation (phone video)",
    "archive_sd_interlaced.mpg": "720x576 4:3 interlaced (top field first) MPEG-2 with MP2",
    "silent_no_audio.mp4": "720p H.264 without an audio stream",
    "vi_report.vi.srt": "Vietnamese subtitles for vi_report_1080p.mp4",
    "vi_report.km.srt": "Khmer subtitles for vi_report_1080p.mp4",
    "photo_3000x2000.jpg": "3000x2000 RGB JPEG photo stand-in",
    "poster_cmyk.jpg": "CMYK JPEG (Adobe) with six pure colour bars",
    "poster_scan_16bit.tif": "16-bit RGB TIFF (SMPTE bars)",
    "logo_alpha.png": "800x600 RGBA PNG with a half-transparent background",
    "bad_truncated.mp3": "the VBR MP3 cut after a fifth of its bytes",
    "bad_text_named.mp3": "a line of text named .mp3",
    "bad_empty.wav": "0 bytes",
    "bad_decompression_bomb.png": "a tiny PNG whose header claims 60000x60000 pixels",
    "km_tone_bed.ogg": "demo: Khmer version's recording, a tone bed without speech (Opus)",
    "tyz_tone_bed.ogg": "demo: Tày version's recording, a tone bed without speech (Opus)",
    "km_test_pattern_720p.mp4": "demo: Khmer video, SMPTE HD bars with a tone bed, no text",
}

VI_SUBTITLES = (
    (0.5, 4.0, "Đài truyền thanh xã xin kính chào bà con."),
    (4.2, 9.0, "Chương trình phát thanh về quyền trẻ em và bình đẳng giới."),
)
KM_SUBTITLES = (
    (0.5, 4.0, "សូមស្វាគមន៍បងប្អូនទាំងអស់គ្នា។"),
    (4.2, 9.0, "កម្មវិធីផ្សាយអំពីសិទ្ធិកុមារ និងសមភាពយេនឌ័រ។"),
)
#: What the Vietnamese radio recording says (espeak-ng, voice ``vi``).
RADIO_TEXT = (
    "Kính thưa bà con. Mọi trẻ em đều có quyền được học tập, vui chơi và được bảo vệ. "
    "Ở các thôn bản vùng cao, cán bộ xã cùng các gia đình đưa trẻ đến trường đúng tuổi."
)

#: Flags that keep version strings and dates out of the outputs.
BITEXACT = ("-map_metadata", "-1", "-fflags", "+bitexact", "-flags", "+bitexact")
X264 = ("-c:v", "libx264", "-preset", "veryfast", "-threads", "1", "-pix_fmt", "yuv420p")


class SampleError(RuntimeError):
    """A tool failed while making the samples."""


def _run(args: Sequence[str]) -> str:
    try:
        res = subprocess.run(list(args), capture_output=True, text=True, check=False, timeout=600)
    except FileNotFoundError as exc:
        raise SampleError(
            f"{args[0]} is not installed (scripts/system-deps.sh installs it)"
        ) from exc
    if res.returncode != 0:
        raise SampleError(f"{' '.join(args)} failed: {res.stderr[-2000:]}")
    return res.stderr


def _ffmpeg(*args: str) -> str:
    return _run(["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-y", *args])


def _tool_version(args: Sequence[str]) -> str:
    try:
        res = subprocess.run(list(args), capture_output=True, text=True, check=False, timeout=60)
    except FileNotFoundError as exc:
        raise SampleError(
            f"{args[0]} is not installed (scripts/system-deps.sh installs it)"
        ) from exc
    lines = (res.stdout or res.stderr).strip().splitlines()
    return lines[0] if lines else ""


def ffmpeg_major() -> int:
    match = re.search(r"ffmpeg version n?(\d+)", _tool_version(["ffmpeg", "-version"]))
    return int(match.group(1)) if match else 0


def stamp_text() -> str:
    """What the set depends on: this module's source and the tools' versions."""
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    return (
        f"generator {digest}\n"
        f"{_tool_version(['ffmpeg', '-version'])}\n"
        f"{_tool_version(['espeak-ng', '--version'])}\n"
        f"Pillow {PIL.__version__}\n"
    )


def is_current(dest: Path) -> bool:
    stamp = dest / STAMP_NAME
    try:
        if stamp.read_text(encoding="utf-8") != stamp_text():
            return False
    except OSError:
        return False
    return all((dest / name).is_file() for name in SAMPLE_FILES)


@contextmanager
def _locked(dest: Path) -> Iterator[None]:
    """One generator at a time per destination (tests and the demo may start together)."""
    lock = dest.parent / f".{dest.name}.lock"
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_samples(dest: Path) -> Path:
    """The complete sample set in ``dest``, generated only when missing or out of date."""
    dest = Path(dest).absolute()
    if is_current(dest):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with _locked(dest):
        if is_current(dest):  # another process finished it while we waited
            return dest
        partial = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
        try:
            partial.chmod(0o755)  # mkdtemp makes 0700; the web server reads the demo's copy
            generate(partial)
            (partial / STAMP_NAME).write_text(stamp_text(), encoding="utf-8")
            if dest.exists() or dest.is_symlink():
                old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
                os.rename(dest, old / "set")
                os.rename(partial, dest)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.rename(partial, dest)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return dest


# --- sound --------------------------------------------------------------------------------


def integrated_lufs(path: Path, pre: str = "anull") -> float:
    log = _ffmpeg("-i", str(path), "-af", f"{pre},ebur128", "-f", "null", "-")
    values = re.findall(r"I:\s+(-?[\d.]+) LUFS", log)
    if not values:
        raise SampleError(f"no loudness measured for {path}")
    return float(values[-1])


def _speak(text: str, dest: Path) -> Path:
    _run(["espeak-ng", "-v", "vi", "-s", "150", "-w", str(dest), text])
    return dest


def _voice(work: Path, name: str, parts: Sequence[tuple[float, str]], seconds: float) -> Path:
    """Vietnamese speech placed at the given times over a quiet tone-and-noise bed.

    Written as 48 kHz mono float WAV, so later gains can push it past full scale and the
    clipping happens only where a sample asks for it.
    """
    inputs: list[str] = []
    chains: list[str] = []
    for index, (start, text) in enumerate(parts):
        inputs += ["-i", str(_speak(text, work / f"{name}-{index}.wav"))]
        chains.append(
            f"[{index}:a]aresample=48000,aformat=sample_fmts=flt:channel_layouts=mono,"
            f"adelay={round(start * 1000)}:all=1,apad[s{index}]"
        )
    n = len(parts)
    chains.append("anoisesrc=r=48000:c=pink:a=0.004:seed=7[noise]")
    chains.append("sine=f=110:r=48000,volume=0.02[low]")
    chains.append("sine=f=165:r=48000,volume=0.01[fifth]")
    labels = "".join(f"[s{i}]" for i in range(n))
    chains.append(
        f"{labels}[noise][low][fifth]amix=inputs={n + 3}:normalize=0,"
        f"atrim=duration={seconds},aformat=sample_fmts=flt:channel_layouts=mono[out]"
    )
    dest = work / f"{name}.wav"
    _ffmpeg(
        *inputs,
        "-filter_complex",
        ";".join(chains),
        "-map",
        "[out]",
        "-c:a",
        "pcm_f32le",
        "-t",
        str(seconds),
        *BITEXACT,
        str(dest),
    )
    return dest


def _tone_bed_graph(seconds: float, tempo: float, base_hz: float, step: int) -> str:
    """A plucked pentatonic line over a drone: music-like, with no speech in it."""
    x = f"mod(t*{tempo},1)"
    k = f"mod(floor(t*{tempo})*{step},5)"
    freq = f"{base_hz}*pow(2,(2*{k}+gte({k},3))/12)"
    envelope = f"pow(1-{x},2)*(1-exp(-80*{x}))"
    expr = f"0.35*{envelope}*sin(2*PI*{freq}*t)+0.06*sin(2*PI*{base_hz / 2}*t)"
    return f"aevalsrc=exprs='{expr}':s=48000:d={seconds}"


@dataclass(frozen=True)
class Audio:
    """A derived recording: a slice of a voice track at a given loudness and format."""

    name: str
    seconds: float
    target_lufs: float
    filters: str  # after the gain; ends in the output channel layout
    codec: tuple[str, ...]
    channel_gain_db: float = 0.0  # what the layout adds to the mono track's loudness


def _derive(voice: Path, voice_lufs: float, out: Path, spec: Audio) -> None:
    gain = spec.target_lufs - voice_lufs - spec.channel_gain_db
    _ffmpeg(
        "-i",
        str(voice),
        "-af",
        f"atrim=duration={spec.seconds},volume={gain:.2f}dB,{spec.filters}",
        *spec.codec,
        *BITEXACT,
        str(out / spec.name),
    )


STEREO = "pan=stereo|c0=c0|c1=c0"
SURROUND = "pan=5.1|FL=0.35*c0|FR=0.35*c0|FC=c0|LFE=0*c0|BL=0.2*c0|BR=0.2*c0"
# ebur128 adds the channels' powers (surrounds weighted +1.5 dB, LFE left out)
SURROUND_GAIN = 10 * math.log10(2 * 0.35**2 + 1 + 2 * 1.41 * 0.2**2)
S16 = ("-c:a", "pcm_s16le")

RADIO_AUDIO = (
    Audio("vi_segment_48k_stereo.wav", 15.0, -20.0, STEREO, S16, 10 * math.log10(2)),
    Audio(
        "vi_phone_8k_mono.wav",
        9.0,
        -23.0,
        "highpass=f=300,lowpass=f=3400,aresample=8000:resampler=soxr",
        (*S16, "-ar", "8000"),
    ),
    Audio(
        "vi_vbr_44k.mp3",
        8.57,
        -19.0,
        f"{STEREO},aresample=44100",
        ("-c:a", "libmp3lame", "-q:a", "4", "-ar", "44100"),
        10 * math.log10(2),
    ),
    Audio(
        "vi_very_quiet.m4a",
        12.0,
        -53.0,
        f"{STEREO},aresample=44100",
        ("-c:a", "aac", "-b:a", "96k", "-ar", "44100"),
        10 * math.log10(2),
    ),
    Audio("vi_speech.ogg", 8.6, -19.0, "anull", ("-c:a", "libopus", "-b:a", "48k")),
    Audio("vi_surround_5_1.wav", 12.0, -18.0, SURROUND, S16, SURROUND_GAIN),
)


def _clipped(voice: Path, voice_lufs: float, out: Path) -> None:
    """Speech driven far past full scale, then stored as 16-bit: flat-topped peaks."""
    _ffmpeg(
        "-i",
        str(voice),
        "-af",
        f"atrim=duration=9,volume={3.0 - voice_lufs:.2f}dB",
        *S16,
        *BITEXACT,
        str(out / "vi_clipped_loud.wav"),
    )


def _tone_bed(out: Path, name: str, seconds: float, tempo: float, base: float, step: int) -> None:
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        _tone_bed_graph(seconds, tempo, base, step),
        "-af",
        "volume=-6dB",
        "-c:a",
        "libopus",
        "-b:a",
        "48k",
        *BITEXACT,
        str(out / name),
    )


# --- video --------------------------------------------------------------------------------


def _report_video(voice: Path, voice_lufs: float, out: Path) -> None:
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=1920x1080:r=30:d=12",
        "-i",
        str(voice),
        "-filter_complex",
        f"[1:a]atrim=duration=12,volume={-19.0 - voice_lufs:.2f}dB[a]",
        "-map",
        "0:v",
        "-map",
        "[a]",
        *X264,
        "-profile:v",
        "high",
        "-crf",
        "26",
        "-g",
        "60",
        "-c:a",
        "aac",
        "-b:a",
        "96k",
        "-t",
        "12",
        *BITEXACT,
        str(out / "vi_report_1080p.mp4"),
    )


def _rotated_video(voice: Path, voice_lufs: float, out: Path, work: Path) -> None:
    """Encoded upright, then given a display rotation of 90 degrees when remuxed.

    Only a stream copy keeps the rotation: ffmpeg 5 takes it as a ``rotate`` stream tag,
    ffmpeg 6 and later as the ``-display_rotation`` input option.
    """
    upright = work / "upright.mp4"
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=1920x1080:r=30:d=8",
        "-i",
        str(voice),
        "-filter_complex",
        f"[1:a]atrim=duration=8,volume={-18.0 - voice_lufs:.2f}dB[a]",
        "-map",
        "0:v",
        "-map",
        "[a]",
        *X264,
        "-profile:v",
        "high",
        "-crf",
        "28",
        "-g",
        "60",
        "-c:a",
        "aac",
        "-b:a",
        "96k",
        "-t",
        "8",
        *BITEXACT,
        str(upright),
    )
    modern = ffmpeg_major() >= 6
    _ffmpeg(
        *(["-display_rotation:v:0", "90"] if modern else []),
        "-i",
        str(upright),
        "-c",
        "copy",
        *BITEXACT,
        *([] if modern else ["-metadata:s:v:0", "rotate=90"]),
        str(out / "phone_portrait_rotated.mp4"),
    )


def _interlaced_video(voice: Path, voice_lufs: float, out: Path) -> None:
    """50 progressive frames a second woven into 25 interlaced ones, as tape was."""
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc=s=720x576:r=50:d=6",
        "-i",
        str(voice),
        "-filter_complex",
        "[0:v]tinterlace=mode=interleave_top,setfield=tff,format=yuv422p[v];"
        f"[1:a]atrim=duration=6,volume={-19.0 - voice_lufs:.2f}dB,"
        "aformat=channel_layouts=mono[a]",
        "-map",
        "[v]",
        "-map",
        "[a]",
        "-c:v",
        "mpeg2video",
        "-b:v",
        "4M",
        "-threads",
        "1",
        "-flags:v",
        "+ilme+ildct+bitexact",
        "-top",
        "1",
        "-aspect",
        "4:3",
        "-c:a",
        "mp2",
        "-b:a",
        "192k",
        "-t",
        "6",
        "-map_metadata",
        "-1",
        "-fflags",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        "-f",
        "mpeg",
        str(out / "archive_sd_interlaced.mpg"),
    )


def _silent_video(out: Path) -> None:
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=1280x720:r=25:d=5",
        *X264,
        "-crf",
        "28",
        "-an",
        *BITEXACT,
        str(out / "silent_no_audio.mp4"),
    )


def _km_video(out: Path) -> None:
    """The demo's Khmer video: bars and a tone bed; no speech and no text burned in."""
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "smptehdbars=s=1280x720:r=25:d=12",
        "-f",
        "lavfi",
        "-i",
        _tone_bed_graph(12, 2.0, 196.0, 2),
        "-map",
        "0:v",
        "-map",
        "1:a",
        *X264,
        "-crf",
        "28",
        "-af",
        "volume=-6dB",
        "-ac",
        "1",
        "-c:a",
        "aac",
        "-b:a",
        "96k",
        "-t",
        "12",
        *BITEXACT,
        str(out / "km_test_pattern_720p.mp4"),
    )


# --- pictures -----------------------------------------------------------------------------


def _photo(out: Path) -> None:
    """A drawn landscape: sky gradient, sun, hills and houses (plenty of edges to scale)."""
    width, height = 3000, 2000
    sky = Image.linear_gradient("L").resize((width, height))
    top, bottom = (40, 110, 200), (225, 235, 245)
    im = Image.merge(
        "RGB",
        [
            sky.point(lambda v, a=a, b=b: a + (b - a) * v // 255)
            for a, b in zip(top, bottom, strict=True)
        ],
    )
    draw = ImageDraw.Draw(im)
    draw.ellipse((2200, 250, 2600, 650), fill=(255, 215, 80))
    draw.ellipse((-600, 1150, 1900, 2700), fill=(60, 140, 60))
    draw.ellipse((1200, 1250, 3700, 2800), fill=(40, 115, 50))
    for i, x in enumerate(range(300, 2700, 480)):
        y = 1350 + (i % 3) * 60
        draw.rectangle((x, y, x + 300, y + 260), fill=(200 - i * 15, 120 + i * 10, 80))
        draw.polygon([(x - 30, y), (x + 150, y - 160), (x + 330, y)], fill=(150, 40, 30))
        draw.rectangle((x + 110, y + 120, x + 190, y + 260), fill=(70, 45, 25))
    for i in range(0, width, 40):  # a fence: fine detail for the resampler
        draw.line((i, 1880, i, 2000), fill=(90, 60, 30), width=8)
    im.save(out / "photo_3000x2000.jpg", quality=85)


POSTER_BARS = ((255, 0, 0), (0, 255, 0), (255, 255, 0), (0, 0, 255), (255, 0, 255), (0, 255, 255))


def _poster_cmyk(out: Path) -> None:
    """Six pure colour bars (red, green, yellow, blue, magenta, cyan), stored as CMYK."""
    width, height = 1600, 1067
    im = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(im)
    for i, colour in enumerate(POSTER_BARS):
        draw.rectangle((i * width // 6, 0, (i + 1) * width // 6 - 1, height), fill=colour)
    draw.line((0, 0, width, 700), fill=(255, 255, 255), width=6)
    for y in range(480, 760, 20):
        for x in range(900 + (y // 20 % 2) * 20, 1200, 40):
            draw.rectangle((x, y, x + 19, y + 19), fill=(128, 128, 128))
    im.convert("CMYK").save(out / "poster_cmyk.jpg", quality=90)


def _tiff_16bit(out: Path) -> None:
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "smptebars=s=1240x1754",
        "-frames:v",
        "1",
        "-pix_fmt",
        "rgb48le",
        "-c:v",
        "tiff",
        "-compression_algo",
        "deflate",
        *BITEXACT,
        str(out / "poster_scan_16bit.tif"),
    )


def _logo_alpha(out: Path) -> None:
    """A logo on a background at 80/255 opacity, a solid disc of stripes, a colour ramp."""
    width, height = 800, 600
    im = Image.new("RGBA", (width, height), (30, 90, 160, 80))
    stripes = Image.new("RGBA", (width, height))
    draw = ImageDraw.Draw(stripes)
    for i, colour in enumerate(POSTER_BARS):
        draw.rectangle((150 + i * 84, 0, 150 + (i + 1) * 84, height), fill=(*colour, 255))
    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).ellipse((160, 60, 640, 540), fill=255)
    im.paste(stripes, (0, 0), mask)
    draw = ImageDraw.Draw(im)
    for x in range(width):
        hue = x * 255 // width
        draw.line((x, 440, x, 480), fill=(hue, 255 - hue, (hue * 3) % 256, 255))
    im.save(out / "logo_alpha.png")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def decompression_bomb_png(side: int = 60000, rows: int = 64) -> bytes:
    """A valid PNG header for a ``side`` x ``side`` 1-bit image with a few zero rows."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    row = b"\0" * (1 + (side + 7) // 8)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(row * rows, 9))
        + _png_chunk(b"IEND", b"")
    )


def srt(cues: Sequence[tuple[float, float, str]]) -> str:
    def stamp(seconds: float) -> str:
        ms = round(seconds * 1000)
        return (
            f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"
        )

    blocks = [
        f"{i}\n{stamp(start)} --> {stamp(end)}\n{text}\n"
        for i, (start, end, text) in enumerate(cues, 1)
    ]
    return "\n".join(blocks)


def _small_files(out: Path) -> None:
    (out / "vi_report.vi.srt").write_text(srt(VI_SUBTITLES), encoding="utf-8")
    (out / "vi_report.km.srt").write_text(srt(KM_SUBTITLES), encoding="utf-8")
    (out / "bad_text_named.mp3").write_bytes(b"tep nay la chu, khong phai am thanh\n")
    (out / "bad_empty.wav").write_bytes(b"")
    (out / "bad_decompression_bomb.png").write_bytes(decompression_bomb_png())


# --- the whole set ------------------------------------------------------------------------


def generate(out: Path, workers: int | None = None) -> None:
    """Writes every file of :data:`SAMPLE_FILES` into the existing folder ``out``."""
    work = out / ".work"
    work.mkdir()
    try:
        radio = _voice(work, "radio", [(0.6, RADIO_TEXT)], 15.0)
        cues = _voice(work, "cues", [(start, text) for start, _end, text in VI_SUBTITLES], 12.0)
        radio_lufs, cue_lufs = integrated_lufs(radio), integrated_lufs(cues)
        jobs: list[Callable[[], None]] = [
            lambda: _report_video(cues, cue_lufs, out),
            lambda: _rotated_video(radio, radio_lufs, out, work),
            lambda: _km_video(out),
            lambda: _silent_video(out),
            lambda: _interlaced_video(radio, radio_lufs, out),
            lambda: _tiff_16bit(out),
            lambda: _photo(out),
            lambda: _poster_cmyk(out),
            lambda: _logo_alpha(out),
            lambda: _clipped(radio, radio_lufs, out),
            lambda: _tone_bed(out, "km_tone_bed.ogg", 15.0, 2.0, 220.0, 3),
            lambda: _tone_bed(out, "tyz_tone_bed.ogg", 15.0, 2.5, 262.0, 2),
            lambda: _small_files(out),
            *[(lambda spec=spec: _derive(radio, radio_lufs, out, spec)) for spec in RADIO_AUDIO],
        ]
        count = workers or min(2, os.cpu_count() or 1)
        with ThreadPoolExecutor(max_workers=count) as pool:
            for future in [pool.submit(job) for job in jobs]:
                future.result()
        mp3 = (out / "vi_vbr_44k.mp3").read_bytes()
        (out / "bad_truncated.mp3").write_bytes(mp3[: len(mp3) // 5])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    missing = [name for name in SAMPLE_FILES if not (out / name).is_file()]
    if missing:
        raise SampleError(f"not generated: {', '.join(missing)}")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m media_pipeline.samples DEST", file=sys.stderr)
        return 2
    dest = Path(args[0])
    cached = is_current(dest.absolute())
    started = time.monotonic()
    try:
        ensure_samples(dest)
    except SampleError as exc:
        print(f"samples: {exc}", file=sys.stderr)
        return 1
    size = sum((dest / name).stat().st_size for name in SAMPLE_FILES)
    how = "up to date" if cached else f"generated in {time.monotonic() - started:.1f} s"
    print(f"{len(SAMPLE_FILES)} sample files in {dest} ({size / 1e6:.1f} MB), {how}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
