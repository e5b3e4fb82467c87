"""Independent ffprobe / ffmpeg helpers for checking renditions the way a user would.

Nothing here uses ``media_pipeline``: outputs are read back with ffprobe and measured with
ffmpeg's ``ebur128`` directly, so a bug in the library's own probe/meter cannot hide itself.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from media_pipeline.samples import ensure_samples

#: The generated sample set (media_pipeline/samples/); the checks in this folder read it
#: back with ffprobe and ebur128 only, independently of how it was made.
SAMPLES = Path(__file__).resolve().parents[2] / "var" / "samples"

VALID_AUDIO_SAMPLES = [
    "vi_segment_48k_stereo.wav",
    "vi_phone_8k_mono.wav",
    "vi_vbr_44k.mp3",
    "vi_very_quiet.m4a",
    "vi_clipped_loud.wav",
    "vi_speech.ogg",
    "vi_surround_5_1.wav",
    "vi_report_1080p.mp4",
]


@pytest.fixture(scope="session", autouse=True)
def samples() -> Path:
    """Generated before any test here runs: some modules read ``SAMPLES`` directly."""
    return ensure_samples(SAMPLES)


def run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, timeout=300)


def ffprobe(path: Path | str) -> dict[str, Any]:
    res = run(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path),
        ]
    )
    assert res.returncode == 0, res.stderr
    data: dict[str, Any] = json.loads(res.stdout)
    return data


def streams(path: Path | str, kind: str) -> list[dict[str, Any]]:
    return [s for s in ffprobe(path)["streams"] if s.get("codec_type") == kind]


def duration(path: Path | str) -> float:
    return float(ffprobe(path)["format"]["duration"])


def ebur128(path: Path | str, dual_mono: bool = False) -> tuple[float, float, float]:
    """(integrated LUFS, true peak dBTP, LRA LU) measured by ffmpeg's ebur128."""
    af = "ebur128=peak=true" + (":dualmono=true" if dual_mono else "")
    res = run(["ffmpeg", "-nostats", "-hide_banner", "-i", str(path), "-af", af, "-f", "null", "-"])
    assert res.returncode == 0, res.stderr[-2000:]
    summary = res.stderr[res.stderr.rindex("Summary:") :]
    i = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))  # type: ignore[union-attr]
    lra = float(re.search(r"LRA:\s+(-?[\d.]+) LU", summary).group(1))  # type: ignore[union-attr]
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dB", summary).group(1)  # type: ignore[union-attr]
    return i, (-200.0 if peak == "-inf" else float(peak)), lra


def channel_rms(path: Path | str, pre: str = "anull") -> list[float]:
    """Per-channel RMS level (dBFS) after an optional filter, via ``astats``."""
    res = run(
        [
            "ffmpeg",
            "-nostats",
            "-hide_banner",
            "-i",
            str(path),
            "-af",
            f"{pre},astats=measure_overall=none:measure_perchannel=RMS_level",
            "-f",
            "null",
            "-",
        ]
    )
    assert res.returncode == 0, res.stderr[-2000:]
    vals = re.findall(r"RMS level dB:\s*(-?[\d.]+|-inf)", res.stderr)
    return [-200.0 if v == "-inf" else float(v) for v in vals]


def frame_rgb(path: Path | str, t: float, size: tuple[int, int]) -> bytes:
    """One decoded frame at ``t`` seconds as raw RGB24 bytes scaled to ``size``."""
    res = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-ss",
            f"{t:.3f}",
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-vf",
            f"scale={size[0]}:{size[1]}:flags=area",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert len(res.stdout) == size[0] * size[1] * 3
    return res.stdout


def region_mean(
    raw: bytes, width: int, box: tuple[int, int, int, int]
) -> tuple[float, float, float]:
    x0, y0, x1, y1 = box
    sums, n = [0, 0, 0], 0
    for y in range(y0, y1):
        row = raw[(y * width + x0) * 3 : (y * width + x1) * 3]
        sums[0] += sum(row[0::3])
        sums[1] += sum(row[1::3])
        sums[2] += sum(row[2::3])
        n += x1 - x0
    return sums[0] / n, sums[1] / n, sums[2] / n


def lavfi(dest: Path, graph: str, *extra: str) -> Path:
    """Generate a short test input with ffmpeg's lavfi sources."""
    res = run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", graph, *extra, str(dest)])
    assert res.returncode == 0, res.stderr
    return dest


def decoded_duration(path: Path | str, stream: str = "a:0") -> float:
    """Seconds of ``stream`` that actually decode (honours MP3/AAC gapless delay/padding).

    Container durations of MP3 count whole 1152-sample frames including the encoder delay
    and padding, while players (and ffmpeg) trim them using the LAME header; this is what a
    listener hears.
    """
    res = run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(path),
            "-map",
            f"0:{stream}",
            "-f",
            "null",
            "-progress",
            "pipe:1",
            "-",
        ]
    )
    assert res.returncode == 0, res.stderr
    values = [int(v) for v in re.findall(r"out_time_us=(\d+)", res.stdout)]
    assert values
    return max(values) / 1e6


def region_diff(a: bytes, b: bytes, width: int, box: tuple[int, int, int, int]) -> float:
    """Sum over R, G, B of the absolute difference of the regions' mean colours."""
    ma, mb = region_mean(a, width, box), region_mean(b, width, box)
    return sum(abs(x - y) for x, y in zip(ma, mb, strict=True))
