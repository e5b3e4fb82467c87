"""Output loudness that is derived instead of measured (issue 17, section 8).

An output whose limiter stays idle is the input plus a linear gain: its I / TP / LRA are
computed from the one measurement of the master. Only outputs the limiter works on are
metered in-line, and then without a second true-peak meter. Whatever way a figure was
obtained, it must equal what ffmpeg's own ``ebur128`` reads from the finished file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import media_pipeline.audio as audio_mod
import media_pipeline.limiter_probe as limiter_probe_mod
import media_pipeline.loudness_meter as meter_mod
from media_pipeline import DEFAULT_PROFILES, AudioProfile, RenditionResult, render_audio
from media_pipeline.ffmpeg_adapter import Job, RunResult
from media_pipeline.gain_plan import DERIVED_LIMITER_LOSS_LU
from media_pipeline.loudness import (
    MAX_GAIN_DB,
    SILENCE_LUFS,
    parse_ebur128_summaries,
    plan_gains,
)
from media_pipeline.probe import probe

from .conftest import SAMPLES, VALID_AUDIO_SAMPLES, duration, ebur128, streams

AUDIO_PROFILES = ["loudspeaker", "broadcast", "web_audio"]
EXT = {"loudspeaker": "mp3", "broadcast": "wav", "web_audio": "m4a"}
CODEC = {"loudspeaker": "mp3", "broadcast": "pcm_s16le", "web_audio": "aac"}
CASES = [(s, p) for s in VALID_AUDIO_SAMPLES for p in AUDIO_PROFILES]


def _profile(name: str) -> AudioProfile:
    p = DEFAULT_PROFILES[name]
    assert isinstance(p, AudioProfile)
    return p


class Recorder:
    """Every ffmpeg job and ffprobe call the pipeline makes (passed through unchanged)."""

    def __init__(self) -> None:
        self.jobs: list[Job] = []
        self.ffprobes: list[str] = []


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    rec = Recorder()
    real_run, real_probe = meter_mod.run_job, audio_mod.run_ffprobe

    def run_job(job: Job, **kwargs: object) -> RunResult:
        rec.jobs.append(job)
        return real_run(job, **kwargs)  # type: ignore[arg-type]

    def run_ffprobe(path: str, **kwargs: object) -> object:
        rec.ffprobes.append(path)
        return real_probe(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(meter_mod, "run_job", run_job)
    monkeypatch.setattr(limiter_probe_mod, "run_job", run_job)
    monkeypatch.setattr(audio_mod, "run_job", run_job)
    monkeypatch.setattr(audio_mod, "run_ffprobe", run_ffprobe)
    yield rec


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, RenditionResult]]:
    out: dict[str, dict[str, RenditionResult]] = {}
    for sample in VALID_AUDIO_SAMPLES:
        d = tmp_path_factory.mktemp("derived_" + sample.replace(".", "_"))
        out[sample] = render_audio(SAMPLES / sample, {p: d / f"o.{EXT[p]}" for p in EXT})
    return out


@pytest.mark.parametrize(("sample", "profile"), CASES)
def test_recorded_output_equals_ebur128_on_the_file(
    rendered: dict[str, dict[str, RenditionResult]], sample: str, profile: str
) -> None:
    r = rendered[sample][profile]
    p = _profile(profile)
    assert r.output_loudness is not None and r.output_loudness.true_peak_dbtp is not None
    i, tp, lra = ebur128(r.path, dual_mono=p.dual_mono)
    rec = r.output_loudness
    assert abs(rec.integrated_lufs - i) <= 0.5, (rec, i, tp, lra)
    assert abs(rec.true_peak_dbtp - tp) <= 0.5, (rec, i, tp, lra)
    assert abs(rec.lra_lu - lra) <= 0.5, (rec, i, tp, lra)
    (a,) = streams(r.path, "audio")
    assert a["codec_name"] == CODEC[profile]
    # the duration is derived too (every chain keeps the length): the container agrees
    assert r.duration is not None and abs(r.duration - duration(r.path)) <= 0.08


def test_idle_limiter_output_is_computed_not_metered(recorder: Recorder, tmp_path: Path) -> None:
    """broadcast at -23 LUFS leaves the limiter idle on the speech segment: computed.
    web_audio at -16 LUFS keeps the master's samples and the limiter probe measured it
    taking less than ``DERIVED_LIMITER_LOSS_LU`` away: computed from that. loudspeaker
    (downmixed, band-limited) is metered in-line, in its own encode branch."""
    src = SAMPLES / "vi_segment_48k_stereo.wav"
    res = render_audio(src, {p: tmp_path / f"o.{EXT[p]}" for p in EXT})
    encode = recorder.jobs[-1]
    meters = [f for s in encode.streams for f in s.filters if f.name.startswith("ebur128@")]
    assert len(meters) == 1  # loudspeaker only
    # none of the in-line meters oversamples for true peak: they read the sample peak
    assert all(f.options.get("peak") == "sample" for f in meters)
    # the meter sits in the encoded branch: no extra output decodes or converts for it
    assert all(o.path != "-" for o in encode.outputs)
    # broadcast and web_audio share one run of their (identical) pre-processing
    resamplers = [f for s in encode.streams for f in s.filters if f.name == "aresample"]
    assert sum(f.options.get("resampler") == "soxr" for f in resamplers) == 2
    # broadcast: exactly the input measurement shifted by the gain
    b = res["broadcast"]
    assert b.input_loudness is not None and b.output_loudness is not None and b.gain_db
    assert b.output_loudness.integrated_lufs == round(
        b.input_loudness.integrated_lufs + b.gain_db, 1
    )
    assert b.input_loudness.true_peak_dbtp is not None
    assert b.output_loudness.true_peak_dbtp == round(b.input_loudness.true_peak_dbtp + b.gain_db, 1)
    assert b.output_loudness.lra_lu == b.input_loudness.lra_lu
    # web_audio: input + gain - what the limiter took on the excerpts (a few tenths at most)
    w = res["web_audio"]
    assert w.input_loudness is not None and w.output_loudness is not None and w.gain_db
    shortfall = w.input_loudness.integrated_lufs + w.gain_db - w.output_loudness.integrated_lufs
    assert 0.0 <= shortfall <= DERIVED_LIMITER_LOSS_LU + 0.05
    i, _, _ = ebur128(w.path)
    assert abs(w.output_loudness.integrated_lufs - i) <= 0.2


def test_a_limiter_that_takes_a_lot_is_metered(recorder: Recorder, tmp_path: Path) -> None:
    """The same chain with its ceiling 7 dB lower: the probe measures the limiter taking more
    than ``DERIVED_LIMITER_LOSS_LU`` away, so the output is metered, and the recorded figure
    still equals what ebur128 reads from the file."""
    squeezed = replace(_profile("web_audio"), true_peak_dbtp=-8.0)
    src = SAMPLES / "vi_segment_48k_stereo.wav"
    info = probe(src)
    assert info.audio is not None
    plan = plan_gains(str(src), {"web_audio": squeezed}, info.audio, duration=info.duration)
    assert plan["web_audio"].limiter_loss_lu is not None
    assert plan["web_audio"].limiter_loss_lu > DERIVED_LIMITER_LOSS_LU
    assert not plan["web_audio"].output_derived
    recorder.jobs.clear()
    out = tmp_path / "squeezed.m4a"
    res = render_audio(src, {"web_audio": out}, {"web_audio": squeezed}, info=info)
    encode = recorder.jobs[-1]
    assert [f.name for s in encode.streams for f in s.filters if f.name.startswith("ebur128@")]
    rec = res["web_audio"].output_loudness
    assert rec is not None and rec.true_peak_dbtp is not None
    i, tp, lra = ebur128(out)
    assert abs(rec.integrated_lufs - i) <= 0.5, (rec, i, tp, lra)
    assert abs(rec.true_peak_dbtp - tp) <= 0.5, (rec, i, tp, lra)
    assert abs(rec.lra_lu - lra) <= 0.5, (rec, i, tp, lra)


def test_one_true_peak_meter_and_no_ffprobe_per_output(recorder: Recorder, tmp_path: Path) -> None:
    src = SAMPLES / "vi_speech.ogg"
    info = probe(src)
    render_audio(src, {p: tmp_path / f"o.{EXT[p]}" for p in EXT}, info=info)
    peaks = [
        str(f.options.get("peak", ""))
        for job in recorder.jobs
        for s in job.streams
        for f in s.filters
        if f.name.startswith("ebur128@")
    ]
    assert sum("true" in p for p in peaks) == 1  # the master, in the measurement run
    # measurement, limiter probe, one encode: each a single process decoding the master once
    assert len(recorder.jobs) <= 3
    assert all(len(job.inputs) == 1 for job in recorder.jobs)
    assert recorder.ffprobes == []  # output durations are derived, not probed


def test_plan_names_and_constants(tmp_path: Path) -> None:
    """The gain plan says which outputs are derived; silence and the gain cap use the named
    constants (a silent master gets no gain, a whisper at most ``MAX_GAIN_DB``)."""
    src = SAMPLES / "vi_segment_48k_stereo.wav"
    info = probe(src)
    assert info.audio is not None
    profiles = {p: _profile(p) for p in AUDIO_PROFILES}
    plans = plan_gains(str(src), profiles, info.audio, duration=info.duration)
    assert plans["broadcast"].output_derived and plans["broadcast"].limiter_loss_lu is None
    web = plans["web_audio"]
    assert web.limiter_active and web.limiter_loss_lu is not None
    assert web.output_derived == (web.limiter_loss_lu <= DERIVED_LIMITER_LOSS_LU)
    assert not plans["loudspeaker"].output_derived  # its chain is not true-peak metered
    assert SILENCE_LUFS == -69.5 and MAX_GAIN_DB == 50.0


def test_parser_reads_sample_and_true_peak_sections() -> None:
    log = (
        "[ebur128@m0 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -20.1 LUFS\n"
        "    Threshold: -31.2 LUFS\n\n  Loudness range:\n    LRA:         5.6 LU\n"
        "    Threshold: -41.2 LUFS\n\n  Sample peak:\n    Peak:       -4.3 dBFS\n\n"
        "  True peak:\n    Peak:       -4.1 dBFS\n"
        "[ebur128@o1 @ 0x2] Summary:\n  Integrated loudness:\n    I:         -16.0 LUFS\n"
        "  Loudness range:\n    LRA:         5.0 LU\n  Sample peak:\n    Peak:       -1.9 dBFS\n"
    )
    s = parse_ebur128_summaries(log)
    assert s["ebur128@m0"].true_peak_dbtp == -4.1 and s["ebur128@m0"].sample_peak_dbfs == -4.3
    assert s["ebur128@o1"].true_peak_dbtp is None and s["ebur128@o1"].sample_peak_dbfs == -1.9
