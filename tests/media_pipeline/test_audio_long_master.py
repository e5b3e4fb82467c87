"""Masters long enough that the limiter probe reads excerpts, not the whole file.

The short samples are probed whole, so the estimate the excerpts give (the loudspeaker
chain's loudness, what the limiter takes away) is exact for them. Here each master is two
and a half minutes whose parts differ (levels, a tone bed, telephone audio), so the excerpts
differ from the whole; every recorded output figure must still match what ebur128 reads from
the finished file, and every file must land on its profile's target.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import media_pipeline.limiter_probe as limiter_probe_mod
from media_pipeline import DEFAULT_PROFILES, AudioProfile, RenditionResult, render_audio
from media_pipeline.ffmpeg_adapter import Job, RunResult
from media_pipeline.limiter_probe import excerpt_seconds

from .conftest import SAMPLES, ebur128, run

EXT = {"loudspeaker": "mp3", "broadcast": "wav", "web_audio": "m4a"}
#: MP3 at 64 kb/s loses up to ~0.5 LU in the codec (docs/media-pipeline.md)
CODEC_LOSS_LU = {"loudspeaker": 0.5, "broadcast": 0.0, "web_audio": 0.2}


def _profile(name: str) -> AudioProfile:
    p = DEFAULT_PROFILES[name]
    assert isinstance(p, AudioProfile)
    return p


#: two 150 s masters (ffmpeg graphs over the samples): speech as recorded, the tone bed 4 dB
#: up, speech 9 dB down (a range wider than the loudspeaker's 7 LU: it gets the leveller);
#: speech then telephone audio 3 dB up (steady enough: the loudspeaker chain's loudness is
#: estimated from the excerpts)
MASTERS = {
    "levels": (
        ("vi_segment_48k_stereo.wav", "km_tone_bed.ogg", "vi_segment_48k_stereo.wav"),
        "[0:a]aformat=sample_rates=48000:channel_layouts=stereo,atrim=0:60[a];"
        "[1:a]aformat=sample_rates=48000:channel_layouts=stereo,atrim=0:40,volume=4dB[b];"
        "[2:a]aformat=sample_rates=48000:channel_layouts=stereo,atrim=0:50,volume=-9dB[c];"
        "[a][b][c]concat=n=3:v=0:a=1[out]",
    ),
    "speech_and_phone": (
        ("vi_segment_48k_stereo.wav", "vi_phone_8k_mono.wav"),
        "[0:a]aformat=sample_rates=48000:channel_layouts=stereo,atrim=0:90[a];"
        "[1:a]aresample=48000,aformat=sample_rates=48000:channel_layouts=stereo,"
        "atrim=0:60,volume=3dB[b];[a][b]concat=n=2:v=0:a=1[out]",
    ),
}


def _long_master(dest: Path, kind: str) -> Path:
    names, graph = MASTERS[kind]
    inputs = [arg for name in names for arg in ("-stream_loop", "-1", "-i", str(SAMPLES / name))]
    encode = ["-map", "[out]", "-c:a", "pcm_s16le", str(dest)]
    res = run(["ffmpeg", "-v", "error", "-y", *inputs, "-filter_complex", graph, *encode])
    assert res.returncode == 0, res.stderr
    return dest


@pytest.fixture(scope="module")
def probe_jobs() -> Iterator[list[Job]]:
    jobs: list[Job] = []
    real = limiter_probe_mod.run_job

    def recording(job: Job, **kwargs: object) -> RunResult:
        jobs.append(job)
        return real(job, **kwargs)  # type: ignore[arg-type]

    limiter_probe_mod.run_job = recording  # type: ignore[assignment]
    try:
        yield jobs
    finally:
        limiter_probe_mod.run_job = real  # type: ignore[assignment]


@pytest.fixture(scope="module", params=list(MASTERS))
def rendered(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, probe_jobs: list[Job]
) -> dict[str, RenditionResult]:
    d = tmp_path_factory.mktemp("long_master")
    src = _long_master(d / "master.wav", request.param)
    probe_jobs.clear()
    return render_audio(src, {p: d / f"o.{ext}" for p, ext in EXT.items()})


def test_the_probe_read_excerpts(
    rendered: dict[str, RenditionResult], probe_jobs: list[Job]
) -> None:
    """The case this file is about: the probe ran on excerpts of the 150 s master."""
    assert rendered and probe_jobs
    filters = [f.name for s in probe_jobs[-1].streams for f in s.filters]
    assert "aselect" in filters
    seconds = excerpt_seconds(150.0)
    assert seconds is not None and seconds < 150.0 / 2


@pytest.mark.parametrize("profile", list(EXT))
def test_recorded_figures_match_the_file(
    rendered: dict[str, RenditionResult], profile: str
) -> None:
    p = _profile(profile)
    r = rendered[profile]
    rec = r.output_loudness
    assert rec is not None and rec.true_peak_dbtp is not None
    i, tp, lra = ebur128(r.path, dual_mono=p.dual_mono)
    # the recorded figures describe the signal given to the encoder; the codec may lose a
    # little loudness on top
    assert -0.1 <= rec.integrated_lufs - i <= CODEC_LOSS_LU[profile] + 0.1, (rec, i)
    assert abs(rec.true_peak_dbtp - tp) <= 0.5, (rec, tp)
    assert abs(rec.lra_lu - lra) <= 0.5, (rec, lra)
    # on target, within the profile's tolerance, and under its true-peak ceiling
    assert abs(i - p.target_lufs) <= p.tolerance_lu, (profile, i)
    assert tp <= p.true_peak_dbtp + 0.3, (profile, tp)
