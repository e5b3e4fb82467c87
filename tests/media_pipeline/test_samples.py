"""The generated sample set has the property each file is there to stress (docs/samples.md).

Checked the way the other tests here read renditions: ffprobe, ffmpeg's ebur128 and idet,
Pillow and the raw bytes, never the generator's own code, so a generator that drifted
(a lost rotation, a progressive "interlaced" file, a loud "very quiet" one) fails here
instead of silently weakening the tests that rely on it.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from media_pipeline.samples import STAMP_NAME, ensure_samples, is_current

from .conftest import SAMPLES, channel_rms, duration, ebur128, ffprobe, run, streams


def one(path: Path, kind: str) -> dict[str, Any]:
    (stream,) = streams(path, kind)
    return stream


@pytest.mark.parametrize(
    ("name", "codec", "rate", "channels"),
    [
        ("vi_segment_48k_stereo.wav", "pcm_s16le", 48000, 2),
        ("vi_phone_8k_mono.wav", "pcm_s16le", 8000, 1),
        ("vi_vbr_44k.mp3", "mp3", 44100, 2),
        ("vi_very_quiet.m4a", "aac", 44100, 2),
        ("vi_clipped_loud.wav", "pcm_s16le", 48000, 1),
        ("vi_speech.ogg", "opus", 48000, 1),
        ("vi_surround_5_1.wav", "pcm_s16le", 48000, 6),
        ("km_tone_bed.ogg", "opus", 48000, 1),
        ("tyz_tone_bed.ogg", "opus", 48000, 1),
    ],
)
def test_audio_formats(samples: Path, name: str, codec: str, rate: int, channels: int) -> None:
    path = samples / name
    a = one(path, "audio")
    assert (a["codec_name"], int(a["sample_rate"]), a["channels"]) == (codec, rate, channels)
    assert streams(path, "video") == []
    assert duration(path) > 5  # the probe tests require more than 5 s


def test_containers(samples: Path) -> None:
    assert ffprobe(samples / "vi_speech.ogg")["format"]["format_name"] == "ogg"
    assert ffprobe(samples / "vi_very_quiet.m4a")["format"]["format_name"].startswith("mov,mp4")


def test_surround_is_5_1_with_speech_in_the_centre(samples: Path) -> None:
    path = samples / "vi_surround_5_1.wav"
    assert one(path, "audio")["channel_layout"] == "5.1"
    fl, fr, fc, _lfe, bl, br = channel_rms(path)
    assert fc > fl and fc > bl and abs(fl - fr) < 0.1 and abs(bl - br) < 0.1


def test_vbr_mp3_has_a_xing_header_and_its_length(samples: Path) -> None:
    data = (samples / "vi_vbr_44k.mp3").read_bytes()
    assert b"Xing" in data[:4096]  # a CBR file says "Info" there
    assert abs(duration(samples / "vi_vbr_44k.mp3") - 8.62) < 0.1


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("vi_segment_48k_stereo.wav", -21.5, -18.5),
        ("vi_phone_8k_mono.wav", -26.0, -20.0),
        ("vi_vbr_44k.mp3", -21.0, -17.0),
        ("vi_speech.ogg", -21.0, -17.0),
        ("vi_very_quiet.m4a", -56.0, -50.0),
        ("vi_clipped_loud.wav", -7.0, -3.0),
        ("vi_report_1080p.mp4", -21.0, -17.0),
    ],
)
def test_loudness(samples: Path, name: str, low: float, high: float) -> None:
    integrated, peak, _lra = ebur128(samples / name)
    assert low <= integrated <= high, integrated
    if name == "vi_very_quiet.m4a":
        assert peak < -25  # quiet throughout, not a loud file with silence around it
    elif name == "vi_clipped_loud.wav":
        assert peak > 0  # true peak above full scale: the waveform is flat-topped
    else:
        assert peak <= 1.0


def test_clipped_wav_has_runs_of_full_scale_samples(samples: Path) -> None:
    raw = (samples / "vi_clipped_loud.wav").read_bytes()[44:]
    values = struct.unpack(f"<{len(raw) // 2}h", raw[: len(raw) // 2 * 2])
    at_limit = sum(1 for v in values if v in (32767, -32768))
    assert at_limit > 1000


def test_report_video(samples: Path) -> None:
    path = samples / "vi_report_1080p.mp4"
    v, a = one(path, "video"), one(path, "audio")
    assert (v["codec_name"], v["width"], v["height"]) == ("h264", 1920, 1080)
    assert v["r_frame_rate"] == "30/1" and v.get("field_order", "progressive") == "progressive"
    assert (a["codec_name"], int(a["sample_rate"])) == ("aac", 48000)
    assert duration(path) == 12.0
    data = path.read_bytes()
    assert len(data) > 200_000  # the truncated-MP4 test cuts it at 200 kB
    assert data.index(b"mdat") < data.index(b"moov")  # so a cut copy has no index


def test_rotated_phone_video(samples: Path) -> None:
    v = one(samples / "phone_portrait_rotated.mp4", "video")
    assert (v["width"], v["height"]) == (1920, 1080)
    rotations = [int(d["rotation"]) for d in v.get("side_data_list", []) if "rotation" in d]
    assert rotations and abs(rotations[0]) == 90
    assert streams(samples / "phone_portrait_rotated.mp4", "audio")


def test_interlaced_sd_archive(samples: Path) -> None:
    path = samples / "archive_sd_interlaced.mpg"
    v, a = one(path, "video"), one(path, "audio")
    assert (v["codec_name"], v["width"], v["height"]) == ("mpeg2video", 720, 576)
    assert v["field_order"] == "tt"
    assert (v["sample_aspect_ratio"], v["display_aspect_ratio"]) == ("16:15", "4:3")
    assert a["codec_name"] == "mp2"
    # the picture is woven from two fields, not merely flagged interlaced
    idet = ["-vf", "idet", "-an", "-f", "null", "-"]
    res = run(["ffmpeg", "-nostats", "-hide_banner", "-i", str(path), *idet])
    assert res.returncode == 0, res.stderr[-2000:]
    multi = re.search(
        r"Multi frame detection: TFF:\s*(\d+) BFF:\s*(\d+) Progressive:\s*(\d+)", res.stderr
    )
    assert multi
    tff, bff, progressive = (int(x) for x in multi.groups())
    assert tff > 10 * max(1, bff + progressive)


def test_video_without_audio(samples: Path) -> None:
    path = samples / "silent_no_audio.mp4"
    assert one(path, "video")["codec_name"] == "h264"
    assert streams(path, "audio") == []


def test_demo_khmer_video_has_no_speech_track_of_vietnamese(samples: Path) -> None:
    path = samples / "km_test_pattern_720p.mp4"
    v, a = one(path, "video"), one(path, "audio")
    assert (v["width"], v["height"], a["codec_name"]) == (1280, 720, "aac")
    assert duration(path) >= 9.0  # the Khmer subtitles run to 9 s


def test_pictures(samples: Path) -> None:
    with Image.open(samples / "photo_3000x2000.jpg") as im:
        assert (im.format, im.mode, im.size) == ("JPEG", "RGB", (3000, 2000))
    with Image.open(samples / "poster_cmyk.jpg") as im:
        assert (im.format, im.mode) == ("JPEG", "CMYK")
    with Image.open(samples / "poster_scan_16bit.tif") as im:
        assert im.format == "TIFF"
        assert tuple(im.tag_v2[258]) == (16, 16, 16)  # BitsPerSample
    assert one(samples / "poster_scan_16bit.tif", "video")["pix_fmt"].startswith("rgb48")
    with Image.open(samples / "logo_alpha.png") as im:
        assert (im.format, im.mode) == ("PNG", "RGBA")
        low, high = im.getchannel("A").getextrema()
        assert low < 128 and high == 255


def cues(text: str) -> list[tuple[str, str, str]]:
    blocks = [b for b in text.strip().split("\n\n") if b]
    out = []
    for block in blocks:
        _number, times, *lines = block.splitlines()
        start, end = times.split(" --> ")
        out.append((start, end, " ".join(lines)))
    return out


def test_subtitles(samples: Path) -> None:
    vi = cues((samples / "vi_report.vi.srt").read_text("utf-8"))
    km = cues((samples / "vi_report.km.srt").read_text("utf-8"))
    times = [("00:00:00,500", "00:00:04,000"), ("00:00:04,200", "00:00:09,000")]
    assert [c[:2] for c in vi] == times and [c[:2] for c in km] == times
    assert all(re.search("[ăâđêôơưạảấầẩậắằẳặẹẻẽếềểệịọỏốồổộớờởợụủứừửựỳỷỹ]", c[2]) for c in vi)
    for _start, _end, text in km:
        letters = [ch for ch in text if not ch.isspace()]
        assert all("\u1780" <= ch <= "\u17ff" for ch in letters), text


def test_truncated_mp3_is_cut_but_claims_its_full_length(samples: Path) -> None:
    path = samples / "bad_truncated.mp3"
    assert path.stat().st_size < (samples / "vi_vbr_44k.mp3").stat().st_size / 2
    declared = duration(path)  # from the Xing header
    res = run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-progress", "pipe:1", "-"])
    heard = max(int(v) for v in re.findall(r"out_time_us=(\d+)", res.stdout)) / 1e6
    assert declared > 8 and 1.0 < heard < 3.0


def test_text_named_mp3_is_text(samples: Path) -> None:
    path = samples / "bad_text_named.mp3"
    text = path.read_bytes().decode("ascii")  # plain text, no binary header
    assert text.strip() and text.strip().isprintable()
    assert run(["ffprobe", "-v", "error", "-show_streams", str(path)]).returncode != 0


def test_empty_wav_is_empty(samples: Path) -> None:
    assert (samples / "bad_empty.wav").stat().st_size == 0


def test_decompression_bomb_is_tiny_but_claims_60000_square(samples: Path) -> None:
    data = (samples / "bad_decompression_bomb.png").read_bytes()
    assert len(data) < 4096
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (60000, 60000)
    with pytest.raises(Image.DecompressionBombError):
        Image.open(samples / "bad_decompression_bomb.png")


def test_second_call_regenerates_nothing(samples: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in samples.iterdir()}
    assert STAMP_NAME in before
    assert ensure_samples(SAMPLES) == samples
    assert {p.name: p.stat().st_mtime_ns for p in samples.iterdir()} == before
    leftovers = [p.name for p in samples.parent.iterdir() if ".partial-" in p.name]
    assert leftovers == []


def test_stale_stamp_is_not_current(samples: Path, tmp_path: Path) -> None:
    copy = tmp_path / "set"
    copy.mkdir()
    for path in samples.iterdir():
        (copy / path.name).symlink_to(path)
    assert is_current(copy)
    (copy / STAMP_NAME).unlink()
    (copy / STAMP_NAME).write_text("generator 0000\n", encoding="utf-8")
    assert not is_current(copy)
    (copy / STAMP_NAME).unlink()
    (copy / STAMP_NAME).symlink_to(samples / STAMP_NAME)
    (copy / "vi_speech.ogg").unlink()
    assert not is_current(copy)  # a missing file is regenerated too
