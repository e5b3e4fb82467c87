"""Social versions (9:16, 1:1) and the audiogram, measured with ffprobe and ffmpeg (issue 18:
2): codecs, pixel format, exact frame sizes, the duration of the editor's cut, faststart,
bit rate and size within the profile's stated platform limits, loudness with ebur128, the
subtitles inside the safe area and shifted to the cut, Khmer shaped (no missing-glyph boxes),
an audiogram whose picture moves.

The frames the checks look at are kept in ``SOCIAL_FRAMES_DIR`` when it is set (to look at).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from media_pipeline.profiles import (
    AUDIOGRAM,
    SOCIAL_SQUARE,
    SOCIAL_VERTICAL,
    AudiogramProfile,
    SocialVideoProfile,
    bitrate_bps,
    profiles_from_config,
)
from media_pipeline.social import (
    Cut,
    plan_cut,
    render_audiogram,
    render_social,
    safe_area_ass,
    safe_box,
)
from media_pipeline.subtitles import Cue, cut_cues, parse_srt

CUT_IN, CUT_OUT = 2.5, 6.5  # the report's cues: 0.5–4.0 and 4.2–9.0 (Khmer and Vietnamese)
FRAME = 1 / 25


def ffprobe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
         "-count_frames", str(path)],
        capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(out)


def frame_at(video: Path, seconds: float, dest: Path) -> Image.Image:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-ss", f"{seconds:.3f}", "-i", str(video),
         "-frames:v", "1", str(dest)],
        check=True,
    )  # fmt: skip
    keep = os.environ.get("SOCIAL_FRAMES_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(dest, Path(keep) / dest.name)
    return Image.open(dest).convert("RGB")


def ink(a: Image.Image, b: Image.Image, threshold: int = 60) -> Image.Image:
    """Pixels that differ clearly between two frames (1-bit)."""
    diff = ImageChops.difference(a, b).convert("L")
    return diff.point(lambda v: 255 if v > threshold else 0).convert("1")


def count(mask: Image.Image) -> int:
    return sum(1 for v in mask.getdata() if v)


def top_level_boxes(path: Path) -> list[str]:
    boxes = []
    with path.open("rb") as fh:
        while header := fh.read(8):
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", fh.read(8))[0] - 8
            boxes.append(kind.decode("latin-1"))
            fh.seek(size - 8, os.SEEK_CUR)
    return boxes


def loudness(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) measured by ffmpeg's ebur128."""
    err = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a",
         "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, check=True, text=True,
    ).stderr  # fmt: skip
    summary = err[err.rindex("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))  # type: ignore[union-attr]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))  # type: ignore[union-attr]
    return integrated, peak


@pytest.fixture(scope="module")
def out(samples: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each version rendered once for the module (cut 2.5–6.5 s of the 12 s report)."""
    tmp = tmp_path_factory.mktemp("social")
    report = samples / "vi_report_1080p.mp4"
    made = {
        "vertical_km": (SOCIAL_VERTICAL, samples / "vi_report.km.srt"),
        "vertical_none": (SOCIAL_VERTICAL, None),
        "square_vi": (SOCIAL_SQUARE, samples / "vi_report.vi.srt"),
    }
    paths: dict[str, Path] = {}
    for name, (profile, subs) in made.items():
        paths[name] = tmp / f"{name}.mp4"
        render_social(
            report, paths[name], profile, cut_in=CUT_IN, cut_out=CUT_OUT, subtitles_path=subs
        )
    paths["audiogram"] = tmp / "audiogram.mp4"
    render_audiogram(
        samples / "vi_segment_48k_stereo.wav",
        paths["audiogram"],
        AUDIOGRAM,
        title="Bản tin sáng: Quyền trẻ em",
        cut_in=1.0,
        cut_out=9.0,
    )
    return paths


@pytest.mark.parametrize(
    ("name", "profile", "duration"),
    [
        ("vertical_km", SOCIAL_VERTICAL, CUT_OUT - CUT_IN),
        ("square_vi", SOCIAL_SQUARE, CUT_OUT - CUT_IN),
        ("audiogram", AUDIOGRAM, 8.0),
    ],
)
def test_streams_sizes_duration_faststart_and_limits(
    out: dict[str, Path], name: str, profile: SocialVideoProfile | AudiogramProfile, duration: float
) -> None:
    path = out[name]
    info = ffprobe(path)
    [video] = [s for s in info["streams"] if s["codec_type"] == "video"]
    [audio] = [s for s in info["streams"] if s["codec_type"] == "audio"]
    assert video["codec_name"] == "h264" and video["profile"] == "High"
    assert video["pix_fmt"] == "yuv420p"
    assert (video["width"], video["height"]) == (profile.width, profile.height)
    assert video.get("sample_aspect_ratio", "1:1") in ("1:1", "0:1")
    assert audio["codec_name"] == "aac" and audio["profile"] == "LC"
    assert int(audio["sample_rate"]) == 48000
    # the editor's cut, to a frame
    assert int(video["nb_read_frames"]) == round(duration * profile.fps)
    assert abs(float(video["duration"]) - duration) <= FRAME
    assert abs(float(audio["duration"]) - duration) <= FRAME
    assert abs(float(info["format"]["duration"]) - duration) <= FRAME
    # faststart: the index before the media data
    boxes = top_level_boxes(path)
    assert boxes.index("moov") < boxes.index("mdat"), boxes
    # within the platform limits the profile states
    size = path.stat().st_size
    assert size <= profile.max_size_bytes
    cap = bitrate_bps(profile.max_video_bitrate) + bitrate_bps(profile.audio_bitrate)
    assert int(info["format"]["bit_rate"]) <= cap
    assert int(video["bit_rate"]) <= bitrate_bps(profile.max_video_bitrate)
    assert profile.max_duration_s * cap / 8 <= profile.max_size_bytes


@pytest.mark.parametrize("name", ["vertical_km", "square_vi", "audiogram"])
def test_loudness_like_the_web_renditions(out: dict[str, Path], name: str) -> None:
    profile = {"vertical_km": SOCIAL_VERTICAL, "square_vi": SOCIAL_SQUARE}.get(name, AUDIOGRAM)
    integrated, peak = loudness(out[name])
    assert abs(integrated - profile.audio_target_lufs) <= profile.audio_tolerance_lu, integrated
    assert peak <= profile.audio_true_peak_dbtp + 0.1, peak


def test_subtitles_inside_the_safe_area_and_shifted_to_the_cut(
    out: dict[str, Path], tmp_path: Path
) -> None:
    left, top, right, bottom = safe_box(SOCIAL_VERTICAL)
    assert (top, bottom) == (round(1920 * 0.14), 1920 - round(1920 * 0.20))
    # middle of the cut: 2.0 s in = 4.5 s of the master, the second cue (4.2–9.0)
    with_subs = frame_at(out["vertical_km"], 2.0, tmp_path / "vertical_km_mid.png")
    without = frame_at(out["vertical_none"], 2.0, tmp_path / "vertical_none_mid.png")
    mask = ink(with_subs, without)
    box = mask.getbbox()
    assert box is not None and count(mask) > 2000, "no subtitle text in the frame"
    x0, y0, x1, y1 = box
    assert left <= x0 and x1 <= right and top <= y0 and y1 <= bottom, (
        box,
        (left, top, right, bottom),
    )
    # below the picture (1080x608 centred: rows 656–1264), above the platform's bottom band
    assert y0 >= 1264
    # 1.0 s in = 3.5 s of the master: the first cue, clipped to the cut's start, shows
    early = ink(
        frame_at(out["vertical_km"], 1.0, tmp_path / "vertical_km_1s.png"),
        frame_at(out["vertical_none"], 1.0, tmp_path / "vertical_none_1s.png"),
    )
    assert count(early) > 2000
    # 1.6 s in = 4.1 s of the master, between the cues: nothing (unshifted times would show
    # the first cue, which runs to 4.0 s of the cut's clock)
    gap = ink(
        frame_at(out["vertical_km"], 1.6, tmp_path / "vertical_km_gap.png"),
        frame_at(out["vertical_none"], 1.6, tmp_path / "vertical_none_gap.png"),
    )
    assert count(gap) < 50


def test_the_picture_fits_inside_the_frame_over_a_blurred_copy(
    out: dict[str, Path], tmp_path: Path
) -> None:
    frame = frame_at(out["vertical_none"], 2.0, tmp_path / "vertical_layout.png")
    # the bars (fully saturated) fill the middle band; above and below is the blurred copy,
    # not black padding
    band_top = frame.crop((0, 0, 1080, 600)).convert("L")
    assert max(band_top.getdata()) > 60
    square = frame_at(out["square_vi"], 2.0, tmp_path / "square_vi_mid.png")
    assert square.size == (1080, 1080)


def _ass_frame(tmp: Path, name: str, text: str) -> Image.Image:
    document, fonts_dir = safe_area_ass([Cue(0.0, 5.0, text)], SOCIAL_SQUARE)
    ass = tmp / f"{name}.ass"
    ass.write_text(document, encoding="utf-8")
    png = tmp / f"{name}.png"
    graph = f"color=c=black:s=1080x1080:d=1,ass=filename={ass}:fontsdir={fonts_dir}:shaping=complex"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", graph, "-frames:v", "1", str(png)],
        check=True,
    )
    keep = os.environ.get("SOCIAL_FRAMES_DIR")
    if keep:
        shutil.copy(png, Path(keep) / png.name)
    return Image.open(png).convert("L")


def test_khmer_subtitles_are_shaped_not_missing_glyph_boxes(tmp_path: Path) -> None:
    khmer = "កម្មវិធីផ្សាយអំពីសិទ្ធិកុមារ"
    # the same number of characters that no font has: what a missing font looks like
    boxes = "\u0378" * len(khmer)
    black = Image.new("L", (1080, 1080))
    text = ink(_ass_frame(tmp_path, "khmer", khmer), black, 100)
    tofu = ink(_ass_frame(tmp_path, "tofu", boxes), black, 100)
    assert count(text) > 3000
    overlap = count(ImageChops.logical_and(text, tofu))
    union = count(ImageChops.logical_or(text, tofu))
    assert overlap / union < 0.3
    # shaped: the coeng (្) makes subscript forms below the line, so the ink reaches
    # further down than the base consonants' line
    _tx0, ty0, _tx1, ty1 = text.getbbox()  # type: ignore[misc]
    _bx0, by0, _bx1, by1 = tofu.getbbox()  # type: ignore[misc]
    assert ty1 - ty0 > (by1 - by0) * 0.9


def test_audiogram_frames_change_with_the_sound(out: dict[str, Path], tmp_path: Path) -> None:
    a = frame_at(out["audiogram"], 1.0, tmp_path / "audiogram_1s.png")
    b = frame_at(out["audiogram"], 3.3, tmp_path / "audiogram_3s.png")
    moved = ink(a, b, 40)
    # the waveform (the middle band) moves; the title at the top stays (encoding noise aside)
    assert count(moved.crop((0, 324, 1080, 756))) > 500
    assert count(moved.crop((0, 0, 1080, 324))) + count(moved.crop((0, 756, 1080, 1080))) < 50
    title = ink(a, Image.new("RGB", a.size, (11, 37, 69)), 60).crop((0, 0, 1080, 250))
    assert count(title) > 1000


def test_cut_cues_drops_and_shifts() -> None:
    cues = parse_srt("1\n00:00:00,500 --> 00:00:04,000\nA\n\n2\n00:00:04,200 --> 00:00:09,000\nB\n")
    assert cut_cues(cues, 2.5, 6.5) == [Cue(0.0, 1.5, "A"), Cue(1.7, 4.0, "B")]
    assert cut_cues(cues, 4.1, None) == [Cue(0.1, 4.9, "B")]
    assert cut_cues(cues, 9.5, None) == []


def test_cut_is_limited_to_the_platform_duration() -> None:
    cut, warnings = plan_cut(600.0, 10.0, None, 180.0)
    assert cut == Cut(10.0, 190.0) and warnings
    assert plan_cut(12.0, None, None, 180.0) == (Cut(0.0, 12.0), [])
    assert plan_cut(12.0, 2.0, 30.0, 180.0)[0] == Cut(2.0, 12.0)


def test_profiles_state_consistent_limits_and_can_be_overridden() -> None:
    table = profiles_from_config({"social_vertical": {"background": "plain"}})
    assert table["social_vertical"].background == "plain"  # type: ignore[union-attr]
    with pytest.raises(Exception, match="may exceed"):
        profiles_from_config({"social_square": {"max_duration_s": 3600}})
    assert SOCIAL_VERTICAL.safe_top == 0.14 and SOCIAL_VERTICAL.safe_bottom == 0.20
