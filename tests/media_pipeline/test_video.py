"""Video renditions: geometry, rotation, deinterlacing, subtitles, audio loudness."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from media_pipeline import (
    DEFAULT_PROFILES,
    PipelineError,
    RenditionResult,
    VideoProfile,
    board_native,
    profiles_from_config,
    render_video,
)
from media_pipeline.images import find_font
from media_pipeline.subtitles import srt_to_ass

from .conftest import (
    SAMPLES,
    decoded_duration,
    duration,
    ebur128,
    ffprobe,
    frame_rgb,
    region_diff,
    region_mean,
    streams,
)

SMALL = profiles_from_config(
    {"small": {"extends": "board_landscape", "width": 640, "height": 360, "video_bitrate": "800k"}}
)["small"]
assert isinstance(SMALL, VideoProfile)


def _p(name: str) -> VideoProfile:
    p = DEFAULT_PROFILES[name]
    assert isinstance(p, VideoProfile)
    return p


RENDERS = {
    "report_board": ("vi_report_1080p.mp4", "board_landscape", "vi_report.km.srt"),
    "report_web": ("vi_report_1080p.mp4", "web_video", None),
    "portrait_web": ("phone_portrait_rotated.mp4", "web_video", None),
    "portrait_board_portrait": ("phone_portrait_rotated.mp4", "board_portrait", None),
    "portrait_board_landscape": ("phone_portrait_rotated.mp4", "board_landscape", None),
    "archive_board": ("archive_sd_interlaced.mpg", "board_landscape", None),
    "silent_portrait": ("silent_no_audio.mp4", "board_portrait", None),
}


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RenditionResult]:
    d = tmp_path_factory.mktemp("video")
    out: dict[str, RenditionResult] = {}
    for key, (src, profile, subs) in RENDERS.items():
        out[key] = render_video(
            SAMPLES / src,
            d / f"{key}.mp4",
            _p(profile),
            subtitles_path=SAMPLES / subs if subs else None,
            poster_dest=d / f"{key}.jpg",
        )
    return out


@pytest.mark.parametrize("key", list(RENDERS))
def test_video_format(videos: dict[str, RenditionResult], key: str) -> None:
    src, profile_name, _ = RENDERS[key]
    p = _p(profile_name)
    r = videos[key]
    (v,) = streams(r.path, "video")
    assert v["codec_name"] == "h264" and v["profile"] == "High"
    assert v["pix_fmt"] == "yuv420p"
    assert v["r_frame_rate"] == "25/1" and v["avg_frame_rate"] == "25/1"
    assert v.get("sample_aspect_ratio", "1:1") in ("1:1", "N/A")
    assert v.get("field_order", "progressive") == "progressive"
    expected = (p.width, p.height)
    if key == "portrait_web":
        expected = (720, 1280)  # portrait source -> portrait 720p
    assert (v["width"], v["height"]) == expected
    assert abs(duration(r.path) - duration(SAMPLES / src)) <= 0.05
    assert abs(decoded_duration(r.path, "v:0") - duration(SAMPLES / src)) <= 0.05
    data = Path(r.path).read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # +faststart
    assert ffprobe(r.path)["format"]["format_name"].startswith("mov,mp4")


@pytest.mark.parametrize("key", [k for k in RENDERS if not k.startswith("silent")])
def test_video_audio_loudness(videos: dict[str, RenditionResult], key: str) -> None:
    p = _p(RENDERS[key][1])
    (a,) = streams(videos[key].path, "audio")
    assert a["codec_name"] == "aac" and int(a["sample_rate"]) == 48000
    assert p.audio_target_lufs is not None
    i, tp, _ = ebur128(videos[key].path)
    assert abs(i - p.audio_target_lufs) <= p.audio_tolerance_lu
    assert tp <= p.audio_true_peak_dbtp
    r = videos[key]
    assert r.output_loudness is not None and r.input_loudness is not None


def test_silent_source_has_no_audio_stream(videos: dict[str, RenditionResult]) -> None:
    assert streams(videos["silent_portrait"].path, "audio") == []
    assert videos["silent_portrait"].gain_db is None


def _is_black(rgb: tuple[float, float, float]) -> bool:
    return max(rgb) < 24


def test_portrait_pillarboxed_on_landscape_board(videos: dict[str, RenditionResult]) -> None:
    raw = frame_rgb(videos["portrait_board_landscape"].path, 2.0, (192, 108))
    # 1080x1920 content scaled to 608x1080 in 1920x1080: bars of 656 px (65 px at 1/10 scale)
    assert _is_black(region_mean(raw, 192, (0, 0, 60, 108)))
    assert _is_black(region_mean(raw, 192, (132, 0, 192, 108)))
    assert not _is_black(region_mean(raw, 192, (70, 0, 122, 108)))


def test_portrait_fills_portrait_board(videos: dict[str, RenditionResult]) -> None:
    raw = frame_rgb(videos["portrait_board_portrait"].path, 2.0, (108, 192))
    for box in [(0, 0, 8, 192), (100, 0, 108, 192), (0, 0, 108, 8), (0, 184, 108, 192)]:
        assert not _is_black(region_mean(raw, 108, box)), box


def test_portrait_web_video_and_poster(videos: dict[str, RenditionResult]) -> None:
    r = videos["portrait_web"]
    assert r.poster_path is not None
    (v,) = streams(r.poster_path, "video")
    assert v["codec_name"] == "mjpeg" and (v["width"], v["height"]) == (720, 1280)
    assert videos["report_board"].poster_path is None  # board profiles have no poster


def test_archive_aspect_and_deinterlace(videos: dict[str, RenditionResult]) -> None:
    """720x576 at SAR 16:15 is 4:3 (768x576): fitted to 1440x1080 with 240 px bars."""
    raw = frame_rgb(videos["archive_board"].path, 2.0, (192, 108))
    assert _is_black(region_mean(raw, 192, (0, 10, 22, 98)))
    assert _is_black(region_mean(raw, 192, (170, 10, 192, 98)))
    assert not _is_black(region_mean(raw, 192, (26, 10, 40, 98)))
    assert not _is_black(region_mean(raw, 192, (152, 10, 166, 98)))


def _small_render(tmp: Path, name: str, subs: Path | None, fonts: Path | None = None) -> Path:
    dest = tmp / f"{name}.mp4"
    render_video(
        SAMPLES / "vi_report_1080p.mp4", dest, SMALL, subtitles_path=subs, subtitles_font_dir=fonts
    )
    return dest


def test_khmer_subtitles_burned_in(tmp_path: Path, samples: Path) -> None:
    plain = _small_render(tmp_path, "plain", None)
    subbed = _small_render(tmp_path, "km", samples / "vi_report.km.srt")
    w, h = 640, 360
    a, b = frame_rgb(plain, 2.0, (w, h)), frame_rgb(subbed, 2.0, (w, h))
    bottom = (0, 280, w, 360)
    assert region_diff(a, b, w, bottom) > 3  # text drawn near the bottom
    top = (0, 0, w, 150)
    assert region_diff(a, b, w, top) < 2
    # after the last cue (9 s) the frames are the same again
    c, d = frame_rgb(plain, 10.5, (w, h)), frame_rgb(subbed, 10.5, (w, h))
    assert region_diff(c, d, w, bottom) < 2


def test_subtitle_and_font_paths_with_special_characters(tmp_path: Path, samples: Path) -> None:
    weird = tmp_path / "thư mục 'a': b, [c]; d"
    weird.mkdir()
    fonts = weird / "fonts, 'x'"
    fonts.mkdir()
    shutil.copy(find_font("khmer"), fonts / "NotoSansKhmer-Regular.ttf")
    ass = weird / "phụ đề: 'km', [1]; x=y.ass"
    ass.write_text(
        srt_to_ass(
            (samples / "vi_report.km.srt").read_text("utf-8"),
            font="Noto Sans Khmer",
            frame=(640, 360),
        ),
        encoding="utf-8",
    )
    subbed = _small_render(tmp_path, "weird", ass, fonts)
    plain = _small_render(tmp_path, "plain2", None)
    a, b = frame_rgb(plain, 2.0, (640, 360)), frame_rgb(subbed, 2.0, (640, 360))
    bottom = (0, 280, 640, 360)
    assert region_diff(a, b, 640, bottom) > 3


def test_board_native_led_wall(tmp_path: Path, samples: Path) -> None:
    wall = board_native(384, 192)
    r = render_video(samples / "vi_report_1080p.mp4", tmp_path / "wall.mp4", wall)
    (v,) = streams(r.path, "video")
    assert (v["width"], v["height"]) == (384, 192)
    assert streams(r.path, "audio") == []


def test_audio_only_source_refused(tmp_path: Path, samples: Path) -> None:
    with pytest.raises(PipelineError) as exc:
        render_video(samples / "vi_speech.ogg", tmp_path / "x.mp4", SMALL)
    assert exc.value.code == "no_video"


def test_video_cancel_is_atomic(tmp_path: Path, samples: Path) -> None:
    seen: list[float] = []
    with pytest.raises(PipelineError) as exc:
        render_video(
            samples / "vi_report_1080p.mp4",
            tmp_path / "c.mp4",
            _p("board_landscape"),
            progress_cb=seen.append,
            should_cancel=lambda: any(x > 0.1 for x in seen),
        )
    assert exc.value.code == "cancelled"
    assert list(tmp_path.iterdir()) == []
