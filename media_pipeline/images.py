"""Image inspection and renditions (Pillow).

* Decompression bombs are refused from the header alone (``Image.open`` is lazy): the claimed
  pixel count is compared with ``max_pixels`` before ``load()``, and Pillow's own
  ``DecompressionBombError`` / ``DecompressionBombWarning`` become
  ``PipelineError("decompression_bomb")``. No pixel memory is allocated for a refused file.
* Orientation: EXIF ``Orientation`` is applied (``ImageOps.exif_transpose``).
* Colour: CMYK (and any image with an embedded ICC profile) is converted to sRGB with LittleCMS
  (``ImageCms``). A CMYK JPEG without a profile uses Pillow's plain conversion; Pillow's JPEG
  decoder already undoes the inverted storage of Adobe (Photoshop) CMYK JPEGs (APP14 "Adobe"
  marker), so no second inversion is applied.
* 16-bit images are scaled to 8 bits (value / 257), not clipped.
* Alpha: kept for PNG/WebP web renditions, flattened onto ``flatten_color`` for JPEG.
"""

from __future__ import annotations

import io
import os
import struct
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PIL import (
    Image,
    ImageCms,
    ImageColor,
    ImageOps,
    UnidentifiedImageError,
)

from .atomic import atomic_outputs
from .captions import (  # noqa: F401 - public here too
    FONT_DIRS,
    SCRIPT_FONT_INDEX,
    SCRIPT_FONTS,
    detect_script,
    draw_caption,
    find_font,
    script_runs,
)
from .errors import PipelineError
from .profiles import DEFAULT_PROFILES, ImageProfile, Profile

#: default ceiling for an image's pixel count (a 600 dpi A3 scan is ~70 MP)
DEFAULT_MAX_IMAGE_PIXELS = 120_000_000
#: pixels per byte of file above which a big image is treated as a bomb (real photos: < 50)
BOMB_PIXELS_PER_BYTE = 2000
#: archive quality threshold (docs/design.md#output-profiles: 1200 x 800, about 0.95 MP)
MIN_ARCHIVE_LONG_EDGE = 1200
MIN_ARCHIVE_SHORT_EDGE = 800

# Pillow's global limit stays as a second line of defence; our own check runs first.
Image.MAX_IMAGE_PIXELS = max(Image.MAX_IMAGE_PIXELS or 0, DEFAULT_MAX_IMAGE_PIXELS)


@dataclass(frozen=True)
class ImageInfo:
    path: str
    format: str
    width: int  # as displayed (after EXIF orientation)
    height: int
    mode: str
    has_alpha: bool
    has_icc_profile: bool
    exif_orientation: int
    size: int
    warnings: tuple[str, ...] = ()

    @property
    def pixels(self) -> int:
        return self.width * self.height

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ImageRenditionResult:
    profile: str
    path: str
    format: str
    width: int
    height: int
    size: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def image_warnings(info: ImageInfo) -> list[str]:
    """Archive-quality warnings (e.g. below 1200x800 / 0.95 MP)."""
    long_edge, short_edge = max(info.width, info.height), min(info.width, info.height)
    out: list[str] = []
    if long_edge < MIN_ARCHIVE_LONG_EDGE or short_edge < MIN_ARCHIVE_SHORT_EDGE:
        out.append(
            f"low_resolution: {info.width}x{info.height} is below 1200x800 (0.95 MP) "
            "recommended for the archive"
        )
    return out


def _open(path: Path, max_pixels: int) -> Image.Image:
    """Open lazily (header only) and refuse oversize images before any decoding."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise PipelineError("not_found", f"file not found: {path}") from exc
    if size == 0:
        raise PipelineError("empty_file", "the file is empty (0 bytes)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PipelineError("decompression_bomb", f"image refused: {exc}") from exc
    except FileNotFoundError as exc:
        raise PipelineError("not_found", f"file not found: {path}") from exc
    except UnidentifiedImageError as exc:
        raise PipelineError("not_media", "not a recognised image format") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise PipelineError("unreadable", f"cannot read the image: {exc}") from exc
    w, h = im.size
    pixels = w * h
    if pixels > max_pixels:
        im.close()
        if pixels / max(size, 1) > BOMB_PIXELS_PER_BYTE:
            raise PipelineError(
                "decompression_bomb",
                f"header claims {w}x{h} pixels in a {size}-byte file; refused",
            )
        raise PipelineError("too_many_pixels", f"{w}x{h} exceeds the limit of {max_pixels} pixels")
    return im


def inspect_image(
    path: str | os.PathLike[str], max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS
) -> ImageInfo:
    """Header-only inspection (no pixel decoding)."""
    p = Path(path)
    im = _open(p, max_pixels)
    try:
        try:
            orientation = int(im.getexif().get(0x0112, 1) or 1)
        except (OSError, SyntaxError, ValueError, TypeError, struct.error) as exc:
            # Reading metadata chunks can hit the damage the header check did not see.
            raise PipelineError("unreadable", f"cannot read the image: {exc}") from exc
        w, h = im.size
        if orientation in (5, 6, 7, 8):
            w, h = h, w
        has_alpha = im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
            im.mode == "P" and "transparency" in im.info
        )
        info = ImageInfo(
            path=str(p),
            format=str(im.format or "unknown"),
            width=w,
            height=h,
            mode=im.mode,
            has_alpha=has_alpha,
            has_icc_profile=bool(im.info.get("icc_profile")),
            exif_orientation=orientation,
            size=p.stat().st_size,
        )
    finally:
        im.close()
    return ImageInfo(**{**asdict(info), "warnings": tuple(image_warnings(info))})


_SRGB = ImageCms.createProfile("sRGB")


def _to_8bit(im: Image.Image) -> Image.Image:
    """Scale high-bit-depth greyscale to 8 bits instead of clipping at 255."""
    if im.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        extrema = im.getextrema()
        top = float(extrema[1]) if isinstance(extrema[1], (int, float)) else 65535.0
        scale = 255.0 / 65535.0 if top > 255 else 1.0
        return im.convert("I").point(lambda v: v * scale).convert("L")
    if im.mode == "F":
        return im.point(lambda v: v * 255.0).convert("L")
    return im


def load_image(
    path: str | os.PathLike[str], max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS
) -> Image.Image:
    """Decode to 8-bit sRGB ``RGB`` or ``RGBA`` with EXIF orientation applied."""
    im = _open(Path(path), max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im.load()
        icc = im.info.get("icc_profile")
        transposed = ImageOps.exif_transpose(im)
        im2 = transposed if transposed is not None else im
        im2 = _to_8bit(im2)
        has_alpha = im2.mode in ("RGBA", "LA", "PA") or (
            im2.mode == "P" and "transparency" in im2.info
        )
        if icc and im2.mode in ("RGB", "RGBA", "CMYK", "L", "LA"):
            try:
                src_profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
                alpha = im2.getchannel("A") if im2.mode in ("RGBA", "LA") else None
                base = im2.convert("RGB" if im2.mode in ("RGBA", "LA") else im2.mode)
                if base.mode == "LA":
                    base = base.convert("L")
                converted = ImageCms.profileToProfile(
                    base,
                    src_profile,
                    _SRGB,
                    renderingIntent=ImageCms.Intent.PERCEPTUAL,
                    outputMode="RGB",
                )
                if converted is None:  # pragma: no cover - inPlace=False always returns
                    raise OSError("colour conversion failed")
                if alpha is not None:
                    converted.putalpha(alpha)
                return converted
            except (OSError, ImageCms.PyCMSError, ValueError):
                pass  # broken profile: fall back to the plain conversion below
        return im2.convert("RGBA" if has_alpha else "RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PipelineError("decompression_bomb", f"image refused: {exc}") from exc
    except PipelineError:
        raise
    except (OSError, SyntaxError, ValueError) as exc:
        raise PipelineError("unreadable", f"cannot decode the image: {exc}") from exc
    finally:
        im.close()


def _flatten(im: Image.Image, color: str) -> Image.Image:
    if im.mode != "RGBA":
        return im.convert("RGB")
    bg = Image.new("RGB", im.size, ImageColor.getrgb(color))
    bg.paste(im, mask=im.getchannel("A"))
    return bg


def _fit(im: Image.Image, w: int, h: int) -> Image.Image:
    scale = min(w / im.width, h / im.height)
    size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
    return im.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _save(im: Image.Image, dest: Path, fmt: str, quality: int, flatten_color: str) -> str:
    fmt = fmt.upper()
    icc = ImageCms.ImageCmsProfile(_SRGB).tobytes()
    if fmt == "JPEG":
        _flatten(im, flatten_color).save(
            dest,
            "JPEG",
            quality=quality,
            optimize=True,
            progressive=True,
            subsampling=0 if quality >= 90 else 2,
            icc_profile=icc,
        )
    elif fmt == "WEBP":
        im.save(dest, "WEBP", quality=quality, method=4, icc_profile=icc)
    else:
        im.save(dest, "PNG", optimize=True, icc_profile=icc)
    return fmt


def render_one(
    im: Image.Image, profile: ImageProfile, dest: Path, caption: str | None = None
) -> ImageRenditionResult:
    """Render a decoded image (from :func:`load_image`) to ``dest`` (not atomic)."""
    fmt = profile.format.upper()
    if fmt == "AUTO":
        fmt = "PNG" if im.mode == "RGBA" else "JPEG"
    if profile.purpose == "web":
        out = im
        limit = profile.max_long_edge
        if limit and max(im.size) > limit:
            out = _fit(im, limit, limit)
    elif profile.purpose == "board":
        if not (profile.width and profile.height):
            raise PipelineError("invalid_profile", f"{profile.name}: a board image needs a size")
        W, H = profile.width, profile.height
        band = int(H * profile.caption_band) if caption else 0
        canvas = Image.new("RGB", (W, H), ImageColor.getrgb(profile.background))
        pic = _fit(im, W, H - band)
        pic = _flatten(pic, profile.background) if pic.mode == "RGBA" else pic
        canvas.paste(pic, ((W - pic.width) // 2, (H - band - pic.height) // 2))
        if caption:
            draw_caption(canvas, (0, H - band, W, H), caption, profile.caption_color)
        out = canvas
    else:
        out = im
    written = _save(out, dest, fmt, profile.quality, profile.flatten_color)
    return ImageRenditionResult(
        profile=profile.name,
        path=str(dest),
        format=written,
        width=out.width,
        height=out.height,
        size=dest.stat().st_size,
    )


def render_images(
    src: str | os.PathLike[str],
    outputs: Mapping[str, str | os.PathLike[str]],
    profiles: Mapping[str, Profile] | None = None,
    *,
    caption: str | None = None,
    max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS,
) -> dict[str, ImageRenditionResult]:
    """Render image renditions (profile name -> destination), all written atomically.

    The destination's extension should match the profile's format (``.jpg``, ``.png``,
    ``.webp``); for ``format="auto"`` use :func:`output_extension` first.
    """
    table = DEFAULT_PROFILES if profiles is None else profiles
    profs: dict[str, ImageProfile] = {}
    for n in outputs:
        p = table.get(n)
        if not isinstance(p, ImageProfile):
            raise PipelineError("invalid_argument", f"{n!r} is not an image profile")
        profs[n] = p
    im = load_image(src, max_pixels)
    results: dict[str, ImageRenditionResult] = {}
    with atomic_outputs({n: Path(d) for n, d in outputs.items()}) as temps:
        for n, p in profs.items():
            r = render_one(im, p, temps[n], caption)
            results[n] = ImageRenditionResult(**{**asdict(r), "path": str(Path(outputs[n]))})
    return results


def output_extension(profile: ImageProfile, info: ImageInfo) -> str:
    """The file extension a rendition of ``info`` with ``profile`` will get."""
    fmt = profile.format.upper()
    if fmt == "AUTO":
        fmt = "PNG" if info.has_alpha else "JPEG"
    return {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[fmt]
