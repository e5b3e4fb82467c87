"""Video pipeline benchmark: board landscape + board portrait + web video vs plain ffmpeg.

Builds a 60 s 1080p30 H.264/AAC clip (the sample report looped, stream copy), then times
``render_video`` for the three profiles against hand-written ffmpeg commands doing the same
work (one ebur128 pass for the audio gain, then per profile: scale + pad + fps + yuv420p,
x264 with the profile's settings, AAC with volume + alimiter, +faststart; a poster frame for
web video).

Run: ``python benchmarks/media_video.py [seconds]`` from the repository root.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from media_pipeline import DEFAULT_PROFILES, VideoProfile, render_video  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "samples" / "vi_report_1080p.mp4"
NAMES = ("board_landscape", "board_portrait", "web_video")


def ff(*args: str) -> str:
    res = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-nostats", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return res.stderr


def prof(name: str) -> VideoProfile:
    p = DEFAULT_PROFILES[name]
    assert isinstance(p, VideoProfile)
    return p


def measure_gain_source(src: Path) -> float:
    log = ff("-i", str(src), "-vn", "-af", "ebur128=peak=true", "-f", "null", "-")
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", log)[-1])


def baseline_one(src: Path, out: Path, n: str, i: float) -> None:
    p = prof(n)
    w, h = p.width, p.height
    if n == "web_video":
        w, h = 1280, 720
    sw, sh = (w, w * 9 // 16) if w * 9 // 16 <= h else (h * 16 // 9, h)
    vf = f"scale={sw}:{sh},setsar=1,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,fps={p.fps},format={p.pix_fmt}"
    assert p.audio_target_lufs is not None
    lim = 10 ** ((p.audio_true_peak_dbtp - p.audio_limiter_margin_db) / 20)
    af = f"volume={p.audio_target_lufs - i:.2f}dB,alimiter=limit={lim:.4f}:level=0"
    rate = int(p.video_bitrate.rstrip("k")) * 1000
    dest = out / f"base_{n}.mp4"
    ff(
        "-i",
        str(src),
        "-vf",
        vf,
        "-af",
        af,
        "-c:v",
        "libx264",
        "-profile:v",
        "high",
        "-preset",
        p.preset,
        "-b:v",
        str(rate),
        "-maxrate",
        str(int(rate * 1.5)),
        "-bufsize",
        str(rate * 2),
        "-g",
        str(p.fps * 2),
        "-c:a",
        "aac",
        "-aac_coder",
        "fast",
        "-b:a",
        p.audio_bitrate,
        "-ar",
        "48000",
        "-movflags",
        "+faststart",
        str(dest),
    )
    if p.poster:
        ff("-ss", "6", "-i", str(dest), "-frames:v", "1", "-q:v", "3", str(out / f"base_{n}.jpg"))


def pipeline_one(src: Path, out: Path, n: str) -> None:
    render_video(src, out / f"pipe_{n}.mp4", prof(n), poster_dest=out / f"pipe_{n}.jpg")


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    with tempfile.TemporaryDirectory(prefix="bench-video-") as tmp:
        d = Path(tmp)
        src = d / "master.mp4"
        ff("-stream_loop", "-1", "-i", str(SAMPLE), "-t", str(seconds), "-c", "copy", str(src))
        print(f"master: {seconds:g} s 1920x1080 30 fps H.264 + AAC")
        # Interleaved (pipeline, plain, plain, pipeline, ...) so that load from other
        # processes on a shared machine hits both sides alike.
        t_pipe = t_base = 0.0
        t = time.perf_counter()
        gain_i = measure_gain_source(src)
        t_base += time.perf_counter() - t
        for k, n in enumerate(NAMES):
            order = ("pipe", "base") if k % 2 == 0 else ("base", "pipe")
            for which in order:
                t = time.perf_counter()
                if which == "pipe":
                    pipeline_one(src, d, n)
                    t_pipe += time.perf_counter() - t
                else:
                    baseline_one(src, d, n, gain_i)
                    t_base += time.perf_counter() - t
        print(f"pipeline (3 renditions + poster):  {t_pipe:7.1f} s")
        print(f"plain ffmpeg (same work):          {t_base:7.1f} s")
        print(f"pipeline / plain = {t_pipe / t_base:.2f}  (target <= 1.10)")


if __name__ == "__main__":
    main()
