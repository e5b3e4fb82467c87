"""Sniffing by content, probing and upload limits."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from media_pipeline import Limits, PipelineError, probe, sniff

from .conftest import VALID_AUDIO_SAMPLES


@pytest.mark.parametrize("name", VALID_AUDIO_SAMPLES)
def test_valid_audio_samples_have_audio(samples: Path, name: str) -> None:
    res = sniff(samples / name)
    assert res.info is not None and res.info.has_audio
    assert res.info.duration is not None and res.info.duration > 5
    assert res.info.warnings == ()
    assert res.kind == ("video" if name.endswith(".mp4") else "audio")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("photo_3000x2000.jpg", "image"),
        ("poster_cmyk.jpg", "image"),
        ("poster_scan_16bit.tif", "image"),
        ("logo_alpha.png", "image"),
        ("bad_decompression_bomb.png", "image"),
        ("silent_no_audio.mp4", "video"),
        ("archive_sd_interlaced.mpg", "video"),
        ("phone_portrait_rotated.mp4", "video"),
    ],
)
def test_kinds(samples: Path, name: str, kind: str) -> None:
    assert sniff(samples / name).kind == kind


def test_content_not_extension_decides(samples: Path, tmp_path: Path) -> None:
    disguised = tmp_path / "notes.txt"
    shutil.copy(samples / "vi_vbr_44k.mp3", disguised)
    assert sniff(disguised).kind == "audio"
    no_ext = tmp_path / "upload"
    shutil.copy(samples / "vi_report_1080p.mp4", no_ext)
    assert sniff(no_ext).kind == "video"


@pytest.mark.parametrize(
    ("name", "code"),
    [("bad_empty.wav", "empty_file"), ("bad_text_named.mp3", "not_media")],
)
def test_bad_uploads_rejected(samples: Path, name: str, code: str) -> None:
    with pytest.raises(PipelineError) as exc:
        sniff(samples / name)
    assert exc.value.code == code
    assert exc.value.permanent
    assert exc.value.detail


def test_binary_garbage_is_not_media(tmp_path: Path) -> None:
    junk = tmp_path / "junk.wav"
    junk.write_bytes(bytes(range(1, 256)) * 40)
    with pytest.raises(PipelineError) as exc:
        probe(junk)
    assert exc.value.code in ("not_media", "unreadable")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PipelineError) as exc:
        probe(tmp_path / "nope.wav")
    assert exc.value.code == "not_found"


def test_truncated_mp3_reports_partial_duration(samples: Path) -> None:
    info = probe(samples / "bad_truncated.mp3")
    assert info.duration_is_partial
    assert info.declared_duration is not None and info.declared_duration > 8
    assert info.duration is not None and 1.0 < info.duration < 3.0
    assert any("partial" in w for w in info.warnings)


def test_truncated_mp4_is_a_clear_error(samples: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.mp4"
    cut.write_bytes((samples / "vi_report_1080p.mp4").read_bytes()[:200_000])
    with pytest.raises(PipelineError) as exc:
        probe(cut)
    assert exc.value.code in ("truncated", "unreadable")
    assert exc.value.permanent


def test_stream_details(samples: Path) -> None:
    surround = probe(samples / "vi_surround_5_1.wav")
    assert surround.audio is not None and surround.audio.channels == 6
    assert surround.audio.channel_layout == "5.1"
    phone = probe(samples / "vi_phone_8k_mono.wav")
    assert phone.audio is not None and phone.audio.sample_rate == 8000
    vbr = probe(samples / "vi_vbr_44k.mp3")
    assert vbr.duration is not None and abs(vbr.duration - 8.62) < 0.1


def test_rotation_and_display_size(samples: Path) -> None:
    v = probe(samples / "phone_portrait_rotated.mp4").video
    assert v is not None
    assert (v.width, v.height) == (1920, 1080)
    assert v.rotation in (90, 270)
    assert (v.display_width, v.display_height) == (1080, 1920) and v.is_portrait


def test_interlaced_sd_aspect(samples: Path) -> None:
    info = probe(samples / "archive_sd_interlaced.mpg")
    v = info.video
    assert v is not None and info.audio is not None
    assert v.interlaced and v.field_order == "tt"
    assert v.sar == (16, 15)
    assert (v.display_width, v.display_height) == (768, 576)
    progressive = probe(samples / "vi_report_1080p.mp4").video
    assert progressive is not None and not progressive.interlaced
    assert progressive.frame_rate == 30


def test_silent_video_has_no_audio(samples: Path) -> None:
    info = probe(samples / "silent_no_audio.mp4")
    assert info.has_video and not info.has_audio


def test_limits_checked_from_probe(samples: Path) -> None:
    with pytest.raises(PipelineError) as exc:
        probe(samples / "vi_report_1080p.mp4", Limits(max_duration_s=10))
    assert exc.value.code == "too_long"
    with pytest.raises(PipelineError) as exc:
        sniff(samples / "vi_report_1080p.mp4", Limits(max_pixels=1280 * 720))
    assert exc.value.code == "too_many_pixels"
    assert probe(samples / "vi_report_1080p.mp4", Limits(max_duration_s=13)).duration == 12.0


def test_media_info_serialises(samples: Path) -> None:
    d = probe(samples / "archive_sd_interlaced.mpg").to_dict()
    assert d["video"]["display_width"] == 768
    assert d["audio"]["codec"] == "mp2"
