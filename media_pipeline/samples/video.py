"""The video files: a report with speech, a rotated phone clip, interlaced SD, a silent
clip and the demo's Khmer test pattern."""

from __future__ import annotations

from pathlib import Path

from .sound import tone_bed_graph
from .tools import BITEXACT, X264, ffmpeg, ffmpeg_major


def _bars_with_speech(
    voice: Path, voice_lufs: float, seconds: int, lufs: float, crf: int, dest: Path
) -> None:
    """1080p30 test bars with the voice track at ``lufs``, H.264 High and AAC."""
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=s=1920x1080:r=30:d={seconds}",
        "-i",
        str(voice),
        "-filter_complex",
        f"[1:a]atrim=duration={seconds},volume={lufs - voice_lufs:.2f}dB[a]",
        "-map",
        "0:v",
        "-map",
        "[a]",
        *X264,
        "-profile:v",
        "high",
        "-crf",
        str(crf),
        "-g",
        "60",
        "-c:a",
        "aac",
        "-b:a",
        "96k",
        "-t",
        str(seconds),
        *BITEXACT,
        str(dest),
    )


def report_video(voice: Path, voice_lufs: float, out: Path) -> None:
    _bars_with_speech(voice, voice_lufs, 12, -19.0, 26, out / "vi_report_1080p.mp4")


def rotated_video(voice: Path, voice_lufs: float, out: Path, work: Path) -> None:
    """Encoded upright, then given a display rotation of 90 degrees when remuxed.

    Only a stream copy keeps the rotation: ffmpeg 5 takes it as a ``rotate`` stream tag,
    ffmpeg 6 and later as the ``-display_rotation`` input option.
    """
    upright = work / "upright.mp4"
    _bars_with_speech(voice, voice_lufs, 8, -18.0, 28, upright)
    modern = ffmpeg_major() >= 6
    ffmpeg(
        *(["-display_rotation:v:0", "90"] if modern else []),
        "-i",
        str(upright),
        "-c",
        "copy",
        *BITEXACT,
        *([] if modern else ["-metadata:s:v:0", "rotate=90"]),
        str(out / "phone_portrait_rotated.mp4"),
    )


def interlaced_video(voice: Path, voice_lufs: float, out: Path) -> None:
    """50 progressive frames a second woven into 25 interlaced ones, as tape was."""
    ffmpeg(
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


def silent_video(out: Path) -> None:
    ffmpeg(
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


def km_video(out: Path) -> None:
    """The demo's Khmer video: bars and a tone bed; no speech and no text burned in."""
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "smptehdbars=s=1280x720:r=25:d=12",
        "-f",
        "lavfi",
        "-i",
        tone_bed_graph(12, 2.0, 196.0, 2),
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
