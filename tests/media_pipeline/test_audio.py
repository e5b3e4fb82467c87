"""Audio renditions of every valid sample with every audio profile, checked independently."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from media_pipeline import (
    DEFAULT_PROFILES,
    AudioProfile,
    AudioTags,
    PipelineError,
    RenditionResult,
    render_audio,
    sha256_file,
)

from .conftest import (
    SAMPLES,
    VALID_AUDIO_SAMPLES,
    channel_rms,
    decoded_duration,
    duration,
    ebur128,
    lavfi,
    streams,
)

AUDIO_PROFILES = ["loudspeaker", "broadcast", "web_audio"]
EXT = {"loudspeaker": "mp3", "broadcast": "wav", "web_audio": "m4a"}
TAGS = AudioTags(title="Bản tin xã Đông Hòa - ព័ត៌មាន", language="vie", item_id="pkg-2024-001")
CASES = [(s, p) for s in VALID_AUDIO_SAMPLES for p in AUDIO_PROFILES]


def _profile(name: str) -> AudioProfile:
    p = DEFAULT_PROFILES[name]
    assert isinstance(p, AudioProfile)
    return p


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, RenditionResult]]:
    """Each valid sample rendered once with all audio profiles (one measure + one encode)."""
    out: dict[str, dict[str, RenditionResult]] = {}
    for sample in VALID_AUDIO_SAMPLES:
        d = tmp_path_factory.mktemp(sample.replace(".", "_"))
        dests = {p: d / f"out.{EXT[p]}" for p in AUDIO_PROFILES}
        out[sample] = render_audio(SAMPLES / sample, dests, tags=TAGS)
    return out


@pytest.mark.parametrize(("sample", "profile"), CASES)
def test_format_matches_profile(
    rendered: dict[str, dict[str, RenditionResult]], sample: str, profile: str
) -> None:
    result = rendered[sample][profile]
    p = _profile(profile)
    path = Path(result.path)
    assert path.is_file() and path.stat().st_size == result.size > 0
    (a,) = streams(path, "audio")
    assert streams(path, "video") == []
    assert a["codec_name"] == {"libmp3lame": "mp3", "aac": "aac"}.get(p.codec, p.codec)
    assert int(a["sample_rate"]) == p.sample_rate
    src_channels = int(streams(SAMPLES / sample, "audio")[0]["channels"])
    expected_channels = 1 if profile == "loudspeaker" else (1 if src_channels == 1 else 2)
    assert int(a["channels"]) == expected_channels
    if profile == "loudspeaker":
        assert 60_000 <= int(a["bit_rate"]) <= 68_000  # CBR 64 kb/s
    if profile == "web_audio":
        assert a["profile"] == "LC"
    # what a listener gets: decoded length (MP3 frames are padded; players trim via LAME tag)
    assert abs(decoded_duration(path) - decoded_duration(SAMPLES / sample)) <= 0.05
    assert abs(duration(path) - duration(SAMPLES / sample)) <= 0.08  # container view


@pytest.mark.parametrize(("sample", "profile"), CASES)
def test_loudness_on_target(
    rendered: dict[str, dict[str, RenditionResult]], sample: str, profile: str
) -> None:
    p = _profile(profile)
    i, tp, lra = ebur128(rendered[sample][profile].path, dual_mono=p.dual_mono)
    assert abs(i - p.target_lufs) <= p.tolerance_lu, (i, tp, lra)
    assert tp <= p.true_peak_dbtp, (i, tp, lra)
    if p.max_lra_lu is not None:
        assert lra <= p.max_lra_lu


@pytest.mark.parametrize(("sample", "profile"), CASES)
def test_recorded_loudness_matches_independent_measurement(
    rendered: dict[str, dict[str, RenditionResult]], sample: str, profile: str
) -> None:
    r = rendered[sample][profile]
    p = _profile(profile)
    assert r.input_loudness is not None and r.output_loudness is not None
    assert r.gain_db is not None
    i, _tp, _lra = ebur128(r.path, dual_mono=p.dual_mono)
    assert abs(r.output_loudness.integrated_lufs - i) <= 0.6
    assert r.output_loudness.true_peak_dbtp is not None
    assert r.output_loudness.true_peak_dbtp <= p.true_peak_dbtp
    d = r.as_dict()
    assert d["input_loudness"]["integrated_lufs"] == r.input_loudness.integrated_lufs


def test_very_quiet_is_amplified_without_clipping(
    rendered: dict[str, dict[str, RenditionResult]],
) -> None:
    src_i, _, _ = ebur128(SAMPLES / "vi_very_quiet.m4a")
    assert src_i < -45
    for profile in AUDIO_PROFILES:
        r = rendered["vi_very_quiet.m4a"][profile]
        assert r.gain_db is not None and r.gain_db > 25
        _i, tp, _ = ebur128(r.path)
        assert tp < -1.0  # nowhere near full scale: not clipped


def test_clipped_loud_is_brought_down(rendered: dict[str, dict[str, RenditionResult]]) -> None:
    _src_i, src_tp, _ = ebur128(SAMPLES / "vi_clipped_loud.wav")
    assert src_tp > 0
    for profile in AUDIO_PROFILES:
        r = rendered["vi_clipped_loud.wav"][profile]
        assert r.gain_db is not None and r.gain_db < -9
        assert ebur128(r.path, dual_mono=_profile(profile).dual_mono)[1] <= -1.5 + 0.5


def test_mp3_has_small_id3v24_tags_with_unicode(
    rendered: dict[str, dict[str, RenditionResult]],
) -> None:
    path = Path(rendered["vi_speech.ogg"]["loudspeaker"].path)
    head = path.read_bytes()[:4096]
    assert head[:4] == b"ID3\x04"  # ID3v2.4
    size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]  # syncsafe
    assert size < 300 * 1024
    assert b"TIT2" in head and b"TLAN" in head and b"TXXX" in head
    assert TAGS.title.encode("utf-8") in head
    assert b"item_id\x00pkg-2024-001" in head
    from .conftest import ffprobe

    tags = ffprobe(path)["format"]["tags"]
    assert tags["title"] == TAGS.title
    assert tags["language"] == "vie"
    # no ID3 on the other formats' tag-free profiles
    assert b"ID3" not in Path(rendered["vi_speech.ogg"]["broadcast"].path).read_bytes()[:64]


def test_surround_downmix_centre_equal_and_lfe_dropped(tmp_path: Path) -> None:
    """FC tone must land equally in L and R; the LFE (50 Hz) must not appear at all."""
    src = lavfi(
        tmp_path / "fc_lfe.wav",
        "aevalsrc=exprs=0|0|0.3*sin(2*PI*1000*t)|0.5*sin(2*PI*50*t)|0|0"
        ":channel_layout=5.1:sample_rate=48000:duration=4",
    )
    res = render_audio(src, {"broadcast": tmp_path / "st.wav", "loudspeaker": tmp_path / "m.mp3"})
    left, right = channel_rms(res["broadcast"].path)
    assert abs(left - right) < 0.1
    (low,) = channel_rms(res["loudspeaker"].path, "lowpass=f=70:poles=2,lowpass=f=70:poles=2")
    # the 50 Hz LFE tone would be around -20 dBFS here if it had been mixed in
    assert low < -55


def test_phone_audio_upsampled_without_images(
    rendered: dict[str, dict[str, RenditionResult]],
) -> None:
    """A good resampler leaves nothing above the 4 kHz Nyquist limit of 8 kHz audio."""
    r = rendered["vi_phone_8k_mono.wav"]["broadcast"]
    (full,) = channel_rms(r.path)
    hp = ",".join(["highpass=f=6000:poles=2"] * 4)
    (high,) = channel_rms(r.path, hp)
    # soxr: about -88 dBFS up there; a naive (zero-order hold) resampler leaves about -43
    assert high < -70 and full > -30


def test_source_without_audio_is_refused(samples: Path, tmp_path: Path) -> None:
    with pytest.raises(PipelineError) as exc:
        render_audio(samples / "silent_no_audio.mp4", {"loudspeaker": tmp_path / "x.mp3"})
    assert exc.value.code == "no_audio" and exc.value.permanent
    assert list(tmp_path.iterdir()) == []


def test_wide_loudness_range_is_levelled_for_loudspeakers(tmp_path: Path) -> None:
    quiet_loud = lavfi(
        tmp_path / "wide.wav",
        "anoisesrc=d=16:c=pink:r=48000:a=0.5:seed=3,"
        "volume='if(lt(t,8),0.2,1)*if(lt(mod(t,1),0.6),1,0.05)':eval=frame",
    )
    assert ebur128(quiet_loud)[2] > 10
    res = render_audio(
        quiet_loud, {"loudspeaker": tmp_path / "ls.mp3", "broadcast": tmp_path / "bc.wav"}
    )
    assert res["loudspeaker"].levelled and not res["broadcast"].levelled
    i, tp, lra = ebur128(res["loudspeaker"].path, dual_mono=True)
    assert lra <= 7 and abs(i + 16) <= 1 and tp <= -1.5


def test_silence_renders_with_warning(tmp_path: Path) -> None:
    src = lavfi(tmp_path / "silence.wav", "anullsrc=r=48000:cl=mono", "-t", "3")
    res = render_audio(src, {"broadcast": tmp_path / "bc.wav"})
    assert any("silent" in w for w in res["broadcast"].warnings)
    assert res["broadcast"].gain_db == 0


def test_cancel_leaves_nothing_behind_and_master_untouched(samples: Path, tmp_path: Path) -> None:
    master = tmp_path / "master.wav"
    master.write_bytes((samples / "vi_segment_48k_stereo.wav").read_bytes())
    before = sha256_file(master)
    seen: list[float] = []
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(PipelineError) as exc:
        render_audio(
            master,
            {p: out / f"x.{EXT[p]}" for p in AUDIO_PROFILES},
            progress_cb=seen.append,
            should_cancel=lambda: bool(seen),
        )
    assert exc.value.code == "cancelled"
    assert seen  # it did start
    assert list(out.iterdir()) == []  # no renditions, no .partial files
    assert sha256_file(master) == before


def test_cancel_during_encode_removes_partial_outputs(samples: Path, tmp_path: Path) -> None:
    seen: list[float] = []
    with pytest.raises(PipelineError) as exc:
        render_audio(
            samples / "vi_segment_48k_stereo.wav",
            {"web_audio": tmp_path / "w.m4a"},
            progress_cb=seen.append,
            should_cancel=lambda: any(0.3 < x < 1.0 for x in seen),
        )
    assert exc.value.code == "cancelled"
    assert list(tmp_path.iterdir()) == []


def test_failure_keeps_existing_destination(samples: Path, tmp_path: Path) -> None:
    dest = tmp_path / "keep.wav"
    dest.write_bytes(b"old rendition")
    with pytest.raises(PipelineError):
        render_audio(
            samples / "vi_speech.ogg",
            {"broadcast": dest},
            should_cancel=lambda: True,
        )
    assert dest.read_bytes() == b"old rendition"
    assert sorted(os.listdir(tmp_path)) == ["keep.wav"]


def test_parallel_encode_gives_same_renditions(samples: Path, tmp_path: Path) -> None:
    dests = {p: tmp_path / f"p.{EXT[p]}" for p in AUDIO_PROFILES}
    res = render_audio(samples / "vi_speech.ogg", dests, max_parallel=2)
    for p in AUDIO_PROFILES:
        i, _, _ = ebur128(res[p].path, dual_mono=_profile(p).dual_mono)
        assert abs(i - _profile(p).target_lufs) <= 1


def test_unknown_profile_and_overwriting_master_are_refused(samples: Path, tmp_path: Path) -> None:
    with pytest.raises(PipelineError) as exc:
        render_audio(samples / "vi_speech.ogg", {"board_landscape": tmp_path / "x.mp3"})
    assert exc.value.code == "invalid_argument"
    copy = tmp_path / "m.wav"
    copy.write_bytes((samples / "vi_phone_8k_mono.wav").read_bytes())
    with pytest.raises(PipelineError) as exc:
        render_audio(copy, {"broadcast": copy})
    assert exc.value.code == "invalid_argument"
