"""Language versions in packages (issue 16 §5): a translation still using another language's
master is flagged in the manifest and on the release page, and each MP3's ID3 title and
language come from the version's own page."""

from __future__ import annotations

import json
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from wagtail.models import Locale

from cms.stations.models import BuildStatus, PackageBuild

pytestmark = pytest.mark.django_db

KHMER_TITLE = "សិទ្ធិកុមារ"
VI_TITLE = "Quyền trẻ em ở thôn bản"


def bag_dir(build: PackageBuild) -> Path:
    return Path(default_storage.path(f"{build.folder}/{build.bag_name}"))


def km_version(vi_page: Any) -> Any:
    return vi_page.get_translation(Locale.objects.get(language_code="km")).specific


def use_vi_master(vi_page: Any) -> Any:
    """The km translation still plays the Vietnamese recording (a forgotten re-dub)."""
    km = km_version(vi_page)
    km.audio = vi_page.specific.audio
    km.save_revision().publish()
    return km


def tags(path: Path) -> dict[str, str]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return {k.lower(): v for k, v in json.loads(out)["format"].get("tags", {}).items()}


def test_km_version_on_the_vi_master_is_flagged_in_manifest_and_release_page(
    make_item, make_station, make_package, release, units, client, make_user
) -> None:
    item = make_item(VI_TITLE, languages=("vi", "km"), titles={"km": KHMER_TITLE})
    km = use_vi_master(item)
    make_station("cao-loc", languages=("vi", "km"))
    package = make_package("Bản tin tuần 42", [item], units=[units["cao_loc"]])

    client.force_login(make_user("bientap", "editor"))
    page = client.get(reverse("stations_admin:release", args=[package.pk]))
    assert page.status_code == 200
    html = unicodedata.normalize("NFC", page.content.decode())
    assert "dùng bản ghi gốc tiếng khác" in html
    assert unicodedata.normalize("NFC", KHMER_TITLE) in html
    assert "(km)" in html and "bản ghi gốc: vi" in html

    [delivery] = release(package)
    assert delivery.build.status == BuildStatus.READY
    manifest = json.loads((bag_dir(delivery.build) / "data/manifest.json").read_text("utf-8"))
    assert manifest["warnings"] == [
        {
            "code": "master_language_mismatch",
            "item_id": package.items.get().pk,
            "page_id": km.pk,
            "page_title": unicodedata.normalize("NFC", KHMER_TITLE),
            "language": "km",
            "master_id": item.specific.audio_id,
            "master_language": "vi",
        }
    ]


def test_km_version_with_its_own_master_has_no_warning(
    make_item, make_station, make_package, release, units, client, make_user
) -> None:
    item = make_item(VI_TITLE, languages=("vi", "km"), titles={"km": KHMER_TITLE})
    make_station("cao-loc", languages=("vi", "km"))
    package = make_package("Bản tin tuần 43", [item], units=[units["cao_loc"]])

    client.force_login(make_user("bientap", "editor"))
    html = client.get(reverse("stations_admin:release", args=[package.pk])).content.decode()
    assert "dùng bản ghi gốc tiếng khác" not in html

    [delivery] = release(package)
    manifest = json.loads((bag_dir(delivery.build) / "data/manifest.json").read_text("utf-8"))
    assert manifest["warnings"] == []


def test_mp3_id3_title_and_language_come_from_the_version_page(
    make_item, make_station, make_package, release, units
) -> None:
    item = make_item(VI_TITLE, languages=("vi", "km"), titles={"km": KHMER_TITLE})
    use_vi_master(item)  # even on the vi recording, the km file is tagged as the km page
    make_station("cao-loc", languages=("vi", "km"))
    package = make_package("Bản tin tuần 44", [item], units=[units["cao_loc"]])
    [delivery] = release(package)
    root = bag_dir(delivery.build) / "data"

    km_title = unicodedata.normalize("NFC", KHMER_TITLE)
    km_tags = tags(root / f"km/01 - {km_title}.mp3")
    assert km_tags["title"] == km_title
    assert km_tags["language"] == "khm"  # ISO 639-2, as the renditions write "vie"
    vi_tags = tags(root / f"vi/01 - {VI_TITLE}.mp3")
    assert vi_tags["title"] == VI_TITLE and vi_tags["language"] == "vie"

    manifest = json.loads((root / "manifest.json").read_text("utf-8"))
    listed = {f["path"]: f for f in manifest["files"]}
    from media_pipeline.hashing import sha256_file

    km_entry = listed[f"data/km/01 - {km_title}.mp3"]
    assert km_entry["sha256"] == sha256_file(root / f"km/01 - {km_title}.mp3")
