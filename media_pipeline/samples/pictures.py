"""The pictures: a drawn photo, a CMYK poster, a 16-bit scan, a logo with alpha."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from .tools import BITEXACT, ffmpeg


def photo(out: Path) -> None:
    """A drawn landscape: sky gradient, sun, hills and houses (plenty of edges to scale)."""
    width, height = 3000, 2000
    sky = Image.linear_gradient("L").resize((width, height))
    top, bottom = (40, 110, 200), (225, 235, 245)
    im = Image.merge(
        "RGB",
        [
            sky.point(lambda v, a=a, b=b: a + (b - a) * v // 255)
            for a, b in zip(top, bottom, strict=True)
        ],
    )
    draw = ImageDraw.Draw(im)
    draw.ellipse((2200, 250, 2600, 650), fill=(255, 215, 80))
    draw.ellipse((-600, 1150, 1900, 2700), fill=(60, 140, 60))
    draw.ellipse((1200, 1250, 3700, 2800), fill=(40, 115, 50))
    for i, x in enumerate(range(300, 2700, 480)):
        y = 1350 + (i % 3) * 60
        draw.rectangle((x, y, x + 300, y + 260), fill=(200 - i * 15, 120 + i * 10, 80))
        draw.polygon([(x - 30, y), (x + 150, y - 160), (x + 330, y)], fill=(150, 40, 30))
        draw.rectangle((x + 110, y + 120, x + 190, y + 260), fill=(70, 45, 25))
    for i in range(0, width, 40):  # a fence: fine detail for the resampler
        draw.line((i, 1880, i, 2000), fill=(90, 60, 30), width=8)
    im.save(out / "photo_3000x2000.jpg", quality=85)


POSTER_BARS = ((255, 0, 0), (0, 255, 0), (255, 255, 0), (0, 0, 255), (255, 0, 255), (0, 255, 255))


def poster_cmyk(out: Path) -> None:
    """Six pure colour bars (red, green, yellow, blue, magenta, cyan), stored as CMYK."""
    width, height = 1600, 1067
    im = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(im)
    for i, colour in enumerate(POSTER_BARS):
        draw.rectangle((i * width // 6, 0, (i + 1) * width // 6 - 1, height), fill=colour)
    draw.line((0, 0, width, 700), fill=(255, 255, 255), width=6)
    for y in range(480, 760, 20):
        for x in range(900 + (y // 20 % 2) * 20, 1200, 40):
            draw.rectangle((x, y, x + 19, y + 19), fill=(128, 128, 128))
    im.convert("CMYK").save(out / "poster_cmyk.jpg", quality=90)


def tiff_16bit(out: Path) -> None:
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "smptebars=s=1240x1754",
        "-frames:v",
        "1",
        "-pix_fmt",
        "rgb48le",
        "-c:v",
        "tiff",
        "-compression_algo",
        "deflate",
        *BITEXACT,
        str(out / "poster_scan_16bit.tif"),
    )


def logo_alpha(out: Path) -> None:
    """A logo on a background at 80/255 opacity, a solid disc of stripes, a colour ramp."""
    width, height = 800, 600
    im = Image.new("RGBA", (width, height), (30, 90, 160, 80))
    stripes = Image.new("RGBA", (width, height))
    draw = ImageDraw.Draw(stripes)
    for i, colour in enumerate(POSTER_BARS):
        draw.rectangle((150 + i * 84, 0, 150 + (i + 1) * 84, height), fill=(*colour, 255))
    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).ellipse((160, 60, 640, 540), fill=255)
    im.paste(stripes, (0, 0), mask)
    draw = ImageDraw.Draw(im)
    for x in range(width):
        hue = x * 255 // width
        draw.line((x, 440, x, 480), fill=(hue, 255 - hue, (hue * 3) % 256, 255))
    im.save(out / "logo_alpha.png")
