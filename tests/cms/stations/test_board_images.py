"""Exhibition photos and posters in packages: fitted to each board's screen, caption band in
the bag's language; radio stations get the captions as text only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bagit
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from cms.stations.models import PackageDelivery

pytestmark = pytest.mark.django_db

CAPTIONS = {
    "vi": ["Buổi sinh hoạt cộng đồng ở thôn Nà Pàn.", "Nam nữ bình đẳng."],
    "km": ["ការប្រជុំសហគមន៍នៅភូមិ", "សមភាពយេនឌ័រ"],
}


def bag_root(delivery: PackageDelivery) -> Path:
    build = delivery.build
    assert build is not None
    return Path(default_storage.path(f"{build.folder}/{build.bag_name}"))


def images_of(delivery: PackageDelivery) -> list[dict[str, Any]]:
    manifest = json.loads((bag_root(delivery) / "data/manifest.json").read_text("utf-8"))
    return [f for f in manifest["files"] if f["role"] == "image"]


def band_and_picture(path: Path) -> tuple[Image.Image, Image.Image, tuple[int, int]]:
    with Image.open(path) as image:
        image.load()
        size = image.size
        rgb = image.convert("L")
    band_top = round(size[1] * (1 - 0.14))
    return rgb.crop((0, band_top + 2, size[0], size[1])), rgb.crop((0, 0, size[0], band_top)), size


@pytest.fixture
def released(make_exhibition, make_station, make_package, release, units) -> dict[str, Any]:
    exhibition = make_exhibition("Triển lãm bình đẳng giới", CAPTIONS)
    stations = {
        "landscape": make_station("bang-ngang", kind="digital_board",
                                  board_profile="board_landscape", languages=("vi", "km")),
        "portrait": make_station("bang-doc", kind="digital_board",
                                 board_profile="board_portrait"),
        "radio": make_station("dai-xa"),
    }  # fmt: skip
    deliveries = release(make_package("Triển lãm lưu động", [exhibition], units=[units["cao_loc"]]))
    by_code = {d.station.code: d for d in deliveries}
    return {name: by_code[s.code] for name, s in stations.items()}


def test_landscape_board_gets_each_photo_at_its_screen_with_captions_per_language(
    released,
) -> None:
    delivery = released["landscape"]
    root = bag_root(delivery)
    assert bagit.Bag(str(root)).validate(processes=1)
    images = images_of(delivery)
    assert sorted((f["language"], f["caption"]) for f in images) == sorted(
        (language, caption) for language, texts in CAPTIONS.items() for caption in texts
    )
    bands: dict[tuple[str, str], Image.Image] = {}
    for entry in images:
        path = root / entry["path"]
        band, picture, size = band_and_picture(path)
        assert size == (1920, 1080) == (entry["width"], entry["height"])
        assert path.suffix == ".jpg" and entry["path"].startswith(f"data/{entry['language']}/")
        # White caption text on the black band; the photo above it is not blank.
        assert band.getextrema()[1] > 200, entry["path"]
        assert picture.getextrema()[1] - picture.getextrema()[0] > 100
        bands[(entry["language"], entry["path"].rsplit(" - ", 1)[1])] = band
    # The same photo carries a different caption band in Vietnamese and in Khmer.
    for name in ("Ảnh sinh hoạt.jpg", "Tranh cổ động.jpg"):
        vi, km = bands[("vi", name)], bands[("km", name)]
        assert vi.tobytes() != km.tobytes()
    rundown = json.loads((root / "data/rundown.json").read_text("utf-8"))
    assert [(row["language"], len(row["images"])) for row in rundown] == [("vi", 2), ("km", 2)]
    captions = (root / "data/km/01 - Triển lãm bình đẳng giới.txt").read_text("utf-8")
    assert CAPTIONS["km"][0] in captions and CAPTIONS["vi"][0] not in captions


def test_portrait_board_gets_portrait_images(released) -> None:
    delivery = released["portrait"]
    images = images_of(delivery)
    assert len(images) == 2 and {f["language"] for f in images} == {"vi"}
    for entry in images:
        band, picture, size = band_and_picture(bag_root(delivery) / entry["path"])
        assert size == (1080, 1920)
        assert band.getextrema()[1] > 200
        assert picture.getextrema()[1] - picture.getextrema()[0] > 100


def test_radio_station_gets_only_the_captions_text(released) -> None:
    delivery = released["radio"]
    root = bag_root(delivery)
    manifest = json.loads((root / "data/manifest.json").read_text("utf-8"))
    assert [f["role"] for f in manifest["files"]] == ["captions"]
    text = (root / manifest["files"][0]["path"]).read_text("utf-8")
    assert all(caption in text for caption in CAPTIONS["vi"])
    assert manifest["rundown"] == [] and not list(root.rglob("*.jpg"))
    # The three stations need three different bags.
    assert len({d.build_id for d in released.values()}) == 3
