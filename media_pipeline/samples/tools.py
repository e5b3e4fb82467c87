"""The command-line tools the samples are made with (ffmpeg, espeak-ng) and their flags."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

#: Flags that keep version strings and dates out of the outputs.
BITEXACT = ("-map_metadata", "-1", "-fflags", "+bitexact", "-flags", "+bitexact")
X264 = ("-c:v", "libx264", "-preset", "veryfast", "-threads", "1", "-pix_fmt", "yuv420p")


class SampleError(RuntimeError):
    """A tool failed while making the samples."""


def _completed(args: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            list(args), capture_output=True, text=True, check=False, timeout=timeout
        )
    except FileNotFoundError as exc:
        raise SampleError(
            f"{args[0]} is not installed (scripts/system-deps.sh installs it)"
        ) from exc


def run(args: Sequence[str]) -> str:
    res = _completed(args, timeout=600)
    if res.returncode != 0:
        raise SampleError(f"{' '.join(args)} failed: {res.stderr[-2000:]}")
    return res.stderr


def ffmpeg(*args: str) -> str:
    return run(["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-y", *args])


def tool_version(args: Sequence[str]) -> str:
    res = _completed(args, timeout=60)
    lines = (res.stdout or res.stderr).strip().splitlines()
    return lines[0] if lines else ""


def ffmpeg_major() -> int:
    match = re.search(r"ffmpeg version n?(\d+)", tool_version(["ffmpeg", "-version"]))
    return int(match.group(1)) if match else 0


def integrated_lufs(path: Path, pre: str = "anull") -> float:
    log = ffmpeg("-i", str(path), "-af", f"{pre},ebur128", "-f", "null", "-")
    values = re.findall(r"I:\s+(-?[\d.]+) LUFS", log)
    if not values:
        raise SampleError(f"no loudness measured for {path}")
    return float(values[-1])
