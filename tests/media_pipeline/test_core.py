"""Profiles, hashing, errors, the ffmpeg adapter, atomic writes and waveforms."""

from __future__ import annotations

import hashlib
import pickle
import time
from pathlib import Path

import pytest
from PIL import Image

from media_pipeline import (
    DEFAULT_PROFILES,
    ERROR_CODES,
    AudioProfile,
    PipelineError,
    VideoProfile,
    board_native,
    profiles_from_config,
    render_waveform,
    rendition_key,
    sha256_file,
)
from media_pipeline.atomic import atomic_outputs
from media_pipeline.ffmpeg_adapter import (
    InputRef,
    InputSpec,
    Job,
    OutputSpec,
    StreamSpec,
    build_args,
    flt,
    run_job,
)
from media_pipeline.loudness import parse_ebur128_summaries
from media_pipeline.subtitles import parse_srt, srt_to_ass


def test_default_profiles_match_design() -> None:
    ls = DEFAULT_PROFILES["loudspeaker"]
    assert isinstance(ls, AudioProfile)
    assert (ls.codec, ls.bitrate, ls.sample_rate, ls.channels) == (
        "libmp3lame",
        "64k",
        44100,
        "mono",
    )
    assert (ls.highpass_hz, ls.lowpass_hz, ls.target_lufs, ls.true_peak_dbtp) == (
        100.0,
        10000.0,
        -16.0,
        -1.5,
    )
    assert ls.max_lra_lu == 7.0 and ls.dual_mono and ls.id3_tags
    bc = DEFAULT_PROFILES["broadcast"]
    assert isinstance(bc, AudioProfile)
    assert (bc.codec, bc.sample_rate, bc.channels, bc.target_lufs, bc.true_peak_dbtp) == (
        "pcm_s16le",
        48000,
        "as_source",
        -23.0,
        -1.0,
    )
    board = DEFAULT_PROFILES["board_landscape"]
    assert isinstance(board, VideoProfile)
    assert (board.width, board.height, board.fps, board.pix_fmt) == (1920, 1080, 25, "yuv420p")
    assert board.faststart and board.burn_subtitles and board.audio_target_lufs == -23.0
    web = DEFAULT_PROFILES["web_video"]
    assert isinstance(web, VideoProfile) and web.poster and web.audio_target_lufs == -16.0
    wall = board_native(384, 192)
    assert (wall.width, wall.height, wall.audio_target_lufs) == (384, 192, None)


def test_profiles_from_config_overrides_and_validates() -> None:
    profs = profiles_from_config(
        {
            "loudspeaker": {"bitrate": "96k", "max_lra_lu": None},
            "led_hall": {"type": "board_native", "width": 768, "height": 384},
            "broadcast_mp2": {"extends": "broadcast", "codec": "mp2", "bitrate": "256k"},
            "web_audio": {"encoder_options": {"aac_coder": "twoloop"}},
            "image_print": None,
        }
    )
    ls = profs["loudspeaker"]
    assert isinstance(ls, AudioProfile) and ls.bitrate == "96k" and ls.max_lra_lu is None
    assert DEFAULT_PROFILES["loudspeaker"].bitrate == "64k"  # type: ignore[union-attr]
    hall = profs["led_hall"]
    assert isinstance(hall, VideoProfile) and (hall.width, hall.height) == (768, 384)
    assert profs["broadcast_mp2"].name == "broadcast_mp2"
    assert "image_print" not in profs
    wa = profs["web_audio"]
    assert isinstance(wa, AudioProfile) and wa.encoder_options == (("aac_coder", "twoloop"),)
    for bad in (
        {"loudspeaker": {"no_such_field": 1}},
        {"loudspeaker": {"channels": "quad"}},
        {"board_landscape": {"width": 1921}},
        {"new": {"codec": "aac"}},
        {"x": {"extends": "missing"}},
    ):
        with pytest.raises(PipelineError) as exc:
            profiles_from_config(bad)
        assert exc.value.code == "invalid_profile"


def test_rendition_key_changes_with_profile(tmp_path: Path) -> None:
    f = tmp_path / "m.bin"
    f.write_bytes(b"x" * 3_000_000)
    digest = sha256_file(f, chunk_size=65536)
    assert digest == hashlib.sha256(b"x" * 3_000_000).hexdigest()
    ls = DEFAULT_PROFILES["loudspeaker"]
    changed = profiles_from_config({"loudspeaker": {"bitrate": "96k"}})["loudspeaker"]
    k1, k2 = rendition_key(digest, ls), rendition_key(digest, ls)
    assert k1 == k2 and k1.startswith("loudspeaker-")
    assert rendition_key(digest, changed) != k1
    assert rendition_key("0" * 64, ls) != k1
    assert rendition_key(digest, ls, subtitles="abc") != k1


def test_errors_are_stable_and_picklable() -> None:
    assert {"empty_file", "not_media", "no_audio", "decompression_bomb", "cancelled"} <= ERROR_CODES
    e = PipelineError("timeout", "slow")
    assert not e.permanent
    assert PipelineError("no_audio", "x").permanent
    assert PipelineError("ffmpeg_failed", "killed", permanent=False).permanent is False
    e2 = pickle.loads(pickle.dumps(e))
    assert (e2.code, e2.detail, e2.permanent) == ("timeout", "slow", False)
    assert e.as_dict() == {"code": "timeout", "detail": "slow", "permanent": False}
    with pytest.raises(ValueError):
        PipelineError("made_up", "x")


def test_adapter_inserts_split_and_escapes() -> None:
    job = Job(
        inputs=[InputSpec("/tmp/in put.wav")],
        streams=[
            StreamSpec("m", "audio", InputRef(0, "a:0"), [flt("pan", args="mono|c0=c0")]),
            StreamSpec("x", "audio", "m", [flt("volume", volume="1dB")]),
            StreamSpec("y", "audio", "m", [flt("volume", volume="2dB")]),
        ],
        outputs=[OutputSpec("-", ["x"], {"f": "null"}), OutputSpec("-", ["y"], {"f": "null"})],
    )
    args = build_args(job)
    graph = args[args.index("-filter_complex") + 1]
    assert "asplit=2" in graph
    assert "pan=args=mono|c0\\\\=c0" in graph  # '=' escaped for both levels
    assert "file:/tmp/in put.wav" in args


def test_adapter_reports_failure_and_timeout(tmp_path: Path) -> None:
    bad = Job(
        inputs=[InputSpec(str(tmp_path / "missing.wav"))],
        streams=[],
        outputs=[OutputSpec("-", [InputRef(0, "a:0")], {"f": "null"})],
    )
    with pytest.raises(PipelineError) as exc:
        run_job(bad)
    assert exc.value.code == "ffmpeg_failed" and "missing.wav" in exc.value.detail
    slow = Job(
        inputs=[InputSpec("sine=d=600", {"f": "lavfi", "re": None})],
        streams=[],
        outputs=[OutputSpec("-", [InputRef(0, "a:0")], {"f": "null"})],
    )
    t = time.monotonic()
    with pytest.raises(PipelineError) as exc:
        run_job(slow, timeout=1.0)
    assert exc.value.code == "timeout" and not exc.value.permanent
    assert time.monotonic() - t < 5


def test_progress_is_reported(tmp_path: Path) -> None:
    seen: list[float] = []
    job = Job(
        inputs=[InputSpec("sine=d=3:r=8000", {"f": "lavfi", "re": None})],
        streams=[],
        outputs=[OutputSpec("-", [InputRef(0, "a:0")], {"f": "null"})],
    )
    res = run_job(job, duration=3.0, progress_cb=seen.append)
    assert len(seen) >= 3 and seen == sorted(seen) and seen[-1] > 0.9
    assert res.out_time == pytest.approx(3.0, abs=0.1)


def test_atomic_outputs(tmp_path: Path) -> None:
    with atomic_outputs({"a": tmp_path / "a.mp3"}) as temps:
        assert temps["a"].parent == tmp_path and temps["a"].suffix == ".mp3"
        assert temps["a"].name.startswith(".a.partial-")
        temps["a"].write_bytes(b"ok")
    assert (tmp_path / "a.mp3").read_bytes() == b"ok"
    with pytest.raises(RuntimeError), atomic_outputs({"b": tmp_path / "b.wav"}) as temps:
        temps["b"].write_bytes(b"half")
        raise RuntimeError("boom")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp3"]
    with pytest.raises(PipelineError) as exc, atomic_outputs({"c": tmp_path / "c.wav"}):
        pass  # nothing written
    assert exc.value.code == "ffmpeg_failed"


def test_ebur128_summary_parser() -> None:
    log = (
        "[ebur128@m1 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -16.1 LUFS\n"
        "    Threshold: -26.2 LUFS\n\n  Loudness range:\n    LRA:         1.2 LU\n"
        "    Threshold: -36.0 LUFS\n\n  True peak:\n    Peak:       -inf dBFS\n"
        "[ebur128@m0 @ 0x2] Summary:\n  Integrated loudness:\n    I:         -70.0 LUFS\n"
        "  Loudness range:\n    LRA:         0.0 LU\n"
    )
    s = parse_ebur128_summaries(log)
    assert s["ebur128@m1"].integrated_lufs == -16.1 and s["ebur128@m1"].lra_lu == 1.2
    assert s["ebur128@m1"].true_peak_dbtp is not None and s["ebur128@m1"].true_peak_dbtp < -100
    assert s["ebur128@m0"].integrated_lufs == -70.0 and s["ebur128@m0"].true_peak_dbtp is None


def test_srt_to_ass(samples: Path) -> None:
    cues = parse_srt((samples / "vi_report.vi.srt").read_text("utf-8"))
    assert [(c.start, c.end) for c in cues] == [(0.5, 4.0), (4.2, 9.0)]
    ass = srt_to_ass(
        "1\r\n00:00:01,000 --> 00:00:02,5\r\n<i>{x}</i> a\\b\r\nline 2\r\n",
        font="Noto Sans",
        frame=(640, 360),
    )
    assert "PlayResX: 640" in ass and "Style: Default,Noto Sans," in ass
    assert "0:00:01.00,0:00:02.50" in ass and "(x) a" in ass and "\\Nline 2" in ass
    with pytest.raises(PipelineError):
        parse_srt("not subtitles")


def test_waveform(samples: Path, tmp_path: Path) -> None:
    out = render_waveform(samples / "vi_segment_48k_stereo.wav", tmp_path / "w.png")
    with Image.open(out) as im:
        assert im.size == (1200, 120)
        assert im.getchannel("A").getextrema()[1] > 0  # something drawn
    with pytest.raises(PipelineError) as exc:
        render_waveform(samples / "silent_no_audio.mp4", tmp_path / "x.png")
    assert exc.value.code == "no_audio"
