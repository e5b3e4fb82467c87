"""Image renditions with Pillow: bombs, CMYK, 16-bit, alpha, EXIF, captions."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from media_pipeline import (
    DEFAULT_PROFILES,
    ImageProfile,
    PipelineError,
    image_warnings,
    inspect_image,
    output_extension,
    render_images,
)
from media_pipeline.images import detect_script, load_image

NAMES = ["image_web", "image_board", "image_print"]


def _render(src: Path, out: Path, caption: str | None = None) -> dict[str, Path]:
    info = inspect_image(src)
    dests = {}
    for n in NAMES:
        p = DEFAULT_PROFILES[n]
        assert isinstance(p, ImageProfile)
        dests[n] = out / f"{src.stem}.{n}{output_extension(p, info)}"
    render_images(src, dests, caption=caption)
    return dests


@pytest.mark.parametrize(
    "name", ["photo_3000x2000.jpg", "poster_cmyk.jpg", "poster_scan_16bit.tif", "logo_alpha.png"]
)
def test_renditions_sizes(samples: Path, tmp_path: Path, name: str) -> None:
    src = samples / name
    out = _render(src, tmp_path, caption="Triển lãm ảnh")
    w, h = Image.open(src).size
    with Image.open(out["image_web"]) as web:
        assert max(web.size) == min(1600, max(w, h))
        assert abs(web.size[0] / web.size[1] - w / h) < 0.01
        assert web.mode in ("RGB", "RGBA")
    with Image.open(out["image_board"]) as board:
        assert board.size == (1920, 1080) and board.mode == "RGB"
    with Image.open(out["image_print"]) as pr:
        assert pr.size == (w, h) and pr.mode == "RGB"
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def _mean(im: Image.Image, box: tuple[int, int, int, int]) -> list[float]:
    return ImageStat.Stat(im.convert("RGB").crop(box)).mean


def test_cmyk_poster_colours(samples: Path, tmp_path: Path) -> None:
    """The poster is SMPTE-like bars: red | green | yellow | blue | magenta | cyan.

    Pillow's decoder un-inverts Adobe CMYK; a double inversion would show cyan where red
    is, a missing one would be dark/complementary. Expected values are the pure colours.
    """
    out = _render(samples / "poster_cmyk.jpg", tmp_path)
    with Image.open(out["image_print"]) as im:
        w = im.width // 6
        expected = [
            (255, 0, 0),
            (0, 255, 0),
            (255, 255, 0),
            (0, 0, 255),
            (255, 0, 255),
            (0, 255, 255),
        ]
        for i, exp in enumerate(expected):
            box = (i * w + 20, 950, (i + 1) * w - 20, 1050)  # below the diagonal and checkerboard
            got = _mean(im, box)
            assert all(abs(g - e) < 25 for g, e in zip(got, exp, strict=True)), (i, got)


def test_16bit_tiff_not_blown_out(samples: Path, tmp_path: Path) -> None:
    out = _render(samples / "poster_scan_16bit.tif", tmp_path)
    reference = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(samples / "poster_scan_16bit.tif"),
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    ref = Image.frombytes("RGB", (1240, 1754), reference)
    with Image.open(out["image_print"]) as im:
        stat = ImageStat.Stat(im)
        assert 60 < sum(stat.mean) / 3 < 180  # a clipped conversion is almost all white
        for box in [(10, 10, 120, 900), (160, 10, 280, 900), (560, 10, 660, 900)]:
            a, b = _mean(im, box), _mean(ref, box)
            assert all(abs(x - y) < 6 for x, y in zip(a, b, strict=True)), (box, a, b)


def test_alpha_kept_for_web_flattened_for_jpeg(samples: Path, tmp_path: Path) -> None:
    out = _render(samples / "logo_alpha.png", tmp_path)
    assert out["image_web"].suffix == ".png"
    with Image.open(samples / "logo_alpha.png") as src:
        rgba = src.convert("RGBA")
        alpha = rgba.getchannel("A")
        xy = next(
            (x, y)
            for y in range(0, src.height, 7)
            for x in range(0, src.width, 7)
            if alpha.getpixel((x, y)) < 128
        )
        r, g, b, a = rgba.getpixel(xy)  # type: ignore[misc]
    with Image.open(out["image_web"]) as web:
        assert web.mode == "RGBA"
        assert web.getchannel("A").getextrema() == alpha.getextrema()
    with Image.open(out["image_print"]) as pr:
        assert pr.format == "JPEG" and pr.mode == "RGB"
        k = a / 255
        expected = [c * k + 255 * (1 - k) for c in (r, g, b)]  # composited onto white
        got = pr.getpixel(xy)
        assert isinstance(got, tuple)
        assert all(abs(x - y) < 14 for x, y in zip(got, expected, strict=True)), (got, expected)


def test_exif_orientation_applied(tmp_path: Path) -> None:
    src = tmp_path / "rot.jpg"
    im = Image.new("RGB", (400, 200), (200, 30, 30))
    im.paste((30, 30, 200), (0, 0, 100, 200))  # blue on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW to display
    im.save(src, exif=exif.tobytes())
    info = inspect_image(src)
    assert (info.width, info.height) == (200, 400)
    loaded = load_image(src)
    assert loaded.size == (200, 400)
    top = _mean(loaded, (0, 0, 200, 80))
    assert top[2] > 150 and top[0] < 80  # the blue band is now on top


def test_low_resolution_warning(samples: Path) -> None:
    assert image_warnings(inspect_image(samples / "logo_alpha.png"))
    assert inspect_image(samples / "logo_alpha.png").warnings
    assert image_warnings(inspect_image(samples / "photo_3000x2000.jpg")) == []


def test_decompression_bomb_refused_quickly(samples: Path) -> None:
    t = time.monotonic()
    for fn in (inspect_image, load_image):
        with pytest.raises(PipelineError) as exc:
            fn(samples / "bad_decompression_bomb.png")
        assert exc.value.code == "decompression_bomb" and exc.value.permanent
    assert time.monotonic() - t < 1.0


def test_decompression_bomb_does_not_allocate(samples: Path) -> None:
    """Peak RSS of a fresh interpreter barely grows when the bomb is refused."""
    code = textwrap.dedent(
        f"""
        import resource
        from media_pipeline import PipelineError, render_images
        from media_pipeline.images import load_image
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            render_images({str(samples / "bad_decompression_bomb.png")!r}, {{}})
            load_image({str(samples / "bad_decompression_bomb.png")!r})
        except PipelineError as e:
            assert e.code == "decompression_bomb", e.code
        else:
            raise SystemExit("not refused")
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(after - before)
        """
    )
    root = Path(__file__).resolve().parents[2]
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=False
    )
    assert res.returncode == 0, res.stderr
    grown_kb = int(res.stdout.strip())
    assert grown_kb < 20_000  # the full image would be 3.6 GB


def test_big_but_plausible_image_is_too_many_pixels(samples: Path) -> None:
    with pytest.raises(PipelineError) as exc:
        inspect_image(samples / "photo_3000x2000.jpg", max_pixels=1_000_000)
    assert exc.value.code == "too_many_pixels"


def test_not_an_image(samples: Path) -> None:
    with pytest.raises(PipelineError) as exc:
        inspect_image(samples / "bad_text_named.mp3")
    assert exc.value.code == "not_media"


@pytest.mark.parametrize(
    ("caption", "script"),
    [
        ("Đài truyền thanh xã xin kính chào bà con", "latin"),
        ("សូមស្វាគមន៍បងប្អូនទាំងអស់គ្នា", "khmer"),
        ("ꨀꨇꨉ ꨌꨟ", "cham"),
    ],
)
def test_board_caption_band(samples: Path, tmp_path: Path, caption: str, script: str) -> None:
    assert detect_script(caption) == script
    dest = tmp_path / "board.jpg"
    render_images(samples / "photo_3000x2000.jpg", {"image_board": dest}, caption=caption)
    plain = tmp_path / "plain.jpg"
    render_images(samples / "photo_3000x2000.jpg", {"image_board": plain})
    with Image.open(dest) as im, Image.open(plain) as pl:
        band = im.crop((0, 1080 - 140, 1920, 1080)).convert("L")
        lo, hi = band.getextrema()
        assert hi > 200 and lo < 40  # white text drawn on the dark band
        # the picture is shrunk above the band, so the frames differ
        assert ImageStat.Stat(pl.crop((0, 940, 1920, 1080)).convert("L")).mean[0] != pytest.approx(
            ImageStat.Stat(band).mean[0], abs=1
        )
