"""The podcast cover: a square PNG drawn from the site's own design (its accent colour, the
site name in Noto Sans, a loudspeaker with sound waves), 1400 x 1400 as Apple asks (at least
1400, at most 3000 pixels, RGB). Drawn once per process; the same bytes every time."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

from media_pipeline.captions import find_font

SIZE = 1400
ACCENT = (0xA3, 0x12, 0x1B)  # static/css/site.css --accent
WHITE = (255, 255, 255)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        regular = Path(find_font("latin"))
    except Exception:  # no Noto installed: Pillow's own scalable font
        return ImageFont.load_default(size)
    bold = regular.with_name("NotoSans-Bold.ttf")
    return ImageFont.truetype(str(bold if bold.exists() else regular), size)


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int, size: int) -> list[str]:
    """``text`` in as few lines as fit ``width`` at ``size``."""
    font = _font(size)
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


@lru_cache(maxsize=1)
def artwork_png() -> bytes:
    image = Image.new("RGB", (SIZE, SIZE), ACCENT)
    draw = ImageDraw.Draw(image)
    # a loudspeaker (the commune loudspeakers the programmes are made for) and three waves
    cx, cy = 560, 560
    draw.polygon(
        [
            (cx - 230, cy - 90),
            (cx - 120, cy - 90),
            (cx + 20, cy - 220),
            (cx + 20, cy + 220),
            (cx - 120, cy + 90),
            (cx - 230, cy + 90),
        ],
        fill=WHITE,
    )
    for radius in (150, 270, 390):
        box = (cx + 20 - radius, cy - radius, cx + 20 + radius, cy + radius)
        draw.arc(box, start=-45, end=45, fill=WHITE, width=48)
    name = str(settings.WAGTAIL_SITE_NAME)
    size = 120
    lines = _fit(draw, name, SIZE - 200, size)
    font = _font(size)
    y = SIZE - 140 - len(lines) * int(size * 1.25)
    for line in lines:
        draw.text((SIZE / 2, y), line, font=font, fill=WHITE, anchor="ma")
        y += int(size * 1.25)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
