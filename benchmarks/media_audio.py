"""Audio pipeline benchmark: pipeline vs plain ffmpeg vs two-pass loudnorm.

Generates a 10-minute 48 kHz stereo speech WAV (the sample segment looped) in a temporary
directory, then times:

(a) ``render_audio`` producing loudspeaker + broadcast + web_audio, with the default
    parallelism (``MEDIA_PIPELINE_PARALLEL``) and with one process (``max_parallel=1``);
(b) a hand-written plain-ffmpeg baseline doing the same work: one ``ebur128`` measurement
    pass, then one ffmpeg encode per profile with the same chain, ``volume`` and ``alimiter``;
(c) the two-pass ``loudnorm`` recipe, per rendition (analysis pass + normalising encode).

(a) and (b) run in interleaved rounds (medians reported); CPU seconds of the ffmpeg children
are printed too (less sensitive to other work on the machine, though not immune: a busy
machine inflates them as well).

Run: ``python benchmarks/media_audio.py [minutes] [rounds]`` from the repository root.
"""

from __future__ import annotations

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from media_pipeline import DEFAULT_PROFILES, AudioProfile, render_audio  # noqa: E402
from media_pipeline.audio import default_parallelism  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "samples" / "vi_segment_48k_stereo.wav"
NAMES = ("loudspeaker", "broadcast", "web_audio")
EXT = {"loudspeaker": "mp3", "broadcast": "wav", "web_audio": "m4a"}


def ff(*args: str) -> str:
    res = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-nostats", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return res.stderr


def prof(name: str) -> AudioProfile:
    p = DEFAULT_PROFILES[name]
    assert isinstance(p, AudioProfile)
    return p


def chain(p: AudioProfile) -> str:
    """Same pre-processing as the pipeline for a stereo source."""
    ch = "pan=mono|c0=0.5*c0+0.5*c1" if p.channels == "mono" else "pan=stereo|c0=c0|c1=c1"
    parts = [ch, f"aresample={p.sample_rate}:resampler=soxr"]
    if p.highpass_hz:
        parts.append(f"highpass=f={p.highpass_hz}")
    if p.lowpass_hz:
        parts.append(f"lowpass=f={p.lowpass_hz}")
    return ",".join(parts)


def enc(p: AudioProfile) -> list[str]:
    args = ["-c:a", p.codec, "-ar", str(p.sample_rate)]
    if p.bitrate:
        args += ["-b:a", p.bitrate]
    for k, v in p.encoder_options:
        args += [f"-{k}", v]
    return args


def baseline(src: Path, out: Path) -> None:
    log = ff("-i", str(src), "-af", "ebur128=peak=true", "-f", "null", "-")
    i = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", log)[-1])
    for n in NAMES:
        p = prof(n)
        lim = 10 ** ((p.true_peak_dbtp - p.limiter_margin_db) / 20)
        af = f"{chain(p)},volume={p.target_lufs - i:.2f}dB,alimiter=limit={lim:.4f}:level=0"
        ff("-i", str(src), "-af", af, *enc(p), str(out / f"base.{EXT[n]}"))


def loudnorm(src: Path, out: Path) -> None:
    for n in NAMES:
        p = prof(n)
        target = f"I={p.target_lufs}:TP={p.true_peak_dbtp}:LRA={p.max_lra_lu or 11}"
        log = ff(
            "-i",
            str(src),
            "-af",
            f"{chain(p)},loudnorm={target}:print_format=json",
            "-f",
            "null",
            "-",
        )
        m = json.loads(log[log.rindex("{") : log.rindex("}") + 1])
        second = (
            f"{chain(p)},loudnorm={target}:measured_I={m['input_i']}:measured_TP={m['input_tp']}"
            f":measured_LRA={m['input_lra']}:measured_thresh={m['input_thresh']}"
            f":offset={m['target_offset']}:linear=true,aresample={p.sample_rate}"
        )
        ff("-i", str(src), "-af", second, *enc(p), str(out / f"ln.{EXT[n]}"))


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(fn: object, *args: object) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the ffmpeg children)."""
    c = cpu_children()
    t = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    return time.perf_counter() - t, cpu_children() - c


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory(prefix="bench-audio-") as tmp:
        d = Path(tmp)
        src = d / "master.wav"
        ff(
            "-stream_loop",
            "-1",
            "-i",
            str(SAMPLE),
            "-t",
            str(minutes * 60),
            "-c:a",
            "pcm_s16le",
            str(src),
        )
        default_par = default_parallelism()
        print(f"master: {minutes:g} min 48 kHz stereo WAV ({src.stat().st_size / 1e6:.0f} MB)")
        print(f"load average at start: {load()}; default MEDIA_PIPELINE_PARALLEL = {default_par}")

        def pipeline(par: int) -> None:
            render_audio(src, {n: d / f"pipe{par}.{EXT[n]}" for n in NAMES}, max_parallel=par)

        runs: dict[str, list[tuple[float, float]]] = {"pipe": [], "pipe1": [], "base": []}
        # interleaved rounds, so that load from other work hits every variant alike
        for r in range(rounds):
            runs["pipe"].append(timed(pipeline, default_par))
            runs["base"].append(timed(baseline, src, d))
            runs["pipe1"].append(timed(pipeline, 1))
            print(
                f"round {r + 1}: pipeline {runs['pipe'][-1][0]:.1f} s, baseline "
                f"{runs['base'][-1][0]:.1f} s, pipeline (1 process) {runs['pipe1'][-1][0]:.1f} s"
                f"  [load {load()}]"
            )
        t_ln = timed(loudnorm, src, d)

        def med(key: str, i: int) -> float:
            return statistics.median(x[i] for x in runs[key])

        t_pipe, t_pipe1, t_base = med("pipe", 0), med("pipe1", 0), med("base", 0)
        c_pipe1, c_base = med("pipe1", 1), med("base", 1)
        print(f"medians of {rounds} interleaved rounds (wall):")
        print(f"(a) pipeline, default (max_parallel={default_par}):   {t_pipe:7.1f} s")
        print(f"(a') pipeline, one process (max_parallel=1):  {t_pipe1:7.1f} s")
        print(f"(b) plain ffmpeg: ebur128 pass + 3 encodes:   {t_base:7.1f} s")
        print(f"(c) two-pass loudnorm per rendition (once):   {t_ln[0]:7.1f} s")
        print(f"pipeline/(b)              = {t_pipe / t_base:.2f}  (target <= 1.10)")
        print(f"pipeline(1 process)/(b)   = {t_pipe1 / t_base:.2f}")
        print(f"(c)/pipeline              = {t_ln[0] / t_pipe:.2f}  (target >= 2.5)")
        print(f"(c)/pipeline(1 process)   = {t_ln[0] / t_pipe1:.2f}")
        print(
            f"ffmpeg CPU seconds (less load-sensitive): pipeline(1 process) {c_pipe1:.1f}, "
            f"baseline {c_base:.1f}, ratio {c_pipe1 / c_base:.2f}; loudnorm {t_ln[1]:.1f}"
        )
        print(f"load average at end: {load()}")


if __name__ == "__main__":
    main()
