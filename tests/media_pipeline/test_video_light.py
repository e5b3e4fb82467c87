"""The light web video for phones and its poster frame (issue 14: 3), read back with ffprobe,
ffmpeg's ebur128 and Pillow only."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageStat

from media_pipeline import DEFAULT_PROFILES, RenditionResult, VideoProfile, render_video

from .conftest import SAMPLES, duration, ebur128, ffprobe, lavfi, streams

#: The ceiling of the issue: video and audio together, measured from the file's bytes.
MAX_TOTAL_KBPS = 700


def light() -> VideoProfile:
    profile = DEFAULT_PROFILES["web_video_light"]
    assert isinstance(profile, VideoProfile)
    return profile


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RenditionResult]:
    folder = tmp_path_factory.mktemp("light")
    return {
        name: render_video(
            SAMPLES / source, folder / f"{name}.mp4", light(), poster_dest=folder / f"{name}.jpg"
        )
        for name, source in (
            ("report", "vi_report_1080p.mp4"),  # 1920x1080, busy moving picture
            ("portrait", "phone_portrait_rotated.mp4"),  # a phone clip, stored rotated
        )
    }


@pytest.mark.parametrize(("name", "size"), [("report", (640, 360)), ("portrait", (360, 640))])
def test_light_rendition_is_360p_h264_aac_under_700_kbps_with_faststart(
    rendered: dict[str, RenditionResult], name: str, size: tuple[int, int]
) -> None:
    path = Path(rendered[name].path)
    (video,) = streams(path, "video")
    (audio,) = streams(path, "audio")
    assert video["codec_name"] == "h264" and video["profile"] in ("Main", "Constrained Baseline")
    assert (video["width"], video["height"]) == size
    assert video["pix_fmt"] == "yuv420p"
    assert audio["codec_name"] == "aac"
    seconds = duration(path)
    assert ffprobe(path)["format"]["format_name"].startswith("mov,mp4")
    total_kbps = path.stat().st_size * 8 / seconds / 1000
    assert total_kbps <= MAX_TOTAL_KBPS, f"{total_kbps:.0f} kb/s"
    # far lighter than the 720p web rendition it stands in for on phones
    assert total_kbps >= 40, f"{total_kbps:.0f} kb/s: not a real picture"
    data = path.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # plays while it downloads
    integrated, peak, _lra = ebur128(path)
    assert abs(integrated - -16.0) <= 1.0 and peak <= -1.0


@pytest.mark.parametrize(("name", "size"), [("report", (640, 360)), ("portrait", (360, 640))])
def test_poster_is_a_jpeg_of_the_rendition_frame_size(
    rendered: dict[str, RenditionResult], name: str, size: tuple[int, int]
) -> None:
    poster = rendered[name].poster_path
    assert poster is not None
    with Image.open(poster) as image:
        assert image.format == "JPEG" and image.size == size
        # a picture, not a flat frame
        spread = ImageStat.Stat(image.convert("L")).stddev[0]
    assert spread > 10, spread
    assert Path(poster).stat().st_size < 60_000  # phones load it before anything plays


def test_poster_is_a_representative_frame_not_a_black_flash(tmp_path: Path) -> None:
    """A 4 s clip black from 0.3 s to 0.7 s: the poster position (10 %, 0.4 s) is black,
    the poster must show the picture around it."""
    source = lavfi(
        tmp_path / "flash.mp4",
        "testsrc2=size=640x360:rate=25:duration=4",
        "-vf",
        "drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='between(t,0.3,0.7)'",
        "-pix_fmt",
        "yuv420p",
    )
    result = render_video(source, tmp_path / "out.mp4", light(), poster_dest=tmp_path / "p.jpg")
    assert result.poster_path is not None
    with Image.open(result.poster_path) as image:
        brightness = ImageStat.Stat(image.convert("L")).mean[0]
    assert brightness > 40, brightness
